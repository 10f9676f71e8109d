// Adam (Kingma and Ba, 2015) with bias correction. The powers beta^t are kept as
// running products rather than Math.pow, so each step is plain IEEE arithmetic plus
// one correctly rounded square root.
import type { Param } from './layer.ts';

export type AdamOptions = {
  learningRate: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
};

export class Adam {
  private readonly m: Float64Array[];
  private readonly v: Float64Array[];
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly epsilon: number;
  private beta1Power = 1;
  private beta2Power = 1;

  constructor(
    private readonly params: readonly Param[],
    private readonly options: AdamOptions,
  ) {
    this.m = params.map((p) => new Float64Array(p.value.length));
    this.v = params.map((p) => new Float64Array(p.value.length));
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-8;
  }

  /** One update from the grads currently held by the params. */
  step(): void {
    this.beta1Power *= this.beta1;
    this.beta2Power *= this.beta2;
    const c1 = 1 - this.beta1Power;
    const c2 = 1 - this.beta2Power;
    const lr = this.options.learningRate;
    this.params.forEach((p, index) => {
      const m = this.m[index]!;
      const v = this.v[index]!;
      for (let i = 0; i < p.value.length; i++) {
        const g = p.grad[i]!;
        m[i] = this.beta1 * m[i]! + (1 - this.beta1) * g;
        v[i] = this.beta2 * v[i]! + (1 - this.beta2) * g * g;
        p.value[i]! -= (lr * (m[i]! / c1)) / (Math.sqrt(v[i]! / c2) + this.epsilon);
      }
    });
  }
}
