import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { decodeModel } from '../src/core/onnx';
import type { Model } from '../src/core/onnx/model';
import { encodeModel } from '../src/core/onnx/encode';
import { applyPrune, planPrune } from '../src/core/prune';
import { Session } from '../src/core/runtime';
async function cmp(m: Model, x: Float32Array, dims: number[], what: string): Promise<void> {
  const s = await ort.InferenceSession.create(encodeModel(m), { intraOpNumThreads: 1 });
  const a = (await s.run({ x: new ort.Tensor('float32', x, dims) })).logits.data as Float32Array;
  let scale = 0; for (const v of a) scale = Math.max(scale, Math.abs(v));
  for (const kernels of ['dense', 'sparse'] as const) {
    try {
      const t0 = Date.now();
      const b = Session.create(m, { kernels }).run({ x: { dims, data: x, dataType: 1 } }).logits.data as Float32Array;
      let d = 0; for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
      console.log(`  ${what} ${kernels}: max|Δ| ${d.toExponential(2)} (scale ${scale.toFixed(2)}) ${Date.now() - t0} ms`);
    } catch (e) { console.log(`  ${what} ${kernels}: FAILED ${(e as Error).message.split('\n')[0]}`); }
  }
}
async function main(): Promise<void> {
  for (const f of process.argv.slice(2)) {
    console.log(f);
    const m = decodeModel(new Uint8Array(readFileSync(f)), f);
    const dims = [2, 3, Number(process.env.HW ?? 224), Number(process.env.HW ?? 224)];
    const x = new Float32Array(dims.reduce((p, q) => p * q, 1)).map((_, i) => Math.sin(i * 0.013) );
    await cmp(m, x, dims, 'unpruned');
    for (const spec of [{ ratio: 0.5, mode: 'layer' as const }, { ratio: 0.7, mode: 'global' as const, structure: '2:4' }, { ratio: 0.3, mode: 'layer' as const, structure: 'channels' }]) {
      try {
        const p = planPrune(m, spec);
        await cmp(applyPrune(m, p), x, dims, JSON.stringify(spec));
      } catch (e) { console.log(`  ${JSON.stringify(spec)}: ${(e as Error).message.slice(0, 300)}`); }
    }
  }
}
void main();
