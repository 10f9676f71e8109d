import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { measuredGas, measuredTimeoutGas } from './dispute-gas.ts';

// The security model prices moves with a copy of the disputes suite's figures; when a
// disputes run moves them (bench/results/disputes.jsonl), this says which to copy.
test('the copied gas figures are those of the committed disputes run', () => {
  const lines = readFileSync(new URL('../results/disputes.jsonl', import.meta.url), 'utf8')
    .trim()
    .split('\n');
  const figures = new Map(lines.map((line) => JSON.parse(line) as { figure: string; value: number }).map((f) => [f.figure, f.value]));
  const keys = {
    moves: 'moves',
    open: 'gas_open',
    revealRoots: 'gas_reveal_roots',
    chooseLayer: 'gas_choose_layer',
    revealNodes: 'gas_reveal_nodes',
    pick: 'gas_pick',
    step: 'gas_step',
    total: 'gas_total',
  } as const;
  for (const [model, gas] of Object.entries(measuredGas)) {
    const prefix = model.replace(/-/g, '_');
    for (const [field, suffix] of Object.entries(keys)) {
      assert.equal(gas[field as keyof typeof keys], figures.get(`${prefix}_${suffix}`), `${prefix}_${suffix}`);
    }
  }
  assert.equal(measuredTimeoutGas, figures.get('gas_timeout'));
});
