// The batched block-sparse kernel (src/core/runtime/kernels/block-batch-*.ts) against the CSR
// kernel of the batched program, on the sample MLP at batch `BATCH` (MNIST test images): each
// zero pattern and ratio run once with the kernel forced to CSR and once per block shape that
// divides the pattern (and once with the automatic choice), all back to back in each repetition;
// CPU µs per sample, medians of per-repetition ratios (the machine is shared and noisy). Every
// session's output checked against CSR's (1e-5 relative).
// Run: npx tsx bench/block-batch.ts   (env: REPS=5 BATCH=1000 RATIOS=0.5,0.8,0.9 PATTERNS=4x1,8x1,4x4,1x4,2:4,unstructured SHAPES=all: also every shape forced)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDataset } from '../src/core/data';
import { decodeModel } from '../src/core/onnx/decode';
import type { Model } from '../src/core/onnx/model';
import { applyPrune, planPrune } from '../src/core/prune';
import { Session } from '../src/core/runtime';
import { BATCH_SHAPES, batchOverride, type BatchShape } from '../src/core/runtime/kernels/block-batch-plan';
import { withStructuredZeros } from './block-zeros';
import { findRepo, median, printTable } from './table';

const cpu = (): number => {
  const c = process.cpuUsage();
  return c.user + c.system;
};

const env = process.env;
const reps = Number(env.REPS ?? 5);
const batch = Number(env.BATCH ?? 1000);
const ratios = (env.RATIOS ?? '0.5,0.8,0.9').split(',').map(Number);
const patterns = (env.PATTERNS ?? '4x1,8x1,4x4,1x4,2:4,unstructured').split(',');
const res = join(findRepo(), 'resources');
const base = decodeModel(new Uint8Array(readFileSync(join(res, 'sample-mlp.onnx'))), 'sample-mlp.onnx');
const files = ['test-images-idx3-ubyte.gz', 'test-labels-idx1-ubyte.gz'];
const test = parseDataset(files.map((f) => ({ name: f, bytes: new Uint8Array(readFileSync(join(res, 'mnist', f))) })));
const K = test.sampleSize;
const pool = new Float32Array(batch * K);
for (let i = 0; i < batch; i++) pool.set(test.images.subarray((i % test.count) * K, ((i % test.count) + 1) * K), i * K);

function zeros(p: string, ratio: number): Model | undefined {
  if (p === 'unstructured') return applyPrune(base, planPrune(base, { ratio, mode: 'layer' }));
  const nm = /^(\d+):(\d+)$/.exec(p);
  if (nm) return ratio === ratios[0] ? withStructuredZeros(base, { kind: 'nm', n: Number(nm[1]), m: Number(nm[2]) }, 0) : undefined;
  const [rows, cols] = p.split('x').map(Number);
  return withStructuredZeros(base, { kind: 'blocks', rows, cols }, ratio);
}

/** Shapes whose blocks tile the pattern's blocks. */
const fits = (p: string, s: BatchShape): boolean => {
  const b = /^(\d+)x(\d+)$/.exec(p);
  return !!b && Number(b[1]) % s.R === 0 && Number(b[2]) % s.C === 0;
};

interface Run { pattern: string; ratio: number; kernel: string; session: Session; us: number[]; y: Float32Array }
const runs: Run[] = [];
for (const p of patterns) {
  for (const ratio of ratios) {
    const m = zeros(p, ratio);
    if (!m) continue;
    const kernels: [string, BatchShape | 'csr' | undefined][] = [['csr', 'csr'], ['auto', undefined]];
    if (env.SHAPES === 'all') for (const s of BATCH_SHAPES) if (fits(p, s)) kernels.push([`${s.R}x${s.C} s${4 * s.S4}`, s]);
    for (const [kernel, force] of kernels) {
      batchOverride.force = force;
      const session = Session.create(m, { kernels: 'sparse' });
      const y = session.runFloat(pool, batch); // builds the batched program under the override
      batchOverride.force = undefined;
      runs.push({ pattern: p, ratio: p.includes(':') ? 0.5 : ratio, kernel, session, us: [], y });
    }
  }
}
for (const r of runs) {
  const ref = runs.find((c) => c.pattern === r.pattern && c.ratio === r.ratio && c.kernel === 'csr')!.y;
  let d = 0;
  let s = 0;
  for (let i = 0; i < ref.length; i++) {
    d = Math.max(d, Math.abs(r.y[i] - ref[i]));
    s = Math.max(s, Math.abs(ref[i]));
  }
  if (d > 1e-5 * s) throw new Error(`${r.pattern} ${r.ratio} ${r.kernel}: output differs from CSR by ${d / s} relative`);
}
for (let rep = 0; rep < reps; rep++) {
  for (const r of runs) {
    const t = cpu();
    r.session.runFloat(pool, batch);
    r.us.push((cpu() - t) / batch);
  }
  process.stderr.write(`block-batch: repetition ${rep + 1}/${reps} done\n`);
}
console.log(`\nBatched block kernel vs CSR, sample MLP, batch ${batch}, CPU µs per sample, ${reps} repetitions (medians; speed-up = median of per-repetition CSR / this)`);
printTable(['pattern', 'ratio', 'kernel', 'µs', 'CSR / this', 'unstructured / this'], runs.map((r) => {
  const csr = runs.find((c) => c.pattern === r.pattern && c.ratio === r.ratio && c.kernel === 'csr')!;
  const u = runs.find((c) => c.pattern === 'unstructured' && c.ratio === r.ratio && c.kernel === 'auto');
  const vs = (o: Run | undefined): string => (o ? `${median(r.us.map((x, i) => o.us[i] / x)).toFixed(2)}×` : '');
  return [r.pattern, String(r.ratio), r.kernel, median(r.us).toFixed(2), vs(csr), vs(u)];
}));
