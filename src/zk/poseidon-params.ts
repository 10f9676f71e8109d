// The Poseidon parameters the chain needs to recompute a proof's I/O hash (ZkReceiptSlasher,
// contracts/src/libraries/Poseidon.sol): per width t (t - 1 inputs), the round constants C
// then the MDS matrix M row-major, exactly the constants of poseidon-lite (circomlib's
// Poseidon), as uint256 words.
//
// They are far too large to deploy with the contracts (about 400 kB for widths 2..17), so
// whoever asks the chain to recompute a hash passes the widths it needs as calldata; the
// contract checks each against its keccak256, which PoseidonParams.sol holds (generated
// from here, `poseidonParamsSolidity`, and checked byte for byte by a test).
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { encodePacked, keccak256, type Hex } from 'viem';
import { repoPath } from '../repo-root.ts';
import { PACK } from './commitment.ts';

/** Full rounds of every width; partial rounds per width t at index t - 2 (poseidon-lite). */
const FULL_ROUNDS = 8;
const PARTIAL_ROUNDS = [56, 57, 56, 60, 60, 63, 64, 63, 60, 66, 60, 65, 70, 60, 64, 68];
export const MIN_WIDTH = 2;
export const MAX_WIDTH = PARTIAL_ROUNDS.length + 1;

type Constants = { C: string[]; M: string[][] };

const fromBase64 = (s: string): bigint => {
  const bytes = Buffer.from(s, 'base64');
  return bytes.length === 0 ? 0n : BigInt(`0x${bytes.toString('hex')}`);
};

// poseidon-lite keeps its constants per input count in constants/<n>.js, a folder its
// package exports do not open: it is read by path from where the package resolves.
let constantsDir: string | undefined;
function constantsOf(inputs: number): Constants {
  constantsDir ??= join(dirname(createRequire(repoPath('package.json')).resolve('poseidon-lite')), 'constants');
  const require = createRequire(join(constantsDir, 'index.js'));
  return (require(join(constantsDir, `${inputs}.js`)) as { default: Constants }).default;
}

/** The parameter words of width t: C (rounds x t), then M (t x t, row-major). */
export function poseidonParams(t: number): bigint[] {
  if (!Number.isInteger(t) || t < MIN_WIDTH || t > MAX_WIDTH) throw new RangeError(`Poseidon width must be ${MIN_WIDTH}..${MAX_WIDTH}, got ${t}`);
  const { C, M } = constantsOf(t - 1);
  const rounds = FULL_ROUNDS + PARTIAL_ROUNDS[t - 2]!;
  if (C.length !== rounds * t || M.length !== t) throw new Error(`poseidon-lite constants of width ${t} have an unexpected shape`);
  return [...C.map(fromBase64), ...M.flat().map(fromBase64)];
}

export const partialRounds = (t: number): number => PARTIAL_ROUNDS[t - 2]!;

/** keccak256 of the words packed, as the contract checks them. */
export function poseidonParamsHash(t: number): Hex {
  const words = poseidonParams(t);
  return keccak256(encodePacked(['uint256[]'], [words]));
}

/** The widths a chain hash of `elements` field elements uses (src/zk/commitment.ts chainHash). */
export function chainHashWidths(elements: number): number[] {
  const widths: number[] = [];
  for (let start = 0; start < elements; start += PACK) widths.push(Math.min(PACK, elements - start) + 2);
  return widths;
}

/**
 * What ZkReceiptSlasher takes to recompute the I/O hash of an input and an output of
 * these lengths: entry t - 2 holds the parameters of width t when the hash uses it, and
 * is empty otherwise (calldata is paid per byte).
 */
export function poseidonParamsFor(inputLength: number, outputLength: number): bigint[][] {
  const elements = (n: number) => Math.ceil(n / PACK);
  const used = new Set([...chainHashWidths(elements(inputLength)), ...chainHashWidths(elements(outputLength)), 3]);
  const last = Math.max(...used);
  return Array.from({ length: last - 1 }, (_, i) => (used.has(i + 2) ? poseidonParams(i + 2) : []));
}

/** contracts/src/libraries/PoseidonParams.sol: per width, its partial rounds and the hash of its parameters. */
export function poseidonParamsSolidity(): string {
  const lines: string[] = [];
  for (let t = MIN_WIDTH; t <= MAX_WIDTH; t++) lines.push(`        if (t == ${t}) return (${partialRounds(t)}, ${poseidonParamsHash(t)});`);
  return `// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title PoseidonParams
/// @notice Per Poseidon width t (t - 1 inputs) of circomlib's Poseidon over BN254: its partial
///         rounds and keccak256 of its parameters packed (round constants, then the MDS matrix
///         row-major), so parameters passed as calldata can be checked. Written by
///         src/zk/poseidon-params.ts from poseidon-lite's constants; do not edit.
library PoseidonParams {
    /// @notice No Poseidon of this width exists here (widths ${MIN_WIDTH}..${MAX_WIDTH}).
    error PoseidonWidthUnknown(uint256 t);

    function width(uint256 t) internal pure returns (uint256 partialRounds, bytes32 paramsHash) {
${lines.join('\n')}
        revert PoseidonWidthUnknown(t);
    }
}
`;
}
