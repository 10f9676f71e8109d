// Connecting to an EVM JSON-RPC endpoint: checks the URL, that the node answers, that
// it is the chain the caller expects, and that the key is well formed, before anything
// is sent. Used the same way for the embedded anvil and for any remote network.
import {
  createPublicClient,
  createWalletClient,
  defineChain,
  http,
  type Chain,
  type Hex,
  type LocalAccount,
  type PublicClient,
  type Transport,
  type WalletClient,
} from 'viem';
import { accountOfKey } from '../protocol/signatures.ts';
import { devAccount } from './dev-accounts.ts';
import { ChainError } from './errors.ts';

export type Connection = {
  rpcUrl: string;
  chain: Chain;
  publicClient: PublicClient<Transport, Chain>;
};

export type SignerConnection = Connection & {
  account: LocalAccount;
  walletClient: WalletClient<Transport, Chain, LocalAccount>;
};

export type ConnectOptions = {
  rpcUrl: string;
  /** Refuse the node when it reports another chain id. */
  expectedChainId?: number;
};

export async function connect(options: ConnectOptions): Promise<Connection> {
  let url: URL;
  try {
    url = new URL(options.rpcUrl);
  } catch {
    throw new ChainError('RPC_URL_MALFORMED', `The RPC URL "${options.rpcUrl}" is not a valid URL.`, { details: ['expected e.g. http://127.0.0.1:8545'] });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ChainError('RPC_URL_MALFORMED', `The RPC URL "${options.rpcUrl}" must use http or https.`, { details: [`got protocol ${url.protocol}`] });
  }
  const transport = http(options.rpcUrl, { retryCount: 0, timeout: 5_000 });
  let chainId: number;
  try {
    chainId = await createPublicClient({ transport }).getChainId();
  } catch (cause) {
    throw new ChainError('RPC_UNREACHABLE', `The RPC endpoint ${options.rpcUrl} does not answer.`, {
      details: ['is the node running and the URL right?'],
      cause,
    });
  }
  if (options.expectedChainId !== undefined && chainId !== options.expectedChainId) {
    throw new ChainError('CHAIN_ID_MISMATCH', `The RPC endpoint is on chain ${chainId}, not the expected chain ${options.expectedChainId}.`, {
      details: [`endpoint: ${options.rpcUrl}`, `expected chain id: ${options.expectedChainId}`, `reported chain id: ${chainId}`],
    });
  }
  const chain = defineChain({
    id: chainId,
    name: chainId === 31337 ? 'Trellis local (anvil)' : `chain ${chainId}`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [options.rpcUrl] } },
  });
  // Local chains mine instantly; poll receipts quickly there.
  const pollingInterval = url.hostname === '127.0.0.1' || url.hostname === 'localhost' ? 50 : 2_000;
  const publicClient = createPublicClient({ chain, transport: http(options.rpcUrl, { timeout: 30_000 }), pollingInterval });
  return { rpcUrl: options.rpcUrl, chain, publicClient };
}

export async function connectSigner(options: ConnectOptions & { privateKey: string | undefined; keySource: string }): Promise<SignerConnection> {
  const account = accountFromKey(options.privateKey, options.keySource);
  const connection = await connect(options);
  const walletClient = createWalletClient({ account, chain: connection.chain, transport: http(options.rpcUrl, { timeout: 30_000 }) });
  return { ...connection, account, walletClient };
}

/** A signer for the local chain's dev account `index` (its key is public, see dev-accounts.ts). */
export function connectDevSigner(rpcUrl: string, index: number, expectedChainId?: number): Promise<SignerConnection> {
  return connectSigner({ rpcUrl, expectedChainId, privateKey: devAccount(index).privateKey, keySource: `dev account ${index}` });
}

/** The account of a hex private key, validated; `source` names where it came from, for the error. */
export function accountFromKey(value: string | undefined, source: string): LocalAccount {
  const key = parsePrivateKey(value, source);
  try {
    return accountOfKey(key);
  } catch (cause) {
    throw new ChainError('PRIVATE_KEY_MALFORMED', `The private key in ${source} is not a valid secp256k1 key.`, { cause });
  }
}

/** Validates a hex private key; `source` names where it came from, for the error. */
export function parsePrivateKey(value: string | undefined, source: string): Hex {
  if (value === undefined || value.trim() === '') {
    throw new ChainError('PRIVATE_KEY_MISSING', `No private key given: set ${source}.`);
  }
  const key = value.trim().startsWith('0x') ? value.trim() : `0x${value.trim()}`;
  if (!/^0x[0-9a-fA-F]{64}$/.test(key)) {
    throw new ChainError('PRIVATE_KEY_MALFORMED', `The private key in ${source} is malformed.`, {
      details: [`expected 32 bytes as 64 hex digits (with or without 0x), got ${key.length - 2} characters`],
    });
  }
  if (/^0x0{64}$/.test(key)) throw new ChainError('PRIVATE_KEY_MALFORMED', `The private key in ${source} is zero.`);
  return key as Hex;
}
