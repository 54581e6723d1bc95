// The "Model diff" part of `npm run bench` (issue 16): two generated wide MLPs of about `mb`
// megabytes each, written by our encoder — the original, and a copy with every second element of
// each weight set to zero (50% zeroed) — diffed in a fresh engine process (out/cli/utility.js, the
// engine the CLI's handlers run in) as `prunescope diff A B` asks it: open A, open B, 'diff'. Reports
// the diff request's time, the opens, the peak RSS of the engine process (/proc VmHWM) over one
// file's size, and the whole CLI command's wall time. Targets: diff < 3 s, memory < 2.5× one file.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { encodeModel } from '../src/core/onnx/encode';
import type { Model } from '../src/core/onnx/model';
import { cpuOf, memoryOf, timedOpen, withEngine } from './engine-process';
import { largeModel } from './large-model';
import { findRepo, median, printTable } from './table';

const now = (): number => performance.now();

const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MB`;

/** Writes the original and the half-zeroed model; returns their paths. */
function writePair(dir: string, size: number): [string, string] {
  const a = join(dir, 'original.onnx');
  const b = join(dir, 'half-zeroed.onnx');
  let model: Model | undefined = largeModel(size);
  writeFileSync(a, encodeModel(model));
  for (const t of model.graph.initializers) {
    const w = t.data as Float32Array;
    for (let i = 0; i < w.length; i += 2) w[i] = 0;
  }
  writeFileSync(b, encodeModel(model));
  model = undefined;
  return [a, b];
}

interface Figures {
  openA: number;
  openB: number;
  /** The diff as the text report asks for it (no histograms), and with histograms (as --json). */
  diff: number;
  /** CPU seconds of the engine process during the text report's diff (a figure less sensitive to a busy machine). */
  diffCpu: number;
  diffHistograms: number;
  /** Peak RSS after the two opens, and at the end. */
  peakOpen: number;
  peak: number;
  idle: number;
  changed: number;
  tensors: number;
}

async function diffInEngine(utility: string, a: string, b: string): Promise<Figures> {
  return withEngine(utility, async (client, pid) => {
    const idle = memoryOf(pid).rss;
    const { summary: ma, seconds: openA } = await timedOpen(client, a);
    const { summary: mbB, seconds: openB } = await timedOpen(client, b);
    const peakOpen = memoryOf(pid).peak;
    let t0 = now();
    const c0 = cpuOf(pid);
    const d = await client.request({ type: 'diff', modelA: ma.modelId, modelB: mbB.modelId, bins: 0 }).promise;
    const diff = (now() - t0) / 1000;
    const diffCpu = cpuOf(pid) - c0;
    t0 = now();
    await client.request({ type: 'diff', modelA: ma.modelId, modelB: mbB.modelId }).promise;
    const diffHistograms = (now() - t0) / 1000;
    const changed = d.tensors.reduce((n, t) => n + (t.changed ?? 0), 0);
    return { openA, openB, diff, diffCpu, diffHistograms, peakOpen, peak: memoryOf(pid).peak, idle, changed, tensors: d.summary.tensorsChanged };
  });
}

/** Prints the model-diff table; medians of `reps` repetitions. */
export async function runDiffBench(opts: { mb: number; reps: number }): Promise<void> {
  const reps = Math.max(1, opts.reps);
  console.log(`\nModel diff: two generated wide MLPs of about ${opts.mb} MB, the second with 50% of each weight zeroed (targets: diff < 3 s, engine memory < 2.5× one file)`);
  const repo = findRepo();
  const utility = join(repo, 'out/cli/utility.js');
  const cli = join(repo, 'bin/prunescope.js');
  if (!existsSync(utility)) {
    console.log(`(skipped: ${utility} is missing; npm run build:cli)`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'prunescope-bench-diff-'));
  try {
    const [a, b] = writePair(dir, opts.mb);
    const size = statSync(a).size;
    const runs: Figures[] = [];
    const cliTimes: number[] = [];
    for (let rep = 0; rep < reps; rep++) {
      runs.push(await diffInEngine(utility, a, b));
      const t0 = now();
      const r = spawnSync(process.execPath, [cli, 'diff', a, b], { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
      if (r.status !== 0) throw new Error(`prunescope diff failed: ${r.stderr}`);
      cliTimes.push((now() - t0) / 1000);
    }
    const peak = Math.max(...runs.map((r) => r.peak));
    const last = runs[runs.length - 1];
    printTable(
      ['measure', 'seconds', 'note'],
      [
        ["engine 'diff' request, as the text report", median(runs.map((r) => r.diff)).toFixed(3), `${last.tensors} tensors changed, ${last.changed} values; no histograms; ${median(runs.map((r) => r.diffCpu)).toFixed(2)} s CPU of the engine (target < 3 s)`],
        ["engine 'diff' request with histograms", median(runs.map((r) => r.diffHistograms)).toFixed(3), 'as --json asks: 32-bin histograms of A and B of each changed weight'],
        ['engine: open A, open B', `${median(runs.map((r) => r.openA)).toFixed(3)} + ${median(runs.map((r) => r.openB)).toFixed(3)}`, `${mb(size)} and ${mb(statSync(b).size)}`],
        ['engine peak RSS', '', `${mb(peak)} = ${(peak / size).toFixed(2)}× one file (target < 2.5×; after the opens ${mb(Math.max(...runs.map((r) => r.peakOpen)))}; idle engine ${mb(median(runs.map((r) => r.idle)))})`],
        ['prunescope diff A B (whole command)', median(cliTimes).toFixed(3), 'node start, two opens, diff, text report'],
      ],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
