// An append-only JSON-lines file with group commit: a record is written at once, and one
// fsync, run off the event loop, covers every record written since the last one. A
// caller that must not answer before its record is on disk awaits appendSynced (a
// provider's receipt); the others append and let the next group's fsync take them along
// (a voucher: the newest supersedes every older one). Only a crash between a write and
// its group's fsync can lose a record, and appendSynced never returns inside that gap.
// A torn last line (a crash in the middle of a write) is ignored on reading.
import { closeSync, existsSync, fsync, fsyncSync, mkdirSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/** Flushes a file descriptor to disk; replaceable so tests can count the flushes. */
export type Fsync = (fd: number, done: (error: Error | null) => void) => void;

type Waiter = { upTo: number; resolve: () => void; reject: (error: Error) => void };

export class Journal<T> {
  private readonly fd: number;
  /** Records written, and how many of them the last completed fsync covers. */
  private written = 0;
  private synced = 0;
  private syncing = false;
  private scheduled = false;
  private closed = false;
  private waiters: Waiter[] = [];

  constructor(
    readonly path: string,
    private readonly flush: Fsync = fsync,
  ) {
    mkdirSync(dirname(path), { recursive: true });
    this.fd = openSync(path, 'a');
    // Close a torn last line, so that records appended from now on stay readable.
    if (existsSync(path) && statSync(path).size > 0 && !readFileSync(path, 'utf8').endsWith('\n')) writeSync(this.fd, '\n');
  }

  static read<T>(path: string): T[] {
    if (!existsSync(path)) return [];
    const records: T[] = [];
    for (const line of readFileSync(path, 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      try {
        records.push(JSON.parse(line) as T);
      } catch {
        // A torn line from a crash mid-write: that record was never acknowledged.
      }
    }
    return records;
  }

  /** Writes the record now; the next group's fsync makes it durable. */
  append(record: T): void {
    writeSync(this.fd, `${JSON.stringify(record)}\n`);
    this.written++;
    this.schedule();
  }

  /** Writes the record and resolves once an fsync covers it. */
  appendSynced(record: T): Promise<void> {
    this.append(record);
    const upTo = this.written;
    return new Promise((resolve, reject) => this.waiters.push({ upTo, resolve, reject }));
  }

  /** Makes everything written so far durable before closing. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.synced < this.written) fsyncSync(this.fd);
    this.synced = this.written;
    this.settle(undefined);
    closeSync(this.fd);
  }

  private schedule(): void {
    if (this.scheduled || this.syncing || this.closed) return;
    this.scheduled = true;
    // Wait for the current turn of the event loop, so that its appends share the fsync.
    setImmediate(() => this.sync());
  }

  private sync(): void {
    this.scheduled = false;
    if (this.closed || this.synced === this.written) return;
    this.syncing = true;
    const upTo = this.written;
    this.flush(this.fd, (error) => {
      this.syncing = false;
      // After close() the final synchronous fsync covered everything.
      if (this.closed) return;
      if (!error) this.synced = Math.max(this.synced, upTo);
      this.settle(error ?? undefined, upTo);
      // Records written while this fsync ran wait for the next one.
      if (this.synced < this.written) this.schedule();
    });
  }

  private settle(error: Error | undefined, upTo = this.synced): void {
    const still: Waiter[] = [];
    for (const waiter of this.waiters) {
      if (waiter.upTo > upTo) still.push(waiter);
      else if (error) waiter.reject(error);
      else waiter.resolve();
    }
    this.waiters = still;
  }
}
