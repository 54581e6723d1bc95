// Knowledge distillation (Hinton et al. 2015): the loss against an independent float64 formula,
// its gradient against central finite differences, α = 1 is plain cross-entropy, a student equal
// to its teacher has no teacher term; and in the graph trainer, cached teacher logits give exactly
// (up to rounding) the training of a teacher run on every batch (so the cache is aligned with the shuffled samples),
// and α = 0 pulls the student toward the teacher.
import { describe, expect, it } from 'vitest';
import { compileGraph, distillationLoss, evaluateGraph, forward, logitsOf, softmaxCrossEntropy, trainableTensors, trainGraphSteps, type GraphNet } from '../../../../src/core/train/graph';
import { mulberry32, type TrainData } from '../../../../src/core/train';
import { cnn, fashion } from './graph-fixtures';
import { slice } from './fixtures';

const rand = mulberry32(7);
const randoms = (n: number, scale: number): Float32Array => Float32Array.from({ length: n }, () => (rand() * 2 - 1) * scale);

/** α·CE + (1 − α)·T²·KL(softmax(t/T) ‖ softmax(s/T)), summed over the batch, all in float64 from the definitions. */
function reference(s: ArrayLike<number>, t: ArrayLike<number>, labels: number[], classes: number, alpha: number, T: number): number {
  let total = 0;
  labels.forEach((y, i) => {
    const row = (v: ArrayLike<number>, scale: number): number[] => Array.from({ length: classes }, (_x, c) => v[i * classes + c] / scale);
    const logSoftmax = (z: number[]): number[] => {
      const lse = Math.log(z.reduce((a, b) => a + Math.exp(b), 0));
      return z.map((v) => v - lse);
    };
    const ce = -logSoftmax(row(s, 1))[y];
    const ls = logSoftmax(row(s, T));
    const lt = logSoftmax(row(t, T));
    const kl = lt.reduce((a, l, c) => a + Math.exp(l) * (l - ls[c]), 0);
    total += alpha * ce + (1 - alpha) * T * T * kl;
  });
  return total;
}

describe('distillationLoss', () => {
  const N = 3;
  const C = 5;
  const labels = [4, 0, 2];
  const s = randoms(N * C, 3);
  const t = randoms(N * C, 3);

  for (const [alpha, T] of [[0.5, 4], [0.2, 2], [0, 1], [0.9, 8]]) {
    it(`α = ${alpha}, T = ${T}: the loss equals the definition and its gradient finite differences`, () => {
      const r = distillationLoss(s, t, labels, N, C, { alpha, temperature: T });
      expect(r.loss).toBeCloseTo(reference(s, t, labels, C, alpha, T), 4);
      const h = 1e-3;
      for (let k = 0; k < N * C; k++) {
        const p = Float64Array.from(s);
        p[k] += h;
        const up = reference(p, t, labels, C, alpha, T);
        p[k] -= 2 * h;
        const down = reference(p, t, labels, C, alpha, T);
        expect(r.dLogits[k], `logit ${k}`).toBeCloseTo((up - down) / (2 * h) / N, 4);
      }
    });
  }

  it('α = 1 is softmax cross-entropy (loss, correct count and gradient)', () => {
    const r = distillationLoss(s, t, labels, N, C, { alpha: 1, temperature: 4 });
    const ce = softmaxCrossEntropy(s, labels, N, C);
    expect(r.loss).toBeCloseTo(ce.loss, 6);
    expect(r.correct).toBe(ce.correct);
    for (let k = 0; k < N * C; k++) expect(r.dLogits[k]).toBeCloseTo(ce.dLogits[k], 7);
  });

  it('a student equal to its teacher has no teacher term (α = 0: loss and gradient 0)', () => {
    const r = distillationLoss(t, t, labels, N, C, { alpha: 0, temperature: 3 });
    expect(r.loss).toBeCloseTo(0, 6);
    for (const g of r.dLogits) expect(g).toBeCloseTo(0, 7);
  });

  it('refuses a temperature that is not positive', () => {
    expect(() => distillationLoss(s, t, labels, N, C, { alpha: 0.5, temperature: 0 })).toThrow(/temperature/);
  });
});

describe('graph trainer with a teacher', () => {
  const lenet = cnn('lenet');
  const data: TrainData = slice(fashion('train'), 0, 96);
  const teacherNet = compileGraph(lenet, [], [1, 28, 28]);
  const teacherLogits = logitsOf(teacherNet, forward(teacherNet, data.images, data.count)).data.slice();
  /** LeNet with its Gemm weights trainable, those of f1 scaled down (a student that differs from the teacher). */
  function student(): GraphNet {
    const net = compileGraph(lenet, trainableTensors(lenet, ['f1.weight', 'f2.weight', 'f3.weight']), [1, 28, 28]);
    const w = net.params.get('f1.weight')!.data;
    for (let i = 0; i < w.length; i++) w[i] *= 0.5;
    return net;
  }
  const klToTeacher = (net: GraphNet): number => {
    const s = logitsOf(net, forward(net, data.images, data.count)).data;
    return distillationLoss(s, teacherLogits, data.labels, data.count, 10, { alpha: 0, temperature: 4 }).loss / data.count;
  };
  const train = (net: GraphNet, distill: Parameters<typeof trainGraphSteps>[2]['distill']): void => {
    const g = trainGraphSteps(net, data, { epochs: 2, batchSize: 32, learningRate: 1e-3, seed: 5, distill });
    while (g.next().done !== true);
  };

  it('cached teacher logits train as the teacher run on every batch', () => {
    const cached = student();
    const onBatch = student();
    train(cached, { alpha: 0.5, temperature: 4, logits: teacherLogits });
    train(onBatch, { alpha: 0.5, temperature: 4, teacher: (x, n) => logitsOf(teacherNet, forward(teacherNet, x, n)).data.slice() });
    const plain = student();
    train(plain, undefined);
    // Equal up to the rounding of a teacher run on 32 samples instead of 96 (a misaligned cache
    // would give other targets: a difference like that from the plain training's).
    const maxDiff = (a: GraphNet, b: GraphNet): number => {
      let m = 0;
      for (const [name, p] of a.params) p.data.forEach((v, i) => (m = Math.max(m, Math.abs(v - b.params.get(name)!.data[i]))));
      return m;
    };
    expect(maxDiff(cached, onBatch)).toBeLessThan(1e-6);
    expect(maxDiff(cached, plain)).toBeGreaterThan(1e-4);
  });

  it('α = 0 brings the student closer to the teacher than training on the labels alone', () => {
    const distilled = student();
    const labelsOnly = student();
    const before = klToTeacher(distilled);
    train(distilled, { alpha: 0, temperature: 4, logits: teacherLogits });
    train(labelsOnly, undefined);
    expect(klToTeacher(distilled)).toBeLessThan(before);
    expect(klToTeacher(distilled)).toBeLessThan(klToTeacher(labelsOnly));
    expect(evaluateGraph(distilled, data).accuracy).toBeGreaterThan(0.5);
  });
});
