import { readFileSync } from 'node:fs';
import { decodeModel } from '../src/core/onnx';
import { parseDataset } from '../src/core/data';
import { pruneWithMethod, defaultPrunable } from '../src/core/prune';
async function main(): Promise<void> {
  const m = decodeModel(new Uint8Array(readFileSync('/tmp/tv/swin_small-op17.onnx')), 'm');
  const ds = parseDataset([{ name: 'rand32.npz', bytes: new Uint8Array(readFileSync('/tmp/tv/rand32.npz')) }]);
  const all = defaultPrunable(m);
  console.log(all);
  for (const opt of [{ exact: false }, { biasCorrection: false }, { residual: false }, { target: 'layer' }] as const) {
    const select = all.slice(0, 3);
    console.log(JSON.stringify(opt));
    const r = await pruneWithMethod(m, { method: 'reconstruct', ratio: 0.5, mode: 'layer', select, reconstruct: opt as never }, { calibration: ds });
    for (const name of select) {
      const t = r.model.graph.initializers.find((x) => x.name === name)!;
      const d = t.data as Float32Array;
      console.log(name, t.dims, 'nan', d.some((v) => v !== v), 'max', Math.max(...Array.from(d).map(Math.abs)).toFixed(3));
    }
  }
}
void main().catch((e) => console.log('ERR', (e as Error).message));
