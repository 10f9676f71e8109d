// `trellis deploy --help` names the timelock delay's default without loading the
// parameters module (it loads viem); this keeps that text equal to the real default.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Command } from 'commander';
import { defaultGovernanceParameters } from '../../chain/parameters.ts';
import { registerChainCommands } from './chain.ts';

test('the help of --timelock-delay states the default deploy uses', () => {
  const program = new Command();
  registerChainCommands(program);
  const option = program.commands.find((c) => c.name() === 'deploy')?.options.find((o) => o.long === '--timelock-delay');
  assert.ok(option, 'deploy has no --timelock-delay');
  assert.match(option.description, new RegExp(`\\(default: ${defaultGovernanceParameters.minDelay};`));
});
