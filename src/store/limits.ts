// Bounds on what the store accepts from a folder or a remote source. A CID says
// nothing about the size of the DAG under it, so a fetch counts as it goes and stops at
// the first block past a limit instead of filling the disk.
import { StoreError } from './errors.ts';

export type StoreLimits = {
  /** Largest single block. 1 MiB is the size IPFS nodes still exchange over bitswap. */
  maxBlockBytes: number;
  /** Largest package: the sum of the bytes of all its blocks. */
  maxPackageBytes: number;
  /** Most blocks in one package (files, chunks and folders together). */
  maxBlocks: number;
};

export const DEFAULT_STORE_LIMITS: StoreLimits = {
  maxBlockBytes: 1024 * 1024,
  maxPackageBytes: 2 * 1024 * 1024 * 1024,
  maxBlocks: 100_000,
};

/** Fills in defaults and refuses limits that are not positive integers. */
export function resolveLimits(partial: Partial<StoreLimits> = {}): StoreLimits {
  const limits = { ...DEFAULT_STORE_LIMITS, ...partial };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw new StoreError('STORE_LIMITS_INVALID', `The store limit ${name} must be a positive integer.`, { details: [`got: ${String(value)}`] });
    }
  }
  return limits;
}

/** Running totals of one package, checked against the limits at every block. */
export class PackageTally {
  blocks = 0;
  bytes = 0;

  constructor(
    private readonly limits: StoreLimits,
    private readonly what: string,
  ) {}

  add(size: number): void {
    this.blocks += 1;
    this.bytes += size;
    if (this.blocks > this.limits.maxBlocks) {
      throw new StoreError('STORE_PACKAGE_TOO_LARGE', `${this.what} has more than ${this.limits.maxBlocks} blocks.`, {
        details: ['raise maxBlocks to accept it'],
      });
    }
    if (this.bytes > this.limits.maxPackageBytes) {
      throw new StoreError('STORE_PACKAGE_TOO_LARGE', `${this.what} is larger than ${this.limits.maxPackageBytes} bytes.`, {
        details: ['raise maxPackageBytes to accept it'],
      });
    }
  }
}
