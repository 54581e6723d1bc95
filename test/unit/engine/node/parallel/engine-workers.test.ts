// The engine's evaluate and sweep with their large batches on real worker threads (the bundle
// out/cli/parallel-worker.js, built once per run by test/global-setup.ts), and the CLI's --workers
// and PRUNESCOPE_WORKERS. Parallelism must not change any answer: with the throughput-only batch-1
// pass skipped, accuracy comes from the large batch itself, and must equal one worker's, the dense
// runtime's and onnxruntime's on the same samples.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { inProcessEngine } from '../../../../../src/engine/in-process';
import { nodePlatform } from '../../../../../src/engine/node/platform';
import type { EnginePlatform, ParallelRunner } from '../../../../../src/engine/platform';
import type { EvalPoint, RuntimeMeasure } from '../../../../../src/engine/protocol';
import { cliBin } from '../../../../support/cli';
import { CLI_OUT, ROOT } from '../../../../support/paths';

const SAMPLE = join(ROOT, 'resources/sample-mlp.onnx');
const workerFile = join(CLI_OUT, 'parallel-worker.js');
const saved = process.env.PRUNESCOPE_WORKERS;

afterEach(() => {
  if (saved === undefined) delete process.env.PRUNESCOPE_WORKERS;
  else process.env.PRUNESCOPE_WORKERS = saved;
});

/** The Node platform with the bundled worker, counting the pools it starts and the models they load. */
function countingPlatform(): { platform: EnginePlatform; pools: number; loads: number; shares: number } {
  const base = nodePlatform({ workerFile }).platform;
  const counts = { platform: base, pools: 0, loads: 0, shares: 0 };
  counts.platform = {
    ...base,
    parallelRunner: (workers, label) => {
      const r = base.parallelRunner!(workers, label);
      if (!r) return r;
      counts.pools++;
      const counted: ParallelRunner = { ...r, workers: r.workers, load: (b) => (counts.loads++, r.load(b)), share: (x) => (counts.shares++, r.share(x)) };
      return counted;
    },
  };
  return counts;
}

function of(p: EvalPoint, runtime: string): RuntimeMeasure {
  const m = p.results.find((r) => r.runtime === runtime);
  if (!m) throw new Error(`no ${runtime} result`);
  return m;
}

async function evaluate(platform: EnginePlatform, workers: number | undefined, ratio = 0.9): Promise<EvalPoint> {
  const { client } = inProcessEngine(platform);
  const open = await client.request({ type: 'open', source: { kind: 'path', path: SAMPLE } }).promise;
  return client.request({
    type: 'evaluate',
    modelId: open.modelId,
    spec: { ratio, mode: 'layer' },
    dataset: { kind: 'sample' },
    options: { batch1: false, batch: 200, limit: 600, ...(workers !== undefined ? { workers } : {}) },
  }).promise;
}

