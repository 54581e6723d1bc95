// Bundles the command line (src/cli) into out/cli with esbuild: one CommonJS file per entry,
// onnxruntime-node left external because it loads a native binding.
import { build } from 'esbuild';

const entries = { prunescope: 'src/cli/main.ts' };
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
