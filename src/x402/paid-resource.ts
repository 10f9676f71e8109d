// A payment names the resource it was made for (`resource.url`); one made for another
// model's URL must not pay for this one. Both schemes check it the same way.
import type { PaymentPayload } from '@x402/core/types';
import { X402Error } from './errors.ts';

/** Refuses, with X402Error invalid_payload, a payment whose resource URL is not `path`; one that names none passes. */
export function checkPaidResource(payload: PaymentPayload, path: string): void {
  const url = payload.resource?.url;
  if (url === undefined) return;
  let paidPath: string;
  try {
    paidPath = new URL(url).pathname;
  } catch {
    throw new X402Error('invalid_payload', 'The payment names a resource URL that does not parse.', { details: [`resource.url: ${url}`] });
  }
  if (paidPath.toLowerCase() !== path.toLowerCase()) {
    throw new X402Error('invalid_payload', 'The payment is for another resource.', { details: [`paid for: ${paidPath}`, `this resource: ${path}`] });
  }
}
