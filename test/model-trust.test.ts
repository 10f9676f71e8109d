// Model trust end to end on a real anvil: someone republishes a default model's file
// under their own account, with another weight commitment and a higher royalty. Clients
// and restarted providers keep using the original publication, royalties keep going to
// its owner, and whoever is pointed at the forged publication refuses it up front.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { getAddress, keccak256, toHex, type Hex } from 'viem';
import { escrowAbi } from '../src/chain/generated/Escrow.ts';
import { devAccount } from '../src/chain/dev-accounts.ts';
import { tokens } from '../src/chain/parameters.ts';
import { silentLogger } from '../src/log.ts';
import { loadModel } from '../src/models/catalog.ts';
import { localRoles } from '../src/network/local-network.ts';
import { startProviderNode, type ProviderNode } from '../src/provider/node.ts';
import { balances, publishModel } from '../src/sdk/accounts.ts';
import { TrellisClient } from '../src/sdk/client.ts';
import { startTestNetwork, type TestNetwork } from './support/network.ts';

const MODEL = 'digits-cnn';
const ATTACKER = 7;
const digit = JSON.parse(readFileSync(new URL('../examples/digit-3.json', import.meta.url), 'utf8')) as number[];

describe('a republished model takes over nothing', () => {
  let net: TestNetwork;
  let original: Hex;
  let forged: Hex;
  let restarted: ProviderNode | undefined;
  const scratch = mkdtempSync(join(tmpdir(), 'trellis-trust-'));

  before(async () => {
    net = await startTestNetwork();
    original = net.providers[0]!.models.find((m) => m.name === MODEL)!.modelId;
    const model = loadModel(MODEL);
    // The attacker's copy: the same file, a commitment of its own, twice the royalty.
    forged = await publishModel(await net.signer(ATTACKER), net.chain.deployment, {
      contentHash: model.contentHash,
      weightCommitment: keccak256(toHex('not the weights anyone runs')),
      shape: model.shape,
      metadataURI: model.metadataURI,
      royaltyBps: 1_000,
    });
  });
  after(async () => {
    await restarted?.stop();
    await net?.dispose();
    rmSync(scratch, { recursive: true, force: true });
  });

  test("the deployment manifest names the default models' owner as the trusted publisher", () => {
    assert.equal(net.chain.deployment.modelPublisher, devAccount(localRoles.modelOwner).address);
    assert.notEqual(forged, original);
  });

  test('clients and a restarted provider keep the original publication, and its owner keeps the royalties', async () => {
    const { deployment } = net.chain;
    const connection = await net.signer(localRoles.client);
    const client = new TrellisClient({ connection, deployment, gatewayUrl: net.gatewayUrl, dataDir: join(scratch, 'client') });
    try {
      const before = await client.infer({ model: MODEL, input: digit });
      assert.equal(before.receipts[0]!.receipt.modelId, original, 'the client still asks for the original model id');

      // A provider restarted after the forged publication resolves the model again.
      const first = net.providers[0]!;
      await first.stop();
      restarted = await startProviderNode({
        connection: await net.signer(localRoles.providers[0]),
        deployment,
        dataDir: join(net.dataDir, 'providers', '1'),
        models: [{ name: MODEL, price: tokens('0.010') }],
        port: 0,
        stake: tokens('500'),
        settlement: { batchSize: 1_000_000, maxAgeMs: 3_600_000 },
        log: silentLogger,
      });
      assert.deepEqual(
        restarted.models.map((m) => m.modelId),
        [original],
        'the restarted provider serves the original id',
      );
      const afterRestart = await client.infer({ model: MODEL, input: digit, providerUrl: restarted.url });
      assert.equal(afterRestart.receipts[0]!.receipt.modelId, original);
    } finally {
      client.close();
    }

    const attacker = devAccount(ATTACKER).address;
    const earningsBefore = (await balances(connection, deployment, attacker)).earnings;
    await restarted.redeemNow();
    for (const provider of net.providers.slice(1)) await provider.redeemNow();
    assert.equal((await balances(connection, deployment, attacker)).earnings, earningsBefore, 'the forged publication earned nothing');
    const splits = await connection.publicClient.getContractEvents({
      address: deployment.contracts.escrow,
      abi: escrowAbi,
      eventName: 'PaymentSplit',
      fromBlock: BigInt(deployment.deploymentBlock),
      strict: true,
    });
    const cnnSplits = splits.filter((e) => e.args.modelId.toLowerCase() === original.toLowerCase());
    assert.ok(cnnSplits.length > 0, "the model's payments were redeemed");
    for (const split of splits) {
      assert.notEqual(split.args.modelId.toLowerCase(), forged.toLowerCase(), 'nothing was paid under the forged id');
      assert.equal(getAddress(split.args.modelOwner), devAccount(localRoles.modelOwner).address, 'royalties go to the original owner');
    }
    assert.ok(
      cnnSplits.some((e) => e.args.royalty > 0n),
      'the original owner was paid a royalty',
    );
  });

  test('a provider told to trust the forged publication refuses to start under its commitment', async () => {
    await assert.rejects(
      startProviderNode({
        connection: await net.signer(6),
        deployment: net.chain.deployment,
        dataDir: join(scratch, 'provider-6'),
        models: [{ name: MODEL, price: tokens('0.010') }],
        trust: { publisher: devAccount(ATTACKER).address },
        port: 0,
        stake: tokens('500'),
        log: silentLogger,
      }),
      (error: { code?: string; details?: readonly string[] }) => {
        assert.equal(error.code, 'MODEL_COMMITMENT_MISMATCH');
        assert.ok(
          error.details?.some((line) => line.includes(loadModel(MODEL).weightCommitment)),
          'names the commitment computed locally',
        );
        return true;
      },
    );
  });

  test('a client pointed at the forged publication refuses it before sending anything', async () => {
    let sent = 0;
    const client = new TrellisClient({
      connection: await net.signer(localRoles.client),
      deployment: net.chain.deployment,
      gatewayUrl: net.gatewayUrl,
      dataDir: join(scratch, 'fooled-client'),
      trust: { modelIds: { [MODEL]: forged } },
      fetch: (...args) => {
        sent++;
        return fetch(...args);
      },
    });
    try {
      await assert.rejects(client.infer({ model: MODEL, input: digit }), { code: 'MODEL_COMMITMENT_MISMATCH' });
      assert.equal(sent, 0, 'no request went out');
    } finally {
      client.close();
    }
  });

  test('a publication with the honest commitment but another shape is refused too, naming the field', async () => {
    const model = loadModel(MODEL);
    // The commitment is the honest one; the shape moves the first layer's parameter leaf.
    const reshaped = { ...model.shape, rowCount: model.shape.rowCount + 1 };
    const liar = await publishModel(await net.signer(ATTACKER + 1), net.chain.deployment, {
      contentHash: model.contentHash,
      weightCommitment: model.weightCommitment,
      shape: reshaped,
      metadataURI: model.metadataURI,
      royaltyBps: 0,
    });
    const client = new TrellisClient({
      connection: await net.signer(localRoles.client),
      deployment: net.chain.deployment,
      gatewayUrl: net.gatewayUrl,
      dataDir: join(scratch, 'reshaped-client'),
      trust: { modelIds: { [MODEL]: liar } },
    });
    try {
      await assert.rejects(client.infer({ model: MODEL, input: digit }), (error: unknown) => {
        assert.equal((error as { code?: string }).code, 'MODEL_SHAPE_MISMATCH');
        assert.match(String(error), /row leaves: on chain \d+, here \d+/);
        return true;
      });
    } finally {
      client.close();
    }
  });
});
