// One client's side of a SecAgg+ round, stage by stage as Flower's secaggplus_mod runs
// it: advertise two X25519 public keys (one encrypts share messages, one agrees masks);
// split the mask secret key and a fresh self-mask seed into Shamir shares and send each
// neighbour its pair of shares, encrypted; upload the quantized update plus the
// self mask plus the pairwise masks, modulo the modulus; and, asked to help unmask,
// reveal for each neighbour at most one kind of share: the self-mask share of one who
// survived, or the key share of one who dropped. Revealing both for the same peer would
// hand the aggregator that peer's update, so a request that asks for it is refused.
import { concatBytes } from '@noble/hashes/utils';
import { split } from 'shamir-secret-sharing';
import { getAddress, type LocalAccount } from 'viem';
import { quantize } from './config.ts';
import { agreeKey, commitSeed, expandMask, generateKeyPair, type KeyPair, open, seal } from './crypto.ts';
import { SecAggError } from './errors.ts';
import {
  bytesOf,
  hexOf,
  type KeysMessage,
  type MaskedInputMessage,
  type SecAggSession,
  type ShareMessage,
  signMessage,
  type UnmaskResponse,
  verifyMessage,
} from './messages.ts';
import { cryptoRandomBytes, type RandomBytes } from './random-bytes.ts';
import { addInto, reduceInto, subtractInto } from './ring.ts';
import { type RoundContext, roundContext, SHARE_BYTES, shareAssociatedData } from './round-context.ts';

type Stage = 'new' | 'keys-sent' | 'shares-sent' | 'masked';
type PeerKeys = { encryptionKey: Uint8Array; maskKey: Uint8Array };
type HeldShares = { keyShare: Uint8Array; seedShare: Uint8Array };

export type SecAggClientOptions = { account: LocalAccount; session: SecAggSession; random?: RandomBytes };

export class SecAggClient {
  readonly index: number;
  private readonly ctx: RoundContext;
  private readonly account: LocalAccount;
  private readonly random: RandomBytes;
  private readonly encryption: KeyPair;
  private readonly mask: KeyPair;
  private stage: Stage = 'new';
  private peerKeys = new Map<number, PeerKeys>();
  /** Shares other clients (and this one) gave this client, by owner index. */
  private held = new Map<number, HeldShares>();
  private selfSeed: Uint8Array | undefined;
  private maskedWith: number[] = [];
  /** What this client revealed about each peer this round: one kind per peer, ever. */
  private revealed = new Map<number, 'seed' | 'key'>();

  constructor(options: SecAggClientOptions) {
    this.ctx = roundContext(options.session);
    this.account = options.account;
    this.index = this.ctx.indexOf(options.account.address);
    this.random = options.random ?? cryptoRandomBytes;
    this.encryption = generateKeyPair(this.random);
    this.mask = generateKeyPair(this.random);
  }

  get neighbours(): readonly number[] {
    return this.ctx.graph[this.index]!;
  }

  private expectStage(stage: Stage, next: string): void {
    if (this.stage !== stage) {
      throw new SecAggError('SECAGG_OUT_OF_ORDER', `The client cannot ${next} at this stage.`, { details: [`stage: ${this.stage}`, `expected: ${stage}`] });
    }
  }

  /** Stage 1: the two public keys, signed. */
  advertiseKeys(): Promise<KeysMessage> {
    this.expectStage('new', 'advertise its keys');
    this.stage = 'keys-sent';
    return signMessage(this.account, this.ctx.session, 'keys', { encryptionKey: hexOf(this.encryption.publicKey), maskKey: hexOf(this.mask.publicKey) });
  }

