// Per-node time of Prunescope's runtime next to onnxruntime-node's (one thread, batch 1, unpruned)
// on the CNN fixtures: onnxruntime's own profiler (enableProfiling, each node's `dur` per run) and
// our plan's steps timed one by one (each step's impl wrapped in a timer here, so the runtime
// itself carries no timing code). Wall-clock µs per image, medians over the runs; the rows pair our
// steps with onnxruntime's nodes by the first node name each step covers (a fused step lists the
// nodes it absorbed, onnxruntime's nodes it fused into one are summed onto it). "outside nodes" is
// the whole run minus the sum of its nodes (our dispatch, input/output handling; onnxruntime's
// session overhead). Not a test: a measurement on a shared machine.
// Run: npx tsx bench/cnn-profile.ts   (env: MODELS=resnet,mobilenet N=300 OURS=pruned.onnx: our side runs that file)
import { setFlagsFromString } from 'node:v8';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { parseDataset } from '../src/core/data';
import { decodeModel } from '../src/core/onnx/decode';
import { Session } from '../src/core/runtime';
import type { Step } from '../src/core/runtime/plan';

setFlagsFromString('--experimental-wasm-relaxed-simd');

const DIR = join(__dirname, '../test/models/cnn');
const DATA = '/usr/share/datasets/fashion-mnist';
const names = (process.env.MODELS ?? 'resnet,mobilenet').split(',');
const median = (a: number[]): number => (a.length ? [...a].sort((x, y) => x - y)[a.length >> 1] : 0);

interface OrtEvent {
  cat: string;
  name: string;
  dur: number;
  args?: { op_name?: string };
}

