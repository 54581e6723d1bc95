// Bundles the command line (src/cli) into out/cli with esbuild: one CommonJS file per entry,
// onnxruntime-node left external because it loads a native binding.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
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

// The report viewer (out/report/viewer.js, vite.report.config.ts) that `prunescope report` puts in
// every report: built here too, so the CLI always finds it, but only when a source it is made of is
// newer than it (the renderer, the protocol, core: a vite build costs seconds on every test run).
function newestUnder(path) {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  let newest = s.mtimeMs;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestUnder(join(path, name)));
  return newest;
}
const viewer = 'out/report/viewer.js';
const viewerSources = ['src/renderer', 'src/engine/protocol.ts', 'src/core', 'vite.report.config.ts', 'package-lock.json'];
if (process.env.PRUNESCOPE_SKIP_REPORT_VIEWER !== '1' && (!existsSync(viewer) || Math.max(...viewerSources.filter(existsSync).map(newestUnder)) > statSync(viewer).mtimeMs)) {
  const { build: viteBuild } = await import('vite');
  await viteBuild({ configFile: 'vite.report.config.ts', logLevel: 'warn' });
}
