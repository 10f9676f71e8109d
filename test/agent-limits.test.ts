// Spending limits end to end on the local chain: an owner signs a permission for an
// agent's fresh session key, the agent submits it and spends within it, and every spend
// beyond it (the period's remainder, the per-call maximum, a payee not allowed, after a
// revocation or the kill switch) is refused by name before anything is sent. The same
// spends sent straight to the contract, as a stolen key would, are refused there too;
// in every case the owner's wallet loses nothing. Last, the agent funds its own escrow
// channel through a spend, pays a provider by voucher, and the redeemed work (only once
// redeemed, and only once) moves both parties' reputation.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createTestClient, http, keccak256, parseEther, toHex, type Address } from 'viem';
import { checkSpend } from '../src/agents/check-spend.ts';
import { AgentError, SpendLimitExceededError } from '../src/agents/errors.ts';
import { buildPermission, permissionHash, signPermission, spendPermissionTypes, type SpendPermission } from '../src/agents/permission.ts';
import { NEUTRAL_SCORE, readReputation, readScores, recordRedemption, reputationRegistryOf, routingWeight } from '../src/agents/reputation.ts';
import { createSessionKey } from '../src/agents/session-key.ts';
import {
  allowManager,
  approvePermission,
  epochOf,
  killAllPermissions,
  remainingThisPeriod,
  revokePermission,
  spend,
  spendPermissionsOf,
} from '../src/agents/spend-permissions.ts';
import { connectDevSigner, connectSigner, type SignerConnection } from '../src/chain/connect.ts';
import { escrowAbi } from '../src/chain/generated/Escrow.ts';
import { spendPermissionsAbi } from '../src/chain/generated/SpendPermissions.ts';
import { trellisTokenAbi } from '../src/chain/generated/TrellisToken.ts';
import { startLocalChain, type LocalChain } from '../src/chain/local-chain.ts';
import { defaultParameters, tokens } from '../src/chain/parameters.ts';
import { signVoucher } from '../src/payments/voucher.ts';
import { deposit, registerProvider } from '../src/sdk/accounts.ts';
import { transact } from '../src/sdk/transact.ts';

const dir = mkdtempSync(join(tmpdir(), 'trellis-agent-limits-'));
const DAY = 86_400;
let chain: LocalChain;
let owner: SignerConnection;
let agent: SignerConnection;
let provider: SignerConnection;
let manager: Address;
let token: Address;
const service = '0x000000000000000000000000000000000000bEEF' as Address;

before(async () => {
  chain = await startLocalChain({ dataDir: dir, port: 0, fresh: true });
  manager = spendPermissionsOf(chain.deployment);
  token = chain.deployment.contracts.token;
  [owner, provider] = await Promise.all([connectDevSigner(chain.rpcUrl, 1), connectDevSigner(chain.rpcUrl, 2)]);
  await registerProvider(provider, chain.deployment, 'http://127.0.0.1:1', defaultParameters.minStake);
  // The session key holds gas money only; the tokens stay in the owner's wallet.
  const key = createSessionKey();
  await createTestClient({ mode: 'anvil', transport: http(chain.rpcUrl) }).setBalance({ address: key.address, value: parseEther('1') });
  agent = await connectSigner({ rpcUrl: chain.rpcUrl, privateKey: key.privateKey, keySource: 'the session key' });
  await allowManager(owner, token, manager, tokens('100'));
});
after(async () => {
  await chain.stop();
  rmSync(dir, { recursive: true, force: true });
});

const balanceOf = (who: Address) => owner.publicClient.readContract({ address: token, abi: trellisTokenAbi, functionName: 'balanceOf', args: [who] });

type Limits = { allowance: bigint; maxPerCall: bigint; payees: Address[] };

async function grant(salt: bigint, limits: Limits = { allowance: tokens('1'), maxPerCall: tokens('0.4'), payees: [service] }): Promise<SpendPermission> {
  const now = Number((await owner.publicClient.getBlock()).timestamp);
  const permission = buildPermission({
    account: owner.account.address,
    spender: agent.account.address,
    token,
    allowance: limits.allowance,
    period: DAY,
    start: now,
    end: now + 30 * DAY,
    salt,
    terms: { maxPerCall: limits.maxPerCall, epoch: await epochOf(owner, manager, owner.account.address), anyActiveProvider: true, payees: limits.payees },
  });
  const signature = await signPermission(owner.account, { chainId: chain.deployment.chainId, manager }, permission);
  await approvePermission(agent, manager, permission, signature);
  return permission;
}

