// An agent: a session key that pays x402 calls out of its owner's wallet through its own
// contract account, within a spend permission the owner signed and the SpendPermissions
// contract enforces.
//
// How a paid call works (docs/agents.md, "Paying x402 calls under a permission"): the
// payer x402 sees is the agent's AgentAccount (agent-account.ts), and x402's own exact
// client signs each EIP-3009 authorization from it with the session key. When the
// facilitator settles it, the token calls the account's hook, which pays exactly that
// price out of the owner's wallet through `SpendPermissions.spendThrough`: payee, per-call
// maximum, the period's remainder, revocation and the kill switch are all checked there,
// on chain, for whoever holds the key. This code checks the same first (for free) and
// refuses by name before anything is signed.
//
// With `scheme: 'batched'` the agent pays over the escrow channel instead (docs/x402.md,
// "Batched payments"): its account is the channel's client, it deposits once (a receive
// authorization to the escrow, paid through the same hook and so within the same
// permission: the escrow must be one of its payees) and signs one cumulative voucher per
// call, which the provider redeems in bulk.
import { decodePaymentResponseHeader } from '@x402/core/http';
import type { PaymentPayload, PaymentRequirements } from '@x402/core/types';
import { ExactEvmScheme } from '@x402/evm/exact/client';
import { wrapFetchWithPayment, x402Client } from '@x402/fetch';
import { getAddress, zeroAddress, type Address, type Hash } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { accountOfKey } from '../protocol/signatures.ts';
import { connectSigner, type SignerConnection } from '../chain/connect.ts';
import { spendPermissionsAbi } from '../chain/generated/SpendPermissions.ts';
import { trellisTokenAbi } from '../chain/generated/TrellisToken.ts';
import { formatTokens } from '../chain/human-units.ts';
import type { Deployment } from '../chain/manifest.ts';
import { BatchedEscrowClient } from '../x402/batched-client.ts';
import { BATCHED_SCHEME } from '../x402/batched-requirements.ts';
import { accountAddress, accountBatchedSigner, accountSigner, agentAccountsOf, createAccount, ownerSignatureForAccount } from './agent-account.ts';
import { saveAgent, checkAgentName, type AgentRecord } from './agent-file.ts';
import { checkSpend } from './check-spend.ts';
import { AgentError } from './errors.ts';
import { agentIdentityOf, registerAgentIdentity, registrationURI } from './identity.ts';
import { checkLimits, type AgentLimits } from './limits.ts';
import { buildPermission, decodeTerms, signPermission } from './permission.ts';
import { createSessionKey, type SessionKey } from './session-key.ts';
import { allowManager, epochOf, remainingThisPeriod, spendPermissionsOf } from './spend-permissions.ts';

export type CreateAgentParameters = {
  /** The owner: its wallet pays, its key signs the permission and owns the identity and the account. */
  owner: SignerConnection;
  deployment: Deployment;
  limits: AgentLimits;
  name?: string;
  description?: string;
  /** An existing session key to use; a fresh one otherwise. */
  sessionKey?: SessionKey;
  /** Saves the agent under <dataDir>/agents/<name>.json (mode 0600) when given. */
  dataDir?: string;
};

export type AgentPayment = {
  url: string;
  /** The x402 scheme that paid: `exact` (one transfer) or the batched scheme (one voucher). */
  scheme: string;
  payee: Address;
  amount: bigint;
  /**
   * The x402 settlement: for `exact` the transfer from the agent's account, paid out of
   * the owner's wallet; for the batched scheme the voucher held (channel id and amount).
   */
  settlementTransaction: Hash;
  /** A deposit into the escrow this payment carried (batched scheme only). */
  depositTransaction?: Hash;
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
  /** Tokens the account holds: only what someone sent it, which pays nothing and the owner can recover. */
  held: bigint;
  /** What the owner's ERC-20 allowance to the manager and its balance still let it pull. */
  ownerAllowance: bigint;
  ownerBalance: bigint;
};

export type Agent = {
  record: AgentRecord;
  /** The payer: the agent's account, also its identity's wallet. */
  address: Address;
  /** The session key, which signs for the account and holds nothing. */
  sessionKey: Address;
  agentId: bigint;
  /** `fetch`, paying a 402 from the agent's permission; refuses beyond it by name before paying. */
  fetch(input: string | URL | Request, init?: RequestInit): Promise<Response>;
  /** Every payment made through `fetch`, oldest first. */
  payments: AgentPayment[];
  status(): Promise<AgentStatus>;
};

