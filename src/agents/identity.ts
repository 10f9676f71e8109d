// The agent's on-chain identity: an AgentIdentity token (ERC-8004's identity registry)
// owned by the agent's owner, whose agent URI is the agent's registration file and whose
// wallet is the agent's account (its payer). Setting the wallet takes that address's own
// EIP-712 consent, so the record kept under it (reputation) is the agent's.
import { getAddress, parseEventLogs, type Address, type Hash, type Hex } from 'viem';
import type { Connection, SignerConnection } from '../chain/connect.ts';
import { agentIdentityAbi } from '../chain/generated/AgentIdentity.ts';
import type { Deployment } from '../chain/manifest.ts';
import { transact } from '../sdk/transact.ts';
import { AgentError } from './errors.ts';
import { writeContract } from '../chain/write.ts';

export function agentIdentityOf(deployment: Deployment): Address {
  if (!deployment.agents) throw new AgentError('AGENTS_NOT_DEPLOYED', 'This deployment has no agent identity registry; deploy again (locally: --fresh).');
  return deployment.agents.agentIdentity;
}

/**
 * ERC-8004's registration file, inlined as a data: URI so that it needs no host: the
 * agent's name, what it is, and where it can be reached on chain.
 */
export function registrationURI(p: { name: string; description: string; wallet: Address; chainId: number; identity: Address }): string {
  const file = {
    type: 'https://eips.ethereum.org/EIPS/eip-8004#registration-v1',
    name: p.name,
    description: p.description,
    services: [{ name: 'agentWallet', endpoint: `eip155:${p.chainId}:${p.wallet}` }],
    registrations: [{ agentRegistry: `eip155:${p.chainId}:${p.identity}` }],
  };
  return `data:application/json;base64,${Buffer.from(JSON.stringify(file)).toString('base64')}`;
}

/**
 * Registers the agent (owned by `owner`) and points its wallet at `wallet`, whose EIP-712
 * consent `consent` signs (for an agent account: the owner's signature in the account's
 * owner form); returns the agent id.
 */
export async function registerAgentIdentity(
  owner: SignerConnection,
  identity: Address,
  agentURI: string,
  wallet: Address,
  consent: (digest: Hash) => Promise<Hex>,
): Promise<bigint> {
  const hash = await transact(owner, 'registering the agent identity', () =>
    writeContract(owner, { address: identity, abi: agentIdentityAbi, functionName: 'register', args: [agentURI] }),
  );
  const receipt = await owner.publicClient.getTransactionReceipt({ hash });
  const [registered] = parseEventLogs({ abi: agentIdentityAbi, eventName: 'Registered', logs: receipt.logs });
  if (!registered)
    throw new AgentError('AGENT_PAYMENT_FAILED', 'The identity registry did not report the registration.', { details: [`transaction: ${hash}`] });
  const agentId = registered.args.agentId;
  const block = await owner.publicClient.getBlock({ blockTag: 'latest' });
  const deadline = block.timestamp + 240n; // the registry accepts at most five minutes ahead
  const digest = await owner.publicClient.readContract({
    address: identity,
    abi: agentIdentityAbi,
    functionName: 'agentWalletDigest',
    args: [agentId, wallet, owner.account.address, deadline],
  });
  const signature = await consent(digest);
  await transact(owner, "setting the agent's wallet to its account", () =>
    writeContract(owner, {
      address: identity,
      abi: agentIdentityAbi,
      functionName: 'setAgentWallet',
      args: [agentId, wallet, deadline, signature],
    }),
  );
  return agentId;
}

export type AgentIdentityState = { agentId: bigint; owner: Address; wallet: Address; agentURI: string };

export async function readAgentIdentity({ publicClient }: Connection, identity: Address, agentId: bigint): Promise<AgentIdentityState> {
  const on = { address: identity, abi: agentIdentityAbi, args: [agentId] } as const;
  const [owner, wallet, agentURI] = await Promise.all([
    publicClient.readContract({ ...on, functionName: 'ownerOf' }),
    publicClient.readContract({ ...on, functionName: 'getAgentWallet' }),
    publicClient.readContract({ ...on, functionName: 'tokenURI' }),
  ]);
  return { agentId, owner: getAddress(owner), wallet: getAddress(wallet), agentURI };
}
