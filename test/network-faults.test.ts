// A provider killed (SIGKILL) in the middle of traffic: the gateway retries its
// requests elsewhere, the client pays each result exactly once, and after a restart
// the provider still redeems everything it was paid for.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Address } from 'viem';
import { escrowAbi } from '../src/chain/generated/Escrow.ts';
import { devAccount } from '../src/chain/dev-accounts.ts';
import { tokens } from '../src/chain/parameters.ts';
import { balances, deposit } from '../src/sdk/accounts.ts';
import { TrellisClient } from '../src/sdk/client.ts';
import { startTestNetwork, type TestNetwork } from './support/network.ts';

const digit = JSON.parse(readFileSync(new URL('../examples/digit-3.json', import.meta.url), 'utf8')) as number[];
const CHILD_ACCOUNT = 5;
const CLIENT_ACCOUNT = 7;
const REQUESTS = 40;

let net: TestNetwork;
before(async () => {
  net = await startTestNetwork();
});
after(() => net?.dispose());

/** Resolves once the process has ended, whether or not it already has. */
const exited = (child: ChildProcess) =>
  child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise<void>((resolve) => child.once('exit', () => resolve()));

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

test('a provider killed mid-traffic: retried elsewhere, nobody charged twice, redeems after restart', async () => {
  const { deployment } = net.chain;
  const child = devAccount(CHILD_ACCOUNT).address;
  // The cheapest provider, in its own process, so the router prefers it.
  const config = join(net.dataDir, 'child-provider.json');
  writeFileSync(
    config,
    JSON.stringify({
      dataDir: join(net.dataDir, 'child-provider'),
      port: 0,
      stake: '500',
      models: [{ name: 'digits-mlp', price: '0.005' }],
      settlement: { maxAgeMs: 300 },
    }),
  );
  const log = createWriteStream(join(net.dataDir, 'child-provider.log'));
  const startChild = (): ChildProcess => {
    const process_ = spawn(process.execPath, ['bin/trellis.js', 'provider', 'start', '--data-dir', net.dataDir, '--config', config], {
      env: { ...process.env, TRELLIS_PRIVATE_KEY: devAccount(CHILD_ACCOUNT).privateKey },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    process_.stdout!.pipe(log, { end: false });
    process_.stderr!.pipe(log, { end: false });
    return process_;
  };
  const healthyAtGateway = async () => {
    const { providers } = (await (await fetch(`${net.gatewayUrl}/v1/providers`)).json()) as { providers: { address: Address; healthy: boolean }[] };
    return providers.some((p) => p.address === child && p.healthy);
  };

  const connection = await net.signer(CLIENT_ACCOUNT);
  await deposit(connection, deployment, tokens('10'));
  const client = new TrellisClient({ connection, deployment, gatewayUrl: net.gatewayUrl, dataDir: join(net.dataDir, 'fault-client') });
  // Whatever fails below, the child in its own process is stopped, or the file never ends.
  let provider = startChild();
  try {
    await until('the child provider to be healthy at the gateway', healthyAtGateway);

    let done = 0;
    let killedAt = -1;
    const loop = async () => {
      while (done < REQUESTS) {
        done++;
        const result = await client.infer({ model: 'digits-mlp', input: digit });
        const fromChild = client.receipts().filter((r) => r.receipt.provider === child).length;
        if (killedAt < 0 && result.receipts[0]!.receipt.provider === child && fromChild >= 5) {
          killedAt = done;
          provider.kill('SIGKILL');
        }
      }
    };
    await Promise.all([loop(), loop()]);
    assert.ok(killedAt > 0, 'the child provider served traffic and was killed');
    const receipts = client.receipts().map((r) => r.receipt);
    assert.equal(receipts.length, REQUESTS, 'every request got a result despite the kill');
    assert.ok(
      receipts.some((r) => r.provider !== child),
      'requests were served elsewhere',
    );

    // Restart: the provider resumes from its journals and redeems what it was paid for.
    await exited(provider);
    provider = startChild();
    await until('the child provider to be back', healthyAtGateway);
    await client.flushVouchers();
    const modelId = receipts[0]!.modelId;
    const earnedByChild = receipts.filter((r) => r.provider === child).reduce((sum, r) => sum + BigInt(r.fee), 0n);
    const redeemed = (p: Address) =>
      connection.publicClient.readContract({
        address: deployment.contracts.escrow,
        abi: escrowAbi,
        functionName: 'redeemed',
        args: [connection.account.address, p, modelId],
      });
    await until('the restarted provider to redeem', async () => (await redeemed(child)) === earnedByChild);
    for (const p of net.providers) await p.redeemNow();

    // Nobody charged twice: the escrow paid exactly the receipts the client holds.
    const paidForReceipts = receipts.reduce((sum, r) => sum + BigInt(r.fee), 0n);
    let redeemedTotal = await redeemed(child);
    for (const p of net.providers) redeemedTotal += await redeemed(p.address);
    assert.equal(redeemedTotal, paidForReceipts);
    assert.equal((await balances(connection, deployment, connection.account.address)).escrow, tokens('10') - paidForReceipts);
  } finally {
    provider.kill('SIGTERM');
    await exited(provider);
    log.end();
    client.close();
  }
});
