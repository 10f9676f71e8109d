// Redundant mode with the faulty provider: the gateway records the disagreement (and
// its input beside it), a watcher reading only those files, as `trellis watch` does,
// re-executes both receipts and finds the wrong one, and the faulty provider ends up
// slashed while the honest provider of the pair is never disputed.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { getAddress } from 'viem';
import { connectDevSigner } from '../src/chain/connect.ts';
import { disputeGameAbi } from '../src/chain/generated/DisputeGame.ts';
import { tokens } from '../src/chain/parameters.ts';
import { DISAGREEMENTS_FILE } from '../src/gateway/server.ts';
import { silentLogger } from '../src/log.ts';
import { startLocalNetwork, type LocalNetwork } from '../src/network/local-network.ts';
import { deposit } from '../src/sdk/accounts.ts';
import { TrellisClient } from '../src/sdk/client.ts';
import { DISAGREEMENT_INPUTS_FILE } from '../src/verify/disagreement-inputs.ts';
import { startWatcher } from '../src/verify/watcher.ts';

const digit = JSON.parse(readFileSync(new URL('../examples/digit-3.json', import.meta.url), 'utf8')) as number[];
let net: LocalNetwork;
let dataDir: string;

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'trellis-watch-red-'));
  net = await startLocalNetwork({
    dataDir,
    port: 0,
    fresh: true,
    log: silentLogger,
    settlement: { batchSize: 1_000_000, maxAgeMs: 3_600_000 },
    faulty: { rate: 1, seed: 3, watcherIntervalMs: 150, disputePollMs: 150 },
  });
});
after(async () => {
  await net?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

test('a redundant disagreement is settled against the faulty provider from the gateway files alone', async () => {
  const faulty = getAddress(net.faultyProvider!.address);
  const rpc = (index: number) => connectDevSigner(net.chain.rpcUrl, index);
  const connection = await rpc(7);
  await deposit(connection, net.chain.deployment, tokens('10'));
  // A second watcher, in this process, that knows nothing but the gateway's files.
  const standalone = startWatcher({
    connection: await rpc(6),
    deployment: net.chain.deployment,
    dataDir: join(dataDir, 'standalone-watcher'),
    intervalMs: 150,
    disagreements: { file: join(dataDir, 'gateway', DISAGREEMENTS_FILE), inputsFile: join(dataDir, 'gateway', DISAGREEMENT_INPUTS_FILE) },
  });
  const client = new TrellisClient({ connection, deployment: net.chain.deployment, gatewayUrl: net.gatewayUrl, dataDir: join(dataDir, 'client') });
  try {
    const result = await client.infer({ model: 'digits-mlp', input: digit, verification: 'redundant' });
    assert.equal(result.agreement, false, 'the faulty provider and an honest one disagree');
    const providers = result.receipts.map((r) => getAddress(r.receipt.provider));
    assert.ok(providers.includes(faulty));
    assert.ok(existsSync(join(dataDir, 'gateway', DISAGREEMENT_INPUTS_FILE)), 'the input was kept beside the disagreement');

    await until('the standalone watcher to re-execute both receipts', () => standalone.stats.checked >= 2);
    assert.equal(standalone.stats.wrong, 1, 'exactly one of the two receipts is wrong');
    assert.equal(standalone.stats.correct, 1);
    const watchers = [standalone, net.watcher!];
    await until('a watcher to win the dispute', () => watchers.some((w) => w.disputes().some((d) => d.status === 'providerLost')));
    // Whichever watcher opened first played it out; the other stood aside.
    for (const w of watchers) for (const d of w.disputes()) assert.equal(getAddress(d.receipt.provider), faulty);
    const opened = await connection.publicClient.getContractEvents({
      address: net.chain.deployment.contracts.disputeGame,
      abi: disputeGameAbi,
      eventName: 'DisputeOpened',
      fromBlock: 0n,
      strict: true,
    });
    assert.ok(opened.length >= 1);
    for (const event of opened) assert.equal(getAddress(event.args.provider), faulty, 'no honest provider is disputed');
  } finally {
    client.close();
    await standalone.stop();
  }
});
