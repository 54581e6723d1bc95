// Node only: the EnginePlatform of the utility process, the Node child process and the CLI.

import { listFolder } from './folders';
import { mkdir, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openModelFile, writeFileAtomic } from './files';
import { nodeExternalWriter } from './external-write';
import { sameFile } from './atomic-write';
import { createOrtRunner, ORT_NODE_LABEL } from './ort-runner';
import { readRegularFile } from './regular-file';
import { PathPolicy } from '../path-policy';
import type { EnginePlatform } from '../platform';
import { StatsPool } from './parallel/stats-pool';
import { nodeParallelRunner, nodeParallelWorkers } from './parallel/runner';

export const SAMPLE_MODEL = 'sample-mlp.onnx';
export const SAMPLE_DATASET = ['mnist/test-images-idx3-ubyte.gz', 'mnist/test-labels-idx1-ubyte.gz'];
export const SAMPLE_TRAIN_DATASET = ['mnist/train-images-idx3-ubyte.gz', 'mnist/train-labels-idx1-ubyte.gz'];

/** The resources folder: $PRUNESCOPE_RESOURCES, else found relative to the bundle or the app. */
export function findResources(extra: string[] = []): string | undefined {
  const here = typeof __dirname === 'string' ? __dirname : process.cwd();
  const candidates = [
    process.env.PRUNESCOPE_RESOURCES,
    ...extra,
    join(here, '../../resources'),
    join(here, '../resources'),
    join(here, '../../../resources'),
    (process as { resourcesPath?: string }).resourcesPath && join((process as { resourcesPath?: string }).resourcesPath as string, 'resources'),
    join(process.cwd(), 'resources'),
  ];
  for (const c of candidates) if (c && existsSync(join(c, 'mnist'))) return c;
  return undefined;
}

/**
 * The report viewer script: $PRUNESCOPE_REPORT_VIEWER, else out/report/viewer.js found relative to
 * the bundle (out/cli, out/main and its chunks) or the working folder.
 */
export function findReportViewer(): string | undefined {
  const here = typeof __dirname === 'string' ? __dirname : process.cwd();
  const candidates = [process.env.PRUNESCOPE_REPORT_VIEWER, join(here, '../report/viewer.js'), join(here, '../../report/viewer.js'), join(here, '../../out/report/viewer.js'), join(here, '../../../out/report/viewer.js'), join(process.cwd(), 'out/report/viewer.js')];
  for (const c of candidates) if (c && existsSync(c)) return c;
  return undefined;
}

/**
 * Float32 tensors of at least this many values get their statistics on worker threads (about where
 * two messages per shard cost less than the passes they share out; the sample model's two large
 * weights are above it).
 */
export const PARALLEL_STATS_MIN = 1 << 19;

/**
 * Statistics workers by default: one per core, at most 4 (the passes mostly stream memory; only 2
 * cores were measured), none on a single core.
 */
export function defaultStatsWorkers(): number {
  const n = Math.min(4, availableParallelism());
  return n >= 2 ? n : 0;
}

/** $PRUNESCOPE_STATS_WORKERS as a number of statistics workers, or undefined when unset. */
export function envStatsWorkers(): number | undefined {
  const v = process.env.PRUNESCOPE_STATS_WORKERS;
  return v !== undefined && v !== '' && Number.isFinite(Number(v)) ? Number(v) : undefined;
}

/** The statistics workers, started on first need; none once they have failed. */
function statsWorkers(workers = defaultStatsWorkers()): { get(): StatsPool | undefined } {
  let pool: StatsPool | undefined;
  let failed = workers < 2;
  return {
    get() {
      if (pool?.broken) {
        failed = true;
        pool = undefined;
      }
      if (failed) return undefined;
      try {
        pool ??= StatsPool.start({ workers });
      } catch {
        failed = true; // no worker script next to this bundle: count in this thread
      }
      return pool;
    },
  };
}

/**
 * Bytes of tensor data a request may load at once: $PRUNESCOPE_MAX_LOAD_BYTES, else half the
 * machine's memory (the loaded weights are then copied or run by onnxruntime, which needs as much
 * again).
 */
