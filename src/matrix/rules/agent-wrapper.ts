// An "AI agent" project whose agents never touch the chain: a model behind an API
// with a token beside it. An agent needs at least one mechanism enforced on chain
// (a wallet with limits, on-chain payments, a registry, settlement).
import { runningMechanisms } from '../present-mechanisms.ts';
import { MECHANISM_TRAITS } from '../vocabulary.ts';
import type { HypeRule } from './hype-rule.ts';

const AGENT_WORD = /\bagents?\b|\bagentic\b/i;

export const agentWrapper: HypeRule = {
  id: 'agent-wrapper',
  title: 'AI agents that wrap a model with no on-chain integration',
  check(profile) {
    const aboutAgents = profile.category === 'agents' || profile.claims.some((c) => AGENT_WORD.test(c.text));
    if (!aboutAgents) return [];
    if (runningMechanisms(profile).some((m) => MECHANISM_TRAITS[m].onChain)) return [];
    return [{ rule: 'agent-wrapper', message: 'presents AI agents but runs no on-chain mechanism (agent wallets, on-chain payments, registry, settlement)' }];
  },
};
