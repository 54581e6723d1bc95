// The MLP trainer: forward pass against a plain reference, gradients against finite differences,
// learning, masks that hold, validation with early stopping, augmentation.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDataset, type Dataset } from '../../../../src/core/data';
import {
  evaluateMlp, forwardAll, initMlp, lossAndGradients, masksFromZeros, mulberry32, randomShift, trainMlp, type DenseLayer,
} from '../../../../src/core/train';

const ROOT = join(__dirname, '..', '..', '..', '..');
function bundled(prefix: string): Dataset {
  return parseDataset(['images-idx3-ubyte', 'labels-idx1-ubyte'].map((k) => {
    const p = join(ROOT, 'resources', 'mnist', `${prefix}-${k}.gz`);
    return { name: p, bytes: new Uint8Array(readFileSync(p)) };
  }));
}
function head(ds: Dataset, n: number): { images: Float32Array; labels: Int32Array; count: number } {
  return { images: ds.images.slice(0, n * ds.sampleSize), labels: ds.labels.slice(0, n), count: n };
}

/** Plain float64 forward pass: y = W x + b, ReLU between layers. */
function referenceForward(layers: DenseLayer[], x: ArrayLike<number>): number[] {
  let a = Array.from(x);
  layers.forEach((l, li) => {
    const y: number[] = [];
    for (let o = 0; o < l.outputs; o++) {
      let s = l.bias[o];
      for (let i = 0; i < l.inputs; i++) s += l.weight[o * l.inputs + i] * a[i];
      y.push(li < layers.length - 1 ? Math.max(0, s) : s);
    }
    a = y;
  });
  return a;
}

function randomInputs(count: number, size: number, seed: number): Float32Array {
  const rand = mulberry32(seed);
  // about a third zeros, like sparse images, the rest in −1..1
  return new Float32Array(count * size).map(() => (rand() < 0.33 ? 0 : rand() * 2 - 1));
}

describe('forward pass', () => {
  it('matches a plain float64 implementation', () => {
    const layers = initMlp([12, 9, 7, 4], 5);
    const x = randomInputs(6, 12, 1);
    const got = forwardAll(layers, x, 6, 4); // batch 4: two batches, the second partial
    for (let s = 0; s < 6; s++) {
      const want = referenceForward(layers, x.subarray(s * 12, (s + 1) * 12));
      want.forEach((v, c) => expect(got[s * 4 + c]).toBeCloseTo(v, 5));
    }
  });
});

describe('gradients', () => {
  it('agree with central finite differences on a tiny net', () => {
    const layers = initMlp([6, 5, 4, 3], 11, 'uniform');
    const count = 5;
    const x = randomInputs(count, 6, 2);
    const labels = Int32Array.from([0, 2, 1, 1, 0]);
    const { grads } = lossAndGradients(layers, x, labels, count);
    // Loss in float64 from the reference forward, so the differences are not float32 noise.
    const loss = (): number => {
      let total = 0;
      for (let s = 0; s < count; s++) {
        const z = referenceForward(layers, x.subarray(s * 6, (s + 1) * 6));
        const m = Math.max(...z);
        total += Math.log(z.reduce((a, v) => a + Math.exp(v - m), 0)) - (z[labels[s]] - m);
      }
      return total / count;
    };
    const eps = 1e-3;
    let checked = 0;
    layers.forEach((layer, l) => {
      for (const [param, grad] of [[layer.weight, grads[l].weight], [layer.bias, grads[l].bias]] as const) {
        for (let i = 0; i < param.length; i++) {
          const keep = param[i];
          param[i] = keep + eps;
          const up = loss();
          param[i] = keep - eps;
          const down = loss();
          param[i] = keep;
          const numeric = (up - down) / ((keep + eps) - (keep - eps));
          expect(Math.abs(grad[i] - numeric)).toBeLessThan(2e-4 + 1e-2 * Math.abs(numeric));
          checked++;
        }
      }
    });
    expect(checked).toBe(6 * 5 + 5 + 5 * 4 + 4 + 4 * 3 + 3);
    // Not all zero: the check compared real gradients.
    expect(grads.some((g) => g.weight.some((v) => Math.abs(v) > 1e-3))).toBe(true);
  });
});

