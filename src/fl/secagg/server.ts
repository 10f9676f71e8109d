// The aggregator's side of a SecAgg+ round. It relays (keys to everyone, each share
// message to its recipient), collects masked vectors, asks the survivors for the shares
// that remove the masks, and rebuilds: each survivor's self mask from its seed shares,
// each dropout's pairwise masks from its mask secret key. What it ends with is the sum
// of the survivors' quantized updates and nothing finer. Every message is checked
// (signer, session and round, stage, shape) and refused by name when wrong.
import { combine } from 'shamir-secret-sharing';
import { type Address, getAddress, type LocalAccount } from 'viem';
import { dequantizeSum } from './config.ts';
import { agreeKey, commitSeed, expandMask, publicKeyOf } from './crypto.ts';
import { SecAggError } from './errors.ts';
import { bytesOf, hexOf, type KeysMessage, type SecAggSession, type ShareMessage, signMessage, type UnmaskRequest, verifyMessage } from './messages.ts';
import { addInto, reduceInto, subtractInto } from './ring.ts';
import { type RoundContext, roundContext, SHARE_BYTES } from './round-context.ts';

export type SecAggResult = {
  /** The integer sum of the survivors' quantized updates, modulo the modulus (exact: it cannot wrap). */
  sum: Uint32Array;
  /** That sum back in value units (within count * clippingRange / (quantizationRange - 1) of the true sum per element). */
  values: Float64Array;
  survivors: Address[];
  dropped: Address[];
};

export class SecAggServer {
  private readonly ctx: RoundContext;
  private readonly account: LocalAccount;
  private keys = new Map<number, KeysMessage>();
  private shares = new Map<number, Map<number, ShareMessage>>();
  private sharingClosed: Set<number> | undefined;
  private masked = new Map<number, Uint32Array>();
  private request: UnmaskRequest | undefined;
  private seedShares = new Map<number, Map<number, Uint8Array>>();
  private keyShares = new Map<number, Map<number, Uint8Array>>();
  private responded = new Set<number>();

  constructor(session: SecAggSession, account: LocalAccount) {
    this.ctx = roundContext(session);
    if (getAddress(account.address) !== getAddress(session.aggregator)) {
      throw new SecAggError('SECAGG_BAD_CONFIG', 'The account is not the session’s aggregator.', {
        details: [`account: ${account.address}`, `aggregator: ${session.aggregator}`],
      });
    }
    this.account = account;
  }

  private refuseAfter(done: boolean, what: string): void {
    if (done) throw new SecAggError('SECAGG_OUT_OF_ORDER', `The ${what} stage is closed.`, { details: [] });
  }

  /** Stage 1 input: a client's public keys. */
  receiveKeys(raw: unknown): void {
    this.refuseAfter(this.sharingClosed !== undefined || this.shares.size > 0, 'key');
    const message = verifyMessage(raw, this.ctx.session, 'keys', this.ctx.participants);
    const from = this.ctx.indexOf(message.sender);
    if (this.keys.has(from))
      throw new SecAggError('SECAGG_DUPLICATE_MESSAGE', 'A second key message from one client.', { details: [`sender: ${message.sender}`] });
    bytesOf(message.body.encryptionKey, 32, 'An encryption key');
    bytesOf(message.body.maskKey, 32, 'A mask key');
    this.keys.set(from, message);
  }

  /** Stage 2 broadcast: every key message received, for the clients to verify themselves. */
  keyRoster(): KeysMessage[] {
    return [...this.keys.values()];
  }

  /** Stage 2 input: one client's encrypted shares for one neighbour. */
  receiveShare(raw: unknown): void {
    this.refuseAfter(this.sharingClosed !== undefined, 'sharing');
    const message = verifyMessage(raw, this.ctx.session, 'share', this.ctx.participants);
    const from = this.ctx.indexOf(message.sender);
    const to = this.ctx.indexOf(message.body.to);
    if (!this.keys.has(from) || !this.keys.has(to) || !this.ctx.graph[from]!.includes(to)) {
      throw new SecAggError('SECAGG_BAD_MESSAGE', 'A share message between clients that are not neighbours with keys.', {
        details: [`from: ${message.sender}`, `to: ${message.body.to}`],
      });
    }
    bytesOf(message.body.selfMaskCommitment, 32, 'A self-mask commitment');
    bytesOf(message.body.ciphertext, 12 + 2 * SHARE_BYTES + 16, 'A share ciphertext');
    const mine = this.shares.get(from) ?? new Map<number, ShareMessage>();
    if (mine.has(to))
      throw new SecAggError('SECAGG_DUPLICATE_MESSAGE', 'A second share message for one pair.', {
        details: [`from: ${message.sender}`, `to: ${message.body.to}`],
      });
    const commitment = mine.values().next().value?.body.selfMaskCommitment;
    if (commitment !== undefined && commitment !== message.body.selfMaskCommitment) {
      throw new SecAggError('SECAGG_BAD_MESSAGE', 'A client committed to two self-mask seeds.', { details: [`sender: ${message.sender}`] });
    }
    mine.set(to, message);
    this.shares.set(from, mine);
  }

