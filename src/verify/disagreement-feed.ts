// Reads the gateway's disagreements.jsonl incrementally, from a byte offset, and turns
// each complete line into the results a watcher re-executes (every receipt of the
// request, with the input from the gateway's disagreement-inputs.jsonl or from the line
// itself when it carries one).
import { existsSync, readFileSync } from 'node:fs';
import type { Hex } from 'viem';
import type { DisagreementRecord } from '../gateway/disagreements.ts';
import { parseReceipt } from '../protocol/wire.ts';
import { readDisagreementInputs } from './disagreement-inputs.ts';
import type { ObservedResult } from './observed-result.ts';

/** How long a line may wait for its input to appear before it is given up. */
const INPUT_GRACE_MS = 60_000;

export type FeedLine = { end: number; results: ObservedResult[]; problem?: string };

export class DisagreementFeed {
  private inputs = new Map<Hex, number[]>();

  constructor(
    readonly path: string,
    private readonly inputsPath: string,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * The complete lines after `offset`, each with the offset just past it. Stops before a
   * line whose input is not written yet (it is written just after the line), unless that
   * line is older than the grace period, in which case it comes with a `problem`.
   */
  read(offset: number): FeedLine[] {
    if (!existsSync(this.path)) return [];
    const bytes = readFileSync(this.path).subarray(offset);
    const lines: FeedLine[] = [];
    let start = 0;
    for (let nl = bytes.indexOf(0x0a); nl >= 0; nl = bytes.indexOf(0x0a, start)) {
      const text = bytes.subarray(start, nl).toString('utf8');
      const end = offset + nl + 1;
      start = nl + 1;
      if (text.trim() === '') {
        lines.push({ end, results: [] });
        continue;
      }
      let record: DisagreementRecord & { input?: number[] };
      try {
        record = JSON.parse(text) as DisagreementRecord & { input?: number[] };
      } catch {
        lines.push({ end, results: [], problem: 'unreadable line' });
        continue;
      }
      const input = record.input ?? this.inputOf(record.requestHash);
      if (!input) {
        if (this.now() - Date.parse(record.at) < INPUT_GRACE_MS) break;
        lines.push({ end, results: [], problem: `no input recorded for request ${record.requestHash}` });
        continue;
      }
      try {
        const results = record.results.map((r) => ({
          input,
          receipt: parseReceipt({ path: 'receipt', value: r.receipt }),
          signature: r.signature,
          output: r.output,
          disagreement: true,
        }));
        lines.push({ end, results });
      } catch (error) {
        lines.push({ end, results: [], problem: error instanceof Error ? error.message.split('\n')[0] : String(error) });
      }
    }
    return lines;
  }

  private inputOf(requestHash: Hex): number[] | undefined {
    const key = requestHash.toLowerCase() as Hex;
    if (!this.inputs.has(key)) this.inputs = readDisagreementInputs(this.inputsPath);
    return this.inputs.get(key);
  }
}
