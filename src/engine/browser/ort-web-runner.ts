// onnxruntime-web as the browser engine's "onnxruntime" runtime: the same OrtRunnerFactory as
// onnxruntime-node's (src/engine/node/ort-runner.ts), on its WebAssembly backend. The module is
// passed in (the worker gives the browser build, tests in Node give the Node build), so this file
// holds no environment of its own. onnxruntime-web's thread count is one setting for every session
// (env.wasm.numThreads, read once when the WebAssembly starts): batch 1 and large batches run on
// the same threads, and a page that is not cross-origin isolated gets one.

import type * as OrtWeb from 'onnxruntime-web';
import type { DisposableRunner, OrtInput, OrtRunnerFactory } from '../platform';

/** What this file uses of the onnxruntime-web module. */
export type OrtWebModule = Pick<typeof OrtWeb, 'InferenceSession' | 'Tensor' | 'env'>;

export interface OrtWebSetup {
  /** Threads of the WebAssembly backend (1 where memory cannot be shared). */
  threads: number;
  /** Why only one thread, when that is the case (e.g. the page is not cross-origin isolated). */
  singleThreadReason?: string;
  /** The URL prefix of the app's own copies of ort-wasm-simd-threaded.{mjs,wasm} (never a CDN). */
  wasmPaths?: string;
}

export interface OrtWebRuntime {
  factory: OrtRunnerFactory;
  /** Which onnxruntime this is and on how many threads, for the runtime's label. */
  label: string;
}

function threadText(setup: OrtWebSetup): string {
  if (setup.threads > 1) return `${setup.threads} threads for every batch`;
  return `1 thread${setup.singleThreadReason ? `: ${setup.singleThreadReason}` : ''}`;
}

/** Configures onnxruntime-web once (call before its first session) and gives its runner factory. */
export function ortWebRuntime(ort: OrtWebModule, setup: OrtWebSetup): OrtWebRuntime {
  const threads = Math.max(1, Math.floor(setup.threads));
  ort.env.wasm.numThreads = threads;
  ort.env.wasm.proxy = false;
  if (setup.wasmPaths !== undefined) ort.env.wasm.wasmPaths = setup.wasmPaths;
  const version = ort.env.versions.web ?? ort.env.versions.common ?? '';
  const label = `onnxruntime-web ${version} (WebAssembly, ${threadText({ ...setup, threads })})`;
  const factory: OrtRunnerFactory = async (bytes: Uint8Array, input: OrtInput): Promise<DisposableRunner> => {
    const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all', executionMode: 'sequential' });
    const outName = session.outputNames[0];
    return {
      name: 'onnxruntime',
      workers: threads,
      async runBatch(x: Float32Array, batch: number): Promise<Float32Array> {
        const out = await session.run({ [input.name]: new ort.Tensor('float32', x, [batch, ...input.sampleDims]) });
        const data = out[outName].data;
        if (!(data instanceof Float32Array)) throw new Error(`onnxruntime output ${outName} is not float32`);
        return data;
      },
      async dispose() {
        await session.release();
      },
    };
  };
  return { factory, label };
}
