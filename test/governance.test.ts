// The governance handover against a real anvil: after deployment the timelock owns
// TrellisParams with the configured delay, the deployer can no longer change anything
// directly, a scheduled change cannot run before its delay and runs after it, and a
// deployment that names other proposers leaves the deployer no role at all.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createTestClient, encodeFunctionData, http, zeroHash, type Address } from 'viem';
import { startAnvil, type Anvil } from '../src/chain/anvil.ts';
import { connectSigner, type SignerConnection } from '../src/chain/connect.ts';
import { deployTrellis } from '../src/chain/deploy.ts';
import { devAccount } from '../src/chain/dev-accounts.ts';
import { executeGovernance, freshSalt, scheduleGovernance } from '../src/chain/governance.ts';
import { readManifest, writeManifest } from '../src/chain/manifest.ts';
import { defaultGovernanceParameters, tokens } from '../src/chain/parameters.ts';
import { providerRegistryAbi } from '../src/chain/generated/ProviderRegistry.ts';
import { trellisParamsAbi } from '../src/chain/generated/TrellisParams.ts';
import { trellisTimelockAbi } from '../src/chain/generated/TrellisTimelock.ts';
import { governLocally } from './support/governance.ts';

let anvil: Anvil;
let deployer: SignerConnection;
const dir = mkdtempSync(join(tmpdir(), 'trellis-governance-'));

before(async () => {
  anvil = await startAnvil({ stateDir: join(dir, 'chain'), port: 0, chainId: 31337 });
  deployer = await connectSigner({ rpcUrl: anvil.rpcUrl, privateKey: devAccount(0).privateKey, keySource: 'test' });
});
after(async () => {
  await anvil.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('governance timelock', () => {
  test('owns TrellisParams after deployment; changes wait for its delay', async () => {
    const deployment = await deployTrellis(deployer, { faucetChainId: 31337n, initialSupply: 0n });
    const timelock = deployment.timelock as Address;
    const { params, providerRegistry, disputeGame } = deployment.contracts;
    const read = deployer.publicClient;
    assert.equal(await read.readContract({ address: params, abi: trellisParamsAbi, functionName: 'owner' }), timelock);
    assert.equal(await read.readContract({ address: timelock, abi: trellisTimelockAbi, functionName: 'getMinDelay' }), defaultGovernanceParameters.minDelay);
    assert.equal(
      await read.readContract({ address: providerRegistry, abi: providerRegistryAbi, functionName: 'isSlasher', args: [disputeGame] }),
      true,
      'wired before the handover',
    );

    // The deployer is no longer the owner.
    await assert.rejects(
      deployer.walletClient.writeContract({ address: params, abi: trellisParamsAbi, functionName: 'setProtocolFeeBps', args: [300n] }),
      /OwnableUnauthorizedAccount/,
    );

    // Scheduled, it cannot run early.
    const operation = {
      calls: [{ target: params, data: encodeFunctionData({ abi: trellisParamsAbi, functionName: 'setProtocolFeeBps', args: [300n] }) }],
      salt: freshSalt(),
    };
    const readyAt = await scheduleGovernance(deployer, timelock, operation);
    const now = (await read.getBlock()).timestamp;
    assert.ok(readyAt >= now + defaultGovernanceParameters.minDelay - 1n, 'ready only after the delay');
    await assert.rejects(executeGovernance(deployer, timelock, operation), /TimelockUnexpectedOperationState/);
    const testClient = createTestClient({ mode: 'anvil', transport: http(anvil.rpcUrl) });
    await testClient.increaseTime({ seconds: Number(defaultGovernanceParameters.minDelay) });
    await testClient.mine({ blocks: 1 });
    await executeGovernance(deployer, timelock, operation);
    assert.equal(await read.readContract({ address: params, abi: trellisParamsAbi, functionName: 'protocolFeeBps' }), 300n);

    // The helper tests use does the same in one call.
    await governLocally(deployer, deployment, [
      { target: providerRegistry, data: encodeFunctionData({ abi: providerRegistryAbi, functionName: 'setSlasher', args: [devAccount(9).address, true] }) },
    ]);
    assert.equal(
      await read.readContract({ address: providerRegistry, abi: providerRegistryAbi, functionName: 'isSlasher', args: [devAccount(9).address] }),
      true,
    );

    // The manifest records the timelock; one written before it existed still reads.
    const path = join(dir, 'deployment.json');
    writeManifest(path, deployment);
    assert.deepEqual(readManifest(path), deployment);
    const { timelock: _omitted, ...old } = deployment;
    writeManifest(path, old);
    assert.deepEqual(readManifest(path), old);
  });

  test('other proposers and executors: the deployer keeps no role', async () => {
    const governor = devAccount(7).address;
    const deployment = await deployTrellis(deployer, {
      faucetChainId: 31337n,
      initialSupply: tokens('0'),
      governance: { minDelay: 2n * 86_400n, proposers: [governor] },
    });
    const timelock = deployment.timelock as Address;
    const hasRole = async (name: 'PROPOSER_ROLE' | 'CANCELLER_ROLE' | 'EXECUTOR_ROLE', who: Address) =>
      deployer.publicClient.readContract({
        address: timelock,
        abi: trellisTimelockAbi,
        functionName: 'hasRole',
        args: [await deployer.publicClient.readContract({ address: timelock, abi: trellisTimelockAbi, functionName: name }), who],
      });
    for (const role of ['PROPOSER_ROLE', 'CANCELLER_ROLE', 'EXECUTOR_ROLE'] as const) {
      assert.equal(await hasRole(role, governor), true, `governor has ${role}`);
      assert.equal(await hasRole(role, devAccount(0).address), false, `deployer lost ${role}`);
    }
    assert.equal(await deployer.publicClient.readContract({ address: timelock, abi: trellisTimelockAbi, functionName: 'getMinDelay' }), 2n * 86_400n);
    await assert.rejects(
      deployer.walletClient.writeContract({
        address: timelock,
        abi: trellisTimelockAbi,
        functionName: 'schedule',
        args: [deployment.contracts.params, 0n, '0x', zeroHash, zeroHash, 2n * 86_400n],
      }),
      /AccessControlUnauthorizedAccount/,
    );
  });
});
