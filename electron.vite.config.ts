import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';

export default defineConfig({
  // Main and the engine utility bundle it forks (`../engine/utility?modulePath`, built by the main
  // build as a chunk under out/main/chunks). Pure-JS dependencies are bundled; onnxruntime-node
  // (a native addon) stays external and is loaded from node_modules at run time.
  main: {
    build: {
      externalizeDeps: { exclude: ['onnx-buf', '@bufbuild/protobuf', 'fflate', 'fast-png', 'iobuffer', 'jpeg-js'] },
      rolldownOptions: {
        // stats-worker / parallel-worker: the engine's statistics and large-batch worker threads,
        // found by the utility chunk one folder up.
        input: {
          index: resolve(__dirname, 'src/main/index.ts'),
          'stats-worker': resolve(__dirname, 'src/engine/node/parallel/stats-worker-entry.ts'),
          'parallel-worker': resolve(__dirname, 'src/engine/node/parallel/worker-entry.ts'),
        },
      },
    },
  },
  // The sandboxed preload: ONE CommonJS file (out/preload/index.js) that requires only 'electron'.
  preload: {
    build: {
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: resolve(__dirname, 'src/preload/index.ts') },
        external: ['electron'],
        output: { format: 'cjs', codeSplitting: false },
      },
    },
  },
  // The renderer (H6): the same UI as the browser build; module workers (graph layout, and the
  // browser engine worker that stays unused on the desktop) are emitted as ES modules.
  renderer: {
    root: resolve(__dirname, 'src/renderer'),
    worker: { format: 'es' },
    build: {
      chunkSizeWarningLimit: 2000,
      rolldownOptions: {
        input: { index: resolve(__dirname, 'src/renderer/index.html') },
      },
    },
  },
});
