// `npm run bench -- disputes`: for each default model, and for a model with a 32x28x28
// layer (bench/support/large-layer-model.ts), disputes over a trace tampered at each of
// its layers are played to the end on anvil (a fresh local deployment): moves, gas per
// move and per dispute (the worst layer), the worst single move, wall time to resolution,
// and the cost of building the execution trace relative to a plain run. Deadlines are not
// waited for: the timeout path moves anvil's clock past the move timeout (time travel).
import { performance } from 'node:perf_hooks';
import type { Hex } from 'viem';
import { defaultDisputeParameters } from '../src/chain/parameters.ts';
import { run, type Engine } from '../src/engine/engine.ts';
import { commitmentShape } from '../src/engine/weights.ts';
import { publishModel } from '../src/sdk/accounts.ts';
import { claimTimeout, openDispute, playChallenger, playProvider, readDispute, type GameMove } from '../src/verify/game-client.ts';
import { honestTrace, sampleInput, signedReceipt, startDisputeNetwork, tamperTrace, type DisputeNetwork } from '../src/verify/testing/dispute-network.ts';
import { report, type Figure } from './report.ts';
import { largeLayerEngine } from './support/large-layer-model.ts';

const moveNames = ['open', 'revealRoots', 'chooseLayer', 'revealNodes', 'pick', 'step'] as const;

type BenchModel = { name: string; engine: Engine; modelId: Hex };

export async function main(args: string[]): Promise<void> {
  const seconds = Number(args[args.indexOf('--seconds') + 1] ?? 0.3) || 0.3;
  const net = await startDisputeNetwork(0);
  try {
    report('disputes', await measure(net, seconds));
  } finally {
    await net.stop();
  }
}

/** The default models and the large-layer one, published on the bench's deployment. */
async function benchModels(net: DisputeNetwork): Promise<BenchModel[]> {
  const engine = largeLayerEngine();
  const { artifact } = engine;
  const modelId = await publishModel(net.deployer, net.deployment, {
    contentHash: artifact.onnxHash,
    weightCommitment: artifact.weightCommitment,
    shape: commitmentShape(artifact),
    metadataURI: 'bench:large-layer',
    royaltyBps: 0,
  });
  return [...net.models.map(({ model, modelId }) => ({ name: model.name, engine: model.engine, modelId })), { name: 'large-layer', engine, modelId }];
}

async function playDispute(net: DisputeNetwork, model: BenchModel, layer: number, nonce: number): Promise<{ moves: GameMove[]; ms: number }> {
  const { modelId } = model;
  const honest = honestTrace(model.engine, sampleInput(model.engine, nonce));
  const index = (nonce * 7919) % model.engine.tensorSizes[layer]!;
  const cheat = tamperTrace(honest, layer, index);
  const { receipt, signature } = await signedReceipt(net, net.provider, modelId, cheat, nonce);
  const game = net.deployment.contracts.disputeGame;
  const started = performance.now();
  const opened = await openDispute(net.watcher, {
    game,
    token: net.deployment.contracts.token,
    receipt,
    signature,
    quantizedInput: honest.tensors[0]!,
    bond: defaultDisputeParameters.minBond,
  });
  const moves = opened.moves.filter((x) => x.move === 'open');
  const artifact = model.engine.artifact;
  for (let i = 0; i < 40 && (await readDispute(net.deployer, game, opened.id)).phase !== 'None'; i++) {
    const move =
      (await playProvider(net.provider, game, opened.id, { artifact, trace: cheat })) ??
      (await playChallenger(net.watcher, game, opened.id, { artifact, trace: honest }));
    if (move) moves.push(move);
  }
  return { moves, ms: performance.now() - started };
}

/** Mean seconds per call of `fn`, looping for about `seconds`. */
function timePerCall(fn: () => void, seconds: number): number {
  fn();
  let calls = 0;
  const started = performance.now();
  while (performance.now() - started < seconds * 1000 && calls < 100_000) {
    fn();
    calls++;
  }
  return (performance.now() - started) / 1000 / Math.max(calls, 1);
}

