// Helpers for end-to-end tests on a real local network: a network in a temporary
// folder on ports the system picks, signers for the dev accounts, and raw signed requests for
// probing the HTTP APIs with bad input.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Address, Hex } from 'viem';
import { connectDevSigner, type SignerConnection } from '../../src/chain/connect.ts';
import { silentLogger } from '../../src/log.ts';
import { loadModel } from '../../src/models/catalog.ts';
import { startLocalNetwork, type LocalNetwork } from '../../src/network/local-network.ts';
import { inputHashOf } from '../../src/protocol/commitments.ts';
import { signRequest, verificationModes, type InferenceRequest, type Verification } from '../../src/protocol/messages.ts';
import { toWire } from '../../src/protocol/wire.ts';

export type TestNetwork = LocalNetwork & { dataDir: string; signer(index: number): Promise<SignerConnection>; dispose(): Promise<void> };

/** A whole local network whose providers redeem only when told to (redeemNow). */
export async function startTestNetwork(): Promise<TestNetwork> {
  const dataDir = mkdtempSync(join(tmpdir(), 'trellis-net-'));
  const network = await startLocalNetwork({ dataDir, port: 0, fresh: true, log: silentLogger, settlement: { batchSize: 1_000_000, maxAgeMs: 3_600_000 } });
  return {
    ...network,
    dataDir,
    signer: (index) => connectDevSigner(network.chain.rpcUrl, index),
    async dispose() {
      await network.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A signed infer body, built by hand so tests can break any part of it. `router` is
 * where it is meant to go: the network's gateway or one provider's address.
 */
export async function signedBody(
  signer: SignerConnection,
  network: LocalNetwork,
  options: {
    model: string;
    input: number[];
    router: Address;
    verification?: Verification;
    deadline?: bigint;
    maxFee?: bigint;
    nonce?: bigint;
    modelId?: Hex;
  },
): Promise<{ request: InferenceRequest; body: { request: ReturnType<typeof toWire<InferenceRequest>>; signature: Hex; input: number[] } }> {
  const model = loadModel(options.model);
  const { deployment } = network.chain;
  const modelId = options.modelId ?? network.providers[0]!.models.find((m) => m.name === options.model)!.modelId;
  const request: InferenceRequest = {
    client: signer.account.address,
    modelId,
    inputHash: inputHashOf(model.engine, options.input).inputHash,
    maxFee: options.maxFee ?? 1_000_000n,
    nonce: options.nonce ?? BigInt(Math.floor(Math.random() * 2 ** 48)),
    deadline: options.deadline ?? BigInt(Math.floor(Date.now() / 1000) + 60),
    verification: verificationModes.indexOf(options.verification ?? 'optimistic'),
    router: options.router,
  };
  const signature = await signRequest(signer.account, { chainId: deployment.chainId, escrow: deployment.contracts.escrow }, request);
  return { request, body: { request: toWire(request), signature, input: options.input } };
}

export async function postJson(
  url: string,
  body: unknown,
): Promise<{ status: number; json: { error?: { code: string; message: string; details: string[] } } & Record<string, unknown> }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as never };
}
