// The worker thread of a SessionPool (the work itself: src/engine/parallel/session-worker.ts).
// Bundled as parallel-worker.js (out/cli by scripts/build-cli.mjs, out/main by electron-vite,
// out/bench by bench/build.mjs); run from source under tsx.

import { parentPort } from 'node:worker_threads';
import { sessionWorker } from '../../parallel/session-worker';

const port = parentPort;
if (!port) throw new Error('parallel worker-entry: must run in a worker thread');

port.on('message', sessionWorker((m, transfer = []) => port.postMessage(m, transfer)));
