// The environment, read once at start into a frozen object. No other module reads
// process.env, so what a process depends on is listed here.
export type Environment = Readonly<{
  /** Signer key for deployments and transactions on a remote network. */
  privateKey: string | undefined;
  /** JSON-RPC endpoint of a remote network. */
  rpcUrl: string | undefined;
  /** Where the local network keeps its chain state, manifest and records. */
  dataDir: string;
  /** Whether $TRELLIS_DATA_DIR chose `dataDir` (otherwise it is the default). */
  dataDirFromEnvironment: boolean;
  /** A PostgreSQL server for the indexer; unset, it embeds its own (PGlite). */
  databaseUrl: string | undefined;
  /** The gateway's routing key (it signs assignments only); the local network's dev key when unset. */
  gatewayKey: string | undefined;
  /**
   * An x402 facilitator (its base URL, e.g. a gateway's http://host:port/x402) that a
   * provider verifies and settles its paid calls with (docs/x402.md); a provider config's
   * x402Facilitator overrides it.
   */
  x402FacilitatorUrl: string | undefined;
}>;

export const X402_FACILITATOR_URL_VARIABLE = 'TRELLIS_X402_FACILITATOR_URL';

export const DATABASE_URL_VARIABLE = 'DATABASE_URL';

export const DATA_DIR_VARIABLE = 'TRELLIS_DATA_DIR';
export const DEFAULT_DATA_DIR = '.trellis';

export const PRIVATE_KEY_VARIABLE = 'TRELLIS_PRIVATE_KEY';
export const GATEWAY_KEY_VARIABLE = 'TRELLIS_GATEWAY_KEY';

export function readEnvironment(env: NodeJS.ProcessEnv = process.env): Environment {
  return Object.freeze({
    privateKey: env[PRIVATE_KEY_VARIABLE],
    rpcUrl: env.TRELLIS_RPC_URL,
    dataDir: env[DATA_DIR_VARIABLE] ?? DEFAULT_DATA_DIR,
    dataDirFromEnvironment: env[DATA_DIR_VARIABLE] !== undefined,
    databaseUrl: env[DATABASE_URL_VARIABLE] || undefined,
    gatewayKey: env[GATEWAY_KEY_VARIABLE],
    x402FacilitatorUrl: env[X402_FACILITATOR_URL_VARIABLE] || undefined,
  });
}
