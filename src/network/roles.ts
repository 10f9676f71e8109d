// Dev account roles on the local chain, in a module of their own so that the CLI can
// name them without loading the network (and the contract bindings) it describes.

/**
 * Dev account roles on the local chain (anvil's accounts 0..9). The gateway's routing
 * key only signs assignments off chain and needs no funds: it is the next key of the
 * same mnemonic, so that no test or local role that uses a funded account collides with it.
 * The x402 facilitator's settling key (dev account 7) sends the transfers of paid calls
 * and pays their gas; it holds no other role. The agent owner (dev account 6) is the
 * wallet `trellis agent` spends from on the local chain.
 */
export const localRoles = {
  deployer: 0,
  client: 1,
  providers: [2, 3, 4],
  faultyProvider: 5,
  watcher: 8,
  modelOwner: 9,
  gateway: 10,
  x402Facilitator: 7,
  agentOwner: 6,
} as const;

/**
 * The parties of `trellis fl demo` (src/fl/task/accounts.ts): the task owner is a funded
 * dev account; the aggregator, the watcher, the provider of the trained model and the
 * data owners are further keys of the same mnemonic, which the demo funds itself.
 */
export const flDemoRoles = {
  taskOwner: 6,
  aggregator: 11,
  watcher: 12,
  modelProvider: 13,
  /** Data owner k is dev account firstParticipant + k. */
  firstParticipant: 20,
} as const;
