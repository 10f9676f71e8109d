// EIP-712 hashing for the protocol's flat structs (no nested or dynamic fields). The
// type hash of a struct and the separator of a domain are computed once and kept, so
// hashing a message costs one keccak over its encoded fields and one over the result.
// Values are checked as viem's hashTypedData checks them, so that whatever viem refuses
// to hash is refused here too.
import { keccak_256 } from '@noble/hashes/sha3';
import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils';
import { isAddress, type Address, type Hex } from 'viem';

export type FieldType = 'address' | 'bytes32' | 'uint8' | 'uint64' | 'uint256';
export type Field = { readonly name: string; readonly type: FieldType };
export type Eip712Domain = { name: string; version: string; chainId: number; verifyingContract: Address };

const keccak = (bytes: Uint8Array): Uint8Array => keccak_256(bytes);

const typeHashOf = (primaryType: string, fields: readonly Field[]): Uint8Array =>
  keccak(utf8ToBytes(`${primaryType}(${fields.map((f) => `${f.type} ${f.name}`).join(',')})`));

const DOMAIN_TYPE_HASH = keccak(utf8ToBytes('EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)'));

const bitsOf: Record<Exclude<FieldType, 'address' | 'bytes32'>, bigint> = { uint8: 8n, uint64: 64n, uint256: 256n };

function writeField(out: Uint8Array, offset: number, field: Field, value: unknown): void {
  if (field.type === 'address') {
    if (typeof value !== 'string' || !isAddress(value)) throw new Error(`${field.name}: invalid address ${String(value)}`);
    out.set(hexToBytes(value.slice(2)), offset + 12);
  } else if (field.type === 'bytes32') {
    if (typeof value !== 'string' || !/^0x[0-9a-fA-F]{64}$/.test(value)) throw new Error(`${field.name}: expected 32 bytes, got ${String(value)}`);
    out.set(hexToBytes(value.slice(2)), offset);
  } else {
    const n = typeof value === 'bigint' ? value : typeof value === 'number' && Number.isSafeInteger(value) ? BigInt(value) : undefined;
    if (n === undefined || n < 0n || n >= 1n << bitsOf[field.type]) throw new Error(`${field.name}: ${String(value)} is not a ${field.type}`);
    out.set(hexToBytes(n.toString(16).padStart(64, '0')), offset);
  }
}

/** The hasher of one struct type: `digest(domain, message)` is viem's hashTypedData. */
export function structHasher<M extends Record<string, unknown>>(primaryType: string, fields: readonly Field[]) {
  const typeHash = typeHashOf(primaryType, fields);
  // A deployment has one or two domains; a bound keeps a process that checks many from growing.
  const separators = new Map<string, Uint8Array>();
  const separatorOf = (domain: Eip712Domain): Uint8Array => {
    const key = `${domain.name}\n${domain.version}\n${domain.chainId}\n${domain.verifyingContract.toLowerCase()}`;
    let separator = separators.get(key);
    if (!separator) {
      const encoded = new Uint8Array(5 * 32);
      encoded.set(DOMAIN_TYPE_HASH, 0);
      encoded.set(keccak(utf8ToBytes(domain.name)), 32);
      encoded.set(keccak(utf8ToBytes(domain.version)), 64);
      writeField(encoded, 96, { name: 'chainId', type: 'uint256' }, BigInt(domain.chainId));
      writeField(encoded, 128, { name: 'verifyingContract', type: 'address' }, domain.verifyingContract);
      separator = keccak(encoded);
      if (separators.size >= 16) separators.clear();
      separators.set(key, separator);
    }
    return separator;
  };
  return (domain: Eip712Domain, message: M): Hex => {
    const struct = new Uint8Array((fields.length + 1) * 32);
    struct.set(typeHash, 0);
    for (const [i, field] of fields.entries()) writeField(struct, (i + 1) * 32, field, message[field.name]);
    const envelope = new Uint8Array(66);
    envelope[0] = 0x19;
    envelope[1] = 0x01;
    envelope.set(separatorOf(domain), 2);
    envelope.set(keccak(struct), 34);
    return `0x${bytesToHex(keccak(envelope))}`;
  };
}
