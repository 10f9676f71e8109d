// The JSON forms of the protocol messages, and their checked parsing. On the wire a
// uint256 is a decimal string and bytes are 0x hex, so no precision is lost in JSON.
// Every parse error names the field path and what was expected.
import { getAddress, isAddress, isHex, type Address, type Hex } from 'viem';
import type { SignedVoucher } from '../payments/voucher.ts';
import { parseZkProofResult, type ZkProofResult } from '../zk/proof-format.ts';
import { ProtocolError } from './errors.ts';
import type { InferenceRequest, Receipt, SignedAssignment } from './messages.ts';
import { parseSealedInput, type SealedInput } from './sealed-input.ts';

export type Wire<T> = { [K in keyof T]: T[K] extends bigint ? string : T[K] };

export type InferBody = {
  request: Wire<InferenceRequest>;
  signature: Hex;
  /** One sample, flattened in the model's input order. Exactly one of input and sealedInput. */
  input?: number[];
  /** The input sealed to one provider's key (docs/privacy.md): the same sample, as JSON, encrypted. */
  sealedInput?: SealedInput;
  /** Through a gateway, with sealedInput: the provider the input is sealed to, the only one it can go to. */
  provider?: Address;
  /** Vouchers paying for earlier results (see docs/protocol.md, "Paying"). */
  vouchers?: Wire<SignedVoucher['voucher'] & { signature: Hex }>[];
  /** The router gateway's assignment of the request to the provider it is sent to; absent when the provider is the router. */
  assignment?: SignedAssignment['assignment'] & { signature: Hex };
};

export type InferResult = {
  /** Fixed point: the exact output integers (value = output * 2^-frac). Float path: the float32 values. */
  output: number[];
} & InferResultCommon;

/** The answer to a sealed input: the output, as JSON, sealed to the client (never the output beside it). */
export type SealedInferResult = { sealedOutput: Hex } & InferResultCommon;

type InferResultCommon = {
  shape: number[];
  /** The output scale for fixed point; null for the float path. */
  frac: number | null;
  receipt: Wire<Receipt>;
  signature: Hex;
  /** verification zk: the proof and its public signals, bound by the receipt's traceRoot. */
  zk?: ZkProofResult;
};

export const toWire = <T extends object>(value: T): Wire<T> =>
  Object.fromEntries(Object.entries(value).map(([k, v]) => [k, typeof v === 'bigint' ? v.toString() : v])) as Wire<T>;

export type Field = { path: string; value: unknown };

const fail = (field: Field, expected: string): never => {
  throw new ProtocolError('INVALID_BODY', `${field.path}: expected ${expected}.`, { details: [`got ${describe(field.value)}`] });
};

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text === undefined ? typeof value : text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

const object = (field: Field): Record<string, unknown> =>
  typeof field.value === 'object' && field.value !== null && !Array.isArray(field.value) ? (field.value as Record<string, unknown>) : fail(field, 'an object');

const child = (parent: Field, key: string): Field => ({ path: parent.path ? `${parent.path}.${key}` : key, value: object(parent)[key] });

const address = (field: Field): Address =>
  typeof field.value === 'string' && isAddress(field.value) ? getAddress(field.value) : fail(field, 'an address (0x and 40 hex digits)');

const bytes32 = (field: Field): Hex =>
  typeof field.value === 'string' && isHex(field.value) && field.value.length === 66
    ? (field.value.toLowerCase() as Hex)
    : fail(field, '32 bytes as 0x and 64 hex digits');

const signature = (field: Field): Hex =>
  typeof field.value === 'string' && isHex(field.value) && field.value.length === 132
    ? field.value
    : fail(field, 'a 65-byte signature as 0x and 130 hex digits');

const uint = (field: Field, bits = 256): bigint => {
  if (typeof field.value !== 'string' || !/^\d{1,78}$/.test(field.value)) return fail(field, 'an unsigned integer as a decimal string');
  const value = BigInt(field.value);
  return value < 2n ** BigInt(bits) ? value : fail(field, `an integer below 2^${bits}`);
};

const uint8 = (field: Field): number =>
  Number.isInteger(field.value) && (field.value as number) >= 0 && (field.value as number) < 256
    ? (field.value as number)
    : fail(field, 'an integer from 0 to 255');

export function parseRequest(field: Field): InferenceRequest {
  return {
    client: address(child(field, 'client')),
    modelId: bytes32(child(field, 'modelId')),
    inputHash: bytes32(child(field, 'inputHash')),
    maxFee: uint(child(field, 'maxFee')),
    nonce: uint(child(field, 'nonce')),
    deadline: uint(child(field, 'deadline'), 64),
    verification: uint8(child(field, 'verification')),
    router: address(child(field, 'router')),
  };
}

/** Parses an assignment (`assignment`), absent when the body has none. */
export function parseAssignment(field: Field): SignedAssignment | undefined {
  if (field.value === undefined) return undefined;
  return {
    assignment: { requestHash: bytes32(child(field, 'requestHash')), provider: address(child(field, 'provider')) },
    signature: signature(child(field, 'signature')),
  };
}

