// Browser build of the renderer: src/renderer → dist/web with a relative base, the engine as a
// module Web Worker, and the bundled sample model and MNIST test and train files copied beside it so the
// worker can fetch them. Missing resources are tolerated (the sample then fails to open with a
// readable message instead of breaking the build).

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig, type Plugin } from 'vite';

const root = resolve(__dirname, 'src/renderer');
const outDir = resolve(__dirname, 'dist/web');
const resources = resolve(__dirname, 'resources');

/** Emits resources/sample-mlp.onnx and resources/mnist/{test,train}-*.gz at the top of the build. */
function copySampleResources(): Plugin {
  return {
    name: 'prunescope-sample-resources',
    apply: 'build',
    generateBundle() {
      const files: string[] = [];
      if (existsSync(resolve(resources, 'sample-mlp.onnx'))) files.push('sample-mlp.onnx');
      const mnist = resolve(resources, 'mnist');
      if (existsSync(mnist)) {
        for (const name of readdirSync(mnist)) if (/^(test|train)-.*\.gz$/.test(name)) files.push(`mnist/${name}`);
      }
      for (const file of files) {
        this.emitFile({ type: 'asset', fileName: file, source: readFileSync(resolve(resources, file)) });
      }
      if (files.length === 0) this.warn('resources/sample-mlp.onnx and resources/mnist/test-*.gz are missing: the sample will not open');
    },
  };
}

/**
 * Cross-origin isolation, so the page (and its workers) get SharedArrayBuffer: the engine's Web
 * Worker then runs large batches on several Web Workers over shared memory. Everything the page
 * loads is its own, so require-corp blocks nothing.
 */
const isolation = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

export default defineConfig({
  root,
  base: './',
  plugins: [copySampleResources()],
  worker: { format: 'es' },
  build: {
    outDir,
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 2000,
  },
  server: { headers: isolation },
  preview: { port: 4173, strictPort: true, host: '127.0.0.1', headers: isolation },
});
