// The chain node dies under a running network: the gateway's health stops saying "ok"
// and reports the chain as unreachable, and requests to the gateway and to a provider
// fail with CHAIN_UNREACHABLE (503), never as an anonymous internal error.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { localRoles } from '../src/network/local-network.ts';
import { TrellisClient } from '../src/sdk/client.ts';
import { postJson, signedBody, startTestNetwork, type TestNetwork } from './support/network.ts';

const digit = JSON.parse(readFileSync(new URL('../examples/digit-3.json', import.meta.url), 'utf8')) as number[];

type Health = {
  status: string;
  chainId: number;
  healthyProviders: number;
  chain: { reachable: boolean; chainId: number | null; latestBlock: string | null; reason?: string };
};

const health = async (url: string): Promise<{ status: number; body: Health }> => {
  const response = await fetch(`${url}/v1/health`);
  return { status: response.status, body: (await response.json()) as Health };
};

describe('a chain node that dies', () => {
  let net: TestNetwork;
  before(async () => {
    net = await startTestNetwork();
  });
  after(() => net?.dispose());

  test('the gateway health reports the chain while it answers', async () => {
    const { status, body } = await health(net.gatewayUrl);
    assert.equal(status, 200);
    assert.equal(body.status, 'ok');
    assert.equal(body.chain.reachable, true);
    assert.equal(body.chain.chainId, net.chain.deployment.chainId);
    assert.ok(BigInt(body.chain.latestBlock ?? '0') > 0n, `latest block ${body.chain.latestBlock}`);
  });

  test('with the chain gone, health is not ok and requests name the cause', async () => {
    const client = await net.signer(localRoles.client);
    const gatewayRequest = await signedBody(client, net, { model: 'digits-mlp', input: digit, router: net.gatewayAddress });
    const providerRequest = await signedBody(client, net, { model: 'digits-mlp', input: digit, router: net.providers[0]!.address });
    await net.chain.stop();

    const { status, body } = await health(net.gatewayUrl);
    assert.equal(status, 503);
    assert.notEqual(body.status, 'ok', 'a gateway without a chain does not call itself healthy');
    assert.equal(body.chain.reachable, false);
    assert.equal(body.chain.chainId, null);
    assert.equal(body.chain.latestBlock, null);
    assert.ok(body.chain.reason, 'says why');

    const viaGateway = await postJson(`${net.gatewayUrl}/v1/infer`, gatewayRequest.body);
    assert.equal(viaGateway.status, 503, JSON.stringify(viaGateway.json));
    assert.equal(viaGateway.json.error?.code, 'CHAIN_UNREACHABLE');

    // A provider node says the same of itself, so gateways take it out of rotation.
    const node = await health(net.providers[0]!.url);
    assert.equal(node.status, 503);
    assert.equal(node.body.status, 'degraded');
    assert.equal(node.body.chain.reachable, false);

    const direct = await postJson(`${net.providers[0]!.url}/v1/infer`, providerRequest.body);
    assert.equal(direct.status, 503, JSON.stringify(direct.json));
    assert.equal(direct.json.error?.code, 'CHAIN_UNREACHABLE');

    // A client that has yet to resolve its model says the chain is why it cannot.
    const sdk = new TrellisClient({
      connection: client,
      deployment: net.chain.deployment,
      gatewayUrl: net.gatewayUrl,
      dataDir: join(net.dataDir, 'outage-client'),
    });
    try {
      await assert.rejects(sdk.infer({ model: 'digits-cnn', input: digit }), { code: 'RPC_UNREACHABLE' });
    } finally {
      sdk.close();
    }
  });
});