export function parseReceipt(field: Field): Receipt {
  return {
    requestHash: bytes32(child(field, 'requestHash')),
    client: address(child(field, 'client')),
    provider: address(child(field, 'provider')),
    modelId: bytes32(child(field, 'modelId')),
    inputHash: bytes32(child(field, 'inputHash')),
    outputHash: bytes32(child(field, 'outputHash')),
    traceRoot: bytes32(child(field, 'traceRoot')),
    fee: uint(child(field, 'fee')),
    channelTotal: uint(child(field, 'channelTotal')),
    issuedAt: uint(child(field, 'issuedAt'), 64),
    verification: uint8(child(field, 'verification')),
  };
}

export function parseSignedVoucher(field: Field): SignedVoucher {
  return {
    voucher: {
      client: address(child(field, 'client')),
      provider: address(child(field, 'provider')),
      modelId: bytes32(child(field, 'modelId')),
      cumulativeAmount: uint(child(field, 'cumulativeAmount')),
    },
    signature: signature(child(field, 'signature')),
  };
}

/** Parses a voucher list (`vouchers`, at most `max` entries). */
export function parseVouchers(field: Field, max = 64): SignedVoucher[] {
  if (field.value === undefined) return [];
  if (!Array.isArray(field.value) || field.value.length > max) return fail(field, `an array of at most ${max} vouchers`);
  return field.value.map((value, i) => parseSignedVoucher({ path: `${field.path}[${i}]`, value }));
}

/** A body carries its input in the clear (`input`) or sealed to one provider (`sealedInput`, naming that `provider` to a gateway). */
export type ParsedInferBody = { request: InferenceRequest; signature: Hex; vouchers: SignedVoucher[]; assignment?: SignedAssignment } & (
  | { input: number[]; sealedInput?: undefined; provider?: undefined }
  | { input?: undefined; sealedInput: SealedInput; provider?: Address }
);

/** One sample: an array of finite numbers (`path` names it in errors: `input`, or the sealed input's plaintext). */
export function parseSample(field: Field): number[] {
  if (!Array.isArray(field.value)) fail(field, 'an array of numbers (one sample)');
  (field.value as unknown[]).forEach((x, i) => {
    if (typeof x !== 'number' || !Number.isFinite(x)) fail({ path: `${field.path}[${i}]`, value: x }, 'a finite number');
  });
  return field.value as number[];
}

export function parseInferBody(value: unknown): ParsedInferBody {
  const body: Field = { path: '', value };
  const fields = object(body);
  const common = {
    request: parseRequest(child(body, 'request')),
    signature: signature(child(body, 'signature')),
    vouchers: parseVouchers(child(body, 'vouchers')),
    assignment: parseAssignment(child(body, 'assignment')),
  };
  if ((fields.input === undefined) === (fields.sealedInput === undefined)) {
    throw new ProtocolError('INVALID_BODY', 'The body must carry exactly one of input and sealedInput.', {
      details: [fields.input === undefined ? 'got neither' : 'got both', 'input: the sample in the clear; sealedInput: the sample sealed to one provider'],
    });
  }
  if (fields.sealedInput === undefined) {
    if (fields.provider !== undefined) fail(child(body, 'provider'), 'nothing: provider is named only with sealedInput');
    return { ...common, input: parseSample(child(body, 'input')) };
  }
  const provider = fields.provider === undefined ? undefined : address(child(body, 'provider'));
  return { ...common, sealedInput: parseSealedInput(fields.sealedInput), ...(provider ? { provider } : {}) };
}

const numbers = (field: Field) =>
  Array.isArray(field.value) && field.value.every((x) => typeof x === 'number' && Number.isFinite(x))
    ? (field.value as number[])
    : fail(field, 'an array of finite numbers');

type ParsedResultCommon = { shape: number[]; frac: number | null; receipt: Receipt; signature: Hex; zk?: ZkProofResult };

function parseResultCommon(body: Field): ParsedResultCommon {
  const frac = child(body, 'frac');
  if (frac.value !== null && !Number.isSafeInteger(frac.value)) fail(frac, 'an integer or null');
  return {
    shape: numbers(child(body, 'shape')),
    frac: frac.value as number | null,
    receipt: parseReceipt(child(body, 'receipt')),
    signature: signature(child(body, 'signature')),
    ...(object(body).zk === undefined ? {} : { zk: parseZkProofResult('zk', object(body).zk) }),
  };
}

export function parseInferResult(value: unknown): { output: number[] } & ParsedResultCommon {
  const body: Field = { path: '', value };
  if (object(body).sealedOutput !== undefined) fail(child(body, 'sealedOutput'), 'nothing: the input was sent in the clear');
  return { output: numbers(child(body, 'output')), ...parseResultCommon(body) };
}

/** The answer to a sealed input: its output sealed, and no output in the clear beside it (that would be a leak). */
export function parseSealedInferResult(value: unknown): { sealedOutput: Hex } & ParsedResultCommon {
  const body: Field = { path: '', value };
  if (object(body).output !== undefined) fail(child(body, 'output'), 'nothing in the clear: the answer to a sealed input must be sealed');
  const sealed = child(body, 'sealedOutput');
  if (typeof sealed.value !== 'string' || !isHex(sealed.value) || sealed.value.length % 2 !== 0) fail(sealed, 'the sealed output as 0x hex');
  return { sealedOutput: sealed.value as Hex, ...parseResultCommon(body) };
}
