// Discovery against a real anvil: providers and models registered through the
// contracts appear in the table, later changes are followed by polling, jailing (by an
// authorized slasher) takes a provider out until its term ends, and deprecated models
// drop out of the gateway's list.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestClient, encodeFunctionData, http, keccak256, toHex, type Hex } from 'viem';
import { providerRegistryAbi } from '../chain/generated/ProviderRegistry.ts';
import { modelRegistryAbi } from '../chain/generated/ModelRegistry.ts';
import { tokens } from '../chain/parameters.ts';
import { governLocally } from '../../test/support/governance.ts';
import { Discovery } from './discovery.ts';
import { startGateway } from './server.ts';
import { addressOf, gatewayAccount, publishModel, registerProvider, send, startTestChain, type TestChain } from './testing.ts';

let chain: TestChain;
let modelA: Hex;
let modelB: Hex;

before(async () => {
  chain = await startTestChain(0);
  const owner = await chain.signer(0);
  modelA = await publishModel(owner, chain.deployment, 'model-a');
  modelB = await publishModel(owner, chain.deployment, 'model-b');
  await registerProvider(await chain.signer(1), chain.deployment, 'http://127.0.0.1:1/', [
    [modelA, 5n],
    [modelB, 7n],
  ]);
  await registerProvider(await chain.signer(2), chain.deployment, 'http://127.0.0.1:2', [[modelA, 9n]], tokens('250'));
});
after(() => chain.cleanup());

/** Waits (bounded) until `check` holds, polling every 20 ms. */
async function eventually(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 250; i++) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.fail(`timed out waiting for ${what}`);
}

describe('discovery', () => {
  test('builds providers and models from the events since the deployment block', async () => {
    // A small block range forces several getLogs calls.
    const discovery = new Discovery({ connection: await chain.signer(0), deployment: chain.deployment, maxBlockRange: 3n });
    await discovery.sync();
    const { providers, models } = discovery.table;
    assert.deepEqual([...providers.keys()].sort(), [addressOf(1), addressOf(2)].sort());
    const one = providers.get(addressOf(1));
    assert.equal(one?.endpoint, 'http://127.0.0.1:1/');
    assert.equal(one?.activeStake, tokens('100'));
    assert.equal(one?.active, true);
    assert.deepEqual(
      [...(one?.prices ?? [])],
      [
        [modelA, 5n],
        [modelB, 7n],
      ],
    );
    assert.equal(providers.get(addressOf(2))?.activeStake, tokens('250'));
    assert.deepEqual([...models.keys()].sort(), [modelA, modelB].sort());
    assert.equal(models.get(modelA)?.owner, addressOf(0));
    assert.equal(models.get(modelA)?.metadataURI, 'ipfs://model-a');
    assert.equal(models.get(modelA)?.deprecated, false);
  });

  test('follows new blocks: endpoint, price, stake, unbonding, jail until its end, slash', async () => {
    const discovery = new Discovery({ connection: await chain.signer(0), deployment: chain.deployment, pollIntervalMs: 20 });
    await discovery.start();
    try {
      const registry = chain.deployment.contracts.providerRegistry;
      const one = await chain.signer(1);
      const two = await chain.signer(2);
      const record = (i: number) => discovery.table.providers.get(addressOf(i));

      await send(one, { address: registry, abi: providerRegistryAbi, functionName: 'updateEndpoint', args: ['http://127.0.0.1:11'] });
      await send(one, { address: registry, abi: providerRegistryAbi, functionName: 'setPrice', args: [modelB, 0n] });
      await send(one, { address: registry, abi: providerRegistryAbi, functionName: 'addStake', args: [tokens('50')] });
      await eventually(() => record(1)?.activeStake === tokens('150'), 'the added stake');
      assert.equal(record(1)?.endpoint, 'http://127.0.0.1:11');
      assert.deepEqual([...(record(1)?.prices.keys() ?? [])], [modelA], 'price 0 removes the model from the offer');

      await send(two, { address: registry, abi: providerRegistryAbi, functionName: 'startUnbonding', args: [tokens('50')] });
      await eventually(() => record(2)?.unbondingStake === tokens('50'), 'the unbonding');
      assert.equal(record(2)?.activeStake, tokens('200'));

      // The governance timelock (the deployer proposes and executes) authorizes a dev account as slasher.
      const slasher = await chain.signer(9);
      await governLocally(await chain.signer(0), chain.deployment, [
        { target: registry, data: encodeFunctionData({ abi: providerRegistryAbi, functionName: 'setSlasher', args: [addressOf(9), true] }) },
      ]);
      const now = (await slasher.publicClient.getBlock()).timestamp;
      await send(slasher, { address: registry, abi: providerRegistryAbi, functionName: 'jail', args: [addressOf(2), now + 600n] });
      await eventually(() => record(2)?.active === false, 'the jailed provider to leave');
      assert.equal(record(2)?.jailedUntil, now + 600n);

      await send(slasher, {
        address: registry,
        abi: providerRegistryAbi,
        functionName: 'slash',
        args: [addressOf(2), tokens('220'), addressOf(9), keccak256(toHex('a receipt'))],
      });
      await eventually(() => record(2)?.unbondingStake === tokens('30'), 'the slash');
      assert.equal(record(2)?.activeStake, 0n, 'the slash takes active stake first');

      // Jail expiry has no event: the view call notices it. Provider 1 is jailed briefly
      // and comes back once the chain's time passes its term.
      await send(slasher, { address: registry, abi: providerRegistryAbi, functionName: 'jail', args: [addressOf(1), now + 60n] });
      await eventually(() => record(1)?.active === false, 'provider 1 jailed');
      const testClient = createTestClient({ mode: 'anvil', transport: http(chain.rpcUrl) });
      await testClient.increaseTime({ seconds: 120 });
      await testClient.mine({ blocks: 1 });
      await eventually(() => record(1)?.active === true, 'provider 1 back after its jail term');
      assert.equal(record(2)?.active, false, 'provider 2 stays out: still jailed and no stake');
    } finally {
      await discovery.stop();
    }
    const cursor = discovery.cursor;
    await new Promise((resolve) => setTimeout(resolve, 60));
    assert.equal(discovery.cursor, cursor, 'a stopped discovery polls no more');
  });

  test("a deprecated model drops out of the gateway's models", async () => {
    const gateway = await startGateway({
      connection: await chain.signer(0),
      account: gatewayAccount,
      deployment: chain.deployment,
      dataDir: chain.dataDir,
      pollIntervalMs: 20,
      healthIntervalMs: 60_000,
    });
    try {
      const listed = async () => ((await (await fetch(`${gateway.url}/v1/models`)).json()) as { models: { modelId: Hex }[] }).models.map((m) => m.modelId);
      assert.deepEqual((await listed()).sort(), [modelA, modelB].sort());
      await send(await chain.signer(0), {
        address: chain.deployment.contracts.modelRegistry,
        abi: modelRegistryAbi,
        functionName: 'deprecate',
        args: [modelB],
      });
      await gateway.refresh();
      assert.deepEqual(await listed(), [modelA]);
      const health = (await (await fetch(`${gateway.url}/v1/health`)).json()) as { status: string; providers: number; models: number };
      assert.equal(health.status, 'ok');
      assert.equal(health.models, 1);
      assert.equal(health.providers, 2);
    } finally {
      await gateway.stop();
    }
  });
});
