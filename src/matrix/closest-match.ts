// Suggests the known name nearest to a mistyped one, by edit distance over
// normalized names (lower case, letters and digits only), so "render network",
// "Rnder" and "render" all find `render`.

export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** Levenshtein distance: insertions, deletions and substitutions each cost one. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * The candidate nearest to `name`, or undefined when even the nearest is too far to
 * be a plausible typo (more than half the length of the longer name).
 */
export function closestMatch(name: string, candidates: readonly string[]): string | undefined {
  const wanted = normalizeName(name);
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(wanted, normalizeName(candidate));
    if (!best || distance < best.distance) best = { candidate, distance };
  }
  if (!best) return undefined;
  const limit = Math.ceil(Math.max(wanted.length, normalizeName(best.candidate).length) / 2);
  return best.distance <= limit ? best.candidate : undefined;
}
