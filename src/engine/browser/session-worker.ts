// The Web Worker of the browser engine's large-batch pool (the work itself:
// src/engine/parallel/session-worker.ts). Started by browser/parallel.ts from the engine's worker.

import type { ToWorker } from '../parallel/messages';
import { sessionWorker } from '../parallel/session-worker';

interface WorkerScope {
  onmessage: ((e: { data: ToWorker }) => void) | null;
  postMessage(message: unknown, transfer?: ArrayBuffer[]): void;
}

const scope = globalThis as unknown as WorkerScope;
const handle = sessionWorker((m, transfer = []) => scope.postMessage(m, transfer));
scope.onmessage = (e) => handle(e.data);
