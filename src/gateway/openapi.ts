// The gateway's HTTP API as an OpenAPI 3.1 document, served at GET /openapi.json.
// Kept as data beside the handlers (server.ts); a test checks that every route the
// server answers is described here and the other way round.
import { protocolErrorStatus } from '../protocol/errors.ts';

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const hex32 = { type: 'string', pattern: '^0x[0-9a-fA-F]{64}$' };
const address = { type: 'string', pattern: '^0x[0-9a-fA-F]{40}$' };
const signature = { type: 'string', pattern: '^0x[0-9a-fA-F]{130}$' };
const uint = { type: 'string', pattern: '^[0-9]{1,78}$', description: 'unsigned integer as a decimal string' };
const verificationMode = { type: 'integer', minimum: 0, maximum: 255, description: 'verification mode: 0 none, 1 redundant, 2 optimistic, 3 zk' };
const numbers = { type: 'array', items: { type: 'number' } };
const json = (schema: object) => ({ 'application/json': { schema } });

/** An error response naming the codes a route can give with that status. */
const errorResponse = (description: string) => ({ description, content: json(ref('ErrorBody')) });

const codesWith = (status: number) =>
  Object.entries(protocolErrorStatus)
    .filter(([, s]) => s === status)
    .map(([code]) => code)
    .join(', ');

const errors = (...statuses: number[]) => Object.fromEntries(statuses.map((s) => [String(s), errorResponse(`Error codes: ${codesWith(s)}.`)]));

