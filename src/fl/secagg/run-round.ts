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

export type RoundOutput = {
  result: SecAggResult;
  masked: MaskedInputMessage[];
  /** JSON bytes each client sent and received, by client. */
  bytes: { sent: number; received: number }[];
};

const size = (message: unknown) => Buffer.byteLength(JSON.stringify(message));

export async function runSecAggRound(input: RoundInput): Promise<RoundOutput> {
  const { session } = input;
  const server = new SecAggServer(session, input.aggregator);
  const bytes = input.clients.map(() => ({ sent: 0, received: 0 }));
  const clients = input.clients
    .map((account, i) => ({ i, client: new SecAggClient({ account, session, random: input.random?.(i) }) }))
    .filter(({ i }) => !input.dropBeforeKeys?.has(i));
  for (const { i, client } of clients) {
    const message = await client.advertiseKeys();
    bytes[i]!.sent += size(message);
    server.receiveKeys(message);
  }
  const roster = server.keyRoster();
  for (const { i, client } of clients) {
    // A client needs only its neighbours' keys; the relay sends it just those.
    const mine = roster.filter((m) => client.neighbours.includes(session.participants.indexOf(m.sender)));
    bytes[i]!.received += size(mine);
    for (const share of await client.shareKeys(mine)) {
      bytes[i]!.sent += size(share);
      server.receiveShare(share);
    }
  }
  const masked: MaskedInputMessage[] = [];
  const survivors = clients.filter(({ i }) => !input.dropAfterSharing?.has(i));
  for (const { i, client } of clients) {
    const shares = server.sharesFor(input.clients[i]!.address);
    bytes[i]!.received += size(shares);
    const message = await client.maskInput(input.values[i]!, shares);
    if (input.dropAfterSharing?.has(i)) continue;
    bytes[i]!.sent += size(message);
    masked.push(message);
    server.receiveMaskedInput(message);
  }
  const request = await server.unmaskRequest();
  const responses: UnmaskResponse[] = [];
  for (const { i, client } of survivors) {
    bytes[i]!.received += size(request);
    const response = await client.unmask(request);
    bytes[i]!.sent += size(response);
    responses.push(response);
  }
  for (const response of responses) server.receiveUnmaskResponse(response);
  return { result: await server.aggregate(), masked, bytes };
}
