// Following the links of a package's DAG: raw blocks are leaves, dag-pb nodes link
// to their children. Used to write a CAR in the order a trustless gateway sends it
// and to tell which blocks a fetch still lacks.
import * as dagPb from '@ipld/dag-pb';
import type { CID } from 'multiformats/cid';
import type { BlockStore } from './block-store.ts';
import { checkCid, cidKey, DAG_PB_CODE } from './cid.ts';
import { StoreError } from './errors.ts';

/** The CIDs a block links to, in link order; a link to a kind of block a package cannot hold is refused. */
export function blockLinks(cid: CID, bytes: Uint8Array): CID[] {
  if (cid.code !== DAG_PB_CODE) return [];
  let node: dagPb.PBNode;
  try {
    node = dagPb.decode(bytes);
  } catch (cause) {
    throw new StoreError('STORE_DAG_INVALID', `Block ${cid.toString()} is not a valid dag-pb node.`, { details: [`cid: ${cid.toString()}`], cause });
  }
  return node.Links.map((link) => {
    try {
      return checkCid(link.Hash);
    } catch (cause) {
      throw new StoreError('STORE_DAG_INVALID', `Block ${cid.toString()} links to a block a package cannot hold.`, {
        details: [`cid: ${cid.toString()}`, `link: ${link.Hash.toString()}`],
        cause,
      });
    }
  });
}

/**
 * Every block of the DAG under `root`, each once, depth-first with links in order (the
 * `order=dfs` of the trustless gateway). A block comes before its children.
 */
export async function* walkDag(store: BlockStore, root: CID): AsyncGenerator<{ cid: CID; bytes: Uint8Array }> {
  const seen = new Set<string>();
  const stack: CID[] = [checkCid(root)];
  while (stack.length > 0) {
    const cid = stack.pop()!;
    const key = cidKey(cid);
    if (seen.has(key)) continue;
    seen.add(key);
    const bytes = await store.getBlock(cid);
    yield { cid, bytes };
    stack.push(...blockLinks(cid, bytes).reverse());
  }
}