export const openApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'Trellis gateway',
    version: '1',
    description:
      'Routes inference requests to provider nodes discovered from the chain, retries failures on other providers, and checks every receipt. Holds no funds and no client keys; its own routing key signs, for each provider it sends a request to, an assignment of that request to that provider. See docs/gateway.md and docs/protocol.md.',
  },
  paths: {
    '/v1/infer': {
      post: {
        summary: 'Run one inference on the best provider (or on k providers in redundant mode).',
        description:
          'The body is what a provider takes, plus an optional `redundancy`. The request must name this gateway as its `router` (the `gateway` address of GET /v1/health), or it is refused with ROUTE_MISMATCH (403). The signed request is forwarded unchanged, with an assignment of it to the provider called, signed by the gateway. With verification 1 (redundant) the request goes to `redundancy` providers at once and their output hashes are compared. With `sealedInput` instead of `input` (docs/privacy.md) the body must name the `provider` the input is sealed to: it goes there only (NO_PROVIDER when that provider cannot serve now), unread, with verification 0 or 2 only, and the answer carries `sealedOutput` instead of `output`.',
        requestBody: { required: true, content: json(ref('InferBody')) },
        responses: {
          '200': {
            description: 'A checked result: a single-provider answer, a redundant one, or the sealed answer to a sealed input.',
            content: json({ oneOf: [ref('InferAnswer'), ref('RedundantAnswer'), ref('SealedAnswer')] }),
          },
          ...errors(400, 401, 402, 403, 404, 409, 410, 413, 422, 500, 502, 503),
        },
      },
    },
    '/v1/vouchers': {
      post: {
        summary: 'Deliver vouchers, each to the provider it names.',
        requestBody: {
          required: true,
          content: json({
            type: 'object',
            required: ['vouchers'],
            properties: { vouchers: { type: 'array', minItems: 1, maxItems: 64, items: ref('Voucher') } },
          }),
        },
        responses: {
          '200': {
            description: 'One outcome per provider named.',
            content: json({
              type: 'object',
              properties: {
                results: {
                  type: 'array',
                  items: {
                    type: 'object',
                    required: ['provider', 'ok'],
                    properties: {
                      provider: address,
                      ok: { type: 'boolean' },
                      answer: { description: "the provider's answer { accepted, channels }" },
                      error: ref('Error'),
                    },
                  },
                },
              },
            }),
          },
          ...errors(400, 413, 500),
        },
      },
    },
    '/v1/route': {
      get: {
        summary: 'The route step of a sealed request: the provider this gateway would send a request for this model to now.',
        description:
          "Seal the input to that provider's key as ProviderRegistry.encryptionKeyOf returns it (not to anything this gateway says), and name the provider in the body.",
        parameters: [
          { name: 'model', in: 'query', required: true, schema: hex32 },
          { name: 'maxFee', in: 'query', required: false, schema: { ...uint, description: 'the most the request pays one provider; default 1000000' } },
        ],
        responses: {
          '200': {
            description: 'The provider to seal to.',
            content: json({
              type: 'object',
              required: ['modelId', 'provider', 'endpoint', 'price'],
              properties: { modelId: hex32, provider: address, endpoint: { type: 'string' }, price: uint },
            }),
          },
          ...errors(400, 404, 503),
        },
      },
    },
    '/v1/providers': {
      get: {
        summary: 'Providers known from the registry, with health and measured figures.',
        responses: {
          '200': { description: 'The providers.', content: json({ type: 'object', properties: { providers: { type: 'array', items: ref('Provider') } } }) },
          ...errors(500),
        },
      },
    },
    '/v1/models': {
      get: {
        summary: 'Models that are published and not deprecated, with the providers serving each now.',
        responses: {
          '200': { description: 'The models.', content: json({ type: 'object', properties: { models: { type: 'array', items: ref('Model') } } }) },
          ...errors(500),
        },
      },
    },
    '/v1/health': {
      get: {
        summary: 'The gateway itself: its routing address, chain, last block read, provider and model counts.',
        responses: {
          '200': { description: "Gateway health: the chain node answers on the deployment's chain.", content: json(healthSchema('ok')) },
          '503': {
            description: 'The chain node does not answer, or is on another chain: nothing can be paid or checked.',
            content: json(healthSchema('degraded')),
          },
          ...errors(500),
        },
      },
    },
    '/x402/v1/infer/{modelId}': {
      post: {
        summary: 'One inference paid per call with x402 v2 (exact scheme, EIP-3009 in the Trellis token). See docs/x402.md.',
        description:
          'Without a PAYMENT-SIGNATURE header: 402 with a PAYMENT-REQUIRED header (base64 JSON) from the provider routing ranks first, naming it as payTo at its price. With one: forwarded to the provider the payment names (accepted.payTo), which verifies, runs, and settles only a call that succeeded; the answer carries PAYMENT-RESPONSE. x402 refusals carry the x402 reason (in PAYMENT-REQUIRED, or as the error code).',
        parameters: [{ name: 'modelId', in: 'path', required: true, schema: hex32 }],
        requestBody: {
          required: true,
          content: json({
            type: 'object',
            required: ['input'],
            properties: {
              input: numbers,
              verification: {
                enum: ['none', 'redundant', 'optimistic', 'zk'],
                default: 'none',
                description: 'zk is refused here (ZK_NOT_SERVED): use POST /v1/infer',
              },
            },
          }),
        },
        responses: {
          '200': {
            description: 'The result, the provider-signed receipt (channelTotal 0, fee the amount paid) and the request the payment stands for.',
            content: json({
              type: 'object',
              required: ['output', 'shape', 'frac', 'receipt', 'signature', 'request'],
              properties: { output: numbers, shape: numbers, frac: {}, receipt: ref('Receipt'), signature, request: ref('InferenceRequest') },
            }),
          },
          '400': errorResponse(
            'A malformed PAYMENT-SIGNATURE or one for another resource (invalid_payload), a payTo that is no provider (invalid_exact_evm_recipient_mismatch), or a bad body.',
          ),
          '402': { description: 'Payment required, or refused: the PAYMENT-REQUIRED header carries the requirements and x402 reason.' },
          '404': errorResponse('UNKNOWN_MODEL.'),
          '409': errorResponse('invalid_exact_evm_nonce_already_used: the authorization is in use by another call.'),
          ...errors(413, 422, 500, 502, 503),
        },
      },
    },
    '/x402/verify': {
      post: {
        summary: "x402 facilitator: verify a payment (x402's HTTPFacilitatorClient calls it under the base URL /x402).",
        responses: {
          '200': { description: 'VerifyResponse { isValid, invalidReason?, payer }.' },
          '400': { description: 'Not a verify request: { isValid: false, invalidReason: "invalid_payload" }.' },
          '404': errorResponse('This gateway serves no facilitator.'),
        },
      },
    },
    '/x402/settle': {
      post: {
        summary: 'x402 facilitator: settle a payment, at most once per authorization nonce.',
        responses: {
          '200': { description: 'SettleResponse { success, transaction, network, payer, errorReason? }.' },
          '400': { description: 'Not a settle request: { success: false, errorReason: "invalid_payload" }.' },
          '404': errorResponse('This gateway serves no facilitator.'),
        },
      },
    },
    '/x402/supported': {
      get: {
        summary: 'x402 facilitator: the schemes and networks it settles, and its signer.',
        responses: { '200': { description: 'SupportedResponse { kinds, extensions, signers }.' }, '404': errorResponse('This gateway serves no facilitator.') },
      },
    },
    '/v1/requests': {
      get: {
        summary:
          'Recent routing decisions, oldest first (the last 1000 kept in memory; `instance` changes when the gateway restarts): request hash, model, providers, attempts, latency, status, verification mode. Query: after (a seq, default 0), limit (1..500, default 100).',
        responses: {
          '200': {
            description: 'A page of the log.',
            content: json({
              type: 'object',
              required: ['instance', 'items'],
              properties: { instance: { type: 'string' }, items: { type: 'array', items: { type: 'object' } } },
            }),
          },
          ...errors(400, 500),
        },
      },
    },
    '/ipfs/{cid}': {
      get: {
        summary:
          'A model package or one of its blocks by CID, after the IPFS trustless gateway conventions (docs/store.md): ?format=raw or Accept: application/vnd.ipld.raw for one block, ?format=car or application/vnd.ipld.car for a CAR, else the file or folder listing; a path after the CID walks into the package.',
        responses: {
          '200': { description: 'The bytes; verify them against the CID (every Trellis fetcher does).' },
          '400': errorResponse('STORE_CID_INVALID, STORE_PATH_INVALID, STORE_REQUEST_INVALID: not a CID, a bad path, or a format this store does not serve.'),
          '404': errorResponse('STORE_BLOCK_NOT_FOUND, STORE_PATH_NOT_FOUND: not held here, and no provider of a published model holds it.'),
          ...errors(500),
        },
      },
    },
    '/openapi.json': {
      get: { summary: 'This document.', responses: { '200': { description: 'OpenAPI 3.1 document.', content: json({ type: 'object' }) } } },
    },
  },
  components: {
    schemas: {
      InferenceRequest: {
        type: 'object',
        required: ['client', 'modelId', 'inputHash', 'maxFee', 'nonce', 'deadline', 'verification', 'router'],
        properties: {
          client: address,
          modelId: hex32,
          inputHash: hex32,
          maxFee: uint,
          nonce: uint,
          deadline: uint,
          verification: verificationMode,
          router: { ...address, description: 'the gateway the request is sent through (GET /v1/health, field gateway), or the one provider it is for' },
        },
      },
      Receipt: {
        type: 'object',
        required: ['requestHash', 'client', 'provider', 'modelId', 'inputHash', 'outputHash', 'traceRoot', 'fee', 'channelTotal', 'issuedAt', 'verification'],
        properties: {
          requestHash: hex32,
          client: address,
          provider: address,
          modelId: hex32,
          inputHash: hex32,
          outputHash: hex32,
          traceRoot: hex32,
          fee: uint,
          channelTotal: uint,
          issuedAt: { ...uint, description: 'unix seconds when the provider signed; the challenge window runs from here' },
          verification: verificationMode,
        },
      },
      Voucher: {
        type: 'object',
        required: ['client', 'provider', 'modelId', 'cumulativeAmount', 'signature'],
        properties: { client: address, provider: address, modelId: hex32, cumulativeAmount: uint, signature },
      },
      InferBody: {
        type: 'object',
        required: ['request', 'signature'],
        description: 'Exactly one of input and sealedInput.',
        properties: {
          request: ref('InferenceRequest'),
          signature,
          input: numbers,
          sealedInput: ref('SealedInput'),
          provider: { ...address, description: 'with sealedInput: the provider the input is sealed to' },
          vouchers: { type: 'array', maxItems: 64, items: ref('Voucher') },
          redundancy: { type: 'integer', minimum: 2, description: 'k providers for verification 1 (redundant); default 2' },
        },
      },
      InferAnswer: {
        type: 'object',
        required: ['output', 'shape', 'receipt', 'signature', 'provider', 'attempts'],
        properties: {
          output: numbers,
          shape: numbers,
          frac: { type: ['integer', 'null'] },
          receipt: ref('Receipt'),
          signature,
          provider: address,
          attempts: { type: 'integer', minimum: 1 },
          zk: ref('ZkProof'),
        },
      },
      SealedInput: {
        type: 'object',
        description:
          "The input (its JSON array) sealed with HPKE (RFC 9180 base mode, DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, ChaCha20-Poly1305, info 'trellis sealed input v1') to the provider's registered key, the request hash as associated data.",
        required: ['keyVersion', 'enc', 'ciphertext'],
        properties: {
          keyVersion: { type: 'integer', minimum: 1, description: 'the version ProviderRegistry.encryptionKeyOf returned with the key' },
          enc: { type: 'string', pattern: '^0x[0-9a-fA-F]{64}$', description: 'the encapsulated key' },
          ciphertext: { type: 'string', pattern: '^0x([0-9a-fA-F]{2})+$' },
        },
      },
      SealedAnswer: {
        type: 'object',
        required: ['sealedOutput', 'shape', 'receipt', 'signature', 'provider', 'attempts'],
        properties: {
          sealedOutput: {
            type: 'string',
            pattern: '^0x([0-9a-fA-F]{2})+$',
            description:
              "the output's JSON array under ChaCha20-Poly1305 with the key exported from the request's HPKE context; the client checks it against the receipt's outputHash once opened",
          },
          shape: numbers,
          frac: { type: ['integer', 'null'] },
          receipt: ref('Receipt'),
          signature,
          provider: address,
          attempts: { const: 1 },
        },
      },
      ZkProof: {
        type: 'object',
        description:
          'verification 3 (zk) only: the Groth16 proof (snarkjs JSON) and its public signals [Poseidon weight commitment, I/O hash]. The receipt traceRoot is keccak256(abi.encode(a, b, c, publicSignals)) of it (docs/zk.md); the gateway checks that binding, the client verifies the proof before it pays.',
        required: ['proof', 'publicSignals'],
        properties: {
          proof: {
            type: 'object',
            required: ['pi_a', 'pi_b', 'pi_c', 'protocol', 'curve'],
            properties: {
              pi_a: { type: 'array', items: uint, minItems: 3, maxItems: 3 },
              pi_b: { type: 'array', items: { type: 'array', items: uint, minItems: 2, maxItems: 2 }, minItems: 3, maxItems: 3 },
              pi_c: { type: 'array', items: uint, minItems: 3, maxItems: 3 },
              protocol: { const: 'groth16' },
              curve: { const: 'bn128' },
            },
          },
          publicSignals: { type: 'array', items: uint, minItems: 1, maxItems: 16 },
        },
      },
      RedundantAnswer: {
        type: 'object',
        required: ['output', 'shape', 'receipts', 'agreement', 'attempts'],
        properties: {
          output: { ...numbers, description: 'the majority output (on a tie, the best-ranked provider)' },
          shape: numbers,
          frac: { type: ['integer', 'null'] },
          receipts: {
            type: 'array',
            items: { type: 'object', required: ['receipt', 'signature', 'provider'], properties: { receipt: ref('Receipt'), signature, provider: address } },
          },
          agreement: { type: 'boolean', description: 'false: the output hashes differ; every receipt was kept for a dispute' },
          attempts: { type: 'integer', minimum: 2 },
        },
      },
      Provider: {
        type: 'object',
        properties: {
          address,
          endpoint: { type: 'string' },
          activeStake: uint,
          unbondingStake: uint,
          jailedUntil: uint,
          active: { type: 'boolean' },
          healthy: { type: 'boolean' },
          healthReason: { type: 'string' },
          models: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                modelId: hex32,
                price: uint,
                served: { type: 'boolean' },
                zk: { type: 'boolean', description: 'proves the model (verification zk)' },
              },
            },
          },
          inFlight: { type: 'integer' },
          latencyMs: { type: ['number', 'null'] },
          errorRate: { type: 'number' },
        },
      },
      Model: {
        type: 'object',
        properties: {
          modelId: hex32,
          owner: address,
          contentHash: hex32,
          weightCommitment: hex32,
          metadataURI: { type: 'string' },
          royaltyBps: { type: 'integer' },
          deprecated: { const: false },
          providers: { type: 'array', items: address },
        },
      },
      Error: {
        type: 'object',
        required: ['code', 'message', 'details'],
        properties: { code: { enum: Object.keys(protocolErrorStatus) }, message: { type: 'string' }, details: { type: 'array', items: { type: 'string' } } },
      },
      ErrorBody: { type: 'object', required: ['error'], properties: { error: ref('Error') } },
    },
  },
} as const;

function healthSchema(status: 'ok' | 'degraded') {
  return {
    type: 'object',
    properties: {
      status: { const: status },
      gateway: { ...address, description: 'the routing address: requests sent here name it as their router' },
      chainId: { type: 'integer' },
      chain: {
        type: 'object',
        properties: {
          reachable: { type: 'boolean' },
          chainId: { type: ['integer', 'null'] },
          latestBlock: { type: ['string', 'null'] },
          reason: { type: 'string' },
        },
      },
      syncedBlock: uint,
      providers: { type: 'integer' },
      healthyProviders: { type: 'integer' },
      models: { type: 'integer' },
    },
  };
}
