// The worker of a StatsPool: passes 1 and 2 of the float32 statistics over shards of a tensor that
// lives in shared memory. Bundled as stats-worker.js (out/cli by scripts/build-cli.mjs, out/main by
// electron-vite); run from source under tsx.

import { parentPort } from 'node:worker_threads';
import { float32Pass, scanShard } from '../../../core/stats';
import type { FromStatsWorker, ToStatsWorker } from './messages';

const port = parentPort;
if (!port) throw new Error('stats-worker-entry: must run in a worker thread');

port.on('message', (m: ToStatsWorker) => {
  try {
    const values = new Float32Array(m.buffer, m.byteOffset, m.length);
    if (m.type === 'pass') {
      const pass = float32Pass(values);
      port.postMessage({ type: 'pass', id: m.id, pass } satisfies FromStatsWorker, [pass.keys.buffer as ArrayBuffer]);
    } else {
      const scan = scanShard(values, { bins: m.bins, lo: m.lo, hi: m.hi, action: m.action }, m.sizes);
      port.postMessage({ type: 'scan', id: m.id, scan } satisfies FromStatsWorker, [scan.counts.buffer as ArrayBuffer, scan.gathered.buffer as ArrayBuffer]);
    }
  } catch (e) {
    port.postMessage({ type: 'error', id: m.id, message: e instanceof Error ? e.message : String(e) } satisfies FromStatsWorker);
  }
});
