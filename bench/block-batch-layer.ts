// One layer (the sample MLP's fc2, 1000→1000, with structured zeros) in the batched program's
// kernels alone: CSR (csr<4·BLOCK_REGS>) against each block shape of block-batch-code.ts on the same
// feature-major input (4·BLOCK_REGS samples, 50% zeros as after a ReLU), interleaved, CPU ns per
// sample, median over REPS. Run: npx tsx bench/block-batch-layer.ts (env: REPS=9 CALLS=200 RATIOS=0.5,0.8,0.9 PATTERNS=4x1,8x1,4x4,1x4,2:4,unstructured)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeModel } from '../src/core/onnx/decode';
import type { Model } from '../src/core/onnx/model';
import { BLOCK_REGS, chainModuleBytes } from '../src/core/runtime/kernels/chain-code';
import { bbatchName } from '../src/core/runtime/kernels/block-batch-code';
import { BATCH_SHAPES, batchBlockLayer, placeBatchBlocks, type BatchShape } from '../src/core/runtime/kernels/block-batch-plan';
import { eachWeight } from '../src/core/runtime/kernels/each-weight';
import { toSparse } from '../src/core/runtime/kernels/sparse';
import { applyPrune, planPrune } from '../src/core/prune';
import { withStructuredZeros } from './block-zeros';
import { findRepo, median, printTable } from './table';

const env = process.env;
const reps = Number(env.REPS ?? 9);
const calls = Number(env.CALLS ?? 200);
const ratios = (env.RATIOS ?? '0.5,0.8,0.9').split(',').map(Number);
const patterns = (env.PATTERNS ?? '4x1,8x1,4x4,1x4,2:4,unstructured').split(',');
const base = decodeModel(new Uint8Array(readFileSync(join(findRepo(), 'resources', 'sample-mlp.onnx'))), 'sample-mlp.onnx');
const B = 4 * BLOCK_REGS;
const rowBytes = B * 4;
const cpu = (): number => {
  const c = process.cpuUsage();
  return c.user + c.system;
};

function fc2(m: Model) {
  const t = m.graph.initializers.find((i) => i.name === 'fc2.weight')!;
  const [N, K] = t.dims;
  const src = t.data as Float32Array;
  const w = new Float32Array(K * N);
  for (let j = 0; j < N; j++) for (let k = 0; k < K; k++) w[k * N + j] = src[j * K + k];
  return toSparse(w, K, N);
}

function model(p: string, ratio: number): Model | undefined {
  if (p === 'unstructured') return applyPrune(base, planPrune(base, { ratio, mode: 'layer' }));
  const nm = /^(\d+):(\d+)$/.exec(p);
  if (nm) return ratio === ratios[0] ? withStructuredZeros(base, { kind: 'nm', n: Number(nm[1]), m: Number(nm[2]) }, 0) : undefined;
  const [rows, cols] = p.split('x').map(Number);
  return withStructuredZeros(base, { kind: 'blocks', rows, cols }, ratio);
}

const api = (globalThis as unknown as { WebAssembly: { Module: new (b: Uint8Array) => object; Memory: new (d: { initial: number }) => { buffer: ArrayBuffer }; Instance: new (m: object, i: object) => { exports: Record<string, (...a: number[]) => void> } } }).WebAssembly;
const mod = new api.Module(chainModuleBytes());
const fits = (p: string, s: BatchShape): boolean => {
  const b = /^(\d+)x(\d+)$/.exec(p);
  return !!b && Number(b[1]) % s.R === 0 && Number(b[2]) % s.C === 0;
};

const rows: string[][] = [];
for (const p of patterns) {
  for (const ratio of ratios) {
    const m = model(p, ratio);
    if (!m) continue;
    const w = fc2(m);
    const { K, N } = w;
    const memory = new api.Memory({ initial: 1 + Math.ceil((w.nnz * 8 * 12 + (K + N + 16) * rowBytes * 2 + 1e6) / 65536) });
    const { exports: ex } = new api.Instance(mod, { env: { mem: memory } });
    const f32 = new Float32Array(memory.buffer);
    const u32 = new Uint32Array(memory.buffer);
    let top = 0;
    const take = (b: number): number => ((top += (b + 15) & ~15), top - ((b + 15) & ~15));
    const x = take((K + 4) * rowBytes);
    let s = 7;
    for (let i = 0; i < K * B; i++) {
      s = (s * 1103515245 + 12345) >>> 0;
      f32[(x >> 2) + i] = s % 2 ? 0 : (s >>> 8) / 2 ** 24;
    }
    const bias = take((N + 16) * 4);
    for (let j = 0; j < N; j++) f32[(bias >> 2) + j] = 0.01 * (j % 7);
    // CSR as chain.ts lays it out.
    const r0 = take((N + 1) * 4);
    const we = take(w.nnz * 8);
    const outC = take((N + 16) * rowBytes);
    const count = new Int32Array(N + 1);
    eachWeight(w, (_k, j) => count[j + 1]++);
    for (let j = 0; j < N; j++) count[j + 1] += count[j];
    for (let j = 0; j <= N; j++) u32[(r0 >> 2) + j] = we + count[j] * 8;
    eachWeight(w, (k, j, v) => {
      const e = (we >> 2) + 2 * count[j]++;
      u32[e] = x + k * rowBytes;
      f32[e + 1] = v;
    });
    const kernels: { name: string; run: () => void; out: number; us: number[] }[] = [];
    const csr = ex[`csr${B}`];
    kernels.push({ name: 'csr', run: () => csr(r0, r0 + N * 4, outC, bias, 1), out: outC, us: [] });
    for (const sh of BATCH_SHAPES) {
      if (!fits(p, sh)) continue;
      const b = batchBlockLayer(w, sh);
      const groups = take((b.counts.length + 1) * 4);
      const at = take(b.bytes);
      placeBatchBlocks(b, w, memory.buffer, groups, at, x, rowBytes);
      const out = take((b.counts.length * sh.R + 4) * rowBytes);
      const fn = ex[bbatchName(sh.R, sh.C, sh.S4)];
      const gEnd = groups + b.counts.length * 4;
      kernels.push({ name: `${sh.R}x${sh.C} s${4 * sh.S4}`, run: () => fn(groups, gEnd, out, bias, 1), out, us: [] });
    }
    for (const k of kernels) k.run();
    for (const k of kernels.slice(1)) {
      for (let i = 0; i < N * B; i++) {
        const a = f32[(k.out >> 2) + i];
        const c = f32[(outC >> 2) + i];
        if (Math.abs(a - c) > 1e-5 * (1 + Math.abs(c))) throw new Error(`${p} ${ratio} ${k.name}: output ${i} ${a} vs ${c}`);
      }
    }
    for (let r = 0; r < reps; r++) {
      for (const k of kernels) {
        const t = cpu();
        for (let c = 0; c < calls; c++) k.run();
        k.us.push(((cpu() - t) * 1000) / (calls * B));
      }
    }
    const c0 = kernels[0];
    for (const k of kernels) rows.push([p, String(p.includes(':') ? 0.5 : ratio), k.name, median(k.us).toFixed(1), `${median(k.us.map((u, i) => c0.us[i] / u)).toFixed(2)}×`]);
  }
}
console.log(`\nfc2 (1000→1000) alone, batched kernels, ${B} samples per call, CPU ns per sample, ${reps} repetitions of ${calls} calls (medians)`);
printTable(['pattern', 'ratio', 'kernel', 'ns', 'CSR / this'], rows);
