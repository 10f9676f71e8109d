// Bring your own model, end to end on a real anvil: models exported by the project's
// own exporter (an MLP in Gemm form and in MatMul+Add form, a small CNN) are imported
// and published through the CLI command functions as ipfs://<cid>; a provider with an
// empty models folder serves them by model id and by CID, fetching the packages from
// the publisher's store; a client in an empty folder calls them and pays for checked
// results. A publication whose CID holds another model, and a CID no source holds, are
// refused by the provider and the client with a clear error, and nothing is charged.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Hex } from 'viem';
import { tokens } from '../src/chain/parameters.ts';
import { runModelImport } from '../src/cli/commands/model-import.ts';
import { runModelPublish } from '../src/cli/commands/model-publish.ts';
import { exportOnnx } from '../src/train/export-onnx.ts';
import { modelSpec, type ExportForm } from '../src/train/models.ts';
import { Xoshiro128 } from '../src/train/prng.ts';
import { TrellisError } from '../src/errors.ts';
import { silentLogger } from '../src/log.ts';
import { listen } from '../src/net/http.ts';
import { readModelPackage } from '../src/models/package/read.ts';
import { isPublishedBy } from '../src/models/registry.ts';
import { localRoles } from '../src/network/local-network.ts';
import { startProviderNode, type ProviderNode, type ServedModelChoice } from '../src/provider/node.ts';
import { publishModel } from '../src/sdk/accounts.ts';
import { TrellisClient } from '../src/sdk/client.ts';
import { addDirectory, BlockStore, storeRoutes, toIpfsUri } from '../src/store/index.ts';
import { startTestNetwork, type TestNetwork } from './support/network.ts';

const ATTACKER = 7;
const scratch = mkdtempSync(join(tmpdir(), 'trellis-open-models-'));
const csvOf = (values: ArrayLike<number>, width: number) =>
  `${Array.from({ length: values.length / width }, (_, r) => Array.from({ length: width }, (_, c) => values[r * width + c]).join(',')).join('\n')}\n`;
const pixels = (rows: number, seed: number) => {
  const rng = new Xoshiro128(seed);
  return new Float64Array(rows * 64).map(() => Math.round(rng.nextFloat() * 16));
};
const row = Array.from(pixels(1, 9));

/** Exports a fresh network in `form` and imports it through `trellis model import`; returns the package folder. */
async function importModel(name: string, spec: 'digits-mlp' | 'digits-cnn', form: ExportForm, seed: number): Promise<string> {
  const dir = join(scratch, 'author', name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'model.onnx'), exportOnnx(modelSpec(spec).build(new Xoshiro128(seed)), { opset: 13, form, graphName: name }));
  writeFileSync(join(dir, 'cal.csv'), csvOf(pixels(32, seed), 64));
  const out = join(dir, 'package');
  await runModelImport(join(dir, 'model.onnx'), { calibration: join(dir, 'cal.csv'), inputRange: '0:16', name, licence: 'MIT', out }, () => {});
  return out;
}

const refusedWith = (code: string, message: RegExp) => (error: unknown) => error instanceof TrellisError && error.code === code && message.test(error.message);

