// The embedded local chain against a real anvil: deployment, funding, persistence
// across a restart, --fresh, and the errors a user meets with a wrong endpoint, chain,
// key or manifest.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startAnvil } from '../src/chain/anvil.ts';
import { connect, connectSigner } from '../src/chain/connect.ts';
import { deployTrellis } from '../src/chain/deploy.ts';
import { devAccount } from '../src/chain/dev-accounts.ts';
import { ChainError } from '../src/chain/errors.ts';
import { DEV_ACCOUNT_FUNDS, startLocalChain } from '../src/chain/local-chain.ts';
import { readManifest, writeManifest } from '../src/chain/manifest.ts';
import { tokens } from '../src/chain/parameters.ts';
import { trellisTokenAbi } from '../src/chain/generated/TrellisToken.ts';
import { closedPort } from './support/closed-port.ts';

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'trellis-chain-'));
  dirs.push(dir);
  return dir;
};
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const rejectsWith = (promise: Promise<unknown>, code: string, text: RegExp) =>
  assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof ChainError, `expected a ChainError, got ${String(error)}`);
    assert.equal(error.code, code);
    assert.match(error.message, text);
    return true;
  });

describe('local chain', () => {
  test('deploys, funds the dev accounts, and resumes with the same addresses and balances', async () => {
    const dataDir = tempDir();
    const port = 0;
    const first = await startLocalChain({ dataDir, port });
    assert.equal(first.deployed, true);
    assert.equal(first.deployment.chainId, 31337);
    const { publicClient, walletClient } = await connectSigner({ rpcUrl: first.rpcUrl, privateKey: devAccount(1).privateKey, keySource: 'test' });
    const token = first.deployment.contracts.token;
    const balanceOf = (address: `0x${string}`) =>
      publicClient.readContract({ address: token, abi: trellisTokenAbi, functionName: 'balanceOf', args: [address] });
    assert.equal(await balanceOf(devAccount(1).address), DEV_ACCOUNT_FUNDS);
    // Move some tokens so the resumed state differs from a fresh deployment.
    const hash = await walletClient.writeContract({
      address: token,
      abi: trellisTokenAbi,
      functionName: 'transfer',
      args: [devAccount(2).address, tokens('25')],
    });
    await publicClient.waitForTransactionReceipt({ hash });
    await first.stop();

    const second = await startLocalChain({ dataDir, port });
    try {
      assert.equal(second.deployed, false);
      assert.deepEqual(second.deployment, first.deployment);
      const resumed = await connect({ rpcUrl: second.rpcUrl });
      const read = (address: `0x${string}`) =>
        resumed.publicClient.readContract({ address: token, abi: trellisTokenAbi, functionName: 'balanceOf', args: [address] });
      assert.equal(await read(devAccount(1).address), DEV_ACCOUNT_FUNDS - tokens('25'));
      assert.equal(await read(devAccount(2).address), DEV_ACCOUNT_FUNDS + tokens('25'));
    } finally {
      await second.stop();
    }

    const fresh = await startLocalChain({ dataDir, port, fresh: true });
    try {
      assert.equal(fresh.deployed, true);
      const again = await connect({ rpcUrl: fresh.rpcUrl });
      const balance = await again.publicClient.readContract({
        address: fresh.deployment.contracts.token,
        abi: trellisTokenAbi,
        functionName: 'balanceOf',
        args: [devAccount(1).address],
      });
      assert.equal(balance, DEV_ACCOUNT_FUNDS);
    } finally {
      await fresh.stop();
    }
  });

  test('refuses a manifest from another chain and a manifest whose contracts are gone', async () => {
    const dataDir = tempDir();
    const port = 0;
    const chain = await startLocalChain({ dataDir, port });
    await chain.stop();
    const manifest = readManifest(chain.manifestPath)!;
    writeManifest(chain.manifestPath, { ...manifest, chainId: 1 });
    await rejectsWith(startLocalChain({ dataDir, port }), 'MANIFEST_CHAIN_MISMATCH', /manifest chain id: 1\n.*connected chain id: 31337/);

    writeManifest(chain.manifestPath, manifest);
    rmSync(join(dataDir, 'chain'), { recursive: true });
    await rejectsWith(startLocalChain({ dataDir, port }), 'MANIFEST_CODE_MISSING', /No contract code at the manifest's token address/);

    writeFileSync(chain.manifestPath, '{"chainId": 31337, "deploymentBlock": "one"');
    await rejectsWith(startLocalChain({ dataDir, port }), 'MANIFEST_INVALID', /not valid JSON/);
    writeFileSync(chain.manifestPath, JSON.stringify({ ...manifest, contracts: { ...manifest.contracts, escrow: '0x1234' } }));
    await rejectsWith(startLocalChain({ dataDir, port }), 'MANIFEST_INVALID', /contracts\.escrow: expected an address, got "0x1234"/);
  });
});

describe('connecting and deploying to an endpoint', () => {
  let rpcUrl: string;
  let stop: () => Promise<void>;
  before(async () => {
    const anvil = await startAnvil({ stateDir: tempDir(), port: 0, chainId: 31337 });
    rpcUrl = anvil.rpcUrl;
    stop = anvil.stop;
  });
  after(() => stop());

  test("anvil on port 0 binds a port of the system's choosing and reports it; two at once never collide", async () => {
    const both = await Promise.all([0, 1].map(() => startAnvil({ stateDir: tempDir(), port: 0, chainId: 31337 })));
    try {
      const [a, b] = both as [Awaited<ReturnType<typeof startAnvil>>, Awaited<ReturnType<typeof startAnvil>>];
      assert.ok(a.port > 0 && b.port > 0, `ports ${a.port} and ${b.port}`);
      assert.notEqual(a.port, b.port);
      for (const anvil of [a, b]) {
        assert.equal(anvil.rpcUrl, `http://127.0.0.1:${anvil.port}`);
        assert.equal((await connect({ rpcUrl: anvil.rpcUrl })).chain.id, 31337);
      }
    } finally {
      await Promise.all(both.map((anvil) => anvil.stop()));
    }
  });

  test('an unreachable endpoint, a malformed URL and a wrong chain id are named', async () => {
    const closed = await closedPort();
    await rejectsWith(connect({ rpcUrl: `http://127.0.0.1:${closed}` }), 'RPC_UNREACHABLE', new RegExp(`http://127.0.0.1:${closed} does not answer`));
    await rejectsWith(connect({ rpcUrl: 'not a url' }), 'RPC_URL_MALFORMED', /"not a url" is not a valid URL/);
    await rejectsWith(connect({ rpcUrl: 'ws://127.0.0.1:1' }), 'RPC_URL_MALFORMED', /must use http or https/);
    await rejectsWith(connect({ rpcUrl, expectedChainId: 8453 }), 'CHAIN_ID_MISMATCH', /on chain 31337, not the expected chain 8453/);
  });

  test('a missing or malformed key is refused before anything is sent', async () => {
    await rejectsWith(connectSigner({ rpcUrl, privateKey: undefined, keySource: 'TRELLIS_PRIVATE_KEY' }), 'PRIVATE_KEY_MISSING', /set TRELLIS_PRIVATE_KEY/);
    await rejectsWith(
      connectSigner({ rpcUrl, privateKey: '0x1234', keySource: 'TRELLIS_PRIVATE_KEY' }),
      'PRIVATE_KEY_MALFORMED',
      /64 hex digits .*got 4 characters/,
    );
    await rejectsWith(connectSigner({ rpcUrl, privateKey: `0x${'f'.repeat(64)}`, keySource: 'K' }), 'PRIVATE_KEY_MALFORMED', /not a valid secp256k1 key/);
  });

  test('deploys with a key from the environment, and refuses a deployer that cannot pay for gas', async () => {
    const signer = await connectSigner({ rpcUrl, privateKey: devAccount(3).privateKey, keySource: 'test' });
    const deployment = await deployTrellis(signer, { faucetChainId: 0n, initialSupply: tokens('5') });
    const balance = await signer.publicClient.readContract({
      address: deployment.contracts.token,
      abi: trellisTokenAbi,
      functionName: 'balanceOf',
      args: [devAccount(3).address],
    });
    assert.equal(balance, tokens('5'));
    // The faucet is off on this deployment (faucet chain id 0).
    await assert.rejects(
      signer.walletClient.writeContract({
        address: deployment.contracts.token,
        abi: trellisTokenAbi,
        functionName: 'faucet',
        args: [devAccount(3).address, 1n],
      }),
      /TokenFaucetDisabled/,
    );

    const poor = await connectSigner({ rpcUrl, privateKey: `0x${'2'.repeat(64)}`, keySource: 'test' });
    const nonceBefore = await poor.publicClient.getTransactionCount({ address: poor.account.address });
    await rejectsWith(deployTrellis(poor, { faucetChainId: 0n, initialSupply: 0n }), 'INSUFFICIENT_GAS_FUNDS', /cannot pay for the deployment's gas/);
    assert.equal(await poor.publicClient.getTransactionCount({ address: poor.account.address }), nonceBefore, 'no transaction was sent');
  });
});

test('the manifest on disk is what readManifest returns', () => {
  const path = join(tempDir(), 'deployment.json');
  assert.equal(readManifest(path), undefined);
  const deployment = {
    chainId: 31337,
    deployer: devAccount(0).address,
    deploymentBlock: 1,
    contracts: {
      token: devAccount(1).address,
      params: devAccount(2).address,
      modelRegistry: devAccount(3).address,
      providerRegistry: devAccount(4).address,
      escrow: devAccount(5).address,
      disputeGame: devAccount(6).address,
    },
  };
  writeManifest(path, deployment);
  assert.ok(existsSync(path) && !existsSync(`${path}.tmp`));
  assert.deepEqual(readManifest(path), deployment);
  assert.deepEqual(JSON.parse(readFileSync(path, 'utf8')), deployment);
});

test("the manifest's model publisher is optional, round-trips, and must be an address", () => {
  const path = join(tempDir(), 'deployment.json');
  const deployment = {
    chainId: 31337,
    deployer: devAccount(0).address,
    deploymentBlock: 1,
    contracts: {
      token: devAccount(1).address,
      params: devAccount(2).address,
      modelRegistry: devAccount(3).address,
      providerRegistry: devAccount(4).address,
      escrow: devAccount(5).address,
      disputeGame: devAccount(6).address,
    },
  };
  writeManifest(path, deployment);
  assert.equal(readManifest(path)!.modelPublisher, undefined, 'a manifest written before the field still reads');
  writeManifest(path, { ...deployment, modelPublisher: devAccount(9).address });
  assert.equal(readManifest(path)!.modelPublisher, devAccount(9).address);
  writeFileSync(path, JSON.stringify({ ...deployment, modelPublisher: 'the owner' }));
  assert.throws(
    () => readManifest(path),
    (error: unknown) => error instanceof ChainError && error.code === 'MANIFEST_INVALID' && /modelPublisher: expected an address/.test(error.message),
  );
});
