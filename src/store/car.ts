// CAR (content-addressed archive, version 1) in and out. Writing walks the DAG in
// depth-first order, as a trustless gateway answers `dag-scope=all`, one section at a
// time as the reader asks. Reading is done with the decoder's low-level parts so that
// a section's declared length is checked against the block size limit before its bytes
// are buffered; checking each block against its CID is left to the caller, which knows
// which blocks it still wants.
import * as CarBufferWriter from '@ipld/car/buffer-writer';
import { asyncIterableReader, readBlockHead, readHeader } from '@ipld/car/decoder';
import type { CID } from 'multiformats/cid';
import type { BlockStore } from './block-store.ts';
import { checkCid, cidKey } from './cid.ts';
import { walkDag } from './dag.ts';
import { StoreError } from './errors.ts';

/** `all`: the whole DAG under the root; `block`: the root block alone. */
export type DagScope = 'all' | 'block';

export type Block = { cid: CID; bytes: Uint8Array };

/**
 * The CAR of `root`, encoded as it is read: a reader that stops early leaves nothing
 * running behind it. A block missing part-way ends the stream with an error, never a
 * short CAR that looks whole.
 */
export async function* carStream(store: BlockStore, root: CID, scope: DagScope = 'all'): AsyncGenerator<Uint8Array> {
  yield carHeader(root);
  if (scope === 'block') yield carSection({ cid: root, bytes: await store.getBlock(root) });
  else for await (const block of walkDag(store, root)) yield carSection(block);
}

const carHeader = (root: CID): Uint8Array => {
  const roots = [root];
  return CarBufferWriter.createWriter(new ArrayBuffer(CarBufferWriter.headerLength({ roots })), { roots }).close();
};

/** One section (length, CID, bytes), written by the library's encoder behind an empty header that is cut off. */
const carSection = (block: Block): Uint8Array => {
  const headerSize = CarBufferWriter.headerLength({ roots: [] });
  const writer = CarBufferWriter.createWriter(new ArrayBuffer(headerSize + CarBufferWriter.blockLength(block)), { headerSize });
  writer.write(block);
  return writer.close().subarray(headerSize);
};

/**
 * The blocks of a CARv1 whose roots must include `root`, as they arrive. A section
 * longer than `maxBlockBytes` is refused before it is read.
 */
export async function* readCar(source: AsyncIterable<Uint8Array>, root: CID, maxBlockBytes: number, from: string): AsyncGenerator<Block> {
  const reader = asyncIterableReader(source);
  const invalid = (message: string, cause?: unknown) =>
    new StoreError('STORE_CAR_INVALID', `The CAR from ${from} ${message}`, { details: [`source: ${from}`], cause });
  let header: Awaited<ReturnType<typeof readHeader>>;
  try {
    header = await readHeader(reader, 1);
  } catch (cause) {
    if (cause instanceof StoreError) throw cause;
    throw invalid('has no valid CARv1 header.', cause);
  }
  const roots = header.roots.map((r) => r.toString());
  if (!header.roots.some((r) => cidKey(r) === cidKey(root))) {
    throw new StoreError('STORE_CAR_INVALID', `The CAR from ${from} is not rooted at ${root.toString()}.`, {
      details: [`source: ${from}`, `roots: ${roots.join(', ') || 'none'}`],
    });
  }
  for (;;) {
    let head: Awaited<ReturnType<typeof readBlockHead>>;
    try {
      if ((await reader.upTo(8)).length === 0) return;
      head = await readBlockHead(reader);
    } catch (cause) {
      if (cause instanceof StoreError) throw cause;
      throw invalid('has a malformed section.', cause);
    }
    const cid = checkCid(head.cid);
    if (head.blockLength > maxBlockBytes) {
      throw new StoreError('STORE_BLOCK_TOO_LARGE', `Block ${cid.toString()} from ${from} is larger than ${maxBlockBytes} bytes.`, {
        details: [`cid: ${cid.toString()}`, `source: ${from}`, `declared size: ${head.blockLength}`],
      });
    }
    let bytes: Uint8Array;
    try {
      bytes = await reader.exactly(head.blockLength, true);
    } catch (cause) {
      if (cause instanceof StoreError) throw cause;
      throw invalid(`ends inside block ${cid.toString()}.`, cause);
    }
    yield { cid, bytes };
  }
}
