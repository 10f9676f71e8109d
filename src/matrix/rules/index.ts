// The table of hype rules the evaluator runs, in the order flags are reported.
import { agentWrapper } from './agent-wrapper.ts';
import { claimWithoutMechanism } from './claim-without-mechanism.ts';
import type { HypeRule } from './hype-rule.ts';
import { privacyWithoutMechanism } from './privacy-without-mechanism.ts';
import { singleOperatorDecentralization } from './single-operator-decentralization.ts';
import { tokenWithoutRole } from './token-without-role.ts';
import { unevidencedPerformance } from './unevidenced-performance.ts';
import { verifiableWithoutMechanism } from './verifiable-without-mechanism.ts';

export const HYPE_RULES: readonly HypeRule[] = [
  verifiableWithoutMechanism,
  privacyWithoutMechanism,
  claimWithoutMechanism,
  unevidencedPerformance,
  tokenWithoutRole,
  agentWrapper,
  singleOperatorDecentralization,
];
