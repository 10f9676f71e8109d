// Reads a profile from YAML text or a file. Malformed YAML is reported with its line
// and column; a schema failure is reported with the field path and, when the field
// exists in the file, the line it is on.
import { readFileSync } from 'node:fs';
import { LineCounter, isNode, parseDocument, type Document } from 'yaml';
import { ProfileInvalidError, ProfileUnreadableError, ProfileYamlError } from './errors.ts';
import { parseProfile, type Profile } from './profile.ts';

export function loadProfileText(source: string, file: string): Profile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, uniqueKeys: true });
  const first = doc.errors[0];
  if (first) {
    const pos = first.linePos?.[0] ?? { line: 0, col: 0 };
    throw new ProfileYamlError({ file, line: pos.line, column: pos.col, reason: first.message.split(' at line ')[0] ?? first.message });
  }
  try {
    return parseProfile(doc.toJS());
  } catch (error) {
    if (error instanceof ProfileInvalidError) throw error.at(file, lineOf(doc, lineCounter, error.path));
    throw error;
  }
}

export function loadProfileFile(file: string): Profile {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ProfileUnreadableError(file, error);
  }
  return loadProfileText(source, file);
}

/** The line of the deepest node that exists along a field path such as `claims[1].cell`. */
function lineOf(doc: Document, counter: LineCounter, path: string): number | undefined {
  const segments = [...path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((m) => (m[2] !== undefined ? Number(m[2]) : m[1]!));
  for (let n = segments.length; n > 0; n--) {
    const node = doc.getIn(segments.slice(0, n), true);
    if (isNode(node) && node.range) return counter.linePos(node.range[0]).line;
  }
  return undefined;
}
