// The SecAgg+ neighbourhood graph: the participants shuffled by a seed everyone knows
// (the session and round), placed on a ring, each joined to `half` neighbours on each
// side. Every client then agrees masks and shares secrets with 2 * half others instead
// of all n - 1, so a round costs O(n k) rather than O(n^2), and the aggregator cannot
// choose who neighbours whom.
import type { ResolvedConfig } from './config.ts';
import { seededRandomBytes, uniformInt } from './random-bytes.ts';

/** neighbours[i]: the participant indexes i is joined to, ascending. */
export function neighbourGraph(seed: string, config: ResolvedConfig): number[][] {
  const n = config.participants;
  const random = seededRandomBytes(`secagg-graph:${seed}`);
  const ring = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = uniformInt(random, i + 1);
    [ring[i], ring[j]] = [ring[j]!, ring[i]!];
  }
  const neighbours: Set<number>[] = Array.from({ length: n }, () => new Set<number>());
  for (let p = 0; p < n; p++) {
    for (let d = 1; d <= config.half; d++) {
      const a = ring[p]!;
      const b = ring[(p + d) % n]!;
      neighbours[a]!.add(b);
      neighbours[b]!.add(a);
    }
  }
  return neighbours.map((set) => [...set].sort((x, y) => x - y));
}