  /** Stage 2: given the keys the aggregator relayed, one encrypted share message per neighbour that advertised keys. */
  async shareKeys(roster: readonly unknown[]): Promise<ShareMessage[]> {
    this.expectStage('keys-sent', 'share its keys');
    const { ctx } = this;
    const neighbours = new Set(this.neighbours);
    for (const raw of roster) {
      const message = verifyMessage(raw, ctx.session, 'keys', ctx.participants);
      const from = ctx.indexOf(message.sender);
      if (!neighbours.has(from)) continue;
      if (this.peerKeys.has(from)) {
        throw new SecAggError('SECAGG_DUPLICATE_MESSAGE', 'The roster carries two key messages from one neighbour.', {
          details: [`sender: ${message.sender}`],
        });
      }
      this.peerKeys.set(from, {
        encryptionKey: bytesOf(message.body.encryptionKey, 32, 'An encryption key'),
        maskKey: bytesOf(message.body.maskKey, 32, 'A mask key'),
      });
    }
    const live = [...this.peerKeys.keys()].sort((a, b) => a - b);
    const { reconstructionThreshold: threshold } = ctx.config;
    if (live.length + 1 < threshold) {
      throw new SecAggError('SECAGG_TOO_FEW_SURVIVORS', 'Too few neighbours advertised keys for their shares to rebuild a secret.', {
        details: [`neighbours with keys: ${live.length}`, `threshold: ${threshold} (including this client)`],
      });
    }
    this.selfSeed = this.random(32);
    // One share per live neighbour and one kept: the library takes at least two of each.
    const count = live.length + 1;
    const keyShares = await split(this.mask.secretKey, count, Math.max(2, threshold));
    const seedShares = await split(this.selfSeed, count, Math.max(2, threshold));
    this.held.set(this.index, { keyShare: keyShares[0]!, seedShare: seedShares[0]! });
    const commitment = hexOf(commitSeed(this.selfSeed, ctx.context));
    this.stage = 'shares-sent';
    return Promise.all(
      live.map((to, k) => {
        const key = agreeKey(this.encryption.secretKey, this.peerKeys.get(to)!.encryptionKey, ctx.context, 'share');
        const sealed = seal(key, concatBytes(keyShares[k + 1]!, seedShares[k + 1]!), shareAssociatedData(ctx, this.index, to), this.random);
        return signMessage(this.account, ctx.session, 'share', { to: ctx.participants[to]!, selfMaskCommitment: commitment, ciphertext: hexOf(sealed) });
      }),
    );
  }

  /** Stage 3: opens the shares addressed to this client and uploads the masked, quantized values. */
  async maskInput(values: ArrayLike<number>, shares: readonly unknown[]): Promise<MaskedInputMessage> {
    this.expectStage('shares-sent', 'mask its input');
    const { ctx } = this;
    const { config } = ctx;
    if (values.length !== ctx.session.vectorLength) {
      throw new SecAggError('SECAGG_MASKED_INPUT_INVALID', 'The update has the wrong length.', {
        details: [`expected: ${ctx.session.vectorLength}`, `got: ${values.length}`],
      });
    }
    const me = getAddress(this.account.address);
    for (const raw of shares) {
      const message = verifyMessage(raw, ctx.session, 'share', ctx.participants);
      const from = ctx.indexOf(message.sender);
      if (getAddress(message.body.to) !== me || !this.peerKeys.has(from)) {
        throw new SecAggError('SECAGG_BAD_MESSAGE', 'A share message is not addressed to this client by a neighbour that advertised keys.', {
          details: [`sender: ${message.sender}`, `to: ${message.body.to}`],
        });
      }
      if (this.held.has(from))
        throw new SecAggError('SECAGG_DUPLICATE_MESSAGE', 'Two share messages from one neighbour.', { details: [`sender: ${message.sender}`] });
      const key = agreeKey(this.encryption.secretKey, this.peerKeys.get(from)!.encryptionKey, ctx.context, 'share');
      const plain = open(key, bytesOf(message.body.ciphertext, undefined, 'A ciphertext'), shareAssociatedData(ctx, from, this.index));
      if (plain.length !== 2 * SHARE_BYTES) {
        throw new SecAggError('SECAGG_SHARE_INVALID', 'A decrypted share pair has the wrong length.', {
          details: [`sender: ${message.sender}`, `got: ${plain.length} bytes`],
        });
      }
      this.held.set(from, { keyShare: plain.slice(0, SHARE_BYTES), seedShare: plain.slice(SHARE_BYTES) });
    }
    // Masks pair exactly the neighbours whose shares arrived: the aggregator forwards the
    // shares of the clients it heard from, so both sides of each pair agree.
    this.maskedWith = [...this.held.keys()].filter((j) => j !== this.index).sort((a, b) => a - b);
    const masked = quantize(values, config);
    addInto(masked, expandMask(this.selfSeed!, masked.length, config.modulusRange));
    for (const j of this.maskedWith) {
      const pairwise = expandMask(agreeKey(this.mask.secretKey, this.peerKeys.get(j)!.maskKey, ctx.context, 'mask'), masked.length, config.modulusRange);
      if (this.index < j) addInto(masked, pairwise);
      else subtractInto(masked, pairwise);
    }
    reduceInto(masked, config.modulusRange);
    this.stage = 'masked';
    return signMessage(this.account, ctx.session, 'masked-input', { vector: Array.from(masked) });
  }

