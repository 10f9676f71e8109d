// The gas of agent spending limits, read from real receipts on anvil: approving a signed
// permission, and a spend under it (the first of a period, which opens the period's
// record; a later one in the same period; one to a provider, checked against the
// ProviderRegistry). `npm run bench -- agents-limits`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestClient, http, parseEther, type Address, type Hash } from 'viem';
import { buildPermission, signPermission } from '../src/agents/permission.ts';
import { createSessionKey } from '../src/agents/session-key.ts';
import { allowManager, spendPermissionsOf } from '../src/agents/spend-permissions.ts';
import { startAnvil } from '../src/chain/anvil.ts';
import { connectDevSigner, connectSigner, type SignerConnection } from '../src/chain/connect.ts';
import { deployTrellis } from '../src/chain/deploy.ts';
import { spendPermissionsAbi } from '../src/chain/generated/SpendPermissions.ts';
import { trellisTokenAbi } from '../src/chain/generated/TrellisToken.ts';
import { defaultParameters, tokens } from '../src/chain/parameters.ts';
import { registerProvider } from '../src/sdk/accounts.ts';
import { report, type Figure } from './report.ts';

const SERVICE = '0x000000000000000000000000000000000000bEEF' as Address;

export async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'trellis-agents-limits-'));
  const anvil = await startAnvil({ stateDir: dir, port: 0 });
  try {
    report('agents-limits', await measureAgentLimitGas(anvil.rpcUrl));
  } finally {
    await anvil.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Deploys Trellis on the anvil at `rpcUrl` (dev accounts 0 to 2) and measures the figures. */
export async function measureAgentLimitGas(rpcUrl: string): Promise<Figure[]> {
  const [deployer, owner, provider] = await Promise.all([0, 1, 2].map((i) => connectDevSigner(rpcUrl, i)));
  const deployment = await deployTrellis(deployer!, { faucetChainId: 31337n, initialSupply: 0n });
  const manager = spendPermissionsOf(deployment);
  const { token } = deployment.contracts;
  // Every payee already holds tokens, so no figure includes a payee's first balance write.
  for (const who of [owner!.account.address, provider!.account.address, SERVICE]) {
    const faucet = await owner!.walletClient.writeContract({ address: token, abi: trellisTokenAbi, functionName: 'faucet', args: [who, tokens('1000')] });
    await mined(owner!, faucet);
  }
  await registerProvider(provider!, deployment, 'http://127.0.0.1:1', defaultParameters.minStake);
  await allowManager(owner!, token, manager, tokens('1000'));
  const key = createSessionKey();
  await createTestClient({ mode: 'anvil', transport: http(rpcUrl) }).setBalance({ address: key.address, value: parseEther('1') });
  const agent = await connectSigner({ rpcUrl, privateKey: key.privateKey, keySource: 'the session key' });

  const now = Number((await owner!.publicClient.getBlock()).timestamp);
  const permission = buildPermission({
    account: owner!.account.address,
    spender: agent.account.address,
    token,
    allowance: tokens('10'),
    period: 86_400,
    start: now,
    end: now + 30 * 86_400,
    terms: { maxPerCall: tokens('1'), epoch: 0n, anyActiveProvider: true, payees: [SERVICE] },
  });
  const signature = await signPermission(owner!.account, { chainId: deployment.chainId, manager }, permission);
  const approve = await mined(
    agent,
    await agent.walletClient.writeContract({ address: manager, abi: spendPermissionsAbi, functionName: 'approveWithSignature', args: [permission, signature] }),
  );
  const spendTo = async (payee: Address) =>
    mined(
      agent,
      await agent.walletClient.writeContract({ address: manager, abi: spendPermissionsAbi, functionName: 'spend', args: [permission, payee, tokens('0.01')] }),
    );
  const first = await spendTo(SERVICE);
  const steady = await spendTo(SERVICE);
  const toProvider = await spendTo(provider!.account.address);
  return [
    { figure: 'agents_approve_with_signature_gas', label: 'approveWithSignature (owner-signed permission)', value: Number(approve), unit: 'gas' },
    { figure: 'agents_spend_gas', label: 'spend to a named payee, later in the period', value: Number(steady), unit: 'gas' },
    { figure: 'agents_spend_first_in_period_gas', label: 'spend, first of its period', value: Number(first), unit: 'gas' },
    { figure: 'agents_spend_to_provider_gas', label: 'spend to an active provider (registry check)', value: Number(toProvider), unit: 'gas' },
  ];
}

async function mined(who: SignerConnection, hash: Hash): Promise<bigint> {
  const receipt = await who.publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== 'success') throw new Error(`benchmark transaction ${hash} reverted`);
  return receipt.gasUsed;
}
