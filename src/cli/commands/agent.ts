// `trellis agent`: an agent that pays per call from its owner's wallet within an
// on-chain spend permission (docs/agents.md). `create` makes its session key (kept under
// the data folder, mode 0600), has the owner sign the permission and create the agent's
// account (its payer), and registers its identity; `fund` lets the manager pull from the owner; `limits` reads what is left;
// `run` runs the demo agent; `revoke` and `kill` stop it.
import type { Command } from 'commander';
import { TrellisError } from '../../errors.ts';
import { localRoles } from '../../network/roles.ts';
import type { AgentRecord } from '../../agents/agent-file.ts';
import { AgentError } from '../../agents/errors.ts';
import { checkLimits, parseDuration } from '../../agents/limits.ts';
import { addNetworkOptions, readContext, signerContext, type NetworkOptions, type SignerContext } from '../context.ts';
import { progress } from '../progress.ts';

type NameOption = { name: string };
const nameOption = ['--name <name>', 'the agent (a file under <data-dir>/agents/)', 'agent'] as const;

/** The owner's signer, refused by name when it is not the agent's owner. */
async function ownerContext(options: NetworkOptions, record: AgentRecord): Promise<SignerContext> {
  const context = await signerContext(options, localRoles.agentOwner);
  if (context.connection.account.address !== record.owner) {
    throw new AgentError('SPEND_WRONG_SPENDER', `Only the agent's owner ${record.owner} can do this, not ${context.connection.account.address}.`, {
      details: ["set TRELLIS_PRIVATE_KEY to the owner's key"],
    });
  }
  return context;
}

