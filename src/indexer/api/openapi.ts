// The index API as an OpenAPI 3.1 document, served at GET /openapi.json. Kept as data
// beside the routes (server.ts); a test checks that the routes the server answers and
// the paths described here are the same.
import { verificationModes } from '../../protocol/verification-modes.ts';
import { indexerErrorStatus } from '../errors.ts';
import { indexedContracts } from '../events.ts';
import { HISTORY, RECENT } from './pages.ts';
import { DEFAULT_LIMIT, MAX_LIMIT } from './params.ts';
import { demandStatuses, taskCaps } from './queries-fl.ts';
import { RATE_WINDOW_SECONDS } from './queries-gateway.ts';
import { proofStatuses } from './queries-zk.ts';
import { ACTIVITY_BUCKETS } from './summary.ts';

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: object) => ({ 'application/json': { schema } });
const hex32 = { type: 'string', pattern: '^0x[0-9a-fA-F]{64}$' };
const address = { type: 'string', pattern: '^0x[0-9a-fA-F]{40}$' };
const amount = { type: 'string', pattern: '^[0-9]{1,78}$', description: 'token base units as a decimal string' };
const nullableAmount = { ...amount, type: ['string', 'null'] };
const integer = { type: 'integer', minimum: 0 };
const nullableInteger = { type: ['integer', 'null'], minimum: 0 };
const positiveId = { type: 'integer', minimum: 1 };
const nullable = (schema: object & { type: string }) => ({ ...schema, type: [schema.type, 'null'] });
const signedAmount = { type: 'string', pattern: '^-?[0-9]{1,78}$', description: 'a signed decimal string' };
const text = { type: 'string' };

const codesWith = (status: number) =>
  Object.entries(indexerErrorStatus)
    .filter(([code, s]) => s === status && code !== 'DATABASE_TOO_NEW' && code !== 'INDEXER_OPTIONS_INVALID')
    .map(([code]) => code)
    .join(', ');
const errors = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((s) => [String(s), { description: `Error codes: ${codesWith(s)}.`, content: json(ref('ErrorBody')) }]));

const queryParam = (name: string, schema: object, description: string) => ({ name, in: 'query', required: false, schema, description });
const pathParam = (name: string, schema: object) => ({ name, in: 'path', required: true, schema });
const pageParams = [
  queryParam('limit', { type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT }, 'items per page'),
  queryParam('cursor', { type: 'string' }, 'the nextCursor of the previous page'),
];
const eventParams = [
  queryParam('contract', { type: 'string', enum: [...indexedContracts] }, 'only events of this contract'),
  queryParam('name', { type: 'string' }, 'only events of this name (for example Deposited)'),
];
const pageOf = (item: string) => ({
  type: 'object',
  required: ['items', 'nextCursor'],
  properties: { items: { type: 'array', items: ref(item) }, nextCursor: { type: ['string', 'null'], description: 'null on the last page' } },
});

const list = (summary: string, item: string, params: object[] = []) => ({
  get: { summary, parameters: [...params, ...pageParams], responses: { '200': { description: 'One page.', content: json(pageOf(item)) }, ...errors(400) } },
});
const detail = (summary: string, param: object, schema: object) => ({
  get: { summary, parameters: [param], responses: { '200': { description: 'The record.', content: json(schema) }, ...errors(400, 404) } },
});

const position = { blockNumber: integer, logIndex: integer, txHash: hex32 };

