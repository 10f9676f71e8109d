// A newcomer's first hour with the CLI: the README's commands in the order a new user
// runs them, against a network in a data folder other than the default, each output
// checked for words and units a person reads (tUSD, dates, durations, model names).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { devAccount } from '../src/chain/dev-accounts.ts';
import { recordDataDir } from '../src/cli/data-dir.ts';
import { silentLogger } from '../src/log.ts';
import { startLocalNetwork, type LocalNetwork } from '../src/network/local-network.ts';
import { localRoles } from '../src/network/roles.ts';
import { startTestNetwork, type TestNetwork } from './support/network.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'bin', 'trellis.js');

type Run = { status: number | null; stdout: string; stderr: string };

/** Runs the CLI asynchronously: the network under test lives in this process and must keep serving. */
function trellis(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
  if (!options.env?.TRELLIS_DATA_DIR) delete env.TRELLIS_DATA_DIR;
  if (!options.env?.TRELLIS_PRIVATE_KEY) delete env.TRELLIS_PRIVATE_KEY;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: options.cwd ?? root, env, timeout: 120_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

const ok = (run: Run, what: string) => assert.equal(run.status, 0, `${what} failed:\n${run.stderr}`);
const DATE = /\d{4}-\d\d-\d\d \d\d:\d\d UTC/.source;
const DURATION = /\d+ (s|min|h|d)( \d+ (min|h))?/.source;

describe('the CLI as a newcomer uses it, on a non-default data folder', () => {
  let net: TestNetwork;
  const data = () => ['--data-dir', net.dataDir];
  before(async () => {
    net = await startTestNetwork();
  });
  after(() => net?.dispose());

  test('help and the version answer without a network', async () => {
    const help = await trellis(['--help']);
    ok(help, 'help');
    assert.match(help.stdout, /Usage: trellis/);
    const version = await trellis(['--version']);
    ok(version, 'version');
    assert.match(version.stdout, /^\d+\.\d+\.\d+/);
  });

  test('a folder with no network names --data-dir and $TRELLIS_DATA_DIR', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'trellis-empty-'));
    try {
      const run = await trellis(['balances', '--data-dir', empty]);
      assert.equal(run.status, 1);
      assert.match(run.stderr, /No deployment manifest at/);
      assert.match(run.stderr, /--data-dir/);
      assert.match(run.stderr, /\$TRELLIS_DATA_DIR/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  test('infer, receipts and balances say what was paid, what is owed and until when it can be challenged', async () => {
    const infer = await trellis(['infer', '--model', 'digits-mlp', '--image', 'examples/digit-3.pgm', ...data()]);
    ok(infer, 'infer');
    assert.match(infer.stdout, /label +3/);
    assert.match(infer.stdout, /fee 0\.01\d* tUSD/);
    assert.match(infer.stdout, new RegExp(`optimistic: .*not re-executed; challengeable until ${DATE} \\(${DURATION} left\\)`));

    const receipts = await trellis(['receipts', ...data()]);
    ok(receipts, 'receipts');
    assert.match(receipts.stdout, new RegExp(`${DATE} +optimistic +provider 0x[0-9a-fA-F]{40} +fee 0\\.01\\d* tUSD`));
    assert.match(receipts.stdout, /^1 receipt\(s\)$/m);

    const owed = await trellis(['balances', ...data()]);
    ok(owed, 'balances');
    assert.match(owed.stdout, /escrow +100 tUSD/);
    assert.match(owed.stdout, /owed, unredeemed +0\.01\d* tUSD on 1 channel\(s\)/);

    for (const provider of net.providers) await provider.redeemNow();
    const settled = await trellis(['balances', ...data()]);
    ok(settled, 'balances after redemption');
    assert.match(settled.stdout, /escrow +99\.9\d+ tUSD/);
    assert.doesNotMatch(settled.stdout, /owed, unredeemed/);
  });

  test('withdraw says when the money is available, and withdrawing early says it in words', async () => {
    const request = await trellis(['withdraw', '10', ...data()]);
    ok(request, 'withdraw 10');
    assert.match(request.stdout, /withdrawal of 10 tUSD requested/);
    assert.match(request.stdout, new RegExp(`available in ${DURATION}, at ${DATE}`));
    assert.match(request.stdout, new RegExp(`pending withdrawal +10 tUSD \\(ready in ${DURATION}, at ${DATE}`));

    const early = await trellis(['withdraw', ...data()]);
    assert.equal(early.status, 1);
    assert.match(early.stderr, new RegExp(`withdraw failed: The withdrawal of 0x[0-9a-fA-F]{40} is not ready yet: ready in ${DURATION}, at ${DATE}\\.`));
  });

  test('providers and models use the names people type, with prices in tUSD', async () => {
    const providers = await trellis(['providers', ...data()]);
    ok(providers, 'providers');
    assert.match(providers.stdout, /healthy +stake 500 tUSD/);
    assert.match(providers.stdout, /prices per request: digits-cnn 0\.01 tUSD, digits-mlp 0\.01 tUSD|prices per request: .*digits-mlp 0\.01 tUSD/);
    assert.match(providers.stdout, /^3 provider\(s\)$/m);

    const models = await trellis(['models', ...data()]);
    ok(models, 'models');
    assert.match(models.stdout, /^digits-mlp +royalty 5 % to 0x[0-9a-fA-F]{40} +served by 3 provider\(s\)$/m);
    assert.doesNotMatch(models.stdout, /trellis:models/);
  });

  test('claim says who claims what, how much, and why there is nothing', async () => {
    const served = net.providers.map((p) => p.address.toLowerCase());
    const receipts = await trellis(['receipts', '--json', ...data()]);
    const provider = (JSON.parse(receipts.stdout.trim().split('\n')[0]!) as { receipt: { provider: string } }).receipt.provider.toLowerCase();
    const index = localRoles.providers[served.indexOf(provider)]!;
    const key = { TRELLIS_PRIVATE_KEY: devAccount(index).privateKey };

    const first = await trellis(['claim', ...data()], { env: key });
    ok(first, 'claim');
    assert.match(first.stdout, new RegExp(`claiming for ${devAccount(index).address}`, 'i'));
    assert.match(first.stdout, /earnings +0\.0\d+ tUSD moved from escrow to your wallet/);
    assert.match(first.stdout, /claimed 0\.0\d+ tUSD in all/);

    const again = await trellis(['claim', ...data()], { env: key });
    ok(again, 'claim again');
    assert.match(again.stdout, /nothing to claim/);
    assert.match(again.stdout, /royalties to each model's owner \(the default models: 0x[0-9a-fA-F]{40}\)/);
  });

  test('commands run from the folder `trellis up` ran in find its data folder without --data-dir', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'trellis-cwd-'));
    try {
      recordDataDir(net.dataDir, cwd);
      const receipts = await trellis(['receipts'], { cwd });
      ok(receipts, 'receipts without --data-dir');
      assert.match(receipts.stdout, /^\d+ receipt\(s\)$/m);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  test('infer names the class from the model schema, and a wrong input names the shape the model takes', async () => {
    // The example row is the data set's first, a malignant tumour (class 0).
    const cancer = await trellis(['infer', '--model', 'breast-cancer-mlp', '--csv', 'examples/breast-cancer.csv', ...data()]);
    ok(cancer, 'infer breast-cancer-mlp');
    assert.match(cancer.stdout, /^label +malignant$/m);
    const json = await trellis(['infer', '--model', 'breast-cancer-mlp', '--csv', 'examples/breast-cancer.csv', '--json', ...data()]);
    ok(json, 'infer --json');
    assert.deepEqual((({ label, labelName }) => ({ label, labelName }))(JSON.parse(json.stdout) as { label: number; labelName: string }), {
      label: 0,
      labelName: 'malignant',
    });

    const short = join(mkdtempSync(join(tmpdir(), 'trellis-short-')), 'short.json');
    writeFileSync(short, '[1, 2, 3]');
    const wrong = await trellis(['infer', '--model', 'digits-cnn', '--input', short, ...data()]);
    assert.equal(wrong.status, 1);
    assert.match(wrong.stderr, /Model digits-cnn takes 64 values \(shape \[1, 8, 8\]\) per row, not 3\./);
    rmSync(dirname(short), { recursive: true, force: true });
  });

  test('matrix report writes into the data folder by default and says where', async () => {
    const run = await trellis(['matrix', 'report'], { env: { TRELLIS_DATA_DIR: net.dataDir } });
    ok(run, 'matrix report');
    const path = join(net.dataDir, 'matrix-report.html');
    assert.equal(run.stdout.trim(), `wrote ${path}`);
    assert.ok(existsSync(path));
  });
});

describe('trellis up as a newcomer starts and stops it', () => {
  test('prints examples that run as printed, records its folder, and stops in dependency order on Ctrl-C', async () => {
    // `up` runs in the folder above its data folder, given as a relative path.
    const dataDir = join(mkdtempSync(join(tmpdir(), 'trellis-up-')), 'net');
    const cwd = dirname(dataDir);
    const elsewhere = mkdtempSync(join(tmpdir(), 'trellis-elsewhere-'));
    const gatewayKey = devAccount(11);
    // The routing key from the environment, given without 0x as keys often are.
    const env: NodeJS.ProcessEnv = { ...process.env, TRELLIS_GATEWAY_KEY: gatewayKey.privateKey.slice(2) };
    delete env.TRELLIS_DATA_DIR;
    // Its own process group, so that signalling the group is what Ctrl-C in a terminal does.
    const child = spawn(process.execPath, [bin, 'up', '--data-dir', 'net', '--port', '0', '--quiet'], { cwd, env, detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      await new Promise<void>((resolve, reject) => {
        const check = () => (stdout.includes('Press Ctrl-C') ? resolve() : undefined);
        child.stdout.on('data', check);
        child.on('close', () => reject(new Error(`trellis up exited early:\n${stderr}`)));
      });
      assert.match(stdout, /npx trellis infer --model digits-mlp --image examples\/digit-3.pgm --data-dir net/);
      assert.match(stdout, /npx trellis balances --data-dir /);
      const gatewayUrl = new RegExp(`gateway +(http://\\S+) +${gatewayKey.address}`).exec(stdout)?.[1];
      assert.ok(gatewayUrl, `the gateway row names the routing address from TRELLIS_GATEWAY_KEY:\n${stdout}`);
      const health = (await (await fetch(`${gatewayUrl}/v1/health`)).json()) as { gateway: string };
      assert.equal(health.gateway, gatewayKey.address);
      const dashboardUrl = /dashboard +(http:\/\/\S+)/.exec(stdout)?.[1];
      assert.ok(dashboardUrl, `a dashboard row:\n${stdout}`);
      assert.match(await (await fetch(dashboardUrl)).text(), /<div id="root">/, 'the dashboard is served at the printed URL');

      // The examples as printed, and without --data-dir from the folder `up` ran in.
      const printed = stdout
        .split('\n')
        .find((l) => l.trim().startsWith('npx trellis balances'))!
        .trim()
        .split(/\s+/)
        .slice(2);
      const balances = await trellis(printed, { cwd });
      ok(balances, 'the printed balances example');
      assert.match(balances.stdout, /escrow +100 tUSD/);
      const found = await trellis(['balances'], { cwd });
      ok(found, 'balances without --data-dir from the same folder');
      assert.match(found.stdout, /escrow +100 tUSD/);
      const fromElsewhere = await trellis(['balances', '--data-dir', dataDir], { cwd: elsewhere });
      ok(fromElsewhere, 'balances from another folder with the absolute --data-dir');
      assert.match(fromElsewhere.stdout, /escrow +100 tUSD/);
    } finally {
      if (child.exitCode === null) process.kill(-child.pid!, 'SIGINT');
    }
    assert.equal(await exited, 0, stderr);
    const order = ['stopped the indexer and the dashboard', 'stopped the gateway', 'stopped provider 3', 'stopped provider 1', 'stopped the chain'].map(
      (line) => stderr.indexOf(line),
    );
    assert.ok(
      order.every((at) => at >= 0),
      `missing stop lines:\n${stderr}`,
    );
    assert.deepEqual(
      [...order].sort((a, b) => a - b),
      order,
      `stopped out of order:\n${stderr}`,
    );
    assert.doesNotMatch(stderr, /redemption failed|stop failed/);
    rmSync(cwd, { recursive: true, force: true });
    rmSync(elsewhere, { recursive: true, force: true });
  });
});

describe('after a faulty provider is caught', () => {
  let net: LocalNetwork;
  let dataDir: string;
  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'trellis-faulty-'));
    net = await startLocalNetwork({
      dataDir,
      port: 0,
      fresh: true,
      log: silentLogger,
      settlement: { batchSize: 1_000_000, maxAgeMs: 3_600_000 },
      faulty: { rate: 1, seed: 7, watcherIntervalMs: 150, disputePollMs: 150 },
    });
  });
  after(async () => {
    await net?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('infer says the answer was not re-executed; providers show the jail and slash; receipts mark the refund', async () => {
    // The faulty provider is the cheapest, so it gets the request, and answers it wrongly.
    const infer = await trellis(['infer', '--model', 'digits-mlp', '--image', 'examples/digit-3.pgm', '--data-dir', dataDir]);
    ok(infer, 'infer');
    assert.match(infer.stdout, new RegExp(`provider ${net.faultyProvider!.address}`, 'i'));
    assert.match(infer.stdout, new RegExp(`optimistic: .*not re-executed; challengeable until ${DATE} \\(${DURATION} left\\)`));

    const watcher = net.watcher!;
    const end = Date.now() + 120_000;
    while (!watcher.disputes().some((d) => d.status === 'providerLost')) {
      assert.ok(Date.now() < end, 'the watcher never won its dispute');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }

    const providers = await trellis(['providers', '--data-dir', dataDir]);
    ok(providers, 'providers');
    const faultyLines = providers.stdout.split(/\n(?=0x)/).find((block) => block.toLowerCase().startsWith(net.faultyProvider!.address.toLowerCase()))!;
    assert.match(faultyLines, /JAILED/);
    assert.match(faultyLines, /slashed 1 time\(s\), \d+(\.\d+)? tUSD in all/);
    assert.match(faultyLines, new RegExp(`jailed until ${DATE} \\(${DURATION} left\\)`));
    assert.doesNotMatch(faultyLines, /healthy/);

    const receipts = await trellis(['receipts', '--data-dir', dataDir]);
    ok(receipts, 'receipts');
    assert.match(receipts.stdout, /REFUNDED 0\.008 tUSD after a lost dispute/);
    assert.match(receipts.stdout, /1 refunded after a dispute/);
  });
});
