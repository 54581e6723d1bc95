// The report viewer (src/renderer/report): ONE classic script, out/report/viewer.js, that
// core/report/html.ts puts into every report page. Everything is in it: d3, chart.js, the app's
// views, and the CSS (injected as a <style> when the script runs). The graph view's layout Web
// Worker is left out (a report is opened from file://, where a module worker cannot start, and a
// worker would be a second file): the view then lays the graph out on the page, as it does
// whenever no Worker starts.

import { resolve } from 'node:path';
import { defineConfig, type Plugin } from 'vite';

const GRAPH_VIEW = resolve(__dirname, 'src/renderer/views/graph/index.ts');
const WORKER_CALL = "new Worker(new URL('./layout.worker.ts', import.meta.url), { type: 'module' })";

/** Replaces the graph view's worker start by a throw, which its startWorker already takes as "no worker". */
function noLayoutWorker(): Plugin {
  return {
    name: 'prunescope-report-no-worker',
    enforce: 'pre',
    transform(code, id) {
      if (id.split('?')[0] !== GRAPH_VIEW) return undefined;
      if (!code.includes(WORKER_CALL)) this.error(`${GRAPH_VIEW}: the layout worker is no longer started by ${WORKER_CALL}; update vite.report.config.ts`);
      return code.replace(WORKER_CALL, "(() => { throw new Error('no layout worker in a report'); })()");
    },
  };
}

/** Moves the emitted CSS into the script: a <style> element added when it runs. */
function cssIntoScript(): Plugin {
  return {
    name: 'prunescope-report-inline-css',
    apply: 'build',
    enforce: 'post',
    generateBundle(_options, bundle) {
      let css = '';
      for (const [name, file] of Object.entries(bundle)) {
        if (file.type === 'asset' && name.endsWith('.css')) {
          css += typeof file.source === 'string' ? file.source : new TextDecoder().decode(file.source);
          delete bundle[name];
        }
      }
      for (const file of Object.values(bundle)) {
        if (file.type === 'chunk' && file.isEntry) {
          file.code = `(function(){var s=document.createElement('style');s.textContent=${JSON.stringify(css)};document.head.appendChild(s);})();\n${file.code}`;
        }
      }
    },
  };
}

export default defineConfig({
  plugins: [noLayoutWorker(), cssIntoScript()],
  publicDir: false,
  build: {
    outDir: resolve(__dirname, 'out/report'),
    emptyOutDir: true,
    target: 'es2022',
    minify: true,
    sourcemap: false,
    cssCodeSplit: false,
    chunkSizeWarningLimit: 2000,
    lib: {
      entry: resolve(__dirname, 'src/renderer/report/main.ts'),
      formats: ['iife'],
      name: 'PrunescopeReport',
      fileName: () => 'viewer.js',
    },
  },
});
