// JSON rendering: the evaluation objects as they are, for scripts and dashboards.
import type { Evaluation } from '../evaluate.ts';

export function evaluationJson(evaluations: Evaluation | readonly Evaluation[]): string {
  return `${JSON.stringify(evaluations, null, 2)}\n`;
}
