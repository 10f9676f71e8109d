// One HTTP call to a provider node: bounded time, bounded answer size, and failures
// typed as unreachable, timed out or garbage. The time-out covers the whole call, the
// body included (the signal aborts a read under way), so a provider dripping its answer
// a byte at a time is cut off like one that hangs; the size is counted while the body
// streams in, so a provider cannot make the gateway hold more than `maxBytes` of it.
// The status and parsed JSON of any answer are returned; judging them is the caller's
// business.
import { BodyTooLarge, httpCall, type HttpAnswer } from '../net/http-client.ts';
import { ProviderCallError } from './errors.ts';

export type FetchJsonOptions = {
  method?: 'GET' | 'POST';
  body?: unknown;
  timeoutMs: number;
  /** Largest answer accepted, in bytes (default 4 MiB). */
  maxBytes?: number;
};

export async function fetchJson(url: string, options: FetchJsonOptions): Promise<{ status: number; body: unknown }> {
  const signal = AbortSignal.timeout(options.timeoutMs);
  let answer: HttpAnswer;
  try {
    answer = await httpCall(url, {
      method: options.method ?? 'GET',
      headers: options.body === undefined ? {} : { 'content-type': 'application/json' },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal,
      maxBytes: options.maxBytes ?? 4 * 1024 * 1024,
    });
  } catch (cause) {
    if (cause instanceof BodyTooLarge)
      throw new ProviderCallError('PROVIDER_GARBAGE', `The provider's answer is larger than ${cause.maxBytes} bytes.`, { details: [cause.seen] });
    if (signal.aborted) throw new ProviderCallError('PROVIDER_TIMEOUT', `The provider at ${url} did not answer in time.`, { cause });
    throw new ProviderCallError('PROVIDER_UNREACHABLE', `The provider at ${url} could not be reached.`, { cause });
  }
  // A provider that redirects is not followed: the gateway calls only the address it routed to.
  if (answer.status >= 300 && answer.status < 400)
    throw new ProviderCallError('PROVIDER_UNREACHABLE', `The provider at ${url} could not be reached.`, { details: [`it redirects (HTTP ${answer.status})`] });
  const text = answer.body.toString('utf8');
  try {
    return { status: answer.status, body: JSON.parse(text) as unknown };
  } catch {
    throw new ProviderCallError('PROVIDER_GARBAGE', `The provider at ${url} answered HTTP ${answer.status} with something that is not JSON.`, {
      details: [`got ${JSON.stringify(text.slice(0, 60))}`],
    });
  }
}