/**
 * Creates an agent: a session key, its account (created by the owner, approved under the
 * permission the owner signs, whose spender is the account) and its identity (owned by the
 * owner, wallet = the account). The session key needs neither tokens nor gas. The owner's
 * ERC-20 allowance to the manager is separate (`fundAgent`).
 */
export async function createAgent(p: CreateAgentParameters): Promise<Agent> {
  const limits = checkLimits(p.limits);
  const name = checkAgentName(p.name ?? 'agent');
  const { owner, deployment } = p;
  const manager = spendPermissionsOf(deployment);
  const factory = agentAccountsOf(deployment);
  const identity = agentIdentityOf(deployment);
  const key = p.sessionKey ?? createSessionKey();

  const block = await owner.publicClient.getBlock({ blockTag: 'latest' });
  const start = Number(block.timestamp);
  const draft = buildPermission({
    account: owner.account.address,
    spender: zeroAddress, // the account, known once the rest is fixed
    token: deployment.contracts.token,
    allowance: limits.allowance,
    period: limits.period,
    start,
    end: start + limits.lifetime,
    // The session key tells this permission (and so this account) from the owner's others.
    salt: BigInt(key.address),
    // The payee is checked on chain against these terms: any active Trellis provider, and
    // the escrow, which takes the deposits of batched payments.
    terms: {
      maxPerCall: limits.perCall,
      epoch: await epochOf(owner, manager, owner.account.address),
      anyActiveProvider: true,
      payees: [getAddress(deployment.contracts.escrow)],
    },
  });
  const account = await accountAddress(owner, factory, key.address, draft);
  const permission = { ...draft, spender: account };
  const signature = await signPermission(owner.account, { chainId: deployment.chainId, manager }, permission);
  await createAccount(owner, factory, key.address, permission, signature);

  const agentURI = registrationURI({
    name,
    description: p.description ?? 'A Trellis agent paying per call with x402 within an on-chain spend permission.',
    wallet: account,
    chainId: deployment.chainId,
    identity,
  });
  // The account's wallet consent is the owner's signature, in the account's owner form.
  const agentId = await registerAgentIdentity(owner, identity, agentURI, account, (digest) => ownerSignatureForAccount(owner.account, digest));

  const record: AgentRecord = {
    name,
    chainId: deployment.chainId,
    privateKey: key.privateKey,
    sessionKey: key.address,
    account,
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
  /**
   * Which x402 scheme the agent pays with when a 402 offers both: `exact` (one transfer
   * per call, the default) or `batched` (a deposit, then one voucher per call).
   */
  scheme?: 'exact' | 'batched';
  /** Batched scheme: what one deposit puts in the escrow (default: the most one spend may move, the per-call maximum). */
  deposit?: bigint;
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
  const { permission, manager, account } = record;
  const token = getAddress(deployment.contracts.token);
  const network = `eip155:${deployment.chainId}` as const;
  const terms = decodeTerms(permission.extraData);
  const payments: AgentPayment[] = [];

  // Calls through one agent's fetch are queued, so that each payment's record is its own.
  let queue: Promise<unknown> = Promise.resolve();
  let pending: {
    refusal?: Error;
    payload?: PaymentPayload;
    scheme?: string;
    payee?: Address;
    amount?: bigint;
    remaining?: bigint;
    periodEnd?: bigint;
  } = {};
  const scheme = options.scheme ?? 'exact';
  const preferred = () => (scheme === 'batched' ? BATCHED_SCHEME : 'exact');
  const batched = new BatchedEscrowClient({
    // The session key signs in libsecp256k1 (accountOfKey): one voucher per paid call.
    signer: accountBatchedSigner(account, accountOfKey(record.privateKey)),
    connection,
    chainId: deployment.chainId,
    // A deposit is one spend under the permission: at most the per-call maximum, and
    // only what the period has left; and at least the provider's minimum, which pays for
    // the deposit's gas. When the two cannot meet, the permission check below says so.
    depositAmount: (requirements, needed) => {
      const minimum = BigInt(requirements.extra.minDeposit);
      const wanted = options.deposit ?? (terms.maxPerCall > minimum ? terms.maxPerCall : minimum);
      return wanted > needed ? wanted : needed;
    },
    beforeDeposit: async (amount, escrow) => {
      try {
        await checkSpend(connection, { manager, permission, payee: escrow, value: amount, spender: account });
      } catch (error) {
        // A deposit beyond the permission is refused by name, before anything is signed.
        pending.refusal = error instanceof Error ? error : new Error(String(error));
        throw error;
      }
    },
  });

  const read = connection.publicClient;

  /** Everything the account's hook will check, checked first: a refusal signs nothing. */
  async function prepare(requirements: PaymentRequirements): Promise<void> {
    const wantedScheme = scheme === 'batched' ? BATCHED_SCHEME : 'exact';
    if (requirements.scheme !== wantedScheme || requirements.network !== network || getAddress(requirements.asset) !== token) {
      throw new AgentError('AGENT_PAYMENT_UNSUPPORTED', `The agent pays only x402 ${wantedScheme} payments in the Trellis token of its chain.`, {
        details: [
          `asked: ${requirements.scheme} on ${requirements.network}, asset ${requirements.asset}`,
          `pays: ${wantedScheme} on ${network}, asset ${token}`,
        ],
      });
    }
    const price = BigInt(requirements.amount);
    const payee = getAddress(requirements.payTo);
    if (price > terms.maxPerCall) {
      const period = await remainingThisPeriod(connection, manager, permission);
      throw new AgentError('SPEND_ABOVE_MAX_PER_CALL', `${formatTokens(price)} is above the agent's ${formatTokens(terms.maxPerCall)} per call.`, {
        details: [`payee: ${payee}`, `remaining this period: ${formatTokens(period.remaining)}`],
      });
    }
    if (wantedScheme === BATCHED_SCHEME) {
      // A voucher spends nothing from the owner's wallet: it draws on the deposit, which
      // was a spend checked when it was made (beforeDeposit).
      const period = await remainingThisPeriod(connection, manager, permission);
      pending = { scheme: wantedScheme, payee, amount: price, remaining: period.remaining, periodEnd: period.periodEnd };
      return;
    }
    const checked = await checkSpend(connection, { manager, permission, payee, value: price, spender: account });
    pending = { scheme: wantedScheme, payee, amount: price, remaining: checked.remaining - price, periodEnd: checked.periodEnd };
  }

  const client = x402Client.fromConfig({
    schemes: [
      { network, client: new ExactEvmScheme(accountSigner(account, privateKeyToAccount(record.privateKey))) },
      { network, client: batched },
    ],
    // The agent's chosen scheme first; a 402 without it is refused by name in `prepare`.
    policies: [(_version, offered) => [...offered].sort((a, b) => Number(b.scheme === preferred()) - Number(a.scheme === preferred()))],
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
    if (pending.scheme === BATCHED_SCHEME) {
      const held = await batched.confirm(response);
      if (held && pending.payee !== undefined && pending.payload) {
        const settled = decodePaymentResponseHeader(response.headers.get('PAYMENT-RESPONSE') as string);
        const payment: AgentPayment = {
          url,
          scheme: BATCHED_SCHEME,
          payee: pending.payee,
          amount: held.price,
          settlementTransaction: settled.transaction as Hash,
          ...(held.depositTransaction ? { depositTransaction: held.depositTransaction } : {}),
          remaining: pending.remaining ?? 0n,
          periodEnd: pending.periodEnd ?? 0n,
          payload: pending.payload,
        };
        payments.push(payment);
        options.onPayment?.(payment);
      }
      return response;
    }
    const header = response.headers.get('PAYMENT-RESPONSE');
    if (header !== null && pending.payee !== undefined && pending.amount !== undefined && pending.payload) {
      const settled = decodePaymentResponseHeader(header);
      if (settled.success) {
        const payment: AgentPayment = {
          url,
          scheme: 'exact',
          payee: pending.payee,
          amount: pending.amount,
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
    address: account,
    sessionKey: connection.account.address,
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
        read.readContract({ address: token, abi: trellisTokenAbi, functionName: 'balanceOf', args: [account] }),
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
