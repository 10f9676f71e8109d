// `trellis bounty post|submit|reveal|claim|challenge|answer|finalize|withdraw`: rewards
// for a better model on a held-out evaluation set (docs/market.md).
import type { Command } from 'commander';
import type { Hex } from 'viem';
import { TrellisError } from '../../errors.ts';
import { localRoles } from '../../network/roles.ts';
import { addNetworkOptions, signerContext, type NetworkOptions } from '../context.ts';

const bounty = () => import('../../market/bounty.ts');

const parseBountyId = async (value: string): Promise<bigint> => {
  const { parseIntegerOption } = await import('../options.ts');
  return BigInt(parseIntegerOption('bountyId', value, 1, Number.MAX_SAFE_INTEGER));
};

async function parseChallengeId(value: string): Promise<Hex> {
  const { isHex } = await import('viem');
  if (!isHex(value) || value.length !== 66) throw new TrellisError('INVALID_OPTION', `challengeId must be 0x and 64 hex digits, got "${value}".`);
  return value;
}

export function registerBountyCommands(program: Command): void {
  const group = program.command('bounty').description('post, enter, claim and challenge bounties for better models');

  addNetworkOptions(
    group
      .command('post')
      .description('post a bounty: commit to a held-out evaluation set by its root and escrow the reward')
      .requiredOption('--eval <file>', 'evaluation set JSON: { labels, inputs (quantized) | inputHashes, dataURI }')
      .requiredOption('--input-size <n>', 'elements of a quantized input')
      .requiredOption('--classes <n>', 'length of the output vector')
      .requiredOption('--reward <amount>', 'reward in payment tokens')
      .option('--target <bps>', 'accuracy a claim must exceed, in basis points', '8000')
      .option('--min-stake <amount>', 'model stake a submission must have', '0')
      .option('--submit-in <seconds>', 'submissions close this long from now', '86400')
      .option('--reveal-in <seconds>', 'the set must be revealed this long from now', '172800')
      .option('--claim-in <seconds>', 'claims close this long from now', '259200'),
  ).action(
    async (
      options: NetworkOptions & {
        eval: string;
        inputSize: string;
        classes: string;
        reward: string;
        target: string;
        minStake: string;
        submitIn: string;
        revealIn: string;
        claimIn: string;
      },
    ) => {
      const { readEvalSet } = await import('./bounty-files.ts');
      const { parseIntegerOption } = await import('../options.ts');
      const { parseTokens } = await import('../amounts.ts');
      const { rows } = readEvalSet(options.eval);
      const seconds = (name: string, v: string) => BigInt(parseIntegerOption(name, v, 1, 365 * 86_400));
      const context = await signerContext(options, localRoles.client);
      const now = (await context.connection.publicClient.getBlock()).timestamp;
      const id = await (await bounty()).postBounty(
        context.connection,
        context.deployment,
        {
          inputSize: parseIntegerOption('--input-size', options.inputSize, 1, 2 ** 24),
          classCount: parseIntegerOption('--classes', options.classes, 2, 256),
          rows,
          targetBps: parseIntegerOption('--target', options.target, 0, 9_999),
          minModelStake: parseTokens('--min-stake', options.minStake),
          submitDeadline: now + seconds('--submit-in', options.submitIn),
          revealDeadline: now + seconds('--reveal-in', options.revealIn),
          claimDeadline: now + seconds('--claim-in', options.claimIn),
        },
        parseTokens('--reward', options.reward),
      );
      console.log(`posted bounty ${id}; keep ${options.eval} private until submissions close, then \`trellis bounty reveal ${id} --eval ${options.eval}\``);
    },
  );

  addNetworkOptions(group.command('submit <bountyId> <modelId>').description('enter a model you own, paying the submission bond')).action(
    async (bountyId: string, modelId: string, options: NetworkOptions) => {
      const { parseModelIdOption } = await import('../options.ts');
      const context = await signerContext(options, localRoles.modelOwner);
      await (await bounty()).submitModel(context.connection, context.deployment, await parseBountyId(bountyId), parseModelIdOption('modelId', modelId));
      console.log('submitted');
    },
  );

  addNetworkOptions(
    group
      .command('reveal <bountyId>')
      .description('reveal the evaluation set after submissions close')
      .requiredOption('--eval <file>', 'the evaluation set posted'),
  ).action(async (bountyId: string, options: NetworkOptions & { eval: string }) => {
    const { readEvalSet } = await import('./bounty-files.ts');
    const set = readEvalSet(options.eval);
    const context = await signerContext(options, localRoles.client);
    await (await bounty()).revealEvalSet(context.connection, context.deployment, await parseBountyId(bountyId), set.rows, set.dataURI);
    console.log(`revealed ${set.rows.length} rows (${set.dataURI})`);
  });

  addNetworkOptions(
    group
      .command('claim <bountyId> <modelId>')
      .description('claim with one predicted label per row; the accuracy is computed on chain')
      .requiredOption('--predictions <file>', 'JSON array of predicted labels'),
  ).action(async (bountyId: string, modelId: string, options: NetworkOptions & { predictions: string }) => {
    const { readPredictions } = await import('./bounty-files.ts');
    const { parseModelIdOption } = await import('../options.ts');
    const predictions = readPredictions(options.predictions);
    const context = await signerContext(options, localRoles.modelOwner);
    await (await bounty()).claimBounty(
      context.connection,
      context.deployment,
      await parseBountyId(bountyId),
      parseModelIdOption('modelId', modelId),
      predictions,
    );
    console.log('claimed; keep a provider receipt for every row to answer challenges');
  });

  addNetworkOptions(
    group
      .command('challenge <bountyId> <modelId> <row>')
      .description("challenge one row of a claim; the claimant must answer with a provider's receipt")
      .requiredOption('--eval <file>', 'the revealed evaluation set'),
  ).action(async (bountyId: string, modelId: string, row: string, options: NetworkOptions & { eval: string }) => {
    const { readEvalSet } = await import('./bounty-files.ts');
    const { parseIntegerOption, parseModelIdOption } = await import('../options.ts');
    const { rows } = readEvalSet(options.eval);
    const index = parseIntegerOption('row', row, 0, rows.length - 1);
    const context = await signerContext(options, localRoles.watcher);
    const id = await (await bounty()).challengeRow(
      context.connection,
      context.deployment,
      await parseBountyId(bountyId),
      parseModelIdOption('modelId', modelId),
      rows,
      index,
    );
    console.log(`challenge ${id}`);
  });

  addNetworkOptions(
    group
      .command('answer <challengeId>')
      .description('answer a row challenge with a receipt for the model on that row and its output')
      .requiredOption('--receipt <file>', 'a line of `trellis receipts --json`, or { receipt, signature, output }'),
  ).action(async (challengeId: string, options: NetworkOptions & { receipt: string }) => {
    const { readRowAnswer } = await import('./bounty-files.ts');
    const answer = readRowAnswer(options.receipt);
    const context = await signerContext(options, localRoles.modelOwner);
    await (await bounty()).answerRow(
      context.connection,
      context.deployment,
      await parseChallengeId(challengeId),
      answer.receipt,
      answer.signature,
      answer.output,
    );
    console.log('answered; it counts once the receipt passes its own challenge window unslashed (`trellis bounty finalize` settles it)');
  });

  addNetworkOptions(
    group.command('finalize <bountyId>').description('settle its row challenges that are due, then pay the reward and return the bonds'),
  ).action(async (bountyId: string, options: NetworkOptions) => {
    const context = await signerContext(options, localRoles.watcher);
    const b = await bounty();
    const id = await parseBountyId(bountyId);
    for (const c of await b.listRowChallenges(context.connection, context.deployment, id)) {
      if (c.status === 1 && c.deadline < (await context.connection.publicClient.getBlock()).timestamp) {
        await b.timeoutRowChallenge(context.connection, context.deployment, c.id);
      } else if (c.status === 2) {
        await b.settleRowAnswer(context.connection, context.deployment, c.id);
      }
    }
    await b.finalizeBounty(context.connection, context.deployment, id);
    const { bounty: state, submissions } = await b.bountyStatus(context.connection, context.deployment, id);
    const winner = state.winner === 0 ? undefined : submissions[state.winner - 1];
    console.log(winner ? `finalized: ${winner.modelId} of ${winner.submitter} wins` : 'finalized: no winning claim');
  });

  addNetworkOptions(group.command('withdraw').description('withdraw what bounties credited to you (rewards, bonds)')).action(
    async (options: NetworkOptions) => {
      const { formatTokens } = await import('../amounts.ts');
      const context = await signerContext(options, localRoles.modelOwner);
      const b = await bounty();
      const due = await b.bountyCredits(context.connection, context.deployment, context.connection.account.address);
      await b.withdrawBountyCredits(context.connection, context.deployment);
      console.log(`withdrew ${formatTokens(due)}`);
    },
  );

  addNetworkOptions(group.command('status <bountyId>').description("a bounty's task, deadlines and submissions")).action(
    async (bountyId: string, options: NetworkOptions) => {
      const { formatTokens } = await import('../amounts.ts');
      const { formatDate } = await import('../../chain/human-units.ts');
      const context = await signerContext(options, localRoles.client);
      const { bounty: b, task, submissions } = await (await bounty()).bountyStatus(context.connection, context.deployment, await parseBountyId(bountyId));
      console.log(`reward ${formatTokens(b.reward)} from ${b.poster}; target ${task.targetBps / 100} % on ${task.rowCount} rows`);
      console.log(
        `submissions close ${formatDate(task.submitDeadline)}, reveal by ${formatDate(task.revealDeadline)}, claims close ${formatDate(task.claimDeadline)}`,
      );
      console.log(`revealed: ${b.revealed ? 'yes' : 'no'}; finalized: ${b.finalized ? 'yes' : 'no'}; pending challenges: ${b.pendingChallenges}`);
      for (const s of submissions)
        console.log(`  ${s.modelId} ${s.submitter} ${s.claimed ? `${s.correct}/${task.rowCount} right` : 'no claim'}${s.voided ? ' (voided)' : ''}`);
    },
  );
}