describe('training', () => {
  const train = bundled('train');

  it('decreases the loss and learns digits (Adam and SGD)', () => {
    const data = head(train, 600);
    for (const [optimizer, learningRate] of [['adam', 0.01], ['sgd', 0.05]] as const) {
      const layers = initMlp([784, 32, 10], 3);
      const before = evaluateMlp(layers, data);
      const result = trainMlp(layers, data, { epochs: 4, batchSize: 32, optimizer, learningRate, seed: 4 });
      const after = evaluateMlp(layers, data);
      expect(result.epochs).toHaveLength(4);
      expect(result.epochs[3].loss).toBeLessThan(result.epochs[0].loss);
      expect(after.loss).toBeLessThan(before.loss / 3);
      expect(after.accuracy).toBeGreaterThan(0.9);
      expect(before.accuracy).toBeLessThan(0.3);
    }
  });

  it('keeps masked weights exactly zero while the others learn', () => {
    const data = head(train, 400);
    const layers = initMlp([784, 48, 10], 8);
    const initial = layers.map((l) => l.weight.slice());
    const rand = mulberry32(9);
    const masks = layers.map((l) => new Uint8Array(l.weight.length).map(() => (rand() < 0.7 ? 0 : 1)));
    const result = trainMlp(layers, data, { epochs: 3, batchSize: 16, masks, seed: 1, augment: randomShift(28, 28, 1) });
    expect(result.epochs[2].loss).toBeLessThan(result.epochs[0].loss);
    layers.forEach((l, li) => {
      let masked = 0;
      let moved = 0;
      let kept = 0;
      for (let i = 0; i < l.weight.length; i++) {
        if (masks[li][i] === 0) {
          expect(Object.is(l.weight[i], 0)).toBe(true);
          masked++;
        } else {
          kept++;
          if (l.weight[i] !== initial[li][i]) moved++;
        }
      }
      expect(masked).toBeGreaterThan(0);
      // Layer 0: weights of always-zero border pixels get no gradient; most others move.
      expect(moved / kept).toBeGreaterThan(li === 0 ? 0.4 : 0.95);
    });
  });

  it('holds out a validation split, restores the best epoch, and stops early', () => {
    const data = head(train, 500);
    const layers = initMlp([784, 16, 10], 2);
    const seen: number[] = [];
    // A learning rate far too high makes validation accuracy stop improving quickly.
    const result = trainMlp(layers, data, {
      epochs: 30, batchSize: 25, optimizer: 'sgd', learningRate: 3, momentum: 0.9, seed: 3,
      validationFraction: 0.2, patience: 2, onEpoch: (r) => void seen.push(r.epoch),
    });
    expect(result.stoppedEarly).toBe(true);
    expect(result.epochs.length).toBe(result.bestEpoch + 2);
    expect(seen).toEqual(result.epochs.map((e) => e.epoch));
    const accs = result.epochs.map((e) => e.validationAccuracy!);
    expect(accs[result.bestEpoch - 1]).toBe(Math.max(...accs));
    // The held-out fifth, recomputed with the same seeded split, scores exactly the best epoch's
    // accuracy: the best weights were restored.
    const stopped = trainMlp(initMlp([784, 16, 10], 2), data, { epochs: 1, seed: 3, validationFraction: 0.2, onEpoch: () => false });
    expect(stopped.epochs).toHaveLength(1);
    const explicit = initMlp([784, 16, 10], 2);
    const r2 = trainMlp(explicit, data, {
      epochs: 30, batchSize: 25, optimizer: 'sgd', learningRate: 3, momentum: 0.9, seed: 3, validationFraction: 0.2, patience: 2,
    });
    expect(r2.epochs.map((e) => e.loss)).toEqual(result.epochs.map((e) => e.loss)); // reproducible
    expect(explicit.map((l) => Array.from(l.weight.slice(0, 50)))).toEqual(layers.map((l) => Array.from(l.weight.slice(0, 50))));
  });

  it('rejects labels beyond the outputs', () => {
    const layers = initMlp([4, 3], 1);
    expect(() => trainMlp(layers, { images: new Float32Array(8), labels: Int32Array.from([0, 3]), count: 2 }, { epochs: 1 })).toThrow(/label 1 is 3, the network has 3 outputs/);
  });
});

describe('randomShift', () => {
  it('moves the image by whole pixels and fills with zero', () => {
    const img = new Float32Array(25);
    img[12] = 1; // centre of 5×5
    const seen = new Set<number>();
    const rand = mulberry32(1);
    for (let t = 0; t < 200; t++) {
      const s = img.slice();
      randomShift(5, 5, 1)(s, rand);
      expect(s.reduce((a, v) => a + v, 0)).toBe(1);
      const at = s.indexOf(1);
      expect(Math.abs((at % 5) - 2)).toBeLessThanOrEqual(1);
      expect(Math.abs(Math.floor(at / 5) - 2)).toBeLessThanOrEqual(1);
      seen.add(at);
    }
    expect(seen.size).toBe(9);
  });
});

describe('fine-tuning after pruning', () => {
  it('masksFromZeros freezes exactly the pruned weights', () => {
    const train = bundled('train');
    const data = head(train, 300);
    const layers = initMlp([784, 24, 10], 12);
    layers.forEach((l) => l.weight.forEach((_, i) => { if (i % 3 === 0) l.weight[i] = 0; }));
    const masks = masksFromZeros(layers);
    expect(masks[0].reduce((a, v) => a + v, 0)).toBe(784 * 24 - Math.ceil((784 * 24) / 3));
    trainMlp(layers, data, { epochs: 1, masks, learningRate: 0.01 });
    layers.forEach((l) => l.weight.forEach((w, i) => { if (i % 3 === 0) expect(w).toBe(0); }));
    expect(layers[1].weight.filter((w, i) => i % 3 !== 0 && w === 0)).toHaveLength(0);
  });
});
