// Checks models exported by others (scripts/torch/export_torchvision.py writes torchvision's) end
// to end in Prunescope's runtime against onnxruntime-node: unpruned, magnitude 0.5 per layer, 2:4
// (global), and channels 0.3 with the default selection (what the analysis cannot follow kept
// whole), each run dense and sparse on two random images and compared with onnxruntime-node on
// the same (pruned) model. Prints max |Δ| against the output's scale; exits 1 when any run fails
// or differs by more than 1e-4 of the scale (and 1e-6 absolute: a saturated Sigmoid output is all noise).
// Usage: npx tsx scripts/check-exports.ts FILE.onnx...   (the input size is read from "-224-" /
// "-32-" in the file name, else 224)
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import * as ort from 'onnxruntime-node';
import { decodeModel } from '../src/core/onnx';
import type { Model } from '../src/core/onnx/model';
import { encodeModel } from '../src/core/onnx/encode';
import { applyPrune, planPrune, type PruneOptions } from '../src/core/prune';
import { Session } from '../src/core/runtime';

const SPECS: PruneOptions[] = [
  { ratio: 0, mode: 'layer' },
  { ratio: 0.5, mode: 'layer' },
  { ratio: 0.5, mode: 'global', structure: '2:4' },
  { ratio: 0.3, mode: 'layer', structure: 'channels' },
];

async function compare(m: Model, x: Float32Array, dims: number[]): Promise<string[]> {
  const s = await ort.InferenceSession.create(encodeModel(m), { intraOpNumThreads: 1 });
  const input = s.inputNames[0];
  const want = (await s.run({ [input]: new ort.Tensor('float32', x, dims) }))[s.outputNames[0]].data as Float32Array;
  await s.release();
  let scale = 0;
  for (const v of want) scale = Math.max(scale, Math.abs(v));
  const out: string[] = [];
  for (const kernels of ['dense', 'sparse'] as const) {
    const got = Session.create(m, { kernels }).run({ [input]: { dims, data: x, dataType: 1 } })[m.graph.outputs[0].name].data as Float32Array;
    let d = 0;
    for (let i = 0; i < want.length; i++) d = Math.max(d, Math.abs(want[i] - got[i]));
    if (!(d <= 1e-4 * Math.max(scale, 1e-6)) && !(d <= 1e-6)) throw new Error(`${kernels}: max |Δ| ${d.toExponential(2)} at output scale ${scale.toExponential(2)}`);
    out.push(`${kernels} ${d.toExponential(1)}`);
  }
  return [`scale ${scale.toExponential(1)}`, ...out];
}

async function main(): Promise<void> {
  let failed = 0;
  for (const file of process.argv.slice(2)) {
    const hw = Number(/-(\d+)-/.exec(basename(file))?.[1] ?? 224);
    const dims = [2, 3, hw, hw];
    const x = Float32Array.from({ length: dims.reduce((p, q) => p * q, 1) }, (_, i) => Math.sin(i * 0.013));
    const m = decodeModel(new Uint8Array(readFileSync(file)), basename(file));
    for (const spec of SPECS) {
      const what = `${basename(file)} ${spec.structure ?? 'unstructured'} ${spec.ratio}${spec.mode === 'global' ? ' global' : ''}`;
      try {
        const pruned = spec.ratio === 0 ? m : applyPrune(m, planPrune(m, spec));
        console.log(`ok     ${what}: ${(await compare(pruned, x, dims)).join(', ')}`);
      } catch (e) {
        failed++;
        console.log(`FAILED ${what}: ${(e as Error).message.split('\n')[0].slice(0, 300)}`);
      }
    }
  }
  process.exitCode = failed > 0 ? 1 : 0;
}
void main();