export function memoryLimit(): number {
  const v = Number(process.env.PRUNESCOPE_MAX_LOAD_BYTES);
  return Number.isFinite(v) && v > 0 ? v : Math.floor(totalmem() / 2);
}

export interface NodePlatformOptions {
  /** Refuse paths main did not allow (the desktop utility process). */
  restricted?: boolean;
  resourcesDir?: string;
  /** Give onnxruntime-node to the evaluation (default true). */
  ort?: boolean;
  /** Statistics worker threads (default: one per core, at most 4; below 2 none). */
  statsWorkers?: number;
  /**
   * Start the statistics workers now rather than on first need (the engine process: a worker takes
   * 0.26–0.41 s to start on the test machines, which the first statistics would otherwise wait for).
   */
  startStatsWorkers?: boolean;
  /** Large-batch worker threads when a request does not say (default: $PRUNESCOPE_WORKERS, else one per core, at most 4). */
  workers?: number;
  /** Their script (default: parallel-worker.js found beside this code, or its source under tsx). */
  workerFile?: string;
}

/** The large batch of evaluate and sweep on worker threads (parallelWorkers / parallelRunner). */
function largeBatchThreads(options: NodePlatformOptions): Pick<EnginePlatform, 'parallelWorkers' | 'parallelRunner'> {
  return {
    parallelWorkers: (requested) => nodeParallelWorkers(requested ?? options.workers),
    parallelRunner: (workers, label) => nodeParallelRunner(workers, label, options.workerFile),
  };
}

export function nodePlatform(options: NodePlatformOptions = {}): { platform: EnginePlatform; policy: PathPolicy } {
  const policy = new PathPolicy({ restricted: options.restricted ?? false, normalize: (p) => resolve(p) });
  const resources = (): string => {
    const dir = options.resourcesDir ?? findResources();
    if (!dir) throw Object.assign(new Error('the bundled resources folder (sample model and MNIST test set) was not found'), { name: 'EngineFailure', code: 'not-found' });
    return dir;
  };
  const stats = statsWorkers(options.statsWorkers);
  if (options.startStatsWorkers) stats.get();
  const platform: EnginePlatform = {
    // Datasets: regular files only (a FIFO or a device would block or never end).
    readFile: (path) => readRegularFile(path),
    listFolder: (path) => listFolder(path),
    writeFileAtomic: (path, data, out) => writeFileAtomic(path, data, out),
    writeTextAtomic: (path, pieces, out) => writeFileAtomic(path, pieces, out),
    loadModel: (path) => openModelFile(path),
    externalWriter: (target, out) => nodeExternalWriter(target, out),
    memoryLimit: () => memoryLimit(),
    sample: async () => new Uint8Array(await readFile(join(resources(), SAMPLE_MODEL))),
    sampleDataset: async (split = 'test') => {
      const dir = resources();
      const files = split === 'train' ? SAMPLE_TRAIN_DATASET : SAMPLE_DATASET;
      return Promise.all(files.map(async (f) => ({ name: basename(f), bytes: new Uint8Array(await readFile(join(dir, f))) })));
    },
    ort: options.ort === false ? undefined : createOrtRunner,
    ortLabel: options.ort === false ? undefined : ORT_NODE_LABEL,
    now: () => performance.now(),
    allow: (path, write) => policy.allows(path, write),
    samePath: (a, b) => sameFile(a, b),
    joinPath: (dir, name) => join(dir, name),
    makeDir: async (dir) => {
      await mkdir(dir, { recursive: true });
    },
    yieldNow: () => new Promise((r) => setImmediate(r)),
    parallelStats: (values, bins) => {
      if (values.length < PARALLEL_STATS_MIN || !(values.buffer instanceof SharedArrayBuffer)) return undefined;
      return stats.get()?.stats(values, bins !== undefined ? { bins } : {});
    },
    baseName: (p) => basename(p),
    reportViewer: async () => {
      const file = findReportViewer();
      if (!file) throw Object.assign(new Error('the report viewer (out/report/viewer.js) was not found: build it with npm run build:cli'), { name: 'EngineFailure', code: 'not-found' });
      return readFile(file, 'utf8');
    },
    ...largeBatchThreads(options),
  };
  return { platform, policy };
}
