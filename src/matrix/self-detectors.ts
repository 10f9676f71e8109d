// How the self-assessment recognizes each mechanism in Trellis's own code. A detector
// matches a file by path and, when given, by content; a mechanism is present when
// any of its detectors matches. The patterns look for what does the work (a slash
// function, a bisection step, a voucher redemption), not for names in comments alone.
import type { Mechanism } from './vocabulary.ts';

export type Detector = {
  /** Where to look: Solidity under contracts/src, or TypeScript under src (tests and src/matrix excluded). */
  area: 'contracts' | 'src';
  path: RegExp;
  content?: readonly RegExp[];
  /** What a match shows, used as the evidence text. */
  shows: string;
};

export const SELF_DETECTORS: Readonly<Partial<Record<Mechanism, readonly Detector[]>>> = {
  'staking and slashing': [{ area: 'contracts', path: /\.sol$/, content: [/function\s+slash\w*\s*\(/], shows: 'a contract with a slash function' }],
  'optimistic verification / dispute games': [
    { area: 'contracts', path: /\.sol$/, content: [/function\s+\w*(bisect|Bisect)\w*\s*\(/], shows: 'a contract with a bisection step' },
    {
      area: 'contracts',
      path: /Dispute\w*\.sol$/,
      content: [/function\s+step\s*\(/, /slash/],
      shows: 'a dispute game that re-executes one step on chain and slashes the loser',
    },
  ],
  'zk proofs': [{ area: 'contracts', path: /\.sol$/, content: [/function\s+verifyProof\s*\(/], shows: 'an on-chain proof verifier' }],
  'redundant execution': [{ area: 'src', path: /^src\/(verify|gateway)\//, content: [/redundan/i], shows: 'redundant execution across providers' }],
  'batched settlement': [
    {
      area: 'contracts',
      path: /\.sol$/,
      content: [/voucher/i, /function\s+(redeem|settle|claim)\w*\s*\(/i],
      shows: 'voucher redemption in a settlement contract',
    },
  ],
  'on-chain payments': [
    {
      area: 'contracts',
      path: /\.sol$/,
      content: [/function\s+(transfer|receive)WithAuthorization\s*\(/],
      shows: 'EIP-3009 authorizations for per-call payments',
    },
  ],
  'agent wallets and spending limits': [{ area: 'contracts', path: /\.sol$/, content: [/spend(ing)?Limit/i], shows: 'a wallet contract with spending limits' }],
  'on-chain registry': [{ area: 'contracts', path: /Registry\w*\.sol$/, content: [/function\s+register\w*\s*\(/], shows: 'a registry contract' }],
  'federated learning': [
    { area: 'src', path: /^src\/fl\//, content: [/aggregat/i], shows: 'federated aggregation' },
    { area: 'contracts', path: /(Federated|FL)\w*\.sol$/, content: [/round/i], shows: 'an on-chain training-round coordinator' },
  ],
  'MPC and secure aggregation': [{ area: 'src', path: /^src\/fl\//, content: [/secure.?agg|pairwise.?mask/i], shows: 'secure aggregation of updates' }],
  // Noise calibrated to a clipping norm, not any mention of clipping and Gaussian noise
  // (the poisoning tests add Gaussian noise too, and protect no one's privacy).
  'differential privacy': [
    { area: 'src', path: /^src\/fl\//, content: [/clipping.?norm/i, /noise.?multiplier/i], shows: 'clipping and noise calibrated to it on updates' },
  ],
  // Ciphertexts multiplied to add their plaintexts, not a mention of a cipher.
  'homomorphic encryption': [
    { area: 'src', path: /^src\/fl\//, content: [/from 'paillier-bigint'/, /\*\s*\w+\)\s*%\s*this\.n2/], shows: 'Paillier aggregation of encrypted updates' },
  ],
  'end-to-end encryption': [
    {
      area: 'src',
      path: /^src\/(provider|gateway|sdk|crypto|client)\//,
      content: [/x25519|ecies|aes-256-gcm|encryptInput|sealed.?box/i],
      shows: 'encrypted inputs to the provider',
    },
  ],
  'load balancing and routing': [{ area: 'src', path: /^src\/gateway\//, content: [/balanc|route|latency/i], shows: 'a gateway that routes requests' }],
  'distributed compute': [{ area: 'src', path: /^src\/provider\//, content: [/infer|execute/i], shows: 'provider nodes that execute requests' }],
};