/** The spend sent straight to the contract, skipping the SDK's checks, as a stolen key would. */
const rawSpend = (permission: SpendPermission, payee: Address, value: bigint) =>
  agent.walletClient.writeContract({ address: manager, abi: spendPermissionsAbi, functionName: 'spend', args: [permission, payee, value] });

describe('agent spending limits on chain', () => {
  test('the agent spends within the limit, and nothing beyond it moves', async () => {
    const permission = await grant(1n);
    assert.equal(
      permissionHash({ chainId: chain.deployment.chainId, manager }, permission),
      await owner.publicClient.readContract({ address: manager, abi: spendPermissionsAbi, functionName: 'getHash', args: [permission] }),
      'the SDK signs the digest the contract checks',
    );
    const ownerBefore = await balanceOf(owner.account.address);
    await spend(agent, manager, permission, provider.account.address, tokens('0.4'));
    await spend(agent, manager, permission, service, tokens('0.4'));
    assert.equal(await balanceOf(owner.account.address), ownerBefore - tokens('0.8'), 'paid from the owner wallet');
    assert.equal(await balanceOf(service), tokens('0.4'), 'the service was paid directly');
    assert.equal(await balanceOf(agent.account.address), 0n, 'the session key holds no tokens');
    assert.equal((await remainingThisPeriod(owner, manager, permission)).remaining, tokens('0.2'));

    const nonce = await agent.publicClient.getTransactionCount({ address: agent.account.address });
    await assert.rejects(spend(agent, manager, permission, service, tokens('0.3')), (error: unknown) => {
      assert.ok(error instanceof SpendLimitExceededError, String(error));
      assert.equal(error.remaining, tokens('0.2'));
      assert.equal(error.requested, tokens('0.3'));
      assert.match(error.message, /0\.3 tUSD is more than the 0\.2 tUSD left/);
      return true;
    });
    const refusedBy = async (code: string, value: bigint, payee: Address) =>
      assert.rejects(spend(agent, manager, permission, payee, value), (e: unknown) => e instanceof AgentError && e.code === code);
    await refusedBy('SPEND_ABOVE_MAX_PER_CALL', tokens('0.5'), service);
    await refusedBy('SPEND_PAYEE_NOT_ALLOWED', tokens('0.1'), agent.account.address);
    await refusedBy('SPEND_ZERO_VALUE', 0n, service);
    assert.equal(await agent.publicClient.getTransactionCount({ address: agent.account.address }), nonce, 'no transaction was sent');

    // Skipping the SDK changes nothing: the contract refuses the same spends by name.
    await assert.rejects(rawSpend(permission, service, tokens('0.3')), /SpendLimitExceeded/);
    await assert.rejects(rawSpend(permission, agent.account.address, tokens('0.1')), /SpendPayeeNotAllowed/);
    assert.equal(await balanceOf(owner.account.address), ownerBefore - tokens('0.8'), 'nothing moved');
  });

  test('a revoked session key is refused, by the SDK and by the contract', async () => {
    const permission = await grant(2n);
    await spend(agent, manager, permission, service, tokens('0.1'));
    await revokePermission(owner, manager, permission);
    const ownerBefore = await balanceOf(owner.account.address);
    await assert.rejects(
      spend(agent, manager, permission, service, tokens('0.1')),
      (e: unknown) => e instanceof AgentError && e.code === 'SPEND_PERMISSION_REVOKED',
    );
    await assert.rejects(rawSpend(permission, service, tokens('0.1')), /SpendPermissionIsRevoked/);
    // The agent kept the owner's signature: submitting it again is refused, in words.
    const signature = await signPermission(owner.account, { chainId: chain.deployment.chainId, manager }, permission);
    await assert.rejects(
      approvePermission(agent, manager, permission, signature),
      /approving the spend permission failed: The spend permission 0x.* was revoked/,
    );
    assert.equal(await balanceOf(owner.account.address), ownerBefore, 'nothing moved');
  });

  test('a permission signed by anyone but its account is refused', async () => {
    const now = Number((await owner.publicClient.getBlock()).timestamp);
    const permission = buildPermission({
      account: owner.account.address,
      spender: agent.account.address,
      token,
      allowance: tokens('1000'),
      period: DAY,
      start: now,
      end: now + DAY,
      terms: { maxPerCall: tokens('1000'), epoch: 0n, anyActiveProvider: false, payees: [agent.account.address] },
    });
    const domain = { chainId: chain.deployment.chainId, manager };
    await assert.rejects(signPermission(agent.account, domain, permission), (e: unknown) => e instanceof AgentError && e.code === 'SPEND_SIGNATURE_INVALID');
    // Signed with the typed data directly, the contract refuses it.
    const forged = await agent.account.signTypedData({
      domain: { name: 'Trellis Spend Permissions', version: '1', chainId: domain.chainId, verifyingContract: manager },
      types: spendPermissionTypes,
      primaryType: 'SpendPermission',
      message: permission,
    });
    await assert.rejects(approvePermission(agent, manager, permission, forged), /is not signed by its account/);
    assert.equal(await owner.publicClient.readContract({ address: manager, abi: spendPermissionsAbi, functionName: 'isApproved', args: [permission] }), false);
  });

  test('the kill switch stops every permission of the owner at once', async () => {
    const [a, b] = [await grant(3n), await grant(4n)];
    assert.equal(await killAllPermissions(owner, manager), 1n);
    const ownerBefore = await balanceOf(owner.account.address);
    for (const permission of [a, b]) {
      await assert.rejects(
        checkSpend(agent, { manager, permission, payee: service, value: tokens('0.1') }),
        (e: unknown) => e instanceof AgentError && e.code === 'SPEND_PERMISSION_KILLED',
      );
      await assert.rejects(rawSpend(permission, service, tokens('0.1')), /SpendPermissionKilled/);
    }
    assert.equal(await balanceOf(owner.account.address), ownerBefore, 'nothing moved');
    const fresh = await grant(5n);
    await spend(agent, manager, fresh, service, tokens('0.1'));
    assert.equal(await balanceOf(owner.account.address), ownerBefore - tokens('0.1'), 'a permission of the new epoch works');
  });

  test('a session key cannot use a permission made for another key', async () => {
    const permission = await grant(6n);
    const other = await connectDevSigner(chain.rpcUrl, 3);
    await assert.rejects(
      spend(other, manager, permission, service, tokens('0.1')),
      (e: unknown) => e instanceof AgentError && e.code === 'SPEND_WRONG_SPENDER',
    );
    await assert.rejects(
      other.walletClient.writeContract({ address: manager, abi: spendPermissionsAbi, functionName: 'spend', args: [permission, service, tokens('0.1')] }),
      /SpendNotSpender/,
    );
  });

  test('the agent funds its escrow channel through a spend, and the redeemed work moves reputation', async () => {
    const registry = reputationRegistryOf(chain.deployment);
    const before = await readScores(owner, registry, [provider.account.address, agent.account.address]);
    assert.deepEqual([...before.values()], [NEUTRAL_SCORE, NEUTRAL_SCORE], 'no evidence yet');

    // The owner names the session key as a payee, so a spend can fund the agent's escrow.
    const permission = await grant(7n, { allowance: tokens('5'), maxPerCall: tokens('2'), payees: [agent.account.address] });
    await spend(agent, manager, permission, agent.account.address, tokens('2'));
    await deposit(agent, chain.deployment, tokens('2'));
    const modelId = keccak256(toHex('agent-limits model'));
    const { escrow } = chain.deployment.contracts;
    const voucher = { client: agent.account.address, provider: provider.account.address, modelId, cumulativeAmount: tokens('2') };
    const signed = await signVoucher(agent.account, { chainId: chain.deployment.chainId, escrow }, voucher);
    const record = () => recordRedemption(owner, registry, agent.account.address, provider.account.address, modelId);
    await assert.rejects(record(), /recording the redemption failed: Channel .* has 0 tUSD redeemed/, 'a signed voucher alone proves nothing');
    await transact(provider, 'redeem', () =>
      provider.walletClient.writeContract({ address: escrow, abi: escrowAbi, functionName: 'redeem', args: [voucher, signed.signature] }),
    );

    // Once redeemed, anyone records it, once.
    await record();
    await assert.rejects(record(), /recording the redemption failed: Channel .* has 2 tUSD redeemed, nothing above the 2 tUSD/);
    const served = await readReputation(owner, registry, provider.account.address);
    assert.equal(served.record.paidServed, tokens('2'));
    assert.equal(served.score, 7_500, '(2 + 1) / (2 + 2) of 10000');
    assert.equal((await readReputation(owner, registry, agent.account.address)).record.paidSpent, tokens('2'));
    assert.equal(routingWeight(served.score), 0.75);
  });
});
