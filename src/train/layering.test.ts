import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const src = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

test('inference (src/engine) never imports training (src/train)', () => {
  const files = sources(join(src, 'engine'));
  assert.ok(files.length > 20);
  const offending = files.flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(/from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/g)]
      .map((m) => m[1] ?? m[2]!)
      .filter((spec) => spec.startsWith('.') && resolve(dirname(file), spec).startsWith(join(src, 'train')))
      .map((spec) => `${file}: ${spec}`),
  );
  assert.deepEqual(offending, []);
});
