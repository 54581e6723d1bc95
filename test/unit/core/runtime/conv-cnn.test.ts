// The CNN fixtures (torch.onnx.export: LeNet, ResNet-style with BatchNormalization in the graph,
// MobileNet-style with depthwise, ReLU6, squeeze-excite and HardSwish) on real Fashion-MNIST
// images against onnxruntime-node: unpruned and magnitude-pruned 70% (Conv and Gemm weights),
// dense and sparse kernels, WebAssembly and JS, batch 1 and 37; BN folding and activation fusion
// reported in Plan.layers.
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { parseDataset } from '../../../../src/core/data';
import { decodeModel, encodeModel } from '../../../../src/core/onnx';
import { DataType, type Model, type ValueInfo } from '../../../../src/core/onnx/model';
import { applyPrune, planPrune } from '../../../../src/core/prune';
import { Session, unsupportedNodes } from '../../../../src/core/runtime';

const ORT_OPTIONS: ort.InferenceSession.SessionOptions = { intraOpNumThreads: 1, interOpNumThreads: 1, logSeverityLevel: 4 };
const FMNIST = '/usr/share/datasets/fashion-mnist';

const data = parseDataset(['t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'].map((f) => ({ name: f, bytes: new Uint8Array(readFileSync(`${FMNIST}/${f}`)) })));

function load(name: string): Model {
  return decodeModel(new Uint8Array(readFileSync(`test/models/cnn/${name}.onnx`)), `${name}.onnx`);
}

/** Weights of Conv and Gemm nodes, magnitude-pruned per layer. */
function pruned(model: Model, ratio: number): Model {
  const inits = new Set(model.graph.initializers.map((t) => t.name));
  const select = model.graph.nodes.filter((n) => (n.opType === 'Conv' || n.opType === 'Gemm') && inits.has(n.inputs[1])).map((n) => n.inputs[1]);
  return applyPrune(model, planPrune(model, { ratio, mode: 'layer', select }));
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

/** Conv layers the plan should report: [fused BN count, activations] per fixture. */
const EXPECT: Record<string, { convs: number; bn: number; relu: number; clip: number; hardswish: number; residual: number; scale: number; pool: number }> = {
  // Both convs: Relu, then the MaxPool.
  lenet: { convs: 2, bn: 0, relu: 2, clip: 0, hardswish: 0, residual: 0, scale: 0, pool: 2 },
  // Stem and the first conv of each block: BN + Relu; second convs of the three blocks: BN, the
  // residual Add and the Relu after it; skips: BN.
  resnet: { convs: 9, bn: 9, relu: 7, clip: 0, hardswish: 0, residual: 3, scale: 0, pool: 0 },
  // 21 convs: stem, three per block (expand, depthwise, project), two per SE (blocks 3-4), head;
  // stem, expand and depthwise of blocks 0-2 end in ReLU6; the SE squeeze convs in Relu; expand and
  // depthwise of blocks 3-4 and the head in HardSwish; the projections of blocks 0, 2 and 4 add
  // the block input; those of blocks 3-4 read the SE product (x · s).
  mobilenet: { convs: 21, bn: 0, relu: 2, clip: 7, hardswish: 5, residual: 3, scale: 2, pool: 0 },
};

/**
 * While other operators of a fixture are still missing from the runtime: the graph up to the first
 * node it cannot run, with every value the kept nodes compute and none of them reads as outputs.
 */
function runnablePrefix(model: Model): Model {
  const bad = new Set(unsupportedNodes(model).map((n) => n.name));
  const nodes = model.graph.nodes.slice(0, model.graph.nodes.findIndex((n) => bad.has(n.name)));
  const read = new Set(nodes.flatMap((n) => n.inputs));
  const outs = nodes.flatMap((n) => n.outputs).filter((o) => o !== '' && !read.has(o));
  const outputs = outs.map((o) => ({ name: o, type: { kind: 'tensor', elemType: DataType.FLOAT } }) as ValueInfo);
  return { ...model, graph: { ...model.graph, nodes, outputs } };
}

describe.each(['lenet', 'resnet', 'mobilenet'])('%s fixture against onnxruntime-node on Fashion-MNIST', (name) => {
  const full = load(name);
  const missing = [...new Set(unsupportedNodes(full).map((n) => n.opType))];
  const model = missing.length ? runnablePrefix(full) : full;
  const what = missing.length ? `the graph up to its first ${missing.join('/')} node (until the runtime has them)` : 'the whole model';
  it(`${what}: unpruned and 70% pruned, dense and sparse, wasm and JS, batch 1 and 37, within 1e-4`, async () => {
    expect(model.graph.nodes.some((n) => n.opType === 'Conv')).toBe(true);
    for (const [label, m] of [['unpruned', model], ['pruned 0.7', pruned(model, 0.7)]] as const) {
      const bytes = encodeModel(m);
      const ref = await ort.InferenceSession.create(bytes, ORT_OPTIONS);
      for (const [kernels, wasm] of [['dense', true], ['sparse', true], ['dense', false], ['sparse', false]] as const) {
        const s = Session.create(decodeModel(bytes), { kernels, wasm, sparseMinSparsity: 0 });
        const convs = s.layers.filter((l) => l.kind === 'conv');
        const e = EXPECT[name];
        expect(convs.length, `${label} ${kernels}`).toBe(model.graph.nodes.filter((n) => n.opType === 'Conv').length);
        if (!missing.length) {
          expect(convs.length).toBe(e.convs);
          expect(convs.filter((l) => l.conv?.bn).length).toBe(e.bn);
          expect(convs.filter((l) => l.conv?.activation === 'relu').length).toBe(e.relu);
          expect(convs.filter((l) => l.conv?.activation === 'clip').length).toBe(e.clip);
          expect(convs.filter((l) => l.conv?.activation === 'hardswish').length).toBe(e.hardswish);
          expect(convs.filter((l) => l.conv?.residual).length).toBe(e.residual);
          expect(convs.filter((l) => l.conv?.scale).length).toBe(e.scale);
          expect(convs.filter((l) => l.conv?.pool).length).toBe(e.pool);
        } else {
          // Every BatchNormalization of the prefix follows a Conv it can be folded into.
          expect(convs.filter((l) => l.conv?.bn).length).toBe(model.graph.nodes.filter((n) => n.opType === 'BatchNormalization').length);
        }
        for (const l of convs) expect(l.engine).toBe(wasm ? 'wasm' : 'js');
        if (label !== 'unpruned' && kernels === 'sparse') for (const l of convs) if (l.sparsity > 0) expect(l.kernel).toBe('sparse');
        for (const [start, batch] of [[0, 1], [1, 37], [100, 1]]) {
          const x = data.images.subarray(start * 784, (start + batch) * 784);
          const want = await ref.run({ x: new ort.Tensor('float32', x, [batch, 1, 28, 28]) });
          const got = s.run({ x: { dims: [batch, 1, 28, 28], data: x, dataType: DataType.FLOAT } });
          for (const o of ref.outputNames) {
            expect(maxDiff(got[o].data as Float32Array, want[o].data as Float32Array), `${label} ${kernels} wasm=${wasm} batch ${batch} ${o}`).toBeLessThan(1e-4);
          }
        }
      }
    }
  });
});
