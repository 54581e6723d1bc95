// Bundles the benchmark (bench/main.ts) into out/bench with esbuild, beside the worker-thread
// entries its large-batch threads (the engine's parallelRunner) and the engine need (each is found next to the bundle that uses it).
// `npm run bench` runs this after the CLI build (the large-model bench starts out/cli/utility.js).
import { build } from 'esbuild';

await build({
  entryPoints: {
    bench: 'bench/main.ts',
    'parallel-worker': 'src/engine/node/parallel/worker-entry.ts',
    'stats-worker': 'src/engine/node/parallel/stats-worker-entry.ts',
  },
  outdir: 'out/bench',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  external: ['onnxruntime-node', 'electron', '@playwright/test'],
  logLevel: 'warning',
});
