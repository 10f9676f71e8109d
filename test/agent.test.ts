// The agent SDK and `trellis agent` on one real local network, from the attacker's
// side: an agent pays x402 calls through the gateway out of its owner's wallet and the
// owner loses exactly what was paid; beyond the period's allowance or the per-call
// maximum it refuses by name before paying, and nothing moves; its session key used
// directly (stolen) pays only active providers within the limits, and the owner loses
// only what was paid; revoke and the kill switch stop it; the CLI runs end to end.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { encodePaymentRequiredHeader } from '@x402/core/http';
import type { PaymentRequired } from '@x402/core/types';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { parseEther, type Address, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { authorizationTypes } from '@x402/evm';
import { accountSigner } from '../src/agents/agent-account.ts';
import { createAgent, fundAgent, type Agent } from '../src/agents/agent.ts';
import { agentPath, loadAgentRecord, saveAgent } from '../src/agents/agent-file.ts';
import { parseDuration } from '../src/agents/limits.ts';
import { runDemo } from '../src/agents/demo.ts';
import { AgentError, SpendLimitExceededError } from '../src/agents/errors.ts';
import { readAgentIdentity } from '../src/agents/identity.ts';
import { connectSigner, type SignerConnection } from '../src/chain/connect.ts';
import { createSessionKey } from '../src/agents/session-key.ts';
import { devAccount } from '../src/chain/dev-accounts.ts';
import { spendPermissionsAbi } from '../src/chain/generated/SpendPermissions.ts';
import { trellisTokenAbi } from '../src/chain/generated/TrellisToken.ts';
import { tokens } from '../src/chain/parameters.ts';
import { localRoles } from '../src/network/roles.ts';
import { killAllPermissions, revokePermission } from '../src/agents/spend-permissions.ts';
import { startTestNetwork, type TestNetwork } from './support/network.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const DAY = 86_400;
const digit = JSON.parse(readFileSync(new URL('../examples/digit-3.json', import.meta.url), 'utf8')) as number[];

let net: TestNetwork;
let owner: SignerConnection;
let token: Address;
let resource: string;

const balanceOf = (who: Address) => owner.publicClient.readContract({ address: token, abi: trellisTokenAbi, functionName: 'balanceOf', args: [who] });
const balances = (agent: Agent) => Promise.all([owner.account.address, agent.address, ...net.providers.map((p) => p.address)].map(balanceOf));
const spentThisPeriod = async (agent: Agent) =>
  (
    await owner.publicClient.readContract({
      address: agent.record.manager,
      abi: spendPermissionsAbi,
      functionName: 'getCurrentPeriod',
      args: [agent.record.permission],
    })
  ).spend;
const call = (agent: Agent, url = resource) =>
  agent.fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ input: digit }) });

/** The agent refuses with this error and leaves every balance and the period's record as they were. */
async function refusesAndNothingMoves(agent: Agent, check: (error: unknown) => boolean, url = resource): Promise<unknown> {
  const [before, spent] = await Promise.all([balances(agent), spentThisPeriod(agent).catch(() => -1n)]);
  let caught: unknown;
  await assert.rejects(
    call(agent, url).catch((error: unknown) => {
      caught = error;
      throw error;
    }),
    check,
  );
  assert.deepEqual(await balances(agent), before, 'no token moved');
  assert.equal(await spentThisPeriod(agent).catch(() => -1n), spent, 'the permission recorded no spend');
  return caught;
}

const newAgent = (name: string, allowance: string, perCall: string) =>
  createAgent({
    owner,
    deployment: net.chain.deployment,
    name,
    limits: { allowance: tokens(allowance), perCall: tokens(perCall), period: DAY, lifetime: 30 * DAY },
  });

before(async () => {
  net = await startTestNetwork();
  owner = await net.signer(localRoles.agentOwner);
  token = net.chain.deployment.contracts.token;
  const modelId = net.providers[0]!.models.find((m) => m.name === 'digits-mlp')!.modelId;
  resource = `${net.gatewayUrl}/x402/v1/infer/${modelId}`;
  await fundAgent(owner, net.chain.deployment, tokens('1000'));
});
after(() => net?.dispose());

