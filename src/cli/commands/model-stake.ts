// `trellis model stake|unstake|stake-status`: the stake a model's owner puts behind its
// weight commitment (docs/market.md).
import type { Command } from 'commander';
import { addNetworkOptions, readContext, signerContext, type NetworkOptions } from '../context.ts';
import { localRoles } from '../../network/roles.ts';

const staking = () => import('../../market/staking.ts');

export function registerModelStakeCommands(model: Command): void {
  addNetworkOptions(
    model.command('stake <modelId> <amount>').description('stake payment tokens behind a model you own (slashable if its commitment cannot be opened)'),
  ).action(async (modelId: string, amount: string, options: NetworkOptions) => {
    const { parseModelIdOption } = await import('../options.ts');
    const { parseTokens, formatTokens } = await import('../amounts.ts');
    const id = parseModelIdOption('modelId', modelId);
    const context = await signerContext(options, localRoles.modelOwner);
    await (await staking()).stakeModel(context.connection, context.deployment, id, parseTokens('amount', amount));
    console.log(`staked ${formatTokens(parseTokens('amount', amount))} on ${id}`);
  });
  addNetworkOptions(
    model.command('unstake <modelId> [amount]').description('with an amount: start the unstake delay for it; without: withdraw what the delay has released'),
  ).action(async (modelId: string, amount: string | undefined, options: NetworkOptions) => {
    const { parseModelIdOption } = await import('../options.ts');
    const { parseTokens, formatTokens } = await import('../amounts.ts');
    const { formatDate } = await import('../../chain/human-units.ts');
    const id = parseModelIdOption('modelId', modelId);
    const context = await signerContext(options, localRoles.modelOwner);
    const s = await staking();
    if (amount === undefined) {
      await s.withdrawUnstaked(context.connection, context.deployment, id);
      console.log('unstaked stake: withdrawn');
      return;
    }
    await s.requestUnstake(context.connection, context.deployment, id, parseTokens('amount', amount));
    const after = await s.modelStakeOf(context.connection, context.deployment, id);
    console.log(`unstaking ${formatTokens(after.unstaking)}: withdrawable from ${formatDate(after.unstakeAt)} if no challenge is open`);
  });
  addNetworkOptions(model.command('stake-status <modelId>').description("a model's stake as clients see it").option('--json', 'print JSON')).action(
    async (modelId: string, options: NetworkOptions & { json?: boolean }) => {
      const { parseModelIdOption } = await import('../options.ts');
      const { formatTokens } = await import('../amounts.ts');
      const { formatDate } = await import('../../chain/human-units.ts');
      const id = parseModelIdOption('modelId', modelId);
      const context = await readContext(options);
      const s = await (await staking()).modelStakeOf(context.connection, context.deployment, id);
      if (options.json) {
        console.log(JSON.stringify({ ...s, active: String(s.active), unstaking: String(s.unstaking), unstakeAt: String(s.unstakeAt) }));
        return;
      }
      console.log(`staker:          ${s.staker}`);
      console.log(`active stake:    ${formatTokens(s.active)}`);
      console.log(`unstaking:       ${formatTokens(s.unstaking)}${s.unstaking > 0n ? ` (from ${formatDate(s.unstakeAt)})` : ''}`);
      console.log(`open challenges: ${s.openChallenges}`);
      console.log(`slashed:         ${s.slashed ? 'yes: its commitment could not be opened' : 'no'}`);
    },
  );
}
