// An x402 facilitator in the process: x402's own `x402Facilitator` with the exact EVM
// scheme registered for the deployment's chain, behind two guards of its own.
//  - It settles the Trellis token of its deployment only (it pays the gas).
//  - Settlement is idempotent on the authorization (token, signer, nonce), across
//    restarts: the nonce journal records `settling` before a transfer is sent and its
//    outcome after, so a settle repeated with the same payment is answered from the
//    journal instead of sending a second transaction, and an authorization settled or
//    being settled fails verification with x402's nonce-used reason. The chain refuses
//    a second use of a nonce anyway; the journal keeps the answer stable and the gas
//    unspent.
// It implements x402's FacilitatorClient, so a resource server in the same process uses
// it directly; facilitator-routes.ts serves it over HTTP for everyone else.
import { join } from 'node:path';
import { x402Facilitator } from '@x402/core/facilitator';
import type { FacilitatorClient } from '@x402/core/server';
import type { Network, PaymentPayload, PaymentRequirements, SettleResponse, SupportedResponse, VerifyResponse } from '@x402/core/types';
import { ExactEvmScheme } from '@x402/evm/exact/facilitator';
import { toFacilitatorEvmSigner } from '@x402/evm';
import { createWalletClient, getAddress, http, nonceManager, verifyTypedData, type Address, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import type { Connection } from '../chain/connect.ts';
import { trellisTokenAbi } from '../chain/generated/TrellisToken.ts';
import type { Deployment } from '../chain/manifest.ts';
import { writeContract } from '../chain/write.ts';
import { silentLogger, type Logger } from '../log.ts';
import { NONCE_ALREADY_USED, X402Error } from './errors.ts';
import { NONCE_JOURNAL_FILE, NonceJournal, type NonceRecord } from './nonce-journal.ts';
import { authorizationKey, networkOf, parseExactPayment, type ExactPayment } from './payment.ts';

export type LocalFacilitatorOptions = {
  /** A connection to the deployment's chain. */
  connection: Connection;
  deployment: Deployment;
  /** The settling key: it sends every transferWithAuthorization and pays its gas. */
  privateKey: Hex;
  /** Where the nonce journal lives (x402-nonces.jsonl). */
  dataDir: string;
  log?: Logger;
};

type Checked = { ok: true; payment: ExactPayment; key: string } | { ok: false; reason: string; message: string; payer?: string };

export class LocalFacilitator implements FacilitatorClient {
  readonly address: Address;
  readonly network: Network;
  private readonly inner: x402Facilitator;
  private readonly journal: NonceJournal;
  private readonly token: Address;
  private readonly log: Logger;
  /** Settlements under way, by authorization key: a concurrent settle of the same one waits for it. */
  private readonly settling = new Map<string, { signature: string; done: Promise<SettleResponse> }>();

  constructor(private readonly options: LocalFacilitatorOptions) {
    const { connection, deployment } = options;
    const account = privateKeyToAccount(options.privateKey, { nonceManager });
    const wallet = createWalletClient({ account, chain: connection.chain, transport: http(connection.rpcUrl, { timeout: 30_000 }) });
    const pub = connection.publicClient;
    const signer = toFacilitatorEvmSigner({
      address: account.address,
      readContract: (args) => pub.readContract(args as never),
      // An account's own signature recovers locally; only a contract wallet's (ERC-1271,
      // ERC-6492) needs the node, so that one is asked only when recovery does not match.
      verifyTypedData: async (args) => (await verifyTypedData(args as never).catch(() => false)) || pub.verifyTypedData(args as never),
      writeContract: (args) => writeContract({ account, publicClient: pub, walletClient: wallet }, args as never),
      sendTransaction: (args) => wallet.sendTransaction(args),
      waitForTransactionReceipt: (args) => pub.waitForTransactionReceipt(args),
      getCode: (args) => pub.getCode(args),
    });
    this.address = account.address;
    this.network = networkOf(deployment.chainId);
    this.token = getAddress(deployment.contracts.token);
    this.inner = new x402Facilitator().register(this.network, new ExactEvmScheme(signer));
    this.journal = new NonceJournal(join(options.dataDir, NONCE_JOURNAL_FILE));
    this.log = (options.log ?? silentLogger).child('x402-facilitator');
  }

  async getSupported(): Promise<SupportedResponse> {
    return this.inner.getSupported() as SupportedResponse;
  }

  async verify(payload: PaymentPayload, requirements: PaymentRequirements): Promise<VerifyResponse> {
    const checked = this.check(payload, requirements);
    if (!checked.ok) return { isValid: false, invalidReason: checked.reason, invalidMessage: checked.message, payer: checked.payer };
    const payer = checked.payment.authorization.from;
    if (this.settling.has(checked.key)) return nonceUsed(payer, 'a settlement of this authorization is under way');
    const record = await this.resolved(checked.key, checked.payment);
    if (record?.state === 'settled' || record?.state === 'settling') return nonceUsed(payer, `settled in ${record.transaction || 'an earlier transaction'}`);
    return this.inner.verify(payload, requirements);
  }

  async settle(payload: PaymentPayload, requirements: PaymentRequirements): Promise<SettleResponse> {
    const checked = this.check(payload, requirements);
    if (!checked.ok)
      return { success: false, errorReason: checked.reason, errorMessage: checked.message, payer: checked.payer, transaction: '', network: this.network };
    const { key, payment } = checked;
    const running = this.settling.get(key);
    if (running) {
      if (running.signature === payment.signature) return running.done;
      return settleFailure(this.network, payment, NONCE_ALREADY_USED, 'another payment with this nonce is being settled');
    }
    const done = this.settleOnce(key, payment, payload, requirements).finally(() => this.settling.delete(key));
    this.settling.set(key, { signature: payment.signature, done });
    return done;
  }

  close(): void {
    this.journal.close();
  }

  private async settleOnce(key: string, payment: ExactPayment, payload: PaymentPayload, requirements: PaymentRequirements): Promise<SettleResponse> {
    const payer = payment.authorization.from;
    const record = await this.resolved(key, payment);
    if (record?.state === 'settled') {
      // The same payment again: the answer it had, and no second transaction.
      if (record.signature === payment.signature && record.transaction !== '')
        return { success: true, transaction: record.transaction, network: this.network, payer };
      return settleFailure(this.network, payment, NONCE_ALREADY_USED, `settled in ${record.transaction || 'an earlier transaction'}`);
    }
    const base = { key, signature: payment.signature, payer };
    await this.journal.record({ ...base, state: 'settling', transaction: '', at: Date.now() });
    let result: SettleResponse;
    try {
      result = await this.inner.settle(payload, requirements);
    } catch (error) {
      result = settleFailure(this.network, payment, 'unexpected_settle_error', error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error));
    }
    if (result.success) {
      await this.journal.record({ ...base, state: 'settled', transaction: result.transaction, at: Date.now() });
      this.log.info('settled', { payer, payTo: payment.authorization.to, amount: payment.authorization.value.toString(), transaction: result.transaction });
      return result;
    }
    // A failed transaction may still have spent the nonce (someone else sent the same
    // authorization first): the chain says which.
    const used = await this.nonceUsedOnChain(payment).catch(() => false);
    await this.journal.record({
      ...base,
      state: used ? 'settled' : 'failed',
      transaction: used ? '' : result.transaction,
      reason: result.errorReason,
      at: Date.now(),
    });
    this.log.warn('settlement failed', { payer, reason: result.errorReason ?? 'unknown', nonceUsed: used });
    return result;
  }

  /** The journal's record, with a `settling` left by an earlier process decided by the chain. */
  private async resolved(key: string, payment: ExactPayment): Promise<NonceRecord | undefined> {
    const record = this.journal.get(key);
    if (record?.state !== 'settling' || this.settling.has(key)) return record;
    const used = await this.nonceUsedOnChain(payment);
    const decided: NonceRecord = {
      ...record,
      state: used ? 'settled' : 'failed',
      reason: used ? undefined : 'restarted before the transfer landed',
      at: Date.now(),
    };
    await this.journal.record(decided);
    return decided;
  }

  private nonceUsedOnChain(payment: ExactPayment): Promise<boolean> {
    return this.options.connection.publicClient.readContract({
      address: this.token,
      abi: trellisTokenAbi,
      functionName: 'authorizationState',
      args: [payment.authorization.from, payment.authorization.nonce],
    });
  }

  private check(payload: PaymentPayload, requirements: PaymentRequirements): Checked {
    let payment: ExactPayment;
    try {
      payment = parseExactPayment(payload);
    } catch (error) {
      return { ok: false, reason: 'invalid_payload', message: error instanceof X402Error ? error.shortMessage : 'malformed payment payload' };
    }
    const payer = payment.authorization.from;
    if (typeof requirements?.asset !== 'string' || typeof requirements.network !== 'string')
      return { ok: false, reason: 'invalid_payment_requirements', message: 'the payment requirements name no asset or network', payer };
    if (requirements.network !== this.network)
      return { ok: false, reason: 'invalid_network', message: `this facilitator settles on ${this.network} only, not ${requirements.network}`, payer };
    if (requirements.asset.toLowerCase() !== this.token.toLowerCase())
      return { ok: false, reason: 'invalid_payment_requirements', message: `this facilitator settles the Trellis token ${this.token} only`, payer };
    return { ok: true, payment, key: authorizationKey(requirements, payment.authorization) };
  }
}

const nonceUsed = (payer: string, message: string): VerifyResponse => ({ isValid: false, invalidReason: NONCE_ALREADY_USED, invalidMessage: message, payer });

const settleFailure = (network: Network, payment: ExactPayment, reason: string, message: string): SettleResponse => ({
  success: false,
  errorReason: reason,
  errorMessage: message,
  payer: payment.authorization.from,
  transaction: '',
  network,
});
