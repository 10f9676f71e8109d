// The Poseidon parameters the slasher takes as calldata: the committed PoseidonParams.sol is
// what the generator writes, and the words, laid out as the contract reads them (round
// constants, then the MDS matrix row-major), give circomlib's Poseidon when run through the
// permutation the contract implements.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { repoPath } from '../repo-root.ts';
import { FIELD, poseidon } from './commitment.ts';
import { MAX_WIDTH, MIN_WIDTH, chainHashWidths, partialRounds, poseidonParams, poseidonParamsFor, poseidonParamsSolidity } from './poseidon-params.ts';

test('PoseidonParams.sol is the generated one', () => {
  assert.equal(readFileSync(repoPath('contracts', 'src', 'libraries', 'PoseidonParams.sol'), 'utf8'), poseidonParamsSolidity());
});

/** The permutation of contracts/src/libraries/Poseidon.sol, on the words it is given. */
function permute(inputs: bigint[], words: bigint[]): bigint {
  const t = inputs.length + 1;
  const rounds = 8 + partialRounds(t);
  let state = [0n, ...inputs];
  for (let r = 0; r < rounds; r++) {
    const full = r < 4 || r >= 4 + partialRounds(t);
    state = state.map((v, i) => {
      const x = (v + words[r * t + i]!) % FIELD;
      return full || i === 0 ? (x * x * x * x * x) % FIELD : x;
    });
    state = state.map((_, i) => state.reduce((acc, v, j) => (acc + words[rounds * t + i * t + j]! * v) % FIELD, 0n));
  }
  return state[0]!;
}

test('the parameter words of every width give poseidon-lite hash for hash', () => {
  for (let t = MIN_WIDTH; t <= MAX_WIDTH; t++) {
    const inputs = Array.from({ length: t - 1 }, (_, i) => BigInt(i * 7919 + t));
    assert.equal(permute(inputs, poseidonParams(t)), poseidon(inputs), `width ${t}`);
  }
  assert.throws(() => poseidonParams(1), RangeError);
  assert.throws(() => poseidonParams(18), RangeError);
});

test('the widths a tensor hash needs, and only those, are passed', () => {
  assert.deepEqual(chainHashWidths(2), [4]);
  assert.deepEqual(chainHashWidths(16), [17, 3]);
  // breast-cancer-mlp: 30 inputs (2 elements, width 4), 2 outputs (1 element, width 3), and the pair (width 3).
  const params = poseidonParamsFor(30, 2);
  assert.deepEqual(
    params.map((p) => p.length),
    [0, poseidonParams(3).length, poseidonParams(4).length],
  );
});
