// CPU time of one 3×3 stride-1 dense conv layer (batch 1, WebAssembly) as Winograd F(2×2, 3×3)
// against the direct kernel, for the shapes of the CNN fixtures and a few more: the measurements
// behind winogradPays (kernels/winograd-run.ts). Not a test: a measurement on a shared machine.
// Run: npx tsx bench/conv-winograd.ts   (env: REPS=5 ITERS=300)
import { ConvLayerRunner } from '../src/core/runtime/kernels/conv-runner';

const reps = Number(process.env.REPS ?? 5);
const iters = Number(process.env.ITERS ?? 300);
const cpu = (): number => {
  const c = process.cpuUsage();
  return c.user + c.system;
};
const median = (a: number[]): number => [...a].sort((x, y) => x - y)[a.length >> 1];
let seed = 7;
const rnd = (): number => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed / 0x7fffffff - 0.5;
};

const shapes = (process.env.SHAPES ?? '1x16@28,4x16@28,8x8@28,8x16@28,16x16@28,16x16@14,32x32@14,32x32@7,64x64@7,16x16@4,128x128@4')
  .split(',').map((t) => t.split(/[x@]/).map(Number));
console.log(`C×M@H (pad 1, Relu), µs per image (median of ${reps}×${iters}); ratios to direct`);
for (const [C, M, H] of shapes) {
  const w = Float32Array.from({ length: M * C * 9 }, rnd);
  const bias = Float32Array.from({ length: M }, rnd);
  const s = { C, H, W: H, OH: H, OW: H, sy: 1, sx: 1, dy: 1, dx: 1, padT: 1, padL: 1 };
  const x = Float32Array.from({ length: C * H * H }, rnd);
  const y = new Float32Array(M * H * H);
  const forms = [{ winograd: true, winogradTile: 2 as const }, { winograd: true, winogradTile: 4 as const }, { winograd: false }];
  const runners = forms.map((f) => new ConvLayerRunner({ M, group: 1, kh: 3, kw: 3, w, bias, lo: 0, hi: Infinity, sparse: false, ...f }, true));
  const times: number[][] = [[], [], []];
  for (const r of runners) r.run(s, 1, x, y);
  for (let rep = 0; rep < reps; rep++) {
    runners.forEach((r, k) => {
      const t = cpu();
      for (let i = 0; i < iters; i++) r.run(s, 1, x, y);
      times[k].push((cpu() - t) / iters);
    });
  }
  const [a, b, d] = times.map(median);
  console.log(`${C}×${M}@${H}`.padEnd(12), `F(2×2) ${a.toFixed(1)} µs ${(a / d).toFixed(2)}×  F(4×4) ${b.toFixed(1)} µs ${(b / d).toFixed(2)}×  direct ${d.toFixed(1)} µs`);
}
