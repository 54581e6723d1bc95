// The work of a large-batch worker, wherever it runs (a Node worker thread: node/parallel/worker-entry.ts;
// a Web Worker: browser/session-worker.ts): decodes the model it is sent, builds one Session (a later
// init replaces it: a sweep loads each point's model into the same workers), then runs parts of
// large batches read from (and written to) SharedArrayBuffers.

import { decodeModel } from '../../core/onnx/decode';
import { Session } from '../../core/runtime';
import type { FromWorker, RunMessage, ToWorker } from './messages';

export type PostToPool = (m: FromWorker, transfer?: ArrayBuffer[]) => void;

function text(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** The message handler of one worker: answers every message with one message through `post`. */
export function sessionWorker(post: PostToPool): (m: ToWorker) => void {
  let session: Session | undefined;

  /** Runs samples [start, start + count) of the message's input; returns their outputs. */
  const runRows = (m: RunMessage, start: number, count: number): Float32Array => {
    if (!session) throw new Error('no model: the worker got a run before its init succeeded');
    const x = new Float32Array(m.input, (m.inputOffset ?? 0) + start * m.sampleSize * 4, count * m.sampleSize);
    return session.runFloat(x, count);
  };

  /** Writes the outputs of samples [start, start + count) into the shared output, checking their size. */
  const write = (m: RunMessage, start: number, count: number, y: Float32Array): void => {
    const per = m.outputPerSample!;
    if (y.length < count * per || (count > 0 && y.length / count !== per)) throw new Error(`the model gives ${y.length / count} outputs per sample, the pool expects ${per}`);
    new Float32Array(m.output!, start * per * 4, count * per).set(y.subarray(0, count * per));
  };

  const run = (m: RunMessage): void => {
    if (m.counter && m.output && m.outputPerSample !== undefined && m.chunk !== undefined && m.chunk > 0) {
      const next = new Int32Array(m.counter);
      let samples = 0;
      for (;;) {
        const at = Atomics.add(next, 0, m.chunk);
        if (at >= m.count) break;
        const n = Math.min(m.chunk, m.count - at);
        write(m, m.start + at, n, runRows(m, m.start + at, n));
        samples += n;
      }
      post({ type: 'done', id: m.id, outputPerSample: m.outputPerSample, samples });
      return;
    }
    const y = runRows(m, m.start, m.count);
    const per = m.count > 0 ? y.length / m.count : (m.outputPerSample ?? 0);
    if (m.output && m.outputPerSample === per) {
      write(m, m.start, m.count, y);
      post({ type: 'done', id: m.id, outputPerSample: per, samples: m.count });
    } else {
      const data = y.slice(0, m.count * per);
      post({ type: 'done', id: m.id, outputPerSample: per, data, samples: m.count }, [data.buffer]);
    }
  };

  return (m) => {
    if (m.type === 'init') {
      session = undefined;
      try {
        const model = decodeModel(m.bytes, m.label);
        session = Session.create(model, { kernels: m.kernels, label: m.label, sparseMinSparsity: m.sparseMinSparsity, wasm: m.wasm, sampleDims: m.sampleDims });
        post({ type: 'ready', id: m.id });
      } catch (e) {
        post({ type: 'error', id: m.id, message: text(e) });
      }
      return;
    }
    try {
      run(m);
    } catch (e) {
      post({ type: 'error', id: m.id, message: text(e) });
    }
  };
}