  /**
   * Stage 4: the shares the aggregator needs, if the request is one an honest client may
   * answer. Refused whole (nothing revealed) when a peer is listed both as survivor and
   * dropout, when this client already revealed the other kind for a peer, or when too
   * few of this client's neighbourhood survived.
   */
  async unmask(request: unknown): Promise<UnmaskResponse> {
    this.expectStage('masked', 'answer an unmask request');
    const { ctx } = this;
    const message = verifyMessage(request, ctx.session, 'unmask-request', [ctx.session.aggregator]);
    const survivors = new Set(message.body.survivors.map((a) => ctx.indexOf(a)));
    const dropped = new Set(message.body.dropped.map((a) => ctx.indexOf(a)));
    for (const p of survivors) {
      if (dropped.has(p)) {
        throw new SecAggError('SECAGG_DOUBLE_REVEAL', 'The request names a peer both as survivor and as dropout; revealing both shares would unmask it.', {
          details: [`peer: ${ctx.participants[p]}`],
        });
      }
    }
    if (!survivors.has(this.index))
      throw new SecAggError('SECAGG_BAD_MESSAGE', 'The unmask request does not list this client among the survivors.', {
        details: [`client: ${this.account.address}`],
      });
    const neighbourhood = [this.index, ...this.maskedWith];
    const alive = neighbourhood.filter((p) => survivors.has(p)).length;
    if (alive < ctx.config.reconstructionThreshold) {
      throw new SecAggError('SECAGG_TOO_FEW_SURVIVORS', 'Too few of this client’s neighbourhood survived; revealing shares now could expose an update.', {
        details: [`survivors in the neighbourhood: ${alive}`, `threshold: ${ctx.config.reconstructionThreshold}`],
      });
    }
    const plan: { peer: number; kind: 'seed' | 'key' }[] = [];
    for (const peer of neighbourhood) {
      const kind = survivors.has(peer) ? 'seed' : dropped.has(peer) ? 'key' : undefined;
      if (!kind) continue;
      const before = this.revealed.get(peer);
      if (before && before !== kind) {
        throw new SecAggError('SECAGG_DOUBLE_REVEAL', 'This client already revealed the other kind of share for this peer this round.', {
          details: [`peer: ${ctx.participants[peer]}`, `revealed: ${before}`, `asked: ${kind}`],
        });
      }
      plan.push({ peer, kind });
    }
    const selfMaskShares = [];
    const keyShares = [];
    for (const { peer, kind } of plan) {
      this.revealed.set(peer, kind);
      const held = this.held.get(peer)!;
      if (kind === 'seed') selfMaskShares.push({ of: ctx.participants[peer]!, share: hexOf(held.seedShare) });
      else keyShares.push({ of: ctx.participants[peer]!, share: hexOf(held.keyShare) });
    }
    return signMessage(this.account, ctx.session, 'unmask-response', { selfMaskShares, keyShares });
  }
}
