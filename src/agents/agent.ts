// An agent: a session key that pays x402 calls out of its owner's wallet, within a
// spend permission the owner signed and the SpendPermissions contract enforces.
//
// How a paid call works (docs/agents.md, "Paying x402 calls under a permission"):
// x402's exact scheme needs an EIP-3009 authorization signed by whoever holds the
// tokens, and the session key holds none of the owner's. So before x402's client signs,
// the agent moves the call's price from the owner to the session key with
// `SpendPermissions.spend` (the permission names the session key as its one payee),
// then x402's own exact client signs the authorization for exactly that price, from
// the session key to the provider. The contract is what bounds the owner's loss: each
// spend is checked against the per-call maximum and the period's remainder on chain, so
// a process that skips this code spends no more. This code checks first (for free)
// and refuses by name before anything is signed or sent.
import { decodePaymentResponseHeader } from '@x402/core/http';
import type { PaymentPayload, PaymentRequirements } from '@x402/core/types';
import { ExactEvmScheme } from '@x402/evm/exact/client';
import { wrapFetchWithPayment, x402Client } from '@x402/fetch';
import { getAddress, parseEther, type Address, type Hash } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { connectSigner, type SignerConnection } from '../chain/connect.ts';
import { providerRegistryAbi } from '../chain/generated/ProviderRegistry.ts';
import { spendPermissionsAbi } from '../chain/generated/SpendPermissions.ts';
import { trellisTokenAbi } from '../chain/generated/TrellisToken.ts';
import { formatDate, formatTokens } from '../chain/human-units.ts';
import type { Deployment } from '../chain/manifest.ts';
import { saveAgent, checkAgentName, type AgentRecord } from './agent-file.ts';
import { AgentError, SpendLimitExceededError } from './errors.ts';
import { agentIdentityOf, registerAgentIdentity, registrationURI } from './identity.ts';
import { checkLimits, type AgentLimits } from './limits.ts';
import { buildPermission, decodeTerms, signPermission } from './permission.ts';
import { createSessionKey, type SessionKey } from './session-key.ts';
import { allowManager, approvePermission, epochOf, remainingThisPeriod, spend, spendPermissionsOf } from './spend-permissions.ts';

/** Ether sent to a new session key for the gas of its spends (about 71k gas each). */
export const DEFAULT_AGENT_GAS = parseEther('0.05');

export type CreateAgentParameters = {
  /** The owner: its wallet pays, its key signs the permission and owns the identity. */
  owner: SignerConnection;
  deployment: Deployment;
  limits: AgentLimits;
  name?: string;
  description?: string;
  /** An existing session key to use; a fresh one otherwise. */
  sessionKey?: SessionKey;
  /** Saves the agent under <dataDir>/agents/<name>.json (mode 0600) when given. */
  dataDir?: string;
  /** Ether (wei) the owner sends the session key for gas. */
  gas?: bigint;
};

export type AgentPayment = {
  url: string;
  payee: Address;
  amount: bigint;
  /** The spend that moved the price from the owner to the session key (none when it already held it). */
  spendTransaction: Hash | undefined;
  /** The x402 settlement: the transfer from the session key to the provider. */
  settlementTransaction: Hash;
  /** What the period has left after this payment, and when it is whole again. */
  remaining: bigint;
  periodEnd: bigint;
  /** The x402 payment sent, from which the receipt's request is recomputed (`checkPaidResult`). */
  payload: PaymentPayload;
};

export type AgentStatus = {
  allowance: bigint;
  spent: bigint;
  remaining: bigint;
  periodStart: bigint;
  periodEnd: bigint;
  maxPerCall: bigint;
  end: bigint;
  anyActiveProvider: boolean;
  payees: readonly Address[];
  revoked: boolean;
  approved: boolean;
  killed: boolean;
  /** Tokens the session key holds (a price moved for a call that then failed, kept for the next). */
  held: bigint;
  /** What the owner's ERC-20 allowance to the manager and its balance still let it pull. */
  ownerAllowance: bigint;
  ownerBalance: bigint;
};

