// Where an agent lives between runs: <data-dir>/agents/<name>.json holds its session
// key, the permission its owner signed (with the signature) and its identity. The file
// holds a private key, so it is written readable by its user only (mode 0600); the key
// signs only for the agent's account, which pays only within the permission, and the
// owner's key is never in it. A file from before agent accounts (no `account`) is refused
// as invalid: create the agent again.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getAddress, isAddress, isHex, type Address, type Hex } from 'viem';
import { AgentError } from './errors.ts';
import type { SpendPermission } from './permission.ts';

export type AgentRecord = {
  name: string;
  chainId: number;
  /** The session key: the agent's only key, which signs for its account and holds nothing. */
  privateKey: Hex;
  sessionKey: Address;
  /** The agent's AgentAccount: the payer of its calls and the permission's spender. */
  account: Address;
  owner: Address;
  manager: Address;
  permission: SpendPermission;
  /** The owner's EIP-712 signature over the permission. */
  signature: Hex;
  /** The agent's token id in AgentIdentity, and the identity contract. */
  agentId: bigint;
  identity: Address;
  agentURI: string;
};

const NAME = /^[a-z0-9][a-z0-9-]{0,39}$/;

export const agentsDir = (dataDir: string) => join(dataDir, 'agents');
export const agentPath = (dataDir: string, name: string) => join(agentsDir(dataDir), `${checkAgentName(name)}.json`);

export function checkAgentName(name: string): string {
  if (!NAME.test(name)) {
    throw new AgentError('AGENT_LIMITS_INVALID', `An agent's name is 1 to 40 lowercase letters, digits or dashes, got "${name}".`);
  }
  return name;
}

export function saveAgent(dataDir: string, record: AgentRecord, options: { overwrite?: boolean } = {}): string {
  const path = agentPath(dataDir, record.name);
  if (!options.overwrite && existsSync(path)) {
    throw new AgentError('AGENT_EXISTS', `An agent named "${record.name}" exists already.`, { details: [`file: ${path}`, 'choose another --name'] });
  }
  mkdirSync(agentsDir(dataDir), { recursive: true, mode: 0o700 });
  const wire = {
    ...record,
    agentId: record.agentId.toString(),
    permission: { ...record.permission, allowance: record.permission.allowance.toString(), salt: record.permission.salt.toString() },
  };
  writeFileSync(path, `${JSON.stringify(wire, null, 2)}\n`, { mode: 0o600 });
  chmodSync(path, 0o600); // an existing file keeps its mode on overwrite
  return path;
}

export function loadAgentRecord(dataDir: string, name: string): AgentRecord {
  const path = agentPath(dataDir, name);
  if (!existsSync(path)) {
    throw new AgentError('AGENT_UNKNOWN', `No agent named "${name}" in this data folder.`, {
      details: [`looked for ${path}`, 'create one with `trellis agent create`'],
    });
  }
  const invalid = (what: string) => new AgentError('AGENT_FILE_INVALID', `${path}: ${what}.`);
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (cause) {
    throw new AgentError('AGENT_FILE_INVALID', `${path} is not valid JSON.`, { cause });
  }
  const address = (key: string, from: Record<string, unknown> = raw): Address => {
    const value = from[key];
    if (typeof value !== 'string' || !isAddress(value)) throw invalid(`${key} is not an address`);
    return getAddress(value);
  };
  const hex = (key: string): Hex => {
    const value = raw[key];
    if (typeof value !== 'string' || !isHex(value)) throw invalid(`${key} is not hex`);
    return value;
  };
  const p = raw.permission as Record<string, unknown> | undefined;
  if (typeof p !== 'object' || p === null) throw invalid('permission is missing');
  try {
    return {
      name: String(raw.name),
      chainId: Number(raw.chainId),
      privateKey: hex('privateKey'),
      sessionKey: address('sessionKey'),
      account: address('account'),
      owner: address('owner'),
      manager: address('manager'),
      signature: hex('signature'),
      agentId: BigInt(String(raw.agentId)),
      identity: address('identity'),
      agentURI: String(raw.agentURI),
      permission: {
        account: address('account', p),
        spender: address('spender', p),
        token: address('token', p),
        allowance: BigInt(String(p.allowance)),
        period: Number(p.period),
        start: Number(p.start),
        end: Number(p.end),
        salt: BigInt(String(p.salt)),
        extraData: p.extraData as Hex,
      },
    };
  } catch (cause) {
    if (cause instanceof AgentError) throw cause;
    throw new AgentError('AGENT_FILE_INVALID', `${path} holds a malformed agent.`, { cause });
  }
}
