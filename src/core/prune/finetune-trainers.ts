// The two trainers behind fine-tuning: the MLP fast path (Flatten / Gemm / Relu chains: sparse-input
// kernels and CSR for masked layers) and the graph trainer (any model it can differentiate: Conv,
// pools, BatchNormalization, residuals…). Each trains one prune step's model with its masks and
// returns the model with the trained weights written back.
import { DataType, type Model } from '../onnx/model';
import { compileGraph, mlpFromModel, trainableTensors, trainGraphSteps, trainSteps, updateModelWeights, withTrainedParams } from '../train';
import type { Augment, DenseLayer, TrainData, TrainResult } from '../train';
import type { GraphDistill } from '../train/graph';
import { applyPrune, pruneMask } from './apply';
import { gemmChain } from './reconstruct';
import { PruneError, type PrunePlan } from './types';

export interface StepSettings {
  epochs: number;
  batchSize: number;
  learningRate: number;
  learningRateDecay: number;
  seed: number;
  validation?: TrainData;
  patience?: number;
  augment?: Augment;
  /** Graph trainer only. */
  distill?: GraphDistill;
}

export interface StepTrainer {
  kind: 'mlp' | 'graph';
  /** Trains `current` pruned by `plan` (masked weights stay 0); yields the step's fraction done. */
  run(current: Model, plan: PrunePlan, train: TrainData, s: StepSettings): Generator<number, { model: Model; result: TrainResult }, void>;
}

/** Float32 of a kept weight, never exactly zero (so the zero count equals the pruned count). */
function nonZero(v: number): number {
  return v !== 0 ? v : 1.401298464324817e-45;
}

function floatInit(model: Model, name: string): NonNullable<Model['graph']['initializers'][number]> {
  const t = model.graph.initializers.find((x) => x.name === name);
  if (t === undefined || t.dataType !== DataType.FLOAT) throw new PruneError(`fine-tuning: "${name}" is not a float32 initializer`, 'unsupported');
  return t;
}

/** The MLP fast path, when the model is a Gemm chain and every pruned tensor one of its weights; else undefined. */
export function mlpTrainer(model: Model, selected: string[]): StepTrainer | undefined {
  let names: string[];
  let transposed: boolean[];
  try {
    const gemms = gemmChain(model, 'fine-tuning');
    mlpFromModel(model);
    names = gemms.map((g) => g.inputs[1]);
    transposed = gemms.map((g) => !g.attributes.some((a) => a.name === 'transB' && Number(a.value) !== 0));
  } catch {
    return undefined;
  }
  if (!selected.every((t) => names.includes(t))) return undefined;
  return {
    kind: 'mlp',
    *run(current, plan, train, s) {
      let layers: DenseLayer[] = mlpFromModel(current);
      // Masks in the layers' [outputs × inputs] layout.
      const masks = names.map((name, l) => {
        const lp = plan.layers.find((x) => x.tensor === name);
        if (lp === undefined || lp.pruned === 0) return undefined;
        const m = pruneMask(floatInit(current, name), lp);
        if (!transposed[l]) return m;
        const { inputs: I, outputs: O } = layers[l];
        const mt = new Uint8Array(m.length);
        for (let i = 0; i < I; i++) for (let o = 0; o < O; o++) mt[o * I + i] = m[i * O + o];
        return mt;
      });
      layers = mlpFromModel(applyPrune(current, plan));
      const { distill: _unused, ...settings } = s;
      const result = yield* trainSteps(layers, train, { ...settings, optimizer: 'adam', masks });
      layers.forEach((layer, l) => {
        const m = masks[l];
        const w = layer.weight;
        if (m !== undefined) for (let i = 0; i < w.length; i++) w[i] = m[i] === 0 ? 0 : nonZero(w[i]);
      });
      return { model: updateModelWeights(current, layers), result };
    },
  };
}

/** The graph trainer: trains the selected weights, the Conv / Gemm biases and BatchNormalization's scale and bias. */
export function graphTrainer(selected: string[], sampleShape?: number[]): StepTrainer {
  return {
    kind: 'graph',
    *run(current, plan, train, s) {
      const masks = new Map<string, Uint8Array>();
      for (const lp of plan.layers) if (lp.pruned > 0) masks.set(lp.tensor, pruneMask(floatInit(current, lp.tensor), lp));
      const net = compileGraph(current, trainableTensors(current, selected), sampleShape);
      const result = yield* trainGraphSteps(net, train, { ...s, masks });
      return { model: withTrainedParams(current, net, masks), result };
    },
  };
}
