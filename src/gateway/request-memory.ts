// The gateway's own knowledge of replays: the hashes of the requests it is serving or
// has delivered a result for. Only this knowledge makes a REPLAYED answer final; a
// provider saying REPLAYED about a request this gateway never delivered is not
// believed (it could black-hole traffic that way). An entry is kept until its
// request's deadline has passed, after which every provider refuses the request
// anyway, and the oldest entries go first when more than `capacity` are held.
import type { Hex } from 'viem';
import { ProtocolError } from '../protocol/errors.ts';

export const DEFAULT_REQUEST_MEMORY = 100_000;

export class RequestMemory {
  /** Delivered request hashes with their deadline (unix seconds), oldest first. */
  private readonly delivered = new Map<Hex, bigint>();
  private readonly inFlight = new Set<Hex>();

  constructor(private readonly capacity = DEFAULT_REQUEST_MEMORY) {}

  /** Takes a request in; REPLAYED when it is being served or was delivered here. */
  claim(requestHash: Hex, now: bigint): void {
    this.forgetExpired(now);
    if (this.delivered.has(requestHash))
      throw new ProtocolError('REPLAYED', 'This gateway already delivered a result for this request.', { details: [`request hash: ${requestHash}`] });
    if (this.inFlight.has(requestHash))
      throw new ProtocolError('REPLAYED', 'This gateway is serving this very request now.', { details: [`request hash: ${requestHash}`] });
    this.inFlight.add(requestHash);
  }

  /** Ends a claim; a delivered request is remembered until its deadline. */
  release(requestHash: Hex, delivered: { deadline: bigint } | undefined): void {
    this.inFlight.delete(requestHash);
    if (!delivered) return;
    this.delivered.set(requestHash, delivered.deadline);
    while (this.delivered.size > this.capacity) this.delivered.delete(this.delivered.keys().next().value as Hex);
  }

  get size(): number {
    return this.delivered.size;
  }

  private forgetExpired(now: bigint): void {
    // Deadlines are roughly in insertion order; stop at the first one still alive.
    for (const [hash, deadline] of this.delivered) {
      if (deadline >= now) break;
      this.delivered.delete(hash);
    }
  }
}
