// One whole SecAgg+ round in one process, every message passing through the aggregator
// as it would through the coordinator's events or the store: used by the tests and the
// benchmark, and the reference for wiring the stages onto the round protocol. Clients in
// `dropAfterSharing` go silent after sending their shares (they are masked into their
// neighbours' vectors, then removed from the sum); clients in `dropBeforeKeys` never join.
import type { LocalAccount } from 'viem';
import { SecAggClient } from './client.ts';
import type { MaskedInputMessage, SecAggSession, UnmaskResponse } from './messages.ts';
import type { RandomBytes } from './random-bytes.ts';
import { type SecAggResult, SecAggServer } from './server.ts';

export type RoundInput = {
  session: SecAggSession;
  aggregator: LocalAccount;
  clients: readonly LocalAccount[];
  /** values[i]: client i's update, in value units. */
  values: readonly ArrayLike<number>[];
  dropAfterSharing?: ReadonlySet<number>;
  dropBeforeKeys?: ReadonlySet<number>;
  random?: (client: number) => RandomBytes;
};

/** Milliseconds spent in the clients' and in the aggregator's code, over the whole round. */
export type RoundTiming = { client: number; server: number };

export type RoundOutput = {
  result: SecAggResult;
  masked: MaskedInputMessage[];
  /** JSON bytes each client sent and received, by client. */
  bytes: { sent: number; received: number }[];
  timing: RoundTiming;
};

const size = (message: unknown) => Buffer.byteLength(JSON.stringify(message));

export async function runSecAggRound(input: RoundInput): Promise<RoundOutput> {
  const { session } = input;
  const timing: RoundTiming = { client: 0, server: 0 };
  const timed = async <T>(side: keyof RoundTiming, work: () => T | Promise<T>): Promise<T> => {
    const started = performance.now();
    const out = await work();
    timing[side] += performance.now() - started;
    return out;
  };
  const server = await timed('server', () => new SecAggServer(session, input.aggregator));
  const bytes = input.clients.map(() => ({ sent: 0, received: 0 }));
  const clients = input.clients.map((account, i) => ({ i, account })).filter(({ i }) => !input.dropBeforeKeys?.has(i));
  const built = new Map<number, SecAggClient>();
  for (const { i, account } of clients) built.set(i, await timed('client', () => new SecAggClient({ account, session, random: input.random?.(i) })));
  const live = clients.map(({ i }) => ({ i, client: built.get(i)! }));
  for (const { i, client } of live) {
    const message = await timed('client', () => client.advertiseKeys());
    bytes[i]!.sent += size(message);
    await timed('server', () => server.receiveKeys(message));
  }
  const roster = server.keyRoster();
  for (const { i, client } of live) {
    // A client needs only its neighbours' keys; the relay sends it just those.
    const mine = roster.filter((m) => client.neighbours.includes(session.participants.indexOf(m.sender)));
    bytes[i]!.received += size(mine);
    for (const share of await timed('client', () => client.shareKeys(mine))) {
      bytes[i]!.sent += size(share);
      await timed('server', () => server.receiveShare(share));
    }
  }
  const masked: MaskedInputMessage[] = [];
  const survivors = live.filter(({ i }) => !input.dropAfterSharing?.has(i));
  for (const { i, client } of live) {
    const shares = await timed('server', () => server.sharesFor(input.clients[i]!.address));
    bytes[i]!.received += size(shares);
    const message = await timed('client', () => client.maskInput(input.values[i]!, shares));
    if (input.dropAfterSharing?.has(i)) continue;
    bytes[i]!.sent += size(message);
    masked.push(message);
    await timed('server', () => server.receiveMaskedInput(message));
  }
  const request = await timed('server', () => server.unmaskRequest());
  const responses: UnmaskResponse[] = [];
  for (const { i, client } of survivors) {
    bytes[i]!.received += size(request);
    const response = await timed('client', () => client.unmask(request));
    bytes[i]!.sent += size(response);
    responses.push(response);
  }
  for (const response of responses) await timed('server', () => server.receiveUnmaskResponse(response));
  const result = await timed('server', () => server.aggregate());
  return { result, masked, bytes, timing };
}
