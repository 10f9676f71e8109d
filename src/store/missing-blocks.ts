// What a fetch still lacks. Starting from the root, blocks already in the store are
// followed locally; every link to a block not yet held becomes wanted. A block from a
// source is accepted only if it is wanted (so a source cannot fill the disk with
// blocks of another DAG), only if its bytes match its CID, and only while the package
// stays within the limits.
import type { CID } from 'multiformats/cid';
import type { BlockStore } from './block-store.ts';
import { checkCid, cidKey } from './cid.ts';
import { blockLinks } from './dag.ts';
import { StoreError } from './errors.ts';
import { PackageTally } from './limits.ts';

export class MissingBlocks {
  private readonly wanted = new Map<string, CID>();
  private readonly seen = new Set<string>();
  readonly tally: PackageTally;
  /** Blocks stored by this fetch (the others were already held). */
  fetched = 0;

  private constructor(
    private readonly store: BlockStore,
    readonly root: CID,
  ) {
    this.tally = new PackageTally(store.limits, `The package ${root.toString()}`);
  }

  static async start(store: BlockStore, root: CID): Promise<MissingBlocks> {
    const missing = new MissingBlocks(store, checkCid(root));
    await missing.reach([missing.root]);
    return missing;
  }

  get done(): boolean {
    return this.wanted.size === 0;
  }

  /** The wanted blocks, in the order their links were found. */
  list(): CID[] {
    return [...this.wanted.values()];
  }

  /** Checks and stores one block from `from`; a repeat of a block already taken is ignored. */
  async accept(cid: CID, bytes: Uint8Array, from: string): Promise<void> {
    const key = cidKey(cid);
    if (!this.wanted.has(key)) {
      if (this.seen.has(key)) return;
      throw new StoreError('STORE_UNEXPECTED_BLOCK', `${from} sent block ${cid.toString()}, which no block received so far links to.`, {
        details: [`cid: ${cid.toString()}`, `source: ${from}`, `package: ${this.root.toString()}`],
      });
    }
    await this.store.putBlock(cid, bytes, from);
    this.wanted.delete(key);
    this.fetched += 1;
    this.tally.add(bytes.byteLength);
    await this.reach(blockLinks(cid, bytes));
  }

  /** Follows `cids` through the blocks already held; the first one not held on each branch becomes wanted. */
  private async reach(cids: CID[]): Promise<void> {
    const stack = [...cids].reverse();
    while (stack.length > 0) {
      const cid = stack.pop()!;
      const key = cidKey(cid);
      if (this.seen.has(key)) continue;
      this.seen.add(key);
      if (!(await this.store.has(cid))) {
        this.wanted.set(key, cid);
        continue;
      }
      const bytes = await this.store.getBlock(cid);
      this.tally.add(bytes.byteLength);
      stack.push(...blockLinks(cid, bytes).reverse());
    }
  }
}