export const indexerOpenApi = {
  openapi: '3.1.0',
  info: {
    title: 'Trellis index',
    version: '1',
    description:
      'Read-only view of one Trellis deployment as indexed from chain events: providers, models, payments, disputes and every raw event, with a live stream. Lists are keyset-paginated. See docs/indexer.md.',
  },
  paths: {
    '/openapi.json': { get: { summary: 'This document.', responses: { '200': { description: 'The OpenAPI document.' } } } },
    '/v1/status': {
      get: {
        summary: 'How far the index is: the indexed block, the chain head, confirmations and lag.',
        responses: { '200': { description: 'The status.', content: json(ref('Status')) }, ...errors(400) },
      },
    },
    '/v1/providers': list('Providers, by address, each with its prices, its latest slashes and its reputation per tag.', 'Provider'),
    '/v1/providers/{address}': detail(
      `One provider as a list row carries it, with up to ${HISTORY} slashes and reputation tags.`,
      pathParam('address', address),
      ref('Provider'),
    ),
    '/v1/models': list('Published models, newest first, each with the prices providers set for it and what its redemptions earned.', 'ListedModel', [
      queryParam('owner', address, 'only models of this owner'),
    ]),
    '/v1/models/{id}': detail('One model as a list row carries it.', pathParam('id', hex32), ref('ListedModel')),
    '/v1/disputes': list('Disputes, newest first, each with every move and payout.', 'ListedDispute', [
      queryParam('provider', address, 'only disputes against this provider'),
      queryParam('resolved', { type: 'string', enum: ['true', 'false'] }, 'only resolved or only open disputes'),
    ]),
    '/v1/disputes/{id}': detail('One dispute with every move and payout.', pathParam('id', hex32), ref('ListedDispute')),
    '/v1/payments': list('Escrow payments, newest first: deposits, withdrawals, redemptions and claims.', 'Payment', [
      queryParam('kind', { type: 'string', enum: ['deposit', 'withdrawal_requested', 'withdrawal', 'redemption', 'claim'] }, 'only this kind'),
      queryParam('account', address, 'only payments of this client (or claimant)'),
      queryParam('provider', address, 'only redemptions by this provider'),
    ]),
    '/v1/agents': list('Agent identities, newest first.', 'Agent', [queryParam('owner', address, 'only agents of this owner')]),
    '/v1/agents/{id}': detail('One agent with its validations and the reputation of its wallet.', pathParam('id', positiveId), ref('AgentDetail')),
    '/v1/spend-permissions': list('Approved spend permissions, newest first.', 'SpendPermission', [
      queryParam('account', address, 'only permissions over this wallet'),
      queryParam('spender', address, 'only permissions of this agent key'),
    ]),
    '/v1/spend-permissions/{hash}': detail(
      'One spend permission with what each period spent and its payments.',
      pathParam('hash', hex32),
      ref('SpendPermissionDetail'),
    ),
    '/v1/spend-payments': list('Payments agents made under spend permissions, newest first.', 'SpendPayment', [
      queryParam('account', address, 'only payments from this wallet'),
      queryParam('spender', address, 'only payments by this agent key'),
      queryParam('payee', address, 'only payments to this payee'),
    ]),
    '/v1/validations': list('Validation requests and responses, by request hash.', 'Validation', [
      queryParam('agentId', positiveId, 'only validations of this agent'),
      queryParam('validator', address, 'only validations by this validator'),
    ]),
    '/v1/reputation': list('Reputation per subject: entries, total and total per tag, by address.', 'ReputationSubject'),
    '/v1/reputation/{address}': detail(
      'The reputation of one address: its scores per tag and its latest entries.',
      pathParam('address', address),
      ref('Reputation'),
    ),
    '/v1/fl/tasks': list(
      'Federated training tasks, newest first, each with its participants, latest rounds (submissions, aggregate, scores, demands) and latest outcomes (challenges, slashes, rewards, claims, royalties).',
      'TrainingTask',
    ),
    '/v1/fl/tasks/{id}': detail(
      `One training task as a list row carries it, with up to ${taskCaps.record.rounds} rounds, demands per round and outcomes.`,
      pathParam('id', positiveId),
      ref('TrainingTask'),
    ),
    '/v1/fl/demands': list(
      'Demands of the availability game (FlAvailability), newest first: answered, or left unanswered (the committer slashed, the post void).',
      'Demand',
      [
        queryParam('taskId', positiveId, 'only demands in this training task'),
        queryParam('status', { type: 'string', enum: [...demandStatuses] }, 'only demands in this state'),
      ],
    ),
    '/v1/zk/verifiers': list(
      'Models with a zk verifier registered in ZkRegistry, by model id: the verifier, the Poseidon weight commitment, and how many results and zk requests each has.',
      'ZkVerifier',
    ),
    '/v1/zk/requests': list('Requests the followed gateway routed in verification zk, newest first, with what became of their proof.', 'ZkRequest', [
      queryParam('proofStatus', { type: 'string', enum: [...proofStatuses] }, 'only requests whose proof was bound or refused'),
      queryParam('modelId', hex32, 'only requests for this model'),
    ]),
    '/v1/zk/results': list('Results whose proof ZkRegistry.verifyAndRecord checked and recorded on chain, newest first.', 'ZkResult', [
      queryParam('modelId', hex32, 'only results of this model'),
      queryParam('submitter', address, 'only results this account submitted'),
    ]),
    '/v1/zk/slashes': list('Providers slashed by ZkReceiptSlasher for a signed zk receipt whose proof fails, newest first.', 'ZkSlash', [
      queryParam('provider', address, 'only slashes of this provider'),
    ]),
    '/v1/gateway': {
      get: {
        summary: `What the gateway reported of its traffic: totals, requests per second over the last ${RATE_WINDOW_SECONDS} s, and per provider its measured latency and error rate.`,
        description: 'Empty (no requests, no providers) unless the indexer follows a gateway (trellis up, or trellis indexer --gateway-url).',
        responses: { '200': { description: 'The summary.', content: json(ref('GatewaySummary')) }, ...errors(400) },
      },
    },
    '/v1/gateway/requests': list("The gateway's routing decisions, newest first.", 'GatewayRequest'),
    '/v1/events': list('Every indexed event, newest first.', 'Event', eventParams),
    '/v1/overview': {
      get: {
        summary: 'Totals for a first screen: providers and stake, models, disputes, escrow money, fees, and earnings per model and per provider.',
        responses: { '200': { description: 'The totals.', content: json(ref('Overview')) }, ...errors(400) },
      },
    },
    '/v1/activity': {
      get: {
        summary: `Deposits, redemptions and fees in the latest ${ACTIVITY_BUCKETS} buckets of block time, oldest first, ending at the newest indexed block.`,
        parameters: [queryParam('bucket', { type: 'integer', minimum: 1, maximum: 86_400, default: 60 }, 'seconds of block time per bucket')],
        responses: { '200': { description: 'The buckets.', content: json(ref('Activity')) }, ...errors(400) },
      },
    },
    '/v1/search/{hash}': {
      get: {
        summary: 'What a 32-byte hash names: a transaction (its events and payments), a receipt (the disputes over it), a dispute or a model.',
        description: 'A receipt reaches the chain only when it is disputed, so undisputed requests are not found (HASH_NOT_FOUND).',
        parameters: [pathParam('hash', hex32)],
        responses: { '200': { description: 'Every match.', content: json(ref('SearchResult')) }, ...errors(400, 404) },
      },
    },
    '/v1/matrix': {
      get: {
        summary: "The synergy matrix (docs/matrix.md): the grid, Trellis's evaluation and every catalog project's, from this repository rather than the chain.",
        responses: { '200': { description: 'The grid and the evaluations.', content: json(ref('Matrix')) }, ...errors(400) },
      },
    },
    '/v1/stream': {
      get: {
        summary: 'Server-sent events: `event` messages with one indexed event each (an Event as JSON), as they are indexed.',
        description: 'The first message is `ready`. Events are sent once their block has the configured confirmations; the id is "block:logIndex".',
        parameters: eventParams,
        responses: { '200': { description: 'An event stream.', content: { 'text/event-stream': { schema: { type: 'string' } } } }, ...errors(400) },
      },
    },
  },
  components: {
    schemas: {
      ErrorBody: {
        type: 'object',
        required: ['error'],
        properties: {
          error: {
            type: 'object',
            required: ['code', 'message', 'details'],
            properties: { code: { type: 'string' }, message: { type: 'string' }, details: { type: 'array', items: { type: 'string' } } },
          },
        },
      },
      Status: {
        type: 'object',
        properties: {
          chainId: integer,
          deploymentBlock: integer,
          indexedBlock: { type: 'integer', description: 'the last block whose events are all indexed' },
          head: nullableInteger,
          confirmations: integer,
          lag: { ...nullableInteger, description: 'head minus indexedBlock' },
          skippedLogs: { ...integer, description: 'logs of Trellis contracts that could not be decoded' },
          failures: { ...integer, description: 'consecutive failed indexing steps (the chain node does not answer)' },
          lastError: { type: ['string', 'null'] },
        },
      },
      Event: {
        type: 'object',
        properties: { ...position, contract: { type: 'string', enum: [...indexedContracts] }, address, name: { type: 'string' }, args: { type: 'object' } },
      },
      Provider: {
        type: 'object',
        properties: {
          address,
          endpoint: { type: 'string' },
          pubKey: { type: 'string' },
          activeStake: amount,
          unbondingStake: amount,
          withdrawnStake: amount,
          slashedTotal: amount,
          slashCount: integer,
          jailedUntil: { ...integer, description: 'unix time; 0 if never jailed' },
          openDisputes: integer,
          registeredBlock: integer,
          updatedBlock: integer,
          prices: {
            type: 'array',
            maxItems: HISTORY,
            items: {
              allOf: [
                ref('Price'),
                { type: 'object', properties: { metadataURI: { type: ['string', 'null'], description: "the model's metadata URI (its name or package)" } } },
              ],
            },
          },
          slashes: { type: 'array', items: ref('Slash'), description: `the latest slashes: ${RECENT} in a list, ${HISTORY} in GET /v1/providers/{address}` },
          reputation: {
            type: 'array',
            items: ref('ReputationScore'),
            description: `its reputation per tag, the tags with the most entries first: ${RECENT} in a list, ${HISTORY} in GET /v1/providers/{address}`,
          },
        },
      },
      Price: { type: 'object', properties: { provider: address, modelId: hex32, price: amount, updatedBlock: integer } },
      Slash: {
        type: 'object',
        properties: { ...position, provider: address, recipient: address, slasher: address, requested: amount, fromActive: amount, fromUnbonding: amount },
      },
      Model: {
        type: 'object',
        properties: {
          id: hex32,
          owner: address,
          contentHash: hex32,
          weightCommitment: hex32,
          metadataURI: { type: 'string' },
          royaltyBps: integer,
          pendingRoyalty: { type: ['object', 'null'], properties: { royaltyBps: integer, effectiveAt: integer } },
          shape: { type: ['object', 'null'], properties: { inputSize: integer, rowCount: integer, layerCount: integer } },
          deprecated: { type: 'boolean' },
          publishedBlock: integer,
          publishedTx: hex32,
          updatedBlock: integer,
        },
      },
      ListedModel: {
        allOf: [
          ref('Model'),
          {
            type: 'object',
            properties: {
              prices: { type: 'array', items: ref('Price'), maxItems: HISTORY, description: 'the providers that set a price for it' },
              earnings: {
                allOf: [ref('Split'), { type: 'object', properties: { redemptions: integer } }],
                description: "the split of every redemption for the model: the providers', the owner's royalty, the protocol fee",
              },
            },
          },
        ],
      },
      Payment: {
        type: 'object',
        properties: {
          ...position,
          kind: { type: 'string', enum: ['deposit', 'withdrawal_requested', 'withdrawal', 'redemption', 'claim'] },
          account: address,
          provider: { ...address, type: ['string', 'null'] },
          modelId: { ...hex32, type: ['string', 'null'] },
          amount: { ...amount, description: 'for a redemption, what was paid' },
          balance: { ...nullableAmount, description: 'escrow balance after a deposit or withdrawal' },
          cumulativeAmount: nullableAmount,
          shortfall: nullableAmount,
        },
      },
      Dispute: {
        type: 'object',
        properties: {
          id: hex32,
          challenger: address,
          provider: address,
          receiptId: hex32,
          client: address,
          modelId: hex32,
          bond: amount,
          lastMove: { type: 'string' },
          deadline: integer,
          resolved: { type: 'boolean' },
          providerLost: { type: ['boolean', 'null'] },
          outcome: nullableInteger,
          winner: { ...address, type: ['string', 'null'] },
          openedBlock: integer,
          openedTx: hex32,
          updatedBlock: integer,
        },
      },
      Move: { type: 'object', properties: { ...position, name: { type: 'string' }, args: { type: 'object' } } },
      Payout: {
        type: 'object',
        properties: {
          ...position,
          contract: { type: 'string' },
          kind: { type: 'string' },
          account: { ...address, type: ['string', 'null'] },
          disputeId: { ...hex32, type: ['string', 'null'] },
          amount,
          details: { type: 'object' },
        },
      },
      Split: { type: 'object', properties: { providerAmount: amount, royalty: amount, protocolFee: amount } },
      Overview: {
        type: 'object',
        properties: {
          providers: { type: 'object', properties: { count: integer, activeStake: amount, slashedTotal: amount, slashes: integer } },
          models: { type: 'object', properties: { count: integer, deprecated: integer } },
          disputes: { type: 'object', properties: { open: integer, resolved: integer, providerLost: integer } },
          escrow: { type: 'object', properties: { deposited: amount, withdrawn: amount, redeemed: amount, redemptions: integer } },
          fees: ref('Split'),
          earningsByModel: { type: 'array', items: { allOf: [ref('Split'), { type: 'object', properties: { modelId: hex32, redemptions: integer } }] } },
          earningsByProvider: { type: 'array', items: { allOf: [ref('Split'), { type: 'object', properties: { provider: address, redemptions: integer } }] } },
          latestBlockTime: { ...nullableInteger, description: 'unix time of the newest indexed block' },
        },
      },
      Activity: {
        type: 'object',
        properties: {
          bucketSeconds: integer,
          buckets: {
            type: 'array',
            maxItems: ACTIVITY_BUCKETS,
            items: {
              type: 'object',
              properties: {
                start: { ...integer, description: 'unix time' },
                redemptions: integer,
                paid: amount,
                deposited: amount,
                protocolFee: amount,
                royalty: amount,
              },
            },
          },
        },
      },
      SearchResult: {
        type: 'object',
        properties: {
          hash: hex32,
          transaction: {
            type: ['object', 'null'],
            properties: {
              txHash: hex32,
              blockNumber: integer,
              events: { type: 'array', items: ref('Event') },
              payments: { type: 'array', items: ref('Payment') },
            },
          },
          receipt: { type: ['object', 'null'], properties: { receiptId: hex32, disputes: { type: 'array', items: ref('Dispute') } } },
          dispute: { oneOf: [ref('Dispute'), { type: 'null' }] },
          model: { oneOf: [ref('Model'), { type: 'null' }] },
        },
      },
      Matrix: {
        type: 'object',
        description: 'See src/matrix/grid.ts (GridCell) and src/matrix/evaluate.ts (Evaluation) for the shapes.',
        properties: {
          grid: { type: 'array', items: { type: 'object' } },
          trellis: { type: 'object' },
          catalog: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, evaluation: { type: 'object' } } } },
        },
      },
      GatewayRequest: {
        type: 'object',
        properties: {
          gateway: { ...hex32, pattern: '^0x[0-9a-f]{32}$', description: 'the gateway instance (changes when it restarts)' },
          seq: positiveId,
          at: { ...integer, description: 'unix milliseconds when the gateway received the request' },
          requestHash: nullable(hex32),
          modelId: nullable(hex32),
          providers: { type: 'array', items: address, description: 'the providers whose receipts came back' },
          attempts: nullableInteger,
          latencyMs: integer,
          status: { type: 'string', description: 'ok, or the error code the gateway answered with' },
          verification: { type: ['string', 'null'], enum: [...verificationModes, null] },
        },
      },
      ZkVerifier: {
        type: 'object',
        properties: {
          modelId: hex32,
          metadataURI: { type: ['string', 'null'], description: "the model's metadata URI (its name or package), null if the model is not indexed" },
          verifier: { ...address, description: 'the Groth16 verifier contract' },
          commitment: { ...amount, description: 'the Poseidon weight commitment every proof of the model must carry' },
          registrations: { ...positiveId, description: 'how often the owner registered a verifier; the latest counts' },
          registeredBlock: integer,
          registeredTx: hex32,
          results: { ...integer, description: 'results recorded on chain' },
          requests: { ...integer, description: 'zk requests the followed gateway routed' },
        },
      },
      ZkRequest: {
        type: 'object',
        properties: {
          gateway: { ...hex32, pattern: '^0x[0-9a-f]{32}$' },
          seq: positiveId,
          at: integer,
          requestHash: nullable(hex32),
          modelId: nullable(hex32),
          providers: { type: 'array', items: address },
          latencyMs: integer,
          status: { type: 'string', description: 'ok, or the error code the gateway answered with' },
          proofStatus: {
            type: 'string',
            enum: [...proofStatuses],
            description:
              'bound: the gateway passed the answer on, its receipt binding the proof it carries (the client verifies the proof before it pays); refused: the gateway answered an error, no proof reached the client',
          },
        },
      },
      ZkResult: {
        type: 'object',
        properties: { ...position, modelId: hex32, ioHash: { ...amount, description: "the proof's I/O hash" }, commitment: amount, submitter: address },
      },
      ZkSlash: {
        type: 'object',
        properties: {
          ...position,
          receiptId: hex32,
          provider: address,
          reporter: address,
          slashed: amount,
          reward: { ...amount, description: "the reporter's share" },
        },
      },
      Demand: {
        type: 'object',
        properties: {
          id: positiveId,
          taskId: positiveId,
          round: positiveId,
          demander: address,
          target: { oneOf: [integer, { type: 'string', enum: ['aggregate'] }], description: "a participant index (its committed update), or 'aggregate'" },
          index: { ...integer, description: 'the element demanded' },
          bond: amount,
          deadline: { ...integer, description: 'unix seconds by which it must be answered' },
          status: { type: 'string', enum: [...demandStatuses] },
          answerer: nullable(address),
          value: { ...signedAmount, type: ['string', 'null'], description: 'the opened element' },
          challengeEnd: { ...nullableInteger, description: "the round's challenge end as the answer extended it" },
          voided: { type: ['boolean', 'null'], description: 'unanswered: whether the post it was made against still stood and is now void' },
          demandedBlock: integer,
          demandedTx: hex32,
          settledBlock: nullableInteger,
          settledTx: nullable(hex32),
        },
      },
      GatewaySummary: {
        type: 'object',
        properties: {
          requests: integer,
          failed: integer,
          errorRate: { type: ['number', 'null'] },
          requestsPerSecond: { type: 'number' },
          windowSeconds: integer,
          latestAt: nullableInteger,
          providers: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                address,
                latencyMs: { type: ['number', 'null'], description: "the gateway's moving average of round trips" },
                errorRate: { type: 'number', description: "the gateway's moving average of failures, 0 to 1" },
                healthy: { type: 'boolean' },
                healthReason: text,
                served: integer,
                servedLatencyMs: { type: ['number', 'null'] },
                updatedAt: integer,
              },
            },
          },
        },
      },
      Agent: {
        type: 'object',
        properties: {
          id: positiveId,
          owner: address,
          uri: text,
          wallet: { ...nullable(address), description: 'the agentWallet; null after a transfer cleared it' },
          metadata: { type: 'object', description: 'other metadata keys, values as hex' },
          registeredBlock: integer,
          registeredTx: hex32,
          updatedBlock: integer,
          validations: {
            type: 'array',
            items: ref('Validation'),
            description: `the latest validations: ${RECENT} in a list, 100 in GET /v1/agents/{id}; all of them: GET /v1/validations?agentId=`,
          },
        },
      },
      AgentDetail: {
        allOf: [
          ref('Agent'),
          {
            type: 'object',
            properties: {
              validations: { type: 'array', items: ref('Validation'), maxItems: 100 },
              reputation: { type: 'array', items: ref('ReputationScore') },
            },
          },
        ],
      },
      SpendPermission: {
        type: 'object',
        properties: {
          hash: hex32,
          account: address,
          spender: address,
          token: address,
          allowance: { ...amount, description: 'the most one period may spend' },
          period: { ...integer, description: 'seconds' },
          start: integer,
          end: integer,
          salt: amount,
          extraData: text,
          revoked: { type: 'boolean' },
          spentTotal: amount,
          approvedBlock: integer,
          updatedBlock: integer,
          currentPeriod: { oneOf: [ref('SpendPeriod'), { type: 'null' }], description: 'the latest period anything was spent in (lists only)' },
        },
      },
      SpendPeriod: { type: 'object', properties: { start: integer, end: integer, spent: amount, updatedBlock: integer } },
      SpendPayment: {
        type: 'object',
        properties: { ...position, permission: hex32, account: nullable(address), spender: nullable(address), payee: address, amount },
      },
      SpendPermissionDetail: {
        allOf: [
          ref('SpendPermission'),
          {
            type: 'object',
            properties: {
              killedEpoch: { ...nullableInteger, description: "the account's kill-switch epoch, if it was ever pulled" },
              periods: { type: 'array', items: ref('SpendPeriod'), maxItems: 100 },
              payments: { type: 'array', items: ref('SpendPayment'), maxItems: 100 },
            },
          },
        ],
      },
      Validation: {
        type: 'object',
        properties: {
          requestHash: hex32,
          validator: address,
          agentId: positiveId,
          requestURI: text,
          response: { ...nullableInteger, description: '0 to 100, null until answered' },
          responseURI: nullable(text),
          responseHash: nullable(hex32),
          tag: nullable(text),
          requestedBlock: integer,
          respondedBlock: nullableInteger,
        },
      },
      ReputationScore: { type: 'object', properties: { subject: address, tag: text, entries: integer, total: signedAmount, updatedBlock: integer } },
      ReputationSubject: {
        type: 'object',
        properties: { subject: address, entries: integer, total: signedAmount, byTag: { type: 'object' }, updatedBlock: integer },
      },
      Reputation: {
        type: 'object',
        properties: {
          subject: address,
          scores: { type: 'array', items: ref('ReputationScore') },
          feedback: {
            type: 'array',
            maxItems: 100,
            items: { type: 'object', properties: { ...position, subject: address, source: address, tag: text, value: signedAmount, evidence: hex32 } },
          },
        },
      },
      TrainingTask: {
        type: 'object',
        properties: {
          id: positiveId,
          owner: address,
          config: { type: 'object', description: 'the TaskConfig as created (docs/fl.md)' },
          initialModelCid: text,
          aggregator: address,
          aggregatorStaked: nullableAmount,
          rewardPool: amount,
          rounds: integer,
          participants: integer,
          finishedAt: nullableInteger,
          modelRoot: nullable(hex32),
          closed: { type: 'boolean' },
          refunded: nullableAmount,
          modelId: nullable(hex32),
          royalties: { ...nullable(address), description: "the final model's royalty splitter" },
          createdBlock: integer,
          createdTx: hex32,
          updatedBlock: integer,
          participantList: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                account: address,
                index: integer,
                examples: integer,
                datasetHash: hex32,
                slashed: { type: 'boolean' },
                returned: nullableAmount,
                forfeited: nullableAmount,
                joinedBlock: integer,
              },
            },
          },
          roundList: {
            type: 'array',
            description: `the latest rounds, oldest of them first: ${taskCaps.list.rounds} in a list, ${taskCaps.record.rounds} in GET /v1/fl/tasks/{id}`,
            items: {
              type: 'object',
              properties: {
                round: positiveId,
                status: { type: 'string', enum: ['none', 'open', 'posted', 'final', 'empty'] },
                openedAt: nullableInteger,
                submitEnd: nullableInteger,
                submissions: {
                  type: 'array',
                  items: { type: 'object', properties: { ...position, account: address, index: integer, root: hex32, cid: text } },
                },
                demands: {
                  type: 'array',
                  items: ref('Demand'),
                  description: `the availability game in this round, its latest demands: ${taskCaps.list.demands} in a list, ${taskCaps.record.demands} in GET /v1/fl/tasks/{id}; all of them: GET /v1/fl/demands`,
                },
                demandCount: { ...integer, description: 'every demand of the round' },
                aggregate: {
                  type: ['object', 'null'],
                  properties: { root: hex32, cid: text, excluded: { type: 'array' }, selected: { type: 'array' }, challengeEnd: integer },
                },
                modelRoot: nullable(hex32),
                scores: { type: ['object', 'null'], properties: { scoreSum: amount, roundPool: amount, paid: amount } },
                updatedBlock: integer,
              },
            },
          },
          roundCount: { ...integer, description: 'every round indexed' },
          outcomes: {
            type: 'array',
            description: `the latest outcomes, oldest of them first: ${taskCaps.list.outcomes} in a list, ${taskCaps.record.outcomes} in GET /v1/fl/tasks/{id}`,
            items: {
              type: 'object',
              properties: {
                ...position,
                kind: {
                  type: 'string',
                  enum: [
                    'challenge',
                    'aggregator_slashed',
                    'participant_slashed',
                    'reward',
                    'stake_returned',
                    'claim',
                    'royalties_collected',
                    'royalties_paid',
                  ],
                },
                round: nullableInteger,
                account: nullable(address),
                amount,
                details: { type: 'object' },
              },
            },
          },
          outcomeCount: { ...integer, description: 'every outcome of the task' },
        },
      },
      ListedDispute: {
        allOf: [
          ref('Dispute'),
          {
            type: 'object',
            properties: {
              moves: { type: 'array', items: ref('Move'), maxItems: HISTORY, description: 'every move, in order' },
              payouts: { type: 'array', items: ref('Payout'), maxItems: HISTORY },
            },
          },
        ],
      },
    },
  },
} as const;
