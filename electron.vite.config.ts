import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';

export default defineConfig({
  // Main and the engine utility bundle it forks (`../engine/utility?modulePath`, built by the main
  // build as a chunk under out/main/chunks). Pure-JS dependencies are bundled; onnxruntime-node
  // (a native addon) stays external and is loaded from node_modules at run time.
  main: {
    build: {
      externalizeDeps: { exclude: ['onnx-buf', '@bufbuild/protobuf', 'fflate'] },
      rolldownOptions: {
        input: { index: resolve(__dirname, 'src/main/index.ts') },
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
  renderer: {
    root: resolve(__dirname, 'src/renderer'),
    build: {
      rolldownOptions: {
        input: { index: resolve(__dirname, 'src/renderer/index.html') },
      },
    },
  },
});
