// The "Sensitivity" part of `npm run bench` (issue 16; skip with --no-sensitivity): the sensitivity
// analysis of the 784→1000→1000→10 sample MLP, 3 tensors × 10 ratios on 2,000 samples (target
// < 10 s; median of `reps` runs, with the process's CPU seconds: on a busy machine the wall time
// counts other work too), then for the sample and the Fashion-MNIST MLP the sensitivity
// table and the allocation at 90% overall sparsity beside uniform per-layer and global magnitude
// pruning (accuracy and loss on the whole test set).

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseDataset, type Dataset } from '../src/core/data';
import { decodeModel } from '../src/core/onnx/decode';
import { allocate } from '../src/core/prune/allocate';
import { compareAllocation } from '../src/core/prune/allocate-compare';
import { sensitivity, SENSITIVITY_RATIOS, type SensitivityResult } from '../src/core/prune/sensitivity';
import { findRepo, median, printTable } from './table';

const TARGET_S = 10;
const SAMPLES = 2000;
const FASHION = '/usr/share/datasets/fashion-mnist';

function load(paths: string[]): Dataset {
  return parseDataset(paths.map((p) => ({ name: p, bytes: new Uint8Array(readFileSync(p)) })));
}

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

function printCurves(r: SensitivityResult): void {
  console.log(`accuracy with only that tensor pruned (${r.samples} samples; unpruned ${pct(r.baseline.accuracy)}, loss ${r.baseline.loss.toFixed(4)})`);
  const ratios = r.curves[0].points.map((p) => String(p.ratio));
  printTable(['tensor', 'params', ...ratios], r.curves.map((c) => [c.tensor, String(c.params), ...c.points.map((p) => pct(p.accuracy))]));
  console.log('loss');
  printTable(['tensor', ...ratios], r.curves.map((c) => [c.tensor, ...c.points.map((p) => p.loss.toFixed(3))]));
}

export async function runSensitivityBench(options: { reps: number }): Promise<void> {
  const repo = findRepo();
  const models: [string, string, () => Dataset][] = [
    ['sample MLP (MNIST test split)', join(repo, 'resources/sample-mlp.onnx'), () => load(['test-images-idx3-ubyte.gz', 'test-labels-idx1-ubyte.gz'].map((f) => join(repo, 'resources/mnist', f)))],
    ['Fashion-MNIST MLP (t10k)', join(repo, 'resources/fashion-mlp.onnx'), () => load(['t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'].map((f) => join(FASHION, f)))],
  ];
  console.log(`\n== Sensitivity (issue 16): 3 tensors × ${SENSITIVITY_RATIOS.length} ratios on ${SAMPLES} samples, target < ${TARGET_S} s`);
  for (const [i, [name, file, data]] of models.entries()) {
    if (!existsSync(file) || (i === 1 && !existsSync(FASHION))) {
      console.log(`${name}: skipped (${file} or its data is missing)`);
      continue;
    }
    const model = decodeModel(new Uint8Array(readFileSync(file)));
    const ds = data();
    const times: number[] = [];
    const cpu: number[] = [];
    let result: SensitivityResult | undefined;
    for (let k = 0; k < (i === 0 ? options.reps : 1); k++) {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      result = await sensitivity(model, ds, { ratios: SENSITIVITY_RATIOS, limit: SAMPLES }, { now: () => performance.now() });
      times.push((performance.now() - t0) / 1000);
      const c = process.cpuUsage(c0);
      cpu.push((c.user + c.system) / 1e6);
    }
    const s = median(times);
    console.log(`\n${name}: ${s.toFixed(2)} s (median of ${times.length}: ${times.map((t) => t.toFixed(2)).join(', ')}; process CPU ${median(cpu).toFixed(2)} s)${i === 0 ? ` — target < ${TARGET_S} s: ${s < TARGET_S ? 'met' : 'NOT met'}` : ''}`);
    printCurves(result!);
    const a = allocate(result!, 0.9);
    console.log(`allocation at 90% (reached ${pct(a.sparsity)}; predicted loss increase ${a.predictedLossIncrease.toFixed(3)})`);
    printTable(['tensor', 'params', 'ratio', 'Δloss alone'], a.rows.map((r) => [r.tensor, String(r.params), pct(r.ratio), r.predictedLossIncrease.toFixed(3)]));
    const cmp = compareAllocation(model, ds, ds.count, a);
    console.log(`on all ${ds.count} samples:`);
    printTable(['pruning at 90%', 'sparsity', 'accuracy', 'loss'], cmp.map((c) => [c.name, pct(c.sparsity), `${(c.accuracy * 100).toFixed(2)}%`, c.loss.toFixed(3)]));
  }
}
