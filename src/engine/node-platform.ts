// Node only: the EnginePlatform of the utility process, the Node child process and the CLI.

import { mkdir, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadModelFile, writeFileAtomic } from './files';
import { createOrtRunner } from './ort-runner';
import { PathPolicy } from './path-policy';
import type { EnginePlatform } from './platform';

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

export interface NodePlatformOptions {
  /** Refuse paths main did not allow (the desktop utility process). */
  restricted?: boolean;
  resourcesDir?: string;
  /** Give onnxruntime-node to the evaluation (default true). */
  ort?: boolean;
}

export function nodePlatform(options: NodePlatformOptions = {}): { platform: EnginePlatform; policy: PathPolicy } {
  const policy = new PathPolicy(options.restricted ?? false, (p) => resolve(p));
  const resources = (): string => {
    const dir = options.resourcesDir ?? findResources();
    if (!dir) throw Object.assign(new Error('the bundled resources folder (sample model and MNIST test set) was not found'), { name: 'EngineFailure', code: 'not-found' });
    return dir;
  };
  const platform: EnginePlatform = {
    readFile: async (path) => {
      const b = await readFile(path);
      return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    },
    writeFileAtomic: (path, data) => writeFileAtomic(path, data),
    loadModel: (path) => loadModelFile(path),
    sample: async () => new Uint8Array(await readFile(join(resources(), SAMPLE_MODEL))),
    sampleDataset: async (split = 'test') => {
      const dir = resources();
      const files = split === 'train' ? SAMPLE_TRAIN_DATASET : SAMPLE_DATASET;
      return Promise.all(files.map(async (f) => ({ name: basename(f), bytes: new Uint8Array(await readFile(join(dir, f))) })));
    },
    ort: options.ort === false ? undefined : createOrtRunner,
    now: () => performance.now(),
    allow: (path, write) => policy.allows(path, write),
    samePath: (a, b) => resolve(a) === resolve(b),
    joinPath: (dir, name) => join(dir, name),
    makeDir: async (dir) => {
      await mkdir(dir, { recursive: true });
    },
    yieldNow: () => new Promise((r) => setImmediate(r)),
    baseName: (p) => basename(p),
  };
  return { platform, policy };
}