export function registerAgentCommands(program: Command): void {
  const agent = program.command('agent').description('an agent paying per call (x402) within on-chain spending limits its owner signed');

  addNetworkOptions(
    agent
      .command('create')
      .description("create an agent: a session key, an on-chain identity, and the owner's signed spend permission")
      .option(...nameOption)
      .requiredOption('--allowance <tUSD>', 'most the agent may spend per period, e.g. 1')
      .requiredOption('--period <duration>', 'period length, e.g. 1d, 12h, 30m (unspent allowance does not roll over)')
      .requiredOption('--per-call <tUSD>', 'most one paid call may cost, e.g. 0.05')
      .option('--lifetime <duration>', 'how long the permission lasts', '30d'),
  ).action(async (options: NetworkOptions & NameOption & { allowance: string; period: string; perCall: string; lifetime: string }) => {
    const { parseTokens, formatTokens } = await import('../amounts.ts');
    const { agentPath } = await import('../../agents/agent-file.ts');
    const { formatDuration, formatDate } = await import('../../chain/human-units.ts');
    const limits = {
      allowance: parseTokens('--allowance', options.allowance),
      perCall: parseTokens('--per-call', options.perCall),
      period: parseDuration('--period', options.period),
      lifetime: parseDuration('--lifetime', options.lifetime),
    };
    checkLimits(limits);
    const context = await signerContext(options, localRoles.agentOwner);
    const { existsSync } = await import('node:fs');
    const path = agentPath(context.dataDir, options.name);
    if (existsSync(path))
      throw new AgentError('AGENT_EXISTS', `An agent named "${options.name}" exists already.`, { details: [`file: ${path}`, 'choose another --name'] });
    const { createAgent } = await import('../../agents/agent.ts');
    progress()('creating the session key, the spend permission, the account and the identity');
    const created = await createAgent({ owner: context.connection, deployment: context.deployment, limits, name: options.name, dataDir: context.dataDir });
    const status = await created.status();
    console.log(`agent     "${options.name}" #${created.agentId}, session key ${created.sessionKey}`);
    console.log(`account   ${created.address} (the payer; it pays only within the permission)`);
    console.log(`saved     ${path} (mode 0600; the key signs only for the account)`);
    console.log(`identity  AgentIdentity #${created.agentId}, owned by ${created.record.owner}, wallet ${created.address}`);
    console.log(
      `limits    ${formatTokens(limits.allowance)} per ${formatDuration(limits.period)}, at most ${formatTokens(limits.perCall)} per call, until ${formatDate(status.end)}`,
    );
    if (status.ownerAllowance < limits.allowance)
      console.log(`next      trellis agent fund ${options.allowance}   (lets the permission manager pull from the owner's wallet)`);
  });

  addNetworkOptions(
    agent
      .command('fund <amount>')
      .description("let the spend manager pull up to <amount> tUSD in total from the owner's wallet (an ERC-20 allowance; it sets, not adds)")
      .option(...nameOption),
  ).action(async (value: string, options: NetworkOptions & NameOption) => {
    const { parseTokens, formatTokens } = await import('../amounts.ts');
    const { loadAgentRecord } = await import('../../agents/agent-file.ts');
    const amount = parseTokens('amount', value);
    const context = await readContext(options);
    const record = loadAgentRecord(context.dataDir, options.name);
    const owner = await ownerContext(options, record);
    const { fundAgent } = await import('../../agents/agent.ts');
    await fundAgent(owner.connection, owner.deployment, amount);
    console.log(`the spend manager may now pull up to ${formatTokens(amount)} from ${record.owner}; each agent stays within its own permission`);
  });

  addNetworkOptions(
    agent
      .command('limits')
      .description("the agent's allowance, what it spent this period, what is left and until when")
      .option(...nameOption),
  ).action(async (options: NetworkOptions & NameOption) => {
    const { loadAgentRecord } = await import('../../agents/agent-file.ts');
    const { formatTokens } = await import('../amounts.ts');
    const { formatDuration, formatWhen, formatDate } = await import('../../chain/human-units.ts');
    const context = await readContext(options);
    const record = loadAgentRecord(context.dataDir, options.name);
    const { openAgent } = await import('../../agents/agent.ts');
    const { chainTime } = await import('../../sdk/account-status.ts');
    const opened = await openAgent(record, { rpcUrl: context.connection.rpcUrl, deployment: context.deployment });
    const [s, now] = await Promise.all([opened.status(), chainTime(context.connection)]);
    const state = s.revoked
      ? 'revoked by the owner'
      : s.killed
        ? "stopped by the owner's kill switch"
        : !s.approved
          ? 'not approved'
          : now >= s.end
            ? 'ended'
            : 'active';
    console.log(`agent      "${record.name}" #${record.agentId}, session key ${record.sessionKey}, account ${record.account}`);
    console.log(`owner      ${record.owner}`);
    console.log(`state      ${state}`);
    console.log(`allowance  ${formatTokens(s.allowance)} per ${formatDuration(record.permission.period)}`);
    console.log(`spent      ${formatTokens(s.spent)} this period`);
    console.log(`remaining  ${formatTokens(s.remaining)}${s.periodEnd > 0n ? `, whole again ${formatWhen(s.periodEnd, now)}` : ''}`);
    console.log(`per call   at most ${formatTokens(s.maxPerCall)}`);
    console.log(`ends       ${formatDate(s.end)}`);
    const payees = [...(s.anyActiveProvider ? ['any active Trellis provider'] : []), ...s.payees];
    console.log(`payees     ${payees.join(', ')} (checked on chain for every payment)`);
    console.log(`owner      balance ${formatTokens(s.ownerBalance)}, allowance to the manager ${formatTokens(s.ownerAllowance)}`);
    if (s.held > 0n) console.log(`held       ${formatTokens(s.held)} sent to the account; it pays nothing, the owner can recover it`);
  });

  addNetworkOptions(
    agent
      .command('run')
      .description('run the demo agent: digits-mlp, checked by digits-cnn, then breast-cancer-mlp, paying per call until its limit')
      .option(...nameOption)
      .option('--rounds <n>', 'most rounds to run (default: until the permission refuses)')
      .option('--scheme <scheme>', 'x402 scheme to pay with: exact (a transfer per call) or batched (an escrow deposit, then a voucher per call)', 'exact'),
  ).action(async (options: NetworkOptions & NameOption & { rounds?: string; scheme: string }) => {
    if (options.scheme !== 'exact' && options.scheme !== 'batched') {
      throw new TrellisError('INVALID_OPTION', `--scheme must be exact or batched, got "${options.scheme}".`);
    }
    const scheme = options.scheme;
    const { loadAgentRecord } = await import('../../agents/agent-file.ts');
    const { parseIntegerOption } = await import('../options.ts');
    const context = await readContext(options);
    if (!context.gatewayUrl) throw new TrellisError('NO_ENDPOINT', 'No gateway known: start the local network (npm start) or pass --gateway.');
    const record = loadAgentRecord(context.dataDir, options.name);
    const rounds = options.rounds === undefined ? undefined : parseIntegerOption('--rounds', options.rounds, 1, 1_000_000);
    const [{ openAgent }, { runDemo }] = await Promise.all([import('../../agents/agent.ts'), import('../../agents/demo.ts')]);
    const opened = await openAgent(record, { rpcUrl: context.connection.rpcUrl, deployment: context.deployment, scheme });
    await runDemo({ agent: opened, connection: context.connection, deployment: context.deployment, gatewayUrl: context.gatewayUrl, rounds });
  });

  addNetworkOptions(
    agent
      .command('revoke')
      .description("the owner revokes the agent's permission for good")
      .option(...nameOption),
  ).action(async (options: NetworkOptions & NameOption) => {
    const { loadAgentRecord } = await import('../../agents/agent-file.ts');
    const context = await readContext(options);
    const record = loadAgentRecord(context.dataDir, options.name);
    const owner = await ownerContext(options, record);
    const { revokePermission } = await import('../../agents/spend-permissions.ts');
    await revokePermission(owner.connection, record.manager, record.permission);
    console.log(`revoked: agent "${record.name}" can spend nothing more from ${record.owner}`);
  });

  addNetworkOptions(
    agent
      .command('kill')
      .description("the owner's kill switch: every permission it ever signed stops, approved or not")
      .option(...nameOption),
  ).action(async (options: NetworkOptions & NameOption) => {
    const { loadAgentRecord } = await import('../../agents/agent-file.ts');
    const context = await readContext(options);
    const record = loadAgentRecord(context.dataDir, options.name);
    const owner = await ownerContext(options, record);
    const { killAllPermissions } = await import('../../agents/spend-permissions.ts');
    const epoch = await killAllPermissions(owner.connection, record.manager);
    console.log(`killed: every spend permission of ${record.owner} is void (new epoch ${epoch}); new agents sign under the new epoch`);
  });
}
