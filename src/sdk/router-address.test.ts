// Learning the router a request names: the gateway's or provider's address from its
// health answer, a degraded answer included, and a clear refusal when there is none.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { devAccount } from '../chain/dev-accounts.ts';
import { TrellisError } from '../errors.ts';
import { fetchRouterAddress } from './router-address.ts';

const address = devAccount(10).address;

/** A fetch answering `body` with `status` to every call, and recording the URLs asked. */
function answering(status: number, body: unknown) {
  const urls: string[] = [];
  const fetcher = (async (url: string | URL | Request) => {
    urls.push(String(url));
    return new Response(typeof body === 'string' ? body : JSON.stringify(body), { status });
  }) as typeof fetch;
  return { fetcher, urls };
}

const unknownRouter = (pattern: RegExp) => (error: unknown) => error instanceof TrellisError && error.code === 'ROUTER_UNKNOWN' && pattern.test(error.message);

test("the router is the address the health answer names for the kind of endpoint, a degraded node's included", async () => {
  const gateway = answering(200, { status: 'ok', gateway: address.toLowerCase() });
  assert.equal(await fetchRouterAddress(gateway.fetcher, 'http://gw', 'gateway'), address);
  assert.deepEqual(gateway.urls, ['http://gw/v1/health']);
  const degraded = answering(503, { status: 'degraded', provider: address });
  assert.equal(await fetchRouterAddress(degraded.fetcher, 'http://node', 'provider'), address);
});

test('no address, another kind of endpoint, garbage or no answer: nothing is signed, and the error says why', async () => {
  await assert.rejects(
    fetchRouterAddress(answering(200, { status: 'ok', chainId: 1 }).fetcher, 'http://old-gw', 'gateway'),
    unknownRouter(/http:\/\/old-gw\/v1\/health names no gateway address; the request was not signed[\s\S]*got nothing/),
  );
  // A provider node's health names a provider, not a gateway.
  await assert.rejects(fetchRouterAddress(answering(200, { provider: address }).fetcher, 'http://node', 'gateway'), unknownRouter(/names no gateway/));
  await assert.rejects(fetchRouterAddress(answering(200, { gateway: 'me' }).fetcher, 'http://gw', 'gateway'), unknownRouter(/got "me"/));
  await assert.rejects(fetchRouterAddress(answering(200, '<html>').fetcher, 'http://gw', 'gateway'), unknownRouter(/Cannot learn the gateway address/));
  const down = (async () => {
    throw new TypeError('fetch failed');
  }) as typeof fetch;
  await assert.rejects(fetchRouterAddress(down, 'http://gone', 'provider'), unknownRouter(/Cannot learn the provider address from http:\/\/gone\/v1\/health/));
});
