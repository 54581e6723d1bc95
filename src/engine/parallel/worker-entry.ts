// The worker of a SessionPool: decodes the model it is sent once, builds one Session, then runs
// contiguous shards of large batches read from (and written to) SharedArrayBuffers.
// Bundled as out/cli/parallel-worker.js by scripts/build-cli.mjs; run from source under tsx.

import { parentPort } from 'node:worker_threads';
import { decodeModel } from '../../core/onnx/decode';
import { Session } from '../../core/runtime';
import type { FromWorker, RunMessage, ToWorker } from './messages';

const port = parentPort;
if (!port) throw new Error('parallel worker-entry: must run in a worker thread');

let session: Session | undefined;

function text(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function post(m: FromWorker, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(m, transfer);
}

function run(m: RunMessage): void {
  if (!session) throw new Error('no model: the worker got a run before its init succeeded');
  const x = new Float32Array(m.input, (m.inputOffset ?? 0) + m.start * m.sampleSize * 4, m.count * m.sampleSize);
  const y = session.runFloat(x, m.count);
  const per = m.count > 0 ? y.length / m.count : (m.outputPerSample ?? 0);
  if (m.output && m.outputPerSample === per) {
    new Float32Array(m.output, m.start * per * 4, m.count * per).set(y.subarray(0, m.count * per));
    post({ type: 'done', id: m.id, outputPerSample: per });
  } else {
    const data = y.slice(0, m.count * per);
    post({ type: 'done', id: m.id, outputPerSample: per, data }, [data.buffer]);
  }
}

port.on('message', (m: ToWorker) => {
  if (m.type === 'init') {
    try {
      const model = decodeModel(m.bytes, m.label);
      session = Session.create(model, { kernels: m.kernels, label: m.label, sparseMinSparsity: m.sparseMinSparsity, wasm: m.wasm });
      post({ type: 'ready' });
    } catch (e) {
      post({ type: 'error', message: text(e) });
    }
    return;
  }
  try {
    run(m);
  } catch (e) {
    post({ type: 'error', id: m.id, message: text(e) });
  }
});