describe('an agent pays per call within its on-chain limits', () => {
  let agent: Agent;
  before(async () => {
    agent = await newAgent('within', '0.05', '0.02');
  });

  test('its identity is on chain: owned by the owner, its wallet the agent account', async () => {
    const identity = await readAgentIdentity(owner, agent.record.identity, agent.agentId);
    assert.equal(identity.owner, owner.account.address);
    assert.equal(identity.wallet, agent.address);
    assert.match(identity.agentURI, /^data:application\/json;base64,/);
    const file = JSON.parse(Buffer.from(identity.agentURI.split(',')[1]!, 'base64').toString('utf8')) as { services: { endpoint: string }[] };
    assert.equal(file.services[0]!.endpoint, `eip155:31337:${agent.address}`);
  });

  test('paid calls: the owner loses exactly what the providers got, and the session key keeps nothing', async () => {
    const before = await balances(agent);
    for (let i = 0; i < 3; i++) {
      const answer = await call(agent);
      assert.equal(answer.status, 200, await answer.clone().text());
    }
    const after = await balances(agent);
    const paid = agent.payments.reduce((sum, p) => sum + p.amount, 0n);
    assert.equal(agent.payments.length, 3);
    assert.ok(paid > 0n);
    assert.equal(before[0]! - after[0]!, paid, "the owner's balance dropped by exactly what was paid");
    assert.equal(after[1], 0n, 'the account kept nothing');
    assert.equal(await balanceOf(agent.sessionKey), 0n, 'the session key holds nothing');
    const gained = after.slice(2).reduce((s, b, i) => s + b - before[i + 2]!, 0n);
    assert.equal(gained, paid, 'the providers got it');
    for (const p of agent.payments) {
      const receipt = await owner.publicClient.getTransactionReceipt({ hash: p.settlementTransaction });
      assert.equal(receipt.status, 'success');
      assert.ok(net.providers.some((n) => n.address === p.payee));
    }
    assert.equal(await spentThisPeriod(agent), paid, 'the permission counted every payment');
  });

  test('beyond the period allowance: SpendLimitExceededError names what is left and when it resets; nothing moves', async () => {
    // 0.05 per day at 0.01..0.015 a call: a few more calls, then a refusal.
    let error: unknown;
    for (let i = 0; i < 6 && error === undefined; i++) {
      try {
        const answer = await call(agent);
        assert.equal(answer.status, 200);
      } catch (e) {
        error = e;
      }
    }
    assert.ok(error instanceof SpendLimitExceededError, String(error));
    const caught = (await refusesAndNothingMoves(agent, (e) => e instanceof SpendLimitExceededError)) as SpendLimitExceededError;
    assert.equal(caught.remaining, tokens('0.05') - (await spentThisPeriod(agent)));
    assert.ok(caught.remaining < caught.requested);
    assert.equal(caught.periodEnd, BigInt(agent.record.permission.start + DAY));
    assert.match(caught.message, /left of this period's allowance; it is whole again at \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
  });
});

describe('refusals before paying', () => {
  test('a price above the per-call maximum is refused by name, and nothing moves', async () => {
    const agent = await newAgent('tight', '1', '0.005'); // every default provider asks 0.01 or more
    const error = (await refusesAndNothingMoves(agent, (e) => e instanceof AgentError && e.code === 'SPEND_ABOVE_MAX_PER_CALL')) as AgentError;
    assert.match(error.message, /above the agent's 0\.005 tUSD per call/);
    assert.match(error.message, /remaining this period: 1 tUSD/);
  });

  test('limits that are not positive, or a per-call maximum above the allowance, are refused before anything is sent', async () => {
    const nonce = await owner.publicClient.getTransactionCount({ address: owner.account.address });
    await assert.rejects(
      newAgent('zero', '0', '0'),
      (e) => e instanceof AgentError && e.code === 'AGENT_LIMITS_INVALID' && /allowance per period must be positive/.test(e.message),
    );
    await assert.rejects(newAgent('above', '0.1', '0.2'), (e) => e instanceof AgentError && /per-call maximum is above the allowance/.test(e.message));
    await assert.rejects(
      createAgent({ owner, deployment: net.chain.deployment, name: 'noperiod', limits: { allowance: 1n, perCall: 1n, period: 0, lifetime: DAY } }),
      (e) => e instanceof AgentError && /period must be a positive number of seconds/.test(e.message),
    );
    assert.equal(await owner.publicClient.getTransactionCount({ address: owner.account.address }), nonce, 'the owner sent nothing');
  });
});

describe('a lying server', () => {
  test('a 402 naming a payee that is no active provider, or another asset, is refused by name and nothing moves', async () => {
    const agent = await newAgent('lied-to', '1', '0.05');
    let required: PaymentRequired;
    const server = createServer((_request, response) => {
      response.writeHead(402, { 'PAYMENT-REQUIRED': encodePaymentRequiredHeader(required) }).end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/x402/v1/infer/0x01`;
    const accept = {
      scheme: 'exact',
      network: 'eip155:31337',
      asset: token,
      amount: tokens('0.01').toString(),
      payTo: devAccount(12).address,
      maxTimeoutSeconds: 120,
      extra: { name: 'Trellis USD', version: '1' },
    };
    try {
      required = { x402Version: 2, resource: { url }, accepts: [accept] } as PaymentRequired;
      await refusesAndNothingMoves(agent, (e) => e instanceof AgentError && e.code === 'SPEND_PAYEE_NOT_ALLOWED', url);
      required = {
        x402Version: 2,
        resource: { url },
        accepts: [{ ...accept, payTo: net.providers[0]!.address, asset: devAccount(13).address }],
      } as PaymentRequired;
      await refusesAndNothingMoves(agent, (e) => e instanceof AgentError && e.code === 'AGENT_PAYMENT_UNSUPPORTED', url);
    } finally {
      server.close();
    }
    assert.equal(agent.payments.length, 0);
  });
});

describe('a stolen session key, used directly, skipping the SDK', () => {
  test('it pays only active providers, within the per-call maximum and the period; replays fail; the owner loses only what was paid', async () => {
    const agent = await newAgent('stolen', '0.03', '0.02');
    const stolen = privateKeyToAccount(agent.record.privateKey);
    const signer = accountSigner(agent.address, stolen);
    // The thief submits its authorizations from an address with gas, and gives the key gas too.
    const thiefKey = createSessionKey();
    for (const to of [thiefKey.address, stolen.address]) {
      await owner.publicClient.waitForTransactionReceipt({ hash: await owner.walletClient.sendTransaction({ to, value: parseEther('0.1') }) });
    }
    const thief = await connectSigner({ rpcUrl: net.chain.rpcUrl, privateKey: thiefKey.privateKey, keySource: 'the thief' });
    const keyHolder = await connectSigner({ rpcUrl: net.chain.rpcUrl, privateKey: agent.record.privateKey, keySource: 'the stolen key' });
    const provider = net.providers[0]!.address;
    const ownerBefore = await balanceOf(owner.account.address);
    const providerBefore = await balanceOf(provider);
    const thiefBefore = await balanceOf(thief.account.address);
    let n = 0;
    /** Signs an authorization from the account with the stolen key and sends it with a fixed gas limit, so that it is mined. */
    const pay = async (to: Address, value: bigint, replay?: { nonce: Hex; signature: Hex; validBefore: bigint }) => {
      const nonce = replay?.nonce ?? (`0x${(++n).toString(16).padStart(64, '0')}` as Hex);
      const validBefore = replay?.validBefore ?? BigInt(Math.floor(Date.now() / 1000) + 3_600);
      const message = { from: agent.address, to, value, validAfter: 0n, validBefore, nonce };
      const signature =
        replay?.signature ??
        (await signer.signTypedData({
          domain: { name: 'Trellis USD', version: '1', chainId: 31337, verifyingContract: token },
          types: { TransferWithAuthorization: authorizationTypes.TransferWithAuthorization },
          primaryType: 'TransferWithAuthorization',
          message,
        }));
      const hash = await thief.walletClient.writeContract({
        address: token,
        abi: trellisTokenAbi,
        functionName: 'transferWithAuthorization',
        args: [agent.address, to, value, 0n, validBefore, nonce, signature],
        gas: 400_000n,
      });
      const status = (await thief.publicClient.waitForTransactionReceipt({ hash })).status;
      return { status, nonce, signature, validBefore };
    };
    assert.equal((await pay(stolen.address, tokens('0.01'))).status, 'reverted', 'to the session key itself');
    assert.equal((await pay(thief.account.address, tokens('0.01'))).status, 'reverted', 'to the thief');
    assert.equal((await pay(provider, tokens('0.021'))).status, 'reverted', 'above the per-call maximum');
    const paid = await pay(provider, tokens('0.02'));
    assert.equal(paid.status, 'success', 'an active provider, within the limits');
    assert.equal((await pay(provider, tokens('0.02'), paid)).status, 'reverted', 'the same authorization again');
    assert.equal((await pay(thief.account.address, tokens('0.02'), paid)).status, 'reverted', 'the same signature to another payee');
    assert.equal((await pay(provider, tokens('0.011'))).status, 'reverted', 'over what the period has left');
    assert.equal((await pay(provider, tokens('0.01'))).status, 'success');
    assert.equal((await pay(provider, 1n)).status, 'reverted', 'the period is spent');
    // The key cannot use the permission itself either: the account is its spender.
    const spendHash = await keyHolder.walletClient.writeContract({
      address: agent.record.manager,
      abi: spendPermissionsAbi,
      functionName: 'spend',
      args: [agent.record.permission, thief.account.address, 1n],
      gas: 300_000n,
    });
    assert.equal((await keyHolder.publicClient.waitForTransactionReceipt({ hash: spendHash })).status, 'reverted');
    assert.equal(ownerBefore - (await balanceOf(owner.account.address)), tokens('0.03'), 'the owner lost exactly the allowance');
    assert.equal((await balanceOf(provider)) - providerBefore, tokens('0.03'), 'all of it to the provider');
    assert.equal(await balanceOf(thief.account.address), thiefBefore, 'the thief got nothing');
    assert.equal(await balanceOf(stolen.address), 0n, 'the session key got nothing');
    assert.equal(await balanceOf(agent.address), 0n, 'the account kept nothing');
    // The agent itself now refuses by name: the period is spent.
    await refusesAndNothingMoves(agent, (e) => e instanceof SpendLimitExceededError);
  });
});

describe('revoke and the kill switch', () => {
  test('a revoked agent refuses by name before paying, and its key cannot spend on chain', async () => {
    const agent = await newAgent('revoked', '1', '0.05');
    assert.equal((await call(agent)).status, 200);
    await revokePermission(owner, agent.record.manager, agent.record.permission);
    await refusesAndNothingMoves(agent, (e) => e instanceof AgentError && e.code === 'SPEND_PERMISSION_REVOKED');
    // The key's own authorization, sent past the SDK, is refused by the account's hook.
    const provider = net.providers[0]!.address;
    const validBefore = BigInt(Math.floor(Date.now() / 1000) + 3_600);
    const nonce = `0x${'ab'.repeat(32)}` as Hex;
    const signature = await accountSigner(agent.address, privateKeyToAccount(agent.record.privateKey)).signTypedData({
      domain: { name: 'Trellis USD', version: '1', chainId: 31337, verifyingContract: token },
      types: { TransferWithAuthorization: authorizationTypes.TransferWithAuthorization },
      primaryType: 'TransferWithAuthorization',
      message: { from: agent.address, to: provider, value: tokens('0.01'), validAfter: 0n, validBefore, nonce },
    });
    await assert.rejects(
      owner.publicClient.simulateContract({
        account: owner.account,
        address: token,
        // The manager's errors too, so that the hook's refusal is decoded by name.
        abi: [...trellisTokenAbi, ...spendPermissionsAbi.filter((item) => item.type === 'error')],
        functionName: 'transferWithAuthorization',
        args: [agent.address, provider, tokens('0.01'), 0n, validBefore, nonce, signature],
      }),
      /SpendPermissionIsRevoked/,
    );
    assert.equal((await agent.status()).revoked, true);
  });

  test("the owner's kill switch stops every agent it has, and new agents work under the new epoch", async () => {
    const [a, b] = [await newAgent('kill-a', '1', '0.05'), await newAgent('kill-b', '1', '0.05')];
    await killAllPermissions(owner, a.record.manager);
    for (const agent of [a, b]) await refusesAndNothingMoves(agent, (e) => e instanceof AgentError && e.code === 'SPEND_PERMISSION_KILLED');
    const fresh = await newAgent('after-kill', '1', '0.05');
    assert.equal((await call(fresh)).status, 200);
  });
});

describe('the demo agent', () => {
  test('runs its multi-step task, checks every receipt against its payment, and stops by name at its limit', async () => {
    const agent = await newAgent('demo', '0.1', '0.05');
    const lines: string[] = [];
    const result = await runDemo({ agent, connection: owner, deployment: net.chain.deployment, gatewayUrl: net.gatewayUrl, log: (l) => lines.push(l) });
    assert.ok(result.stoppedBy instanceof SpendLimitExceededError, String(result.stoppedBy));
    assert.ok(result.calls >= 6, `${result.calls} calls`);
    assert.ok(result.paid <= tokens('0.1'));
    assert.equal(result.paid, await spentThisPeriod(agent));
    assert.ok(lines.some((l) => /read the digit +digits-mlp +-> 3 /.test(l)));
    assert.ok(lines.some((l) => /check the digit +digits-cnn +-> 3 /.test(l)));
    assert.ok(lines.some((l) => /screen the record +breast-cancer-mlp +-> malignant /.test(l)));
    assert.match(lines.at(-2)!, /^stopped: limit reached\. .* left this period; the allowance is whole again at /);
    // Not a model wrapper (the matrix's agent-wrapper rule): its identity, limits and settlement are on chain.
    assert.equal((await readAgentIdentity(owner, agent.record.identity, agent.agentId)).wallet, agent.address);
    assert.equal((await agent.status()).approved, true);
    for (const p of result.payments) {
      assert.equal((await owner.publicClient.getTransactionReceipt({ hash: p.settlementTransaction })).status, 'success');
    }
  });
});

type Run = { status: number | null; stdout: string; stderr: string };
function trellis(args: string[]): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.TRELLIS_DATA_DIR;
  delete env.TRELLIS_PRIVATE_KEY;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(root, 'bin', 'trellis.js'), ...args, '--data-dir', net.dataDir], { cwd: root, env, timeout: 120_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}
const ok = (run: Run, what: string) => assert.equal(run.status, 0, `${what} failed:\n${run.stdout}\n${run.stderr}`);

describe('trellis agent', () => {
  test('create, fund, run, revoke, limits end to end; bad input is named', async () => {
    const create = await trellis(['agent', 'create', '--name', 'cli', '--allowance', '0.05', '--period', '1d', '--per-call', '0.02']);
    ok(create, 'create');
    assert.match(create.stdout, /agent +"cli" #\d+, session key 0x[0-9a-fA-F]{40}/);
    assert.match(create.stdout, /limits +0\.05 tUSD per 1 d, at most 0\.02 tUSD per call/);
    assert.equal(statSync(agentPath(net.dataDir, 'cli')).mode & 0o777, 0o600, 'the session key file is private');
    assert.equal(loadAgentRecord(net.dataDir, 'cli').owner, devAccount(localRoles.agentOwner).address);

    // Bad input, in parallel with funding: each is refused by name before anything is sent.
    const [fund, unknown] = await Promise.all([trellis(['agent', 'fund', '1000', '--name', 'cli']), trellis(['agent', 'limits', '--name', 'nobody'])]);
    ok(fund, 'fund');
    assert.match(fund.stdout, /may now pull up to 1000 tUSD/);
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /No agent named "nobody"/);
    // Create's bad input, without a process each (the limits themselves: "refusals before paying").
    assert.throws(() => parseDuration('--period', 'soon'), /--period must be a positive duration such as 90s, 30m, 12h, 1d or 2w, got "soon"/);
    assert.throws(
      () => parseDuration('--period', '0d'),
      (e) => e instanceof AgentError && e.code === 'AGENT_LIMITS_INVALID',
    );
    assert.throws(() => saveAgent(net.dataDir, loadAgentRecord(net.dataDir, 'cli')), /An agent named "cli" exists already/);
    assert.throws(() => agentPath(net.dataDir, '../escape'), /lowercase letters, digits or dashes/);

    const run = await trellis(['agent', 'run', '--name', 'cli']);
    ok(run, 'run');
    assert.match(run.stdout, /read the digit +digits-mlp +-> 3 +paid 0\.01\d* tUSD to 0x/);
    assert.match(run.stdout, /stopped: limit reached\./);

    const revoke = await trellis(['agent', 'revoke', '--name', 'cli']);
    ok(revoke, 'revoke');
    const record = loadAgentRecord(net.dataDir, 'cli');
    const revoked = await owner.publicClient.readContract({
      address: record.manager,
      abi: spendPermissionsAbi,
      functionName: 'isRevoked',
      args: [record.permission],
    });
    assert.equal(revoked, true, 'revoked on chain');
    const limits = await trellis(['agent', 'limits', '--name', 'cli']);
    ok(limits, 'limits');
    assert.match(limits.stdout, /state +revoked by the owner/);
    assert.match(limits.stdout, /allowance +0\.05 tUSD per 1 d/);
    assert.match(limits.stdout, /spent +0\.0\d+ tUSD this period/);
    assert.match(limits.stdout, /remaining +\d+(\.\d+)? tUSD, whole again in \d+ (h|min)/);
  });
});
