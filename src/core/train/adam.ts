// Adam (Kingma & Ba 2015) as both trainers apply it: β1 0.9, β2 0.999, ε 1e-8, bias-corrected
// moments, pruned entries (mask 0) left untouched so they stay exactly 0.
const BETA1 = 0.9;
const BETA2 = 0.999;
const EPS = 1e-8;

/** Step `step` (from 1) of Adam on p with gradient g and moments m, v (updated in place). */
export function adamStep(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, mask: Uint8Array | undefined, lr: number, step: number): void {
  const c1 = 1 - BETA1 ** step;
  const c2 = 1 - BETA2 ** step;
  for (let i = 0; i < p.length; i++) {
    if (mask !== undefined && mask[i] === 0) continue;
    const gi = g[i];
    const mi = (m[i] = BETA1 * m[i] + (1 - BETA1) * gi);
    const vi = (v[i] = BETA2 * v[i] + (1 - BETA2) * gi * gi);
    p[i] -= (lr * (mi / c1)) / (Math.sqrt(vi / c2) + EPS);
  }
}