  /** The clients whose shares reached every neighbour that advertised keys: they may mask this round. */
  private sharers(): Set<number> {
    if (this.sharingClosed) return this.sharingClosed;
    const done = new Set<number>();
    for (const [from, sent] of this.shares) {
      const wanted = this.ctx.graph[from]!.filter((j) => this.keys.has(j));
      if (wanted.every((j) => sent.has(j))) done.add(from);
    }
    this.sharingClosed = done;
    return done;
  }

  /** Stage 3 relay: the share messages addressed to a client, from neighbours that completed sharing. Closes the sharing stage. */
  sharesFor(address: Address): ShareMessage[] {
    const to = this.ctx.indexOf(address);
    const sharers = this.sharers();
    return this.ctx.graph[to]!.filter((j) => sharers.has(j)).map((j) => this.shares.get(j)!.get(to)!);
  }

  /** Stage 3 input: a masked vector, of the right length and every element in [0, modulus). */
  receiveMaskedInput(raw: unknown): void {
    this.refuseAfter(this.request !== undefined, 'masking');
    const message = verifyMessage(raw, this.ctx.session, 'masked-input', this.ctx.participants);
    const from = this.ctx.indexOf(message.sender);
    if (!this.sharers().has(from))
      throw new SecAggError('SECAGG_OUT_OF_ORDER', 'A masked input from a client that did not complete sharing.', { details: [`sender: ${message.sender}`] });
    if (this.masked.has(from))
      throw new SecAggError('SECAGG_DUPLICATE_MESSAGE', 'A second masked input from one client.', { details: [`sender: ${message.sender}`] });
    const { vector } = message.body;
    const { modulusRange } = this.ctx.config;
    if (!Array.isArray(vector) || vector.length !== this.ctx.session.vectorLength) {
      throw new SecAggError('SECAGG_MASKED_INPUT_INVALID', 'A masked input has the wrong length.', {
        details: [`sender: ${message.sender}`, `expected: ${this.ctx.session.vectorLength}`, `got: ${Array.isArray(vector) ? vector.length : typeof vector}`],
      });
    }
    const values = new Uint32Array(vector.length);
    for (let i = 0; i < vector.length; i++) {
      const v = vector[i];
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= modulusRange) {
        throw new SecAggError('SECAGG_MASKED_INPUT_INVALID', 'A masked input holds a value outside [0, modulus).', {
          details: [`sender: ${message.sender}`, `index: ${i}`, `got: ${String(v)}`, `modulus: ${modulusRange}`],
        });
      }
      values[i] = v;
    }
    this.masked.set(from, values);
  }

  /**
   * Stage 4: the signed request naming survivors and dropouts. Refused, so that nothing is
   * asked for, when some survivor's or dropout's neighbourhood has fewer than threshold survivors.
   */
  async unmaskRequest(): Promise<UnmaskRequest> {
    if (this.request) return this.request;
    const sharers = this.sharers();
    const survivors = [...this.masked.keys()].sort((a, b) => a - b);
    const dropped = [...sharers].filter((j) => !this.masked.has(j)).sort((a, b) => a - b);
    const t = this.ctx.config.reconstructionThreshold;
    const short: string[] = [];
    for (const i of survivors) {
      const helpers = [i, ...this.ctx.graph[i]!.filter((j) => sharers.has(j))].filter((j) => this.masked.has(j)).length;
      if (helpers < t) short.push(`survivor ${this.ctx.participants[i]}: ${helpers} of ${t}`);
    }
    for (const j of dropped) {
      const helpers = this.ctx.graph[j]!.filter((i) => this.masked.has(i)).length;
      if (helpers < t) short.push(`dropout ${this.ctx.participants[j]}: ${helpers} of ${t}`);
    }
    if (survivors.length === 0 || short.length > 0) {
      throw new SecAggError('SECAGG_TOO_FEW_SURVIVORS', 'Too few clients survived to unmask the sum; nothing is asked for.', {
        details: [`survivors: ${survivors.length}`, ...short.slice(0, 5)],
      });
    }
    this.request = await signMessage(this.account, this.ctx.session, 'unmask-request', {
      survivors: survivors.map((i) => this.ctx.participants[i]!),
      dropped: dropped.map((j) => this.ctx.participants[j]!),
    });
    return this.request;
  }

  /** Stage 4 input: one survivor's shares. A share for a peer the sender does not neighbour, or of the wrong kind, is refused. */
  receiveUnmaskResponse(raw: unknown): void {
    if (!this.request) throw new SecAggError('SECAGG_OUT_OF_ORDER', 'No unmask request was sent yet.', { details: [] });
    const message = verifyMessage(raw, this.ctx.session, 'unmask-response', this.ctx.participants);
    const from = this.ctx.indexOf(message.sender);
    if (!this.masked.has(from))
      throw new SecAggError('SECAGG_OUT_OF_ORDER', 'An unmask response from a client that did not survive.', { details: [`sender: ${message.sender}`] });
    if (this.responded.has(from))
      throw new SecAggError('SECAGG_DUPLICATE_MESSAGE', 'A second unmask response from one client.', { details: [`sender: ${message.sender}`] });
    const take = (list: { of: Address; share: string }[], store: Map<number, Map<number, Uint8Array>>, alive: boolean) => {
      for (const { of, share } of list) {
        const owner = this.ctx.indexOf(of);
        if ((owner !== from && !this.ctx.graph[from]!.includes(owner)) || this.masked.has(owner) !== alive) {
          throw new SecAggError('SECAGG_SHARE_INVALID', 'An unmask response carries a share the sender cannot hold or the request did not ask for.', {
            details: [`sender: ${message.sender}`, `of: ${of}`],
          });
        }
        const byHolder = store.get(owner) ?? new Map<number, Uint8Array>();
        byHolder.set(from, bytesOf(share, SHARE_BYTES, 'A share'));
        store.set(owner, byHolder);
      }
    };
    take(message.body.selfMaskShares, this.seedShares, true);
    take(message.body.keyShares, this.keyShares, false);
    this.responded.add(from);
  }

  /** Rebuilds the secrets from the shares in and removes every mask. */
  async aggregate(): Promise<SecAggResult> {
    const request = await this.unmaskRequest();
    const { config, context, participants, graph } = this.ctx;
    const t = config.reconstructionThreshold;
    const length = this.ctx.session.vectorLength;
    const survivors = request.body.survivors.map((a) => this.ctx.indexOf(a));
    const dropped = request.body.dropped.map((a) => this.ctx.indexOf(a));
    const sum = new Uint32Array(length);
    for (const i of survivors) addInto(sum, this.masked.get(i)!);
    for (const i of survivors) {
      const seed = await this.rebuild(this.seedShares.get(i), t, participants[i]!, 'self-mask seed');
      const commitment = this.shares.get(i)!.values().next().value!.body.selfMaskCommitment;
      if (hexOf(commitSeed(seed, context)) !== commitment) {
        throw new SecAggError('SECAGG_SHARE_INVALID', 'The self-mask seed rebuilt from the shares does not match its commitment.', {
          details: [`owner: ${participants[i]}`],
        });
      }
      subtractInto(sum, expandMask(seed, length, config.modulusRange));
    }
    for (const j of dropped) {
      const secretKey = await this.rebuild(this.keyShares.get(j), t, participants[j]!, 'mask secret key');
      if (hexOf(publicKeyOf(secretKey)) !== this.keys.get(j)!.body.maskKey.toLowerCase()) {
        throw new SecAggError('SECAGG_SHARE_INVALID', 'The mask key rebuilt from the shares does not match the advertised public key.', {
          details: [`owner: ${participants[j]}`],
        });
      }
      for (const i of graph[j]!) {
        if (!this.masked.has(i)) continue;
        const pairwise = expandMask(
          agreeKey(secretKey, bytesOf(this.keys.get(i)!.body.maskKey, 32, 'A mask key'), context, 'mask'),
          length,
          config.modulusRange,
        );
        // Survivor i added the mask when i < j and subtracted it otherwise; undo that.
        if (i < j) subtractInto(sum, pairwise);
        else addInto(sum, pairwise);
      }
    }
    reduceInto(sum, config.modulusRange);
    return {
      sum,
      values: dequantizeSum(sum, survivors.length, config),
      survivors: survivors.map((i) => participants[i]!),
      dropped: dropped.map((j) => participants[j]!),
    };
  }

  private async rebuild(shares: Map<number, Uint8Array> | undefined, t: number, owner: Address, what: string): Promise<Uint8Array> {
    if (!shares || shares.size < t) {
      throw new SecAggError('SECAGG_TOO_FEW_SURVIVORS', `Too few shares arrived to rebuild a ${what}.`, {
        details: [`owner: ${owner}`, `shares: ${shares?.size ?? 0}`, `threshold: ${t}`],
      });
    }
    return combine([...shares.values()]);
  }
}