export type Agent = {
  record: AgentRecord;
  address: Address;
  agentId: bigint;
  /** `fetch`, paying a 402 from the agent's permission; refuses beyond it by name before paying. */
  fetch(input: string | URL | Request, init?: RequestInit): Promise<Response>;
  /** Every payment made through `fetch`, oldest first. */
  payments: AgentPayment[];
  status(): Promise<AgentStatus>;
};

/**
 * Creates an agent: a session key with gas, its identity (owned by the owner, wallet =
 * the session key), and a permission with the limits that the owner signs and the agent
 * submits. The owner's ERC-20 allowance to the manager is separate (`fundAgent`).
 */
export async function createAgent(p: CreateAgentParameters): Promise<Agent> {
  const limits = checkLimits(p.limits);
  const name = checkAgentName(p.name ?? 'agent');
  const { owner, deployment } = p;
  const manager = spendPermissionsOf(deployment);
  const identity = agentIdentityOf(deployment);
  const key = p.sessionKey ?? createSessionKey();
  const keyAccount = privateKeyToAccount(key.privateKey);

  const gas = p.gas ?? DEFAULT_AGENT_GAS;
  if (gas > 0n) {
    const hash = await owner.walletClient.sendTransaction({ to: key.address, value: gas });
    await owner.publicClient.waitForTransactionReceipt({ hash });
  }
  const agentURI = registrationURI({
    name,
    description: p.description ?? 'A Trellis agent paying per call with x402 within an on-chain spend permission.',
    wallet: key.address,
    chainId: deployment.chainId,
    identity,
  });
  const agentId = await registerAgentIdentity(owner, identity, agentURI, keyAccount);

  const block = await owner.publicClient.getBlock({ blockTag: 'latest' });
  const start = Number(block.timestamp);
  const permission = buildPermission({
    account: owner.account.address,
    spender: key.address,
    token: deployment.contracts.token,
    allowance: limits.allowance,
    period: limits.period,
    start,
    end: start + limits.lifetime,
    salt: agentId,
    // The session key is the one named payee: each call's price is spent to it, then
    // paid on by x402 (see the top of this file).
    terms: { maxPerCall: limits.perCall, epoch: await epochOf(owner, manager, owner.account.address), anyActiveProvider: false, payees: [key.address] },
  });
  const signature = await signPermission(owner.account, { chainId: deployment.chainId, manager }, permission);
  const agentConnection = await connectSigner({
    rpcUrl: owner.rpcUrl,
    expectedChainId: deployment.chainId,
    privateKey: key.privateKey,
    keySource: 'the agent session key',
  });
  await approvePermission(agentConnection, manager, permission, signature);

  const record: AgentRecord = {
    name,
    chainId: deployment.chainId,
    privateKey: key.privateKey,
    address: key.address,
    owner: owner.account.address,
    manager,
    permission,
    signature,
    agentId,
    identity,
    agentURI,
  };
  if (p.dataDir !== undefined) saveAgent(p.dataDir, record);
  return openAgent(record, { rpcUrl: owner.rpcUrl, deployment });
}

/** The owner lets the manager pull up to `amount` in total: the cap over all its agents' permissions. */
export const fundAgent = (owner: SignerConnection, deployment: Deployment, amount: bigint): Promise<Hash> =>
  allowManager(owner, deployment.contracts.token, spendPermissionsOf(deployment), amount);

export type OpenAgentOptions = {
  rpcUrl: string;
  deployment: Deployment;
  /** Called after each settled payment (the demo logs it). */
  onPayment?: (payment: AgentPayment) => void;
};

