// Bundles the command line (src/cli) into out/cli with esbuild: one CommonJS file per entry,
// onnxruntime-node left external because it loads a native binding.
import { existsSync } from 'node:fs';
import { build } from 'esbuild';

// prunescope: the CLI; utility: the engine process entry for Node (child_process.fork); bench: npm run bench;
// parallel-worker: the worker thread of src/engine/parallel's SessionPool; stats-worker: that of its StatsPool
// (each found next to the bundle that uses it).
// An entry whose source is not there yet is skipped, so the others still build.
const entries = Object.fromEntries(
  Object.entries({ prunescope: 'src/cli/main.ts', utility: 'src/engine/node/utility.ts', 'parallel-worker': 'src/engine/node/parallel/worker-entry.ts', 'stats-worker': 'src/engine/node/parallel/stats-worker-entry.ts' }).filter(([, src]) =>
    existsSync(src),
  ),
);
await build({
  entryPoints: entries,
  outdir: 'out/cli',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  external: ['onnxruntime-node', 'electron'],
  logLevel: 'warning',
});
