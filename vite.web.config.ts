// Browser build of the renderer: src/renderer → dist/web with a relative base, the engine as a
// module Web Worker, and the bundled sample model and MNIST test and train files copied beside it so the
// worker can fetch them. Missing resources are tolerated (the sample then fails to open with a
// readable message instead of breaking the build). onnxruntime-web (the browser's onnxruntime) is
// its WebAssembly-only build that loads its .mjs / .wasm from a URL the worker sets: the app's own
// ort/ folder, copied here at build time and served from node_modules by the dev server (no CDN).

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig, type Plugin } from 'vite';

const ortDist = resolve(__dirname, 'node_modules/onnxruntime-web/dist');
/** The files onnxruntime-web's WebAssembly backend loads at run time (SIMD, threaded where allowed). */
const ORT_FILES = ['ort-wasm-simd-threaded.mjs', 'ort-wasm-simd-threaded.wasm'];

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
      // issue 16: report — the report viewer, fetched by the engine worker beside the app.
      const viewer = resolve(__dirname, 'out/report/viewer.js');
      if (existsSync(viewer)) this.emitFile({ type: 'asset', fileName: 'report/viewer.js', source: readFileSync(viewer) });
      else this.warn('out/report/viewer.js is missing (npm run build:report): the browser build cannot write reports');
      if (files.length === 0) this.warn('resources/sample-mlp.onnx and resources/mnist/test-*.gz are missing: the sample will not open');
    },
  };
}

/** Serves onnxruntime-web's runtime files as the app's own ort/ folder (build: copied; dev: from node_modules). */
function onnxruntimeWebFiles(): Plugin {
  return {
    name: 'prunescope-onnxruntime-web',
    generateBundle() {
      for (const file of ORT_FILES) this.emitFile({ type: 'asset', fileName: `ort/${file}`, source: readFileSync(resolve(ortDist, file)) });
    },
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const m = /\/ort\/([\w.-]+)$/.exec((req.url ?? '').split('?')[0]);
        if (!m || !ORT_FILES.includes(m[1])) return next();
        res.setHeader('Content-Type', m[1].endsWith('.wasm') ? 'application/wasm' : 'text/javascript');
        res.end(readFileSync(resolve(ortDist, m[1])));
      });
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
  plugins: [copySampleResources(), onnxruntimeWebFiles()],
  // The WebAssembly-only build that takes its .mjs / .wasm from env.wasm.wasmPaths (not inlined).
  resolve: { alias: [{ find: /^onnxruntime-web\/wasm$/, replacement: resolve(ortDist, 'ort.wasm.min.mjs') }] },
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
