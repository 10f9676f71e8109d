// What Trellis says it does on each cell (the claims of its own profile) and which
// benchmark figures would back each claim. The claims are fixed by the design; the
// mechanisms and figures behind them are found in the repository at run time.
import type { CellId, ClaimKind, Mechanism } from './vocabulary.ts';

export type ExpectedFigure = { suite: string; figure: string; unit: string; cell: CellId };

export const EXPECTED_FIGURES: readonly ExpectedFigure[] = [
  { suite: 'disputes', figure: 'digits_mlp_gas_total', unit: 'gas', cell: 'verifiability/security' },
  { suite: 'disputes', figure: 'digits_cnn_gas_total', unit: 'gas', cell: 'verifiability/security' },
  { suite: 'zk', figure: 'zk_verify_gas', unit: 'gas', cell: 'verifiability/scalability' },
  { suite: 'engine', figure: 'fixed_vs_ort_ratio_b64', unit: 'x', cell: 'verifiability/scalability' },
  { suite: 'engine', figure: 'trace_cost_ratio_b64', unit: 'x', cell: 'verifiability/scalability' },
  { suite: 'verify', figure: 'redundant_k3_overhead', unit: 'x', cell: 'verifiability/decentralization' },
  { suite: 'privacy', figure: 'provider_encrypt_overhead_ratio', unit: 'x', cell: 'privacy/security' },
  { suite: 'privacy', figure: 'privacy_secagg_ms_per_client_10', unit: 'ms', cell: 'privacy/scalability' },
  { suite: 'privacy', figure: 'privacy_he_vs_secagg_ms_ratio_10', unit: 'x', cell: 'privacy/scalability' },
  { suite: 'privacy', figure: 'privacy_dp_accuracy_eps3_breast_cancer', unit: '%', cell: 'privacy/decentralization' },
  { suite: 'fl', figure: 'fl_fedavg_vs_central_accuracy_pp_iid', unit: 'pp', cell: 'privacy/decentralization' },
  { suite: 'payments', figure: 'voucher_overhead_ratio', unit: 'x', cell: 'performance/security' },
  { suite: 'gas', figure: 'redeem_gas_per_request_n1000', unit: 'gas', cell: 'performance/scalability' },
  { suite: 'gas', figure: 'redeem_many_c50_vs_c1_ratio', unit: 'x', cell: 'performance/scalability' },
  { suite: 'network', figure: 'gateway_c32_vs_c1_throughput_ratio', unit: 'x', cell: 'performance/scalability' },
  { suite: 'network', figure: 'settlement_gas_per_request', unit: 'gas', cell: 'performance/scalability' },
  { suite: 'network', figure: 'gateway_vs_provider_latency_ratio_p50', unit: 'x', cell: 'performance/decentralization' },
  { suite: 'network', figure: 'gateway_c1_p50_ms', unit: 'ms', cell: 'performance/decentralization' },
];

export function figureKey(f: { suite: string; figure: string }): string {
  return `${f.suite}.${f.figure}`;
}

export type SelfClaim = { text: string; cell: CellId; kind?: ClaimKind; mechanisms: readonly Mechanism[] };

export const SELF_CLAIMS: readonly SelfClaim[] = [
  {
    cell: 'verifiability/security',
    text: 'A wrong result can be challenged and costs the provider its stake; small models can carry a zk proof',
    mechanisms: ['optimistic verification / dispute games', 'zk proofs', 'staking and slashing'],
  },
  {
    cell: 'verifiability/scalability',
    text: 'Receipts stay off chain; the chain is touched only on dispute, and proofs verify in constant size',
    mechanisms: ['optimistic verification / dispute games', 'zk proofs', 'batched settlement'],
  },
  {
    cell: 'verifiability/decentralization',
    text: 'Anyone may watch and challenge, and a request can run on several independent providers',
    mechanisms: ['redundant execution', 'optimistic verification / dispute games'],
  },
  { cell: 'privacy/security', text: 'Inputs are encrypted end to end to the chosen provider', mechanisms: ['end-to-end encryption'] },
  { cell: 'privacy/scalability', text: 'Federated training protects updates with secure aggregation', mechanisms: ['MPC and secure aggregation'] },
  {
    cell: 'privacy/decentralization',
    text: 'Data owners train models together without handing over their data, coordinated on chain',
    mechanisms: ['federated learning'],
  },
  {
    cell: 'performance/security',
    kind: 'performance',
    text: 'Stake at risk replaces per-request consensus, so a request never waits for a block',
    mechanisms: ['staking and slashing', 'batched settlement'],
  },
  {
    cell: 'performance/scalability',
    kind: 'performance',
    text: 'Off-chain fast path with bulk settlement and load balancing drives gas per request toward zero',
    mechanisms: ['batched settlement', 'load balancing and routing', 'distributed compute'],
  },
  {
    cell: 'performance/decentralization',
    kind: 'performance',
    text: 'Latency-aware routing across independent providers',
    mechanisms: ['load balancing and routing', 'distributed compute'],
  },
];
