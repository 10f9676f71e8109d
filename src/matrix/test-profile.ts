// A small valid profile document for tests to start from and change one field at a
// time. It claims nothing and runs nothing, so no hype rule fires on it as it is.
import { parseProfile, type Profile } from './profile.ts';

const SOURCE = { url: 'https://example.org/docs', says: 'test source' };

export function baseDocument(): Record<string, unknown> {
  return {
    name: 'Example',
    url: 'https://example.org',
    category: 'compute',
    summary: 'A profile used by tests.',
    operators: { kind: 'many', source: SOURCE },
    claims: [],
    mechanisms: [],
    token: { name: 'EX', role: 'payment', source: SOURCE },
    evidence: {},
  };
}

export function testSource(): { url: string; says: string } {
  return { ...SOURCE };
}

/** A parsed profile from the base document with fields replaced. */
export function testProfile(changes: Record<string, unknown> = {}): Profile {
  return parseProfile({ ...baseDocument(), ...changes });
}

export function mechanism(name: string, status = 'present'): Record<string, unknown> {
  return { name, status, evidence: [testSource()] };
}

export function claim(cell: string, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return { text: `claim on ${cell}`, cell, source: testSource(), ...fields };
}
