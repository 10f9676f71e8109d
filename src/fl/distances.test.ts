// The distance matrix of a Krum post against hand-computed values, and its selection
// against the strategy's own (src/fl/strategies/krum.ts), ties included.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FL_MAX_ABS } from './commitment.ts';
import { distanceMatrix, krumSelection, matrixLeaf, matrixTree, pairPosition, prefixSums, prefixTree } from './distances.ts';
import { krumScores, lowestScores } from './strategies/aggregate.ts';

test('prefix sums are exact running sums of squared differences, over clamped values', () => {
  assert.deepEqual(prefixSums([3n, -1n, 0n], [1n, 2n, 0n]), [4n, 13n, 13n]);
  // An out-of-range value counts as the bound, as in every element rule.
  const far = FL_MAX_ABS + 10n;
  assert.deepEqual(prefixSums([far], [-far]), [(2n * FL_MAX_ABS) ** 2n]);
});

test('the matrix lists pairs in order, each bound to its pair and prefix root', () => {
  const m = distanceMatrix(
    [2, 5, 9],
    [
      [0n, 0n],
      [1n, 1n],
      [3n, 0n],
    ],
  );
  assert.deepEqual(
    m.pairs.map((p) => [p.a, p.b, p.distance]),
    [
      [2, 5, 2n],
      [2, 9, 9n],
      [5, 9, 5n],
    ],
  );
  assert.equal(pairPosition(3, 1, 2), 2);
  assert.equal(m.pairs[0]!.prefixRoot, prefixTree([1n, 2n]).root);
  const swapped = matrixTree(
    [5, 2, 9],
    m.pairs.map((p) => p.distance),
    m.pairs.map((p) => p.prefixRoot),
  );
  assert.notEqual(swapped.root, m.tree.root, 'the participants are part of every leaf');
  assert.notEqual(matrixLeaf(2, 5, 2n, m.pairs[0]!.prefixRoot), matrixLeaf(5, 2, 2n, m.pairs[0]!.prefixRoot));
});

test("the matrix's selection is the strategy's, ties to the lower participant index", () => {
  // Points (k, -k) for k = 0..3 and (100, -100): with f = 1 scores 10, 4, 4, 10, 38026.
  const vectors = [0, 1, 2, 3, 100].map((k) => [BigInt(k), BigInt(-k)]);
  const participants = [4, 7, 9, 11, 20];
  const distances = distanceMatrix(participants, vectors).pairs.map((p) => p.distance);
  const strategy = (m: number) =>
    lowestScores(
      krumScores(
        vectors.map((v) => v.map(Number)),
        1,
      ),
      m,
    )
      .sort((x, y) => x - y)
      .map((i) => participants[i]!);
  assert.deepEqual(krumSelection(participants, distances, 1, 1), [7]);
  assert.deepEqual(krumSelection(participants, distances, 1, 3), [4, 7, 9]);
  for (const m of [1, 2, 3, 4]) assert.deepEqual(krumSelection(participants, distances, 1, m), strategy(m), `m = ${m}`);
  // f so large that K - f - 2 < 1: one nearest neighbour still counts.
  // Every nearest distance of the first four is 2: the tie goes to participant 4.
  assert.deepEqual(krumSelection(participants, distances, 9, 1), [4]);
});