async function measure(net: DisputeNetwork, seconds: number): Promise<Figure[]> {
  const figures: Figure[] = [];
  let nonce = 1;
  for (const model of await benchModels(net)) {
    const prefix = model.name.replace(/-/g, '_');
    const worst = new Map<string, number>();
    // The step of each operator kind, worst layer of that kind: dense and conv read the most.
    const stepByOp = new Map<string, number>();
    let worstTotal = 0;
    let moveCount = 0;
    let totalMs = 0;
    const layers = model.engine.artifact.layers.length;
    for (let layer = 1; layer <= layers; layer++) {
      const { moves, ms } = await playDispute(net, model, layer, nonce++);
      totalMs += ms;
      moveCount = Math.max(moveCount, moves.length);
      let total = 0;
      for (const move of moves) {
        const gas = Number(move.gasUsed);
        total += gas;
        worst.set(move.move, Math.max(worst.get(move.move) ?? 0, gas));
        const op = model.engine.artifact.layers[layer - 1]!.op;
        if (move.move === 'step') stepByOp.set(op, Math.max(stepByOp.get(op) ?? 0, gas));
      }
      worstTotal = Math.max(worstTotal, total);
    }
    figures.push({ figure: `${prefix}_moves`, label: `${model.name}: moves per dispute`, value: moveCount, unit: 'moves' });
    for (const name of moveNames) {
      figures.push({
        figure: `${prefix}_gas_${name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}`,
        label: `${model.name}: gas of ${name} (worst layer)`,
        value: worst.get(name) ?? 0,
        unit: 'gas',
      });
    }
    for (const [op, gas] of stepByOp) {
      figures.push({ figure: `${prefix}_gas_step_${op}`, label: `${model.name}: gas of step on a ${op} layer (worst such layer)`, value: gas, unit: 'gas' });
    }
    figures.push({ figure: `${prefix}_gas_total`, label: `${model.name}: gas of a whole dispute (worst layer)`, value: worstTotal, unit: 'gas' });
    figures.push({
      figure: `${prefix}_gas_worst_move`,
      label: `${model.name}: gas of the dearest single move`,
      value: Math.max(...worst.values()),
      unit: 'gas',
    });
    figures.push({
      figure: `${prefix}_resolution_ms`,
      label: `${model.name}: wall time from open to resolution on anvil`,
      value: totalMs / layers,
      unit: 'ms',
    });

    const input = sampleInput(model.engine, 1);
    const plain = timePerCall(() => run(model.engine, input), seconds);
    const traced = timePerCall(() => run(model.engine, input, { trace: true }), seconds);
    figures.push({ figure: `${prefix}_trace_cost_ratio`, label: `${model.name}: traced run / plain run (batch 1)`, value: traced / plain, unit: 'x' });
  }

  // The timeout path: the provider never answers; the chain clock jumps past its deadline.
  const { model, modelId } = net.models[0]!;
  const honest = honestTrace(model.engine, sampleInput(model.engine, nonce));
  const { receipt, signature } = await signedReceipt(net, net.provider, modelId, tamperTrace(honest, 1, 0), nonce);
  const game = net.deployment.contracts.disputeGame;
  const opened = await openDispute(net.watcher, {
    game,
    token: net.deployment.contracts.token,
    receipt,
    signature,
    quantizedInput: honest.tensors[0]!,
    bond: defaultDisputeParameters.minBond,
  });
  const start = await blockTime(net);
  await net.advance(defaultDisputeParameters.moveTimeout + 1n);
  const timeout = await claimTimeout(net.watcher, game, opened.id as Hex);
  figures.push({
    figure: 'timeout_resolution_chain_s',
    label: 'chain seconds from open to a timeout win (time travel)',
    value: Number((await blockTime(net)) - start),
    unit: 's',
  });
  figures.push({ figure: 'gas_timeout', label: 'gas of timeout (slash, jail, split)', value: Number(timeout.gasUsed), unit: 'gas' });
  return figures;
}

async function blockTime(net: DisputeNetwork): Promise<bigint> {
  return (await net.deployer.publicClient.getBlock()).timestamp;
}
