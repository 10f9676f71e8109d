// One HTTP call to a provider node: bounded time, bounded answer size, and failures
// typed as unreachable, timed out or garbage. The time-out covers the whole call, the
// body included (the signal aborts a read under way), so a provider dripping its answer
// a byte at a time is cut off like one that hangs; the size is counted while the body
// streams in, so a provider cannot make the gateway hold more than `maxBytes` of it.
// The status and parsed JSON of any answer are returned; judging them is the caller's
// business.
import { ProviderCallError } from './errors.ts';

export type FetchJsonOptions = {
  method?: 'GET' | 'POST';
  body?: unknown;
  timeoutMs: number;
  /** Largest answer accepted, in bytes (default 4 MiB). */
  maxBytes?: number;
};

export async function fetchJson(url: string, options: FetchJsonOptions): Promise<{ status: number; body: unknown }> {
  const maxBytes = options.maxBytes ?? 4 * 1024 * 1024;
  const signal = AbortSignal.timeout(options.timeoutMs);
  let response: Response;
  try {
    response = await fetch(url, {
      method: options.method ?? 'GET',
      headers: options.body === undefined ? {} : { 'content-type': 'application/json' },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal,
      redirect: 'error',
    });
  } catch (cause) {
    throw failure(signal, url, cause);
  }
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw tooLarge(maxBytes, `it declares ${declared} bytes`);
  }
  let text: string;
  try {
    text = await readLimited(response, maxBytes);
  } catch (cause) {
    if (cause instanceof ProviderCallError) throw cause;
    throw failure(signal, url, cause);
  }
  try {
    return { status: response.status, body: JSON.parse(text) as unknown };
  } catch {
    throw new ProviderCallError('PROVIDER_GARBAGE', `The provider at ${url} answered HTTP ${response.status} with something that is not JSON.`, {
      details: [`got ${JSON.stringify(text.slice(0, 60))}`],
    });
  }
}

function failure(signal: AbortSignal, url: string, cause: unknown): ProviderCallError {
  if (signal.aborted) return new ProviderCallError('PROVIDER_TIMEOUT', `The provider at ${url} did not answer in time.`, { cause });
  return new ProviderCallError('PROVIDER_UNREACHABLE', `The provider at ${url} could not be reached.`, { cause });
}

async function readLimited(response: Response, maxBytes: number): Promise<string> {
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(maxBytes, `${size} bytes read so far`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

const tooLarge = (maxBytes: number, seen: string) =>
  new ProviderCallError('PROVIDER_GARBAGE', `The provider's answer is larger than ${maxBytes} bytes.`, { details: [seen] });
