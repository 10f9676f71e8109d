// An append-only JSON-lines file made durable before a call returns: each record is
// written and fsync'd, so what a provider acknowledged survives a crash. A torn last
// line (a crash in the middle of a write) is ignored on reading.
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

export class Journal<T> {
  private readonly fd: number;

  constructor(readonly path: string) {
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

  append(record: T): void {
    writeSync(this.fd, `${JSON.stringify(record)}\n`);
    fsyncSync(this.fd);
  }

  close(): void {
    closeSync(this.fd);
  }
}
