// The engine's 'stats' on worker threads: a model opened from a path lies in shared memory, its
// large float32 tensors are counted by the statistics workers with the results of one thread, a
// failing pool falls back to the engine's own thread, and the engine process (out/cli/utility.js)
// starts its workers unless $PRUNESCOPE_STATS_WORKERS says 0.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeModel } from '../../../src/core/onnx/decode';
import { tensorStats } from '../../../src/core/stats';
import { tensorToFloat32 } from '../../../src/core/onnx/tensor';
import { inProcessEngine } from '../../../src/engine/in-process';
import { nodePlatform, PARALLEL_STATS_MIN } from '../../../src/engine/node/platform';
import { spawnEngine, type EngineProcess } from '../../../src/engine/node/process';
import type { EnginePlatform } from '../../../src/engine/platform';
import type { TensorStatistics } from '../../../src/engine/protocol';
import { SAMPLE, UTILITY } from '../../support/engine';

const model = decodeModel(new Uint8Array(readFileSync(SAMPLE)), 'sample-mlp.onnx');
const large = model.graph.initializers.filter((t) => t.dims.reduce((a, b) => a * (b as number), 1) >= PARALLEL_STATS_MIN).map((t) => t.name);

/** The engine's statistics equal tensorStats of the decoded tensor on this thread (mean and std up to rounding). */
function expectOneThread(stats: TensorStatistics[]): void {
  expect(stats.map((s) => s.name)).toEqual(model.graph.initializers.map((t) => t.name));
  for (const t of model.graph.initializers) {
    const one = tensorStats(tensorToFloat32(t), { bins: 24 });
    const s = stats.find((x) => x.name === t.name)!;
    expect([s.count, s.min, s.max, s.zeros, s.nonFinite, s.absP50, s.absP90, s.absP99]).toEqual([one.count, one.min, one.max, one.zeros, one.nonFinite, one.absP50, one.absP90, one.absP99]);
    expect(s.histogram).toEqual({ min: one.histogram.min, max: one.histogram.max, counts: one.histogram.counts });
    expect(Math.abs(s.mean - one.mean)).toBeLessThanOrEqual(1e-12 * Math.max(Math.abs(one.min), Math.abs(one.max)));
    expect(Math.abs(s.std - one.std)).toBeLessThanOrEqual(1e-10 * one.std);
  }
}

describe('statistics on worker threads (in-process engine)', () => {
  it('the sample model has tensors large enough for the workers', () => {
    expect(large).toEqual(['fc1.weight', 'fc2.weight']);
  });

  it('a model read from a path lies in shared memory', async () => {
    const loaded = await nodePlatform({ ort: false }).platform.loadModel!(SAMPLE);
    expect(loaded.bytes.buffer).toBeInstanceOf(SharedArrayBuffer);
    const w = loaded.model.graph.initializers.find((t) => t.name === 'fc1.weight')!.data as Float32Array;
    expect(w.buffer).toBe(loaded.bytes.buffer);
  });

  it('counts the large tensors on the workers, with the results of one thread', async () => {
    const platform = nodePlatform({ ort: false, statsWorkers: 2 }).platform;
    const counted: number[] = [];
    const watched: EnginePlatform = {
      ...platform,
      parallelStats: (values, bins) => {
        const p = platform.parallelStats!(values, bins);
        if (p) counted.push(values.length);
        return p;
      },
    };
    const { client } = inProcessEngine(watched);
    const { modelId } = await client.request({ type: 'open', source: { kind: 'path', path: SAMPLE } }).promise;
    expectOneThread(await client.request({ type: 'stats', modelId, bins: 24 }).promise);
    expect(counted.sort((a, b) => a - b)).toEqual([784_000, 1_000_000]);
  });

  it('falls back to its own thread when the workers fail', async () => {
    const platform = nodePlatform({ ort: false, statsWorkers: 0 }).platform;
    let asked = 0;
    const failing: EnginePlatform = {
      ...platform,
      parallelStats: () => {
        asked++;
        return Promise.reject(new Error('statistics worker 0 exited (code 1)'));
      },
    };
    const { client } = inProcessEngine(failing);
    const { modelId } = await client.request({ type: 'open', source: { kind: 'path', path: SAMPLE } }).promise;
    expectOneThread(await client.request({ type: 'stats', modelId, bins: 24 }).promise);
    expect(asked).toBe(model.graph.initializers.length);
  });
});

/** Threads of a process (Linux /proc), or undefined elsewhere. */
function threadsOf(pid: number | undefined): number | undefined {
  try {
    return Number(/^Threads:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
  } catch {
    return undefined;
  }
}

describe('statistics workers of the engine process', () => {
  const engines: EngineProcess[] = [];
  afterAll(async () => {
    await Promise.all(engines.map((e) => e.stop()));
  });

  it('starts its workers by default (one per core) and none with PRUNESCOPE_STATS_WORKERS=0; both answer the same statistics', async () => {
    const start = async (workers: string | undefined): Promise<{ engine: EngineProcess; stats: TensorStatistics[] }> => {
      const env = { ...process.env };
      if (workers === undefined) delete env.PRUNESCOPE_STATS_WORKERS;
      else env.PRUNESCOPE_STATS_WORKERS = workers;
      const engine = spawnEngine(UTILITY, { env, stderr: 'inherit' });
      engines.push(engine);
      await engine.client.ready;
      const { modelId } = await engine.client.request({ type: 'open', source: { kind: 'path', path: SAMPLE } }).promise;
      return { engine, stats: await engine.client.request({ type: 'stats', modelId, bins: 24 }).promise };
    };
    const withWorkers = await start(undefined);
    const without = await start('0');
    expectOneThread(withWorkers.stats);
    expectOneThread(without.stats);
    const a = threadsOf(withWorkers.engine.child.pid);
    const b = threadsOf(without.engine.child.pid);
    // One worker per core, at most 4: none on a single core.
    if (a !== undefined && b !== undefined) expect(a - b).toBeGreaterThanOrEqual(Math.min(4, availableParallelism()) >= 2 ? 2 : 0);
  });
});