async function main(): Promise<void> {
  const files = ['t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'];
  const ds = parseDataset(files.map((f) => ({ name: f, bytes: new Uint8Array(readFileSync(join(DATA, f))) })));
  const n = Math.min(ds.count, Number(process.env.N ?? 300));
  const K = ds.sampleSize;
  const X = ds.images;
  for (const name of names) {
    const bytes = new Uint8Array(readFileSync(join(DIR, `${name}.onnx`)));
    const model = decodeModel(bytes, `${name}.onnx`);
    const inName = model.graph.inputs[0].name;

    // onnxruntime: profile n runs after a warm-up of n runs.
    const dir = mkdtempSync(join(tmpdir(), 'ort-prof-'));
    const os = await ort.InferenceSession.create(bytes, {
      intraOpNumThreads: 1, interOpNumThreads: 1, enableProfiling: true, profileFilePrefix: join(dir, 'p'),
    });
    const feed = (i: number): Record<string, ort.Tensor> => ({ [inName]: new ort.Tensor('float32', X.subarray(i * K, i * K + K), [1, 1, 28, 28]) });
    for (let i = 0; i < n; i++) await os.run(feed(i));
    const ortRun: number[] = [];
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      await os.run(feed(i));
      ortRun.push(1000 * (performance.now() - t));
    }
    os.endProfiling();
    await os.release();
    // The profiler itself costs time per node: the plain run time is taken from a second session.
    const plain = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
    for (let i = 0; i < n; i++) await plain.run(feed(i));
    const ortPlain: number[] = [];
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      await plain.run(feed(i));
      ortPlain.push(1000 * (performance.now() - t));
    }
    await plain.release();
    const events = JSON.parse(readFileSync(join(dir, readdirSync(dir)[0]), 'utf8')) as OrtEvent[];
    rmSync(dir, { recursive: true, force: true });
    const nodeEvents = events.filter((e) => e.cat === 'Node' && e.name.endsWith('_kernel_time'));
    const runEvents = events.filter((e) => e.cat === 'Session' && e.name === 'model_run').map((e) => e.dur);
    const ortNode = new Map<string, { op: string; durs: number[] }>();
    for (const e of nodeEvents) {
      const node = e.name.slice(0, -'_kernel_time'.length);
      const r = ortNode.get(node) ?? { op: e.args?.op_name ?? '?', durs: [] };
      r.durs.push(e.dur);
      ortNode.set(node, r);
    }
    // Keep the last n runs (the warm-up ones are also in the file).
    for (const r of ortNode.values()) r.durs = r.durs.slice(-n);
    const ortRunMed = median(runEvents.slice(-n));

    // Ours: each step's impl wrapped in a timer (OURS=FILE: that model, e.g. a pruned copy, against onnxruntime on the original).
    const ours = process.env.OURS;
    const s = Session.create(ours !== undefined ? decodeModel(new Uint8Array(readFileSync(ours)), ours) : model, { kernels: 'sparse' });
    const steps = (s as unknown as { plan: { steps: Step[] } }).plan.steps;
    const times = steps.map(() => [] as number[]);
    const wrapped = steps.map((st, k) => {
      const impl = st.impl;
      return ((args, ctx) => {
        const t = performance.now();
        const r = impl(args, ctx);
        times[k].push(1000 * (performance.now() - t));
        return r;
      }) as Step['impl'];
    });
    const originals = steps.map((st) => st.impl);
    const run = (i: number): void => void s.runFloat(X.subarray(i * K, i * K + K), 1);
    for (let i = 0; i < 3 * n; i++) run(i % n);
    const oursPlain: number[] = [];
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      run(i);
      oursPlain.push(1000 * (performance.now() - t));
    }
    steps.forEach((st, k) => (st.impl = wrapped[k]));
    const oursRun: number[] = [];
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      run(i);
      oursRun.push(1000 * (performance.now() - t));
    }
    steps.forEach((st, k) => (st.impl = originals[k]));

    // Pair rows: each step by the names of the nodes it covers.
    const values = (s as unknown as { values: ({ dims: number[]; data: ArrayLike<number> } | undefined)[] }).values;
    const used = new Set<string>();
    const slotName = new Map<number, string>();
    for (const [v, k] of (s as unknown as { plan: { slots: Map<string, number> } }).plan.slots) slotName.set(k, v);
    // onnxruntime names a node it rewrote (fused, NCHWc layout) after its output value + "_nchwc".
    const ortByOut = new Map<string, string>();
    for (const o of ortNode.keys()) ortByOut.set(o.replace(/_nchwc$/, ''), o);
    const rows: string[] = [];
    let sumOurs = 0;
    let sumOrt = 0;
    steps.forEach((st, k) => {
      const label = st.ctx.label;
      const head = st.ctx.node.name;
      const covered = [head, ...st.outs.map((o) => ortByOut.get(slotName.get(o) ?? '') ?? '')];
      let o = 0;
      for (const c of covered) {
        const r = ortNode.get(c);
        if (r && !used.has(c)) {
          o += median(r.durs);
          used.add(c);
        }
      }
      const m = median(times[k]);
      sumOurs += m;
      sumOrt += o;
      const layer = s.layers.find((l) => l.kind === 'conv' && l.nodes[0] === head);
      const outT = values[st.outs[0]];
      const macs = layer && outT ? layer.K * outT.data.length : 0;
      const shape = layer?.conv ? `${layer.K}×${layer.N} g${layer.conv.group} k${layer.conv.kernel.join('x')} → [${outT?.dims.join(',')}] ${(macs / 1000).toFixed(0)}k MAC ${(macs / m / 1000).toFixed(1)} GMAC/s` : '';
      rows.push(`| ${label.slice(0, 70)} | ${shape} | ${m.toFixed(1)} | ${o ? o.toFixed(1) : '–'} |`);
    });
    for (const [node, r] of ortNode) {
      if (used.has(node)) continue;
      const o = median(r.durs);
      sumOrt += o;
      rows.push(`| (ort only) ${r.op} "${node}" | | – | ${o.toFixed(1)} |`);
    }
    console.log(`\n### ${name}: µs per image (median of ${n}), batch 1, one thread`);
    console.log('| step (ours) / node | conv | ours µs | onnxruntime µs |\n|---|---|--:|--:|');
    for (const r of rows) console.log(r);
    console.log(`| sum of nodes | ${sumOurs.toFixed(1)} | ${sumOrt.toFixed(1)} |`);
    console.log(`| whole run (timed, profiled) | ${median(oursRun).toFixed(1)} | ${ortRunMed.toFixed(1)} (model_run) |`);
    console.log(`| whole run (unprofiled) | ${median(oursPlain).toFixed(1)} | ${median(ortPlain).toFixed(1)} (JS await run; profiled: ${median(ortRun).toFixed(1)}) |`);
    console.log(`| outside nodes (profiled run − sum) | ${(median(oursRun) - sumOurs).toFixed(1)} | ${(ortRunMed - sumOrt).toFixed(1)} |`);
  }
}

void main();