/** An agent from its record (a file written by `createAgent`, say). */
export async function openAgent(record: AgentRecord, options: OpenAgentOptions): Promise<Agent> {
  const { deployment } = options;
  if (record.chainId !== deployment.chainId) {
    throw new AgentError('AGENT_FILE_INVALID', `Agent "${record.name}" belongs to chain ${record.chainId}, not ${deployment.chainId}.`);
  }
  const connection = await connectSigner({
    rpcUrl: options.rpcUrl,
    expectedChainId: deployment.chainId,
    privateKey: record.privateKey,
    keySource: `agent "${record.name}"`,
  });
  const { permission, manager } = record;
  const token = getAddress(deployment.contracts.token);
  const network = `eip155:${deployment.chainId}` as const;
  const terms = decodeTerms(permission.extraData);
  const payments: AgentPayment[] = [];

  // One paid call at a time: a call's top-up is sized from what the session key holds.
  let queue: Promise<unknown> = Promise.resolve();
  let pending: {
    refusal?: Error;
    payload?: PaymentPayload;
    payee?: Address;
    amount?: bigint;
    spendTransaction?: Hash;
    remaining?: bigint;
    periodEnd?: bigint;
  } = {};

  const read = connection.publicClient;
  const heldBySessionKey = () => read.readContract({ address: token, abi: trellisTokenAbi, functionName: 'balanceOf', args: [connection.account.address] });

  /** Everything checked, then the price moved to the session key, before x402 signs. */
  async function prepare(requirements: PaymentRequirements): Promise<void> {
    if (requirements.scheme !== 'exact' || requirements.network !== network || getAddress(requirements.asset) !== token) {
      throw new AgentError('AGENT_PAYMENT_UNSUPPORTED', 'The agent pays only x402 exact payments in the Trellis token of its chain.', {
        details: [`asked: ${requirements.scheme} on ${requirements.network}, asset ${requirements.asset}`, `pays: exact on ${network}, asset ${token}`],
      });
    }
    const price = BigInt(requirements.amount);
    const payee = getAddress(requirements.payTo);
    const period = await remainingThisPeriod(connection, manager, permission);
    const window = [`remaining this period: ${formatTokens(period.remaining)}`, `the allowance is whole again at ${formatDate(period.periodEnd)}`];
    if (price > terms.maxPerCall) {
      throw new AgentError('SPEND_ABOVE_MAX_PER_CALL', `${formatTokens(price)} is above the agent's ${formatTokens(terms.maxPerCall)} per call.`, {
        details: [`payee: ${payee}`, ...window],
      });
    }
    // The payee is not in the on-chain permission (the session key is), so the agent
    // checks it here: only an active Trellis provider is paid.
    const registry = await read.readContract({ address: manager, abi: spendPermissionsAbi, functionName: 'providerRegistry' });
    if (!(await read.readContract({ address: registry, abi: providerRegistryAbi, functionName: 'isActive', args: [payee] }))) {
      throw new AgentError('SPEND_PAYEE_NOT_ALLOWED', `${payee} is not an active Trellis provider; the agent pays no one else.`);
    }
    const held = await heldBySessionKey();
    const topUp = price > held ? price - held : 0n;
    if (topUp === 0n) {
      // Paid from what an earlier failed call left; the permission must still be live.
      const [revoked, epoch] = await Promise.all([
        read.readContract({ address: manager, abi: spendPermissionsAbi, functionName: 'isRevoked', args: [permission] }),
        read.readContract({ address: manager, abi: spendPermissionsAbi, functionName: 'epochOf', args: [permission.account] }),
      ]);
      if (revoked) throw new AgentError('SPEND_PERMISSION_REVOKED', 'The spend permission was revoked.');
      if (epoch !== terms.epoch) throw new AgentError('SPEND_PERMISSION_KILLED', "The owner's kill switch stopped this spend permission.");
      pending = { payee, amount: price, remaining: period.remaining, periodEnd: period.periodEnd };
      return;
    }
    if (topUp > period.remaining) {
      throw new SpendLimitExceededError(
        topUp,
        period.remaining,
        period.periodEnd,
        `${formatTokens(topUp)} is more than the ${formatTokens(period.remaining)} left of this period's allowance; it is whole again at ${formatDate(period.periodEnd)}.`,
        { details: [`payee: ${payee}`, `allowance per period: ${formatTokens(permission.allowance)}`, `spent this period: ${formatTokens(period.spent)}`] },
      );
    }
    const spent = await spend(connection, manager, permission, connection.account.address, topUp);
    pending = { payee, amount: price, spendTransaction: spent.transaction, remaining: spent.remaining - topUp, periodEnd: spent.periodEnd };
  }

  const client = x402Client.fromConfig({
    schemes: [{ network, client: new ExactEvmScheme(privateKeyToAccount(record.privateKey)) }],
    // x402 caps spends at assets it knows; the Trellis token is allowed without a cap,
    // since the permission's per-call maximum is checked in `prepare` (by name).
    spendControls: { allowedAssets: [{ network, asset: token }] },
  });
  client.onBeforePaymentCreation(async ({ selectedRequirements }) => {
    try {
      await prepare(selectedRequirements);
    } catch (error) {
      pending.refusal = error instanceof Error ? error : new Error(String(error));
      throw error;
    }
  });
  client.onAfterPaymentCreation(async ({ paymentPayload }) => {
    pending.payload = paymentPayload;
  });
  const paying = wrapFetchWithPayment(fetch, client);

  async function paidFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
    pending = {};
    const url = input instanceof Request ? input.url : String(input);
    let response: Response;
    try {
      response = await paying(input, init);
    } catch (error) {
      if (pending.refusal) throw pending.refusal;
      // x402 drops requirements its spend controls exclude (another asset) before any hook runs.
      if (error instanceof Error && error.message.startsWith('Failed to create payment payload')) {
        throw new AgentError('AGENT_PAYMENT_UNSUPPORTED', `${url} asks for no payment the agent makes (x402 exact, the Trellis token, ${network}).`, {
          cause: error,
        });
      }
      throw new AgentError('AGENT_PAYMENT_FAILED', `The paid call to ${url} failed before an answer.`, { cause: error });
    }
    const header = response.headers.get('PAYMENT-RESPONSE');
    if (header !== null && pending.payee !== undefined && pending.amount !== undefined && pending.payload) {
      const settled = decodePaymentResponseHeader(header);
      if (settled.success) {
        const payment: AgentPayment = {
          url,
          payee: pending.payee,
          amount: pending.amount,
          spendTransaction: pending.spendTransaction,
          settlementTransaction: settled.transaction as Hash,
          remaining: pending.remaining ?? 0n,
          periodEnd: pending.periodEnd ?? 0n,
          payload: pending.payload,
        };
        payments.push(payment);
        options.onPayment?.(payment);
      }
    }
    return response;
  }

  return {
    record,
    address: connection.account.address,
    agentId: record.agentId,
    payments,
    fetch(input, init) {
      const run = queue.then(() => paidFetch(input, init));
      queue = run.catch(() => undefined);
      return run;
    },
    async status() {
      const on = { address: manager, abi: spendPermissionsAbi, args: [permission] } as const;
      // Outside [start, end) the contract has no current period (it reverts): none is read.
      const block = await read.getBlock({ blockTag: 'latest' });
      const inWindow = block.timestamp >= BigInt(permission.start) && block.timestamp < BigInt(permission.end);
      const [revoked, approved, epoch, period, held, ownerAllowance, ownerBalance] = await Promise.all([
        read.readContract({ ...on, functionName: 'isRevoked' }),
        read.readContract({ ...on, functionName: 'isApproved' }),
        read.readContract({ address: manager, abi: spendPermissionsAbi, functionName: 'epochOf', args: [permission.account] }),
        inWindow ? read.readContract({ ...on, functionName: 'getCurrentPeriod' }) : undefined,
        heldBySessionKey(),
        read.readContract({ address: token, abi: trellisTokenAbi, functionName: 'allowance', args: [permission.account, manager] }),
        read.readContract({ address: token, abi: trellisTokenAbi, functionName: 'balanceOf', args: [permission.account] }),
      ]);
      const spent = period?.spend ?? 0n;
      return {
        allowance: permission.allowance,
        spent,
        remaining: period ? permission.allowance - spent : 0n,
        periodStart: BigInt(period?.start ?? 0),
        periodEnd: BigInt(period?.end ?? 0),
        maxPerCall: terms.maxPerCall,
        end: BigInt(permission.end),
        anyActiveProvider: terms.anyActiveProvider,
        payees: terms.payees,
        revoked,
        approved,
        killed: epoch !== terms.epoch,
        held,
        ownerAllowance,
        ownerBalance,
      };
    },
  };
}
