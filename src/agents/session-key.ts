// A session key: a fresh key pair the agent holds instead of the owner's key. It owns no
// funds and needs no gas: it signs payments for the agent's account (agent-account.ts),
// which pays only what the owner's permission allows.
import type { Address, Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';

export type SessionKey = { address: Address; privateKey: Hex };

export function createSessionKey(): SessionKey {
  const privateKey = generatePrivateKey();
  return { address: privateKeyToAccount(privateKey).address, privateKey };
}
