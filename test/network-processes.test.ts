// The local network with one process per role, as `trellis up` runs it: a request
// through the gateway's process is served by a provider's process and its receipt
// verifies; a provider killed outright is reported by name while the supervisor stops
// the others in order; the next start on the same folder still holds the killed
// provider's voucher and redeems it. The stats endpoint only reads, on loopback.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { connectDevSigner } from '../src/chain/connect.ts';
import { escrowAbi } from '../src/chain/generated/Escrow.ts';
import { silentLogger } from '../src/log.ts';
import type { NetworkError } from '../src/network/errors.ts';
import { localRoles, type ProcessNetwork, startLocalNetwork } from '../src/network/local-network.ts';
import { readRoleStats } from '../src/network/role-stats.ts';
import { compiledCli } from '../src/network/supervisor.ts';
import { recoverReceiptSigner } from '../src/protocol/messages.ts';
import { TrellisClient, type CheckedReceipt } from '../src/sdk/client.ts';

const digit = JSON.parse(readFileSync(new URL('../examples/digit-3.json', import.meta.url), 'utf8')) as number[];

const sameAddress = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

const isRunning = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('the local network, one process per role', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'trellis-procs-'));
  const stopped: string[] = [];
  const start = (fresh: boolean) =>
    startLocalNetwork({
      dataDir,
      port: 0,
      fresh,
      processes: true,
      log: silentLogger,
      onStopped: (part) => stopped.push(part),
      // Redemption only when told, so that the voucher stays with the provider until then.
      settlement: { batchSize: 1_000_000, maxAgeMs: 3_600_000 },
    });
  let network: ProcessNetwork | undefined;
  let served: CheckedReceipt | undefined;
  after(async () => {
    await network?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('a request through the gateway is served by a provider process, and its receipt verifies', async () => {
    network = await start(true);
    const { deployment } = network.chain;
    const pids = [network.gateway.pid, ...network.providers.map((p) => p.pid)];
    assert.equal(new Set([process.pid, ...pids]).size, 5, 'the gateway and each provider run in a process of their own');
    const client = new TrellisClient({
      connection: await connectDevSigner(network.chain.rpcUrl, localRoles.client, deployment.chainId),
      deployment,
      gatewayUrl: network.gatewayUrl,
      dataDir: join(dataDir, 'test-client'),
    });
    try {
      const result = await client.infer({ model: 'digits-mlp', input: digit });
      served = result.receipts[0]!;
      // The provider's voucher for it: what the kill below must not lose.
      await client.flushVouchers();
    } finally {
      client.close();
    }
    const provider = network.providers.find((p) => sameAddress(p.address, served!.receipt.provider));
    assert.ok(provider, `the receipt names one of the network's providers (${served.receipt.provider})`);
    const signer = await recoverReceiptSigner({ chainId: deployment.chainId, escrow: deployment.contracts.escrow }, served.receipt, served.signature);
    assert.ok(sameAddress(signer, provider.address));
    const stats = await readRoleStats(provider.statsUrl);
    assert.equal(stats.pid, provider.pid);
    assert.equal(stats.served, 1);
    assert.ok(stats.cpuUs.user > 0);
    assert.equal((await readRoleStats(network.gateway.statsUrl)).served, 1, 'the gateway counts the request it routed');
  });

  test('the stats endpoint listens on loopback only and changes nothing', async () => {
    const provider = network!.providers[0]!;
    assert.equal(new URL(provider.statsUrl).hostname, '127.0.0.1');
    const before = await readRoleStats(provider.statsUrl);
    for (const method of ['POST', 'PUT', 'DELETE']) {
      const response = await fetch(provider.statsUrl, { method, body: method === 'DELETE' ? undefined : '{"served":0}' });
      assert.equal(response.status, 405, method);
      assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'METHOD_NOT_ALLOWED');
    }
    const other = await fetch(new URL('/v1/infer', provider.statsUrl), { method: 'POST', body: '{}' });
    assert.equal(other.status, 404);
    const after = await readRoleStats(provider.statsUrl);
    assert.equal(after.served, before.served);
  });

  test('a provider killed outright is reported by name, and the supervisor stops the rest in order', async () => {
    const net = network!;
    const victim = net.providers.find((p) => sameAddress(p.address, served!.receipt.provider))!;
    const others = [net.gateway.pid, ...net.providers.filter((p) => p !== victim).map((p) => p.pid)];
    stopped.length = 0;
    process.kill(victim.pid, 'SIGKILL');
    const error: NetworkError = await net.failure;
    assert.equal(error.code, 'ROLE_DIED');
    assert.match(error.shortMessage, new RegExp(`^${victim.name} stopped on its own \\(killed by SIGKILL\\)`));
    assert.ok(
      error.details.some((line) => line.includes('provider serving')),
      'the report carries its last log lines',
    );
    await net.stop();
    for (const pid of others) assert.equal(isRunning(pid), false, `process ${pid} has exited`);
    assert.equal(stopped[0], 'the gateway (no new requests)');
    assert.equal(stopped.at(-1), 'the chain (state saved)');
    assert.equal(stopped.filter((part) => part.startsWith('provider ')).length, 2, 'the two live providers stopped in order');
    assert.ok(
      stopped.indexOf('the gateway (no new requests)') < stopped.findIndex((part) => part.startsWith('provider ')),
      'the gateway stops before the providers',
    );
  });

  test('`trellis role` run by hand, without the parent that hands it its part, says so and starts nothing', async () => {
    const run = spawnSync(process.execPath, [await compiledCli(), 'role'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(run.status, 1, run.stderr);
    assert.match(run.stderr, /runs only inside `trellis up`/);
  });

  test('the next start on the same folder resumes: the killed provider still holds its voucher and redeems it', async () => {
    const receipt = served!.receipt;
    network = await start(false);
    const { deployment } = network.chain;
    const provider = network.providers.find((p) => sameAddress(p.address, receipt.provider))!;
    const redeemed = () =>
      connectDevSigner(network!.chain.rpcUrl, localRoles.client, deployment.chainId).then((c) =>
        c.publicClient.readContract({
          address: deployment.contracts.escrow,
          abi: escrowAbi,
          functionName: 'redeemed',
          args: [receipt.client, receipt.provider, receipt.modelId],
        }),
      );
    assert.equal(await redeemed(), 0n, 'nothing was redeemed before the kill');
    await provider.redeemNow();
    assert.equal(await redeemed(), receipt.channelTotal);
  });
});