describe('models published by content address are served and called from anywhere', () => {
  let net: TestNetwork;
  let provider: ProviderNode | undefined;
  let storeServer: { url: string; close(): Promise<void> };
  const published = new Map<string, { modelId: Hex; cid: string }>();
  const empty = join(scratch, 'empty-models');
  let forgedId: Hex;
  let unresolvableId: Hex;
  let unresolvableCid: string;

  before(async () => {
    mkdirSync(empty);
    net = await startTestNetwork();
    const publisherDir = join(scratch, 'publisher');
    const context = {
      connection: await net.signer(localRoles.modelOwner),
      deployment: net.chain.deployment,
      gatewayUrl: net.gatewayUrl,
      dataDir: publisherDir,
    };
    for (const [name, spec, form, seed] of [
      ['mlp-gemm', 'digits-mlp', 'gemm', 1],
      ['mlp-matmul', 'digits-mlp', 'matmul-add', 2],
      ['small-cnn', 'digits-cnn', 'conv-reshape-gemm', 3],
    ] as const) {
      const dir = await importModel(name, spec, form, seed);
      const { modelId, model } = await runModelPublish(dir, { royaltyBps: 500 }, context, () => {});
      assert.match(model.metadataURI, /^ipfs:\/\/bafy/);
      published.set(name, { modelId, cid: model.metadataURI.slice('ipfs://'.length) });
    }
    // The publisher's store over HTTP: the one place the packages are at first.
    storeServer = await listen(storeRoutes(await BlockStore.open(join(publisherDir, 'store'))), '127.0.0.1', 0);

    // An attacker publishes the CNN's content hash under the MLP package's CID...
    const attacker = await net.signer(ATTACKER);
    const cnnModel = readModelPackage(join(scratch, 'author', 'small-cnn', 'package'));
    forgedId = await publishModel(attacker, net.chain.deployment, {
      contentHash: cnnModel.contentHash,
      weightCommitment: cnnModel.weightCommitment,
      shape: cnnModel.shape,
      metadataURI: `ipfs://${published.get('mlp-matmul')!.cid}`,
      royaltyBps: 0,
    });
    // ...and a model under a CID that no source holds.
    const elsewhere = join(scratch, 'nowhere');
    mkdirSync(elsewhere);
    writeFileSync(join(elsewhere, 'x.txt'), 'held by no store');
    const cid = await addDirectory(await BlockStore.open(join(scratch, 'throwaway-store')), elsewhere);
    unresolvableCid = cid.toString();
    const gemmModel = readModelPackage(join(scratch, 'author', 'mlp-gemm', 'package'));
    unresolvableId = await publishModel(attacker, net.chain.deployment, {
      contentHash: gemmModel.contentHash,
      weightCommitment: gemmModel.weightCommitment,
      shape: gemmModel.shape,
      metadataURI: toIpfsUri(cid),
      royaltyBps: 0,
    });
  });
  after(async () => {
    await provider?.stop();
    await storeServer?.close();
    await net?.dispose();
    rmSync(scratch, { recursive: true, force: true });
  });

  const startProvider = async (models: ServedModelChoice[], dir: string) =>
    startProviderNode({
      connection: await net.signer(localRoles.providers[0]),
      deployment: net.chain.deployment,
      dataDir: dir,
      models,
      modelsDir: empty,
      storeSources: [{ kind: 'gateway', url: storeServer.url }],
      port: 0,
      stake: tokens('500'),
      settlement: { batchSize: 1_000_000, maxAgeMs: 3_600_000 },
      log: silentLogger,
    });

  test('a package that fails a check is not published; a CID is fetched and verified before it is', async () => {
    const attacker = { connection: await net.signer(ATTACKER), deployment: net.chain.deployment, gatewayUrl: undefined, dataDir: join(scratch, 'attacker') };
    const tampered = join(scratch, 'tampered');
    cpSync(join(scratch, 'author', 'mlp-matmul', 'package'), tampered, { recursive: true });
    writeFileSync(join(tampered, 'MODEL_CARD.md'), 'changed after the package was written\n');
    const matmul = readModelPackage(join(scratch, 'author', 'mlp-matmul', 'package'));
    await assert.rejects(
      runModelPublish(tampered, { royaltyBps: 0 }, attacker, () => {}),
      refusedWith('PACKAGE_HASH_MISMATCH', /MODEL_CARD\.md was changed/),
    );
    assert.equal(await isPublishedBy(attacker.connection, net.chain.deployment, attacker.connection.account.address, matmul.contentHash), false);

    const cid = published.get('mlp-matmul')!.cid;
    const { model } = await runModelPublish(cid, { royaltyBps: 0, from: [storeServer.url] }, attacker, () => {});
    assert.equal(model.metadataURI, `ipfs://${cid}`);
    assert.equal(model.contentHash, matmul.contentHash);
  });

  test('a provider refuses a publication whose CID holds another model, and a CID no source holds', async () => {
    await assert.rejects(
      startProvider([{ modelId: forgedId, price: tokens('0.01') }], join(scratch, 'refusing-1')),
      refusedWith('MODEL_CONTENT_MISMATCH', /another model/),
    );
    await assert.rejects(
      startProvider([{ cid: unresolvableCid, price: tokens('0.01') }], join(scratch, 'refusing-2')),
      refusedWith('STORE_FETCH_FAILED', /No source/),
    );
  });

  test('a provider with no model files serves the packages by model id and CID, and a client in an empty folder pays for checked results', async () => {
    await net.providers[0]!.stop();
    provider = await startProvider(
      [
        { modelId: published.get('mlp-gemm')!.modelId, price: tokens('0.01') },
        { cid: published.get('mlp-matmul')!.cid, price: tokens('0.01') },
        { modelId: published.get('small-cnn')!.modelId, price: tokens('0.01') },
      ],
      join(net.dataDir, 'providers', '1'),
    );
    assert.deepEqual(
      provider.models.map((m) => m.name),
      ['mlp-gemm', 'mlp-matmul', 'small-cnn'],
    );
    assert.deepEqual(
      provider.models.map((m) => m.modelId),
      [...published.values()].map((p) => p.modelId),
    );

    const client = new TrellisClient({
      connection: await net.signer(localRoles.client),
      deployment: net.chain.deployment,
      dataDir: join(scratch, 'client'),
      modelsDir: empty,
    });
    try {
      for (const [name, { modelId }] of published) {
        const result = await client.infer({ model: modelId, input: row, providerUrl: provider.url });
        assert.equal(result.receipts.length, 1, name);
        assert.equal(result.receipts[0]!.receipt.modelId, modelId);
        assert.equal(result.receipts[0]!.receipt.provider, provider.address);
      }
      assert.equal(client.receipts().length, 3);

      // The attacker's publications are refused before anything is signed or sent.
      await assert.rejects(client.infer({ model: forgedId, input: row, providerUrl: provider.url }), refusedWith('MODEL_CONTENT_MISMATCH', /another model/));
      await assert.rejects(client.infer({ model: unresolvableId, input: row, providerUrl: provider.url }), refusedWith('STORE_FETCH_FAILED', /No source/));
      assert.equal(client.receipts().length, 3, 'nothing was charged for the refused models');
    } finally {
      client.close();
    }
  });

  test('the gateway serves a package it fetched from the provider, so a client finds a model by name through it', async () => {
    const cid = published.get('small-cnn')!.cid;
    // The gateway learns the provider's prices from chain events; until then it knows no source.
    let answer: Response | undefined;
    for (let i = 0; i < 100 && answer?.status !== 200; i++) {
      if (i > 0) await new Promise((resolve) => setTimeout(resolve, 100));
      answer = await fetch(`${net.gatewayUrl}/ipfs/${cid}/trellis-model.json`);
    }
    assert.equal(answer?.status, 200);
    assert.equal(((await answer!.json()) as { name: string }).name, 'small-cnn');

    // Its packages are dropped, so that they come again, from the gateway first.
    for (const kept of ['packages', 'store']) rmSync(join(scratch, 'client', kept), { recursive: true, force: true });
    const client = new TrellisClient({
      connection: await net.signer(localRoles.client),
      deployment: net.chain.deployment,
      gatewayUrl: net.gatewayUrl,
      // The same folder as before: the account's channel with the provider carries on from what it paid.
      dataDir: join(scratch, 'client'),
      modelsDir: empty,
    });
    try {
      const result = await client.infer({ model: 'small-cnn', input: row, providerUrl: provider!.url });
      assert.equal(result.receipts[0]!.receipt.modelId, published.get('small-cnn')!.modelId);
    } finally {
      client.close();
    }
  });
});