describe('engine evaluate on worker threads', () => {
  it('with workers: 2 reports 2 workers, a one-worker reference, and the accuracy of one worker, the dense runtime and onnxruntime', async () => {
    const two = await evaluate(nodePlatform({ workerFile }).platform, 2);
    const one = await evaluate(nodePlatform({ workerFile }).platform, 1);
    const sparse2 = of(two, 'sparse');
    expect(sparse2.unavailable).toBeUndefined();
    expect(sparse2.workers).toBe(2);
    expect(sparse2.oneWorkerThroughput).toBeGreaterThan(0);
    expect(sparse2.batchThroughput).toBeGreaterThan(0);
    expect(of(two, 'onnxruntime').workers).toBe(2);
    expect(of(two, 'dense').workers).toBe(1);
    const sparse1 = of(one, 'sparse');
    expect(sparse1.workers).toBe(1);
    expect(sparse1.oneWorkerThroughput).toBeUndefined();
    expect(of(one, 'onnxruntime').workers).toBe(1);
    // A pruned model that still classifies (so equal accuracies say something), the same everywhere.
    expect(sparse2.accuracy).toBeGreaterThan(0.5);
    expect(sparse2.accuracy).toBe(sparse1.accuracy);
    expect(sparse2.accuracy).toBe(of(two, 'dense').accuracy);
    expect(sparse2.accuracy).toBe(of(two, 'onnxruntime').accuracy);
  });

  it('PRUNESCOPE_WORKERS=1 gives one worker; a request\'s workers wins over it', async () => {
    process.env.PRUNESCOPE_WORKERS = '1';
    expect(of(await evaluate(nodePlatform({ workerFile }).platform, undefined), 'sparse').workers).toBe(1);
    expect(of(await evaluate(nodePlatform({ workerFile }).platform, 2), 'sparse').workers).toBe(2);
    process.env.PRUNESCOPE_WORKERS = '2';
    expect(of(await evaluate(nodePlatform({ workerFile }).platform, undefined), 'sparse').workers).toBe(2);
  });

  it('a bad PRUNESCOPE_WORKERS fails the request with a message naming it; a bad options.workers is a bad request', async () => {
    process.env.PRUNESCOPE_WORKERS = 'many';
    await expect(evaluate(nodePlatform({ workerFile }).platform, undefined)).rejects.toThrow(/PRUNESCOPE_WORKERS/);
    delete process.env.PRUNESCOPE_WORKERS;
    await expect(evaluate(nodePlatform({ workerFile }).platform, 0)).rejects.toThrow(/options\.workers/);
  });

  it('a sweep starts its workers once, copies the samples to shared memory once, and loads each point\'s model into them', async () => {
    const counting = countingPlatform();
    const { client } = inProcessEngine(counting.platform);
    const open = await client.request({ type: 'open', source: { kind: 'path', path: SAMPLE } }).promise;
    const points = await client.request({
      type: 'sweep',
      modelId: open.modelId,
      spec: { mode: 'layer' },
      ratios: [0, 0.5, 0.9],
      dataset: { kind: 'sample' },
      options: { batch1: false, batch: 200, limit: 400, workers: 2, runtimes: ['sparse', 'dense'] },
    }).promise;
    expect(counting.pools).toBe(1);
    expect(counting.loads).toBe(3);
    expect(counting.shares).toBe(1);
    for (const p of points) {
      expect(of(p, 'sparse').workers).toBe(2);
      expect(of(p, 'sparse').accuracy).toBe(of(p, 'dense').accuracy);
    }
    // The points differ (each loaded its own model): pruning 90% changes some answers.
    expect(of(points[2], 'sparse').accuracy).not.toBe(of(points[0], 'sparse').accuracy);
  });
});

function cli(args: string[], env: Record<string, string> = {}): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cliBin(), ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, PRUNESCOPE_DEBUG: '', ...env } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe('CLI --workers', () => {
  const quick = ['--limit', '300', '--batch', '100', '--no-batch1', '--runtimes', 'sparse,onnxruntime'];

  it('eval --workers 2 shows 2 workers and the one-worker reference; --workers 1 and PRUNESCOPE_WORKERS=1 show one', () => {
    const two = cli(['eval', SAMPLE, '--ratio', '0.9', '--workers', '2', ...quick]);
    expect(two.code, two.stderr).toBe(0);
    expect(two.stdout).toMatch(/sparse ×1 \/s +sparse ×2 \/s/);
    expect(two.stdout).toContain('ort ×2 /s');
    for (const r of [cli(['eval', SAMPLE, '--ratio', '0.9', '--workers', '1', ...quick]), cli(['eval', SAMPLE, '--ratio', '0.9', ...quick], { PRUNESCOPE_WORKERS: '1' })]) {
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('sparse ×1 /s');
      expect(r.stdout).toContain('ort ×1 /s');
      expect(r.stdout).not.toContain('×2');
    }
  });

  it('a bad --workers or PRUNESCOPE_WORKERS is a one-line error with exit code 2', () => {
    for (const r of [
      cli(['sweep', SAMPLE, '--ratios', '0', '--workers', '0', ...quick]),
      cli(['eval', SAMPLE, '--workers', 'two', ...quick]),
      cli(['eval', SAMPLE, '--workers', '1.5', ...quick]),
      cli(['eval', SAMPLE, ...quick], { PRUNESCOPE_WORKERS: 'x' }),
    ]) {
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/workers|PRUNESCOPE_WORKERS/i);
      expect(r.stdout).toBe('');
    }
  });
});
