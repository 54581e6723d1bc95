// Lint rules that keep the layers of docs/ARCHITECTURE.md apart (test/unit/lint/layers.test.ts
// breaks each rule on purpose and expects the error).
import tseslint from 'typescript-eslint';

const nodeBuiltins = [
  'node:*', 'fs', 'fs/*', 'path', 'os', 'child_process', 'worker_threads', 'zlib', 'crypto', 'util',
  'stream', 'events', 'url', 'http', 'https', 'net', 'buffer', 'process', 'module', 'perf_hooks', 'readline',
];
const electron = { group: ['electron', 'electron/*'] };
/** Globals of a page (a Web Worker has none of them). */
const domGlobals = ['document', 'window', 'localStorage', 'sessionStorage', 'HTMLElement', 'Element', 'alert'];
/** Globals of Node. */
const nodeGlobals = ['process', 'require', 'Buffer', '__dirname', '__filename', 'setImmediate'];
/** Globals of a Web Worker (and a page). */
const workerGlobals = ['self', 'postMessage', 'importScripts', 'navigator'];
const restrictGlobals = (names, why) => names.map((name) => ({ name, message: `${name}: ${why}` }));

/** The layers outside the engine, which the engine never imports. */
const notEngine = { regex: '(^|/)(main|renderer|cli|preload)/', message: 'The engine depends only on core (and src/shared).' };

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', 'build/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // core: bytes in, values out. No electron, no node builtins, no DOM, nothing of ours outside core.
    files: ['src/core/**/*.ts'],
    languageOptions: { globals: {} },
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { ...electron, message: 'src/core must not import electron.' },
          { group: nodeBuiltins, message: 'src/core must not import node builtins.' },
          { group: ['../../engine/*', '../../main/*', '../../preload/*', '../../renderer/*', '../../cli/*', '**/engine/**', '**/renderer/**', '**/main/**', '**/cli/**', '**/preload/**'], message: 'src/core imports nothing of ours outside core.' },
        ],
      }],
      'no-restricted-globals': ['error', 'document', 'window', 'navigator', 'localStorage', 'HTMLElement', 'process', 'require', 'Buffer', '__dirname'],
    },
  },
  {
    // The platform-neutral engine runs in Node, Electron's utility process and a Web Worker alike.
    files: ['src/engine/**/*.ts'],
    ignores: ['src/engine/node/**', 'src/engine/browser/**'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { ...electron, message: 'The engine runs under Node, Electron and Web Workers alike: no electron import.' },
          { group: nodeBuiltins, message: 'Node builtins belong in src/engine/node (the platform-neutral engine also runs in a Web Worker).' },
          { regex: '(^|/)(node|browser)/', message: 'The platform-neutral engine reaches the environment through EnginePlatform, never src/engine/node or src/engine/browser.' },
          notEngine,
        ],
      }],
      'no-restricted-globals': ['error',
        ...restrictGlobals(domGlobals, 'the engine has no page (it runs in a worker or a Node process).'),
        ...restrictGlobals(nodeGlobals, 'Node globals belong in src/engine/node.'),
        ...restrictGlobals(workerGlobals, 'Web Worker globals belong in src/engine/browser.'),
      ],
    },
  },
  {
    // The Web Worker entry: worker globals, never node.
    files: ['src/engine/browser/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { ...electron, message: 'The browser engine has no electron.' },
          { group: nodeBuiltins, message: 'The browser engine has no node builtins.' },
          { regex: '(^|/)node/', message: 'The browser engine never imports src/engine/node.' },
          notEngine,
        ],
      }],
      'no-restricted-globals': ['error',
        ...restrictGlobals(domGlobals, 'a Web Worker has no page.'),
        ...restrictGlobals(nodeGlobals, 'the browser engine has no Node.'),
      ],
    },
  },
  {
    // The Node engine: files, child processes, worker threads, onnxruntime-node. Still no electron.
    files: ['src/engine/node/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { ...electron, message: 'The Node engine also runs outside Electron (CLI, child process): no electron import.' },
          { regex: '(^|/)browser/', message: 'The Node engine never imports src/engine/browser.' },
          notEngine,
        ],
      }],
      'no-restricted-globals': ['error', ...restrictGlobals(domGlobals, 'the Node engine has no page.')],
    },
  },
  {
    // The renderer: the UI. It reaches the engine only through the protocol and the client, and the
    // machine only through the preload API or the Web Worker. Core's pure modules are allowed.
    files: ['src/renderer/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { ...electron, message: 'The renderer reaches electron only through the preload API.' },
          { group: nodeBuiltins, message: 'The renderer never touches node builtins or the filesystem.' },
          { regex: '(^|/)engine/(?!(protocol|client)$)', message: 'The renderer imports, of the engine, only engine/protocol and engine/client.' },
          { regex: '(^|/)(main|cli|preload)/', message: 'The renderer imports only core, the engine protocol and client, and src/shared.' },
        ],
      }],
    },
  },
  {
    // The preload: electron and src/shared, nothing else (it is bundled alone into the sandbox).
    files: ['src/preload/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { regex: '^(?!electron$|\\./|\\.\\./shared/)', message: 'The preload imports only electron and src/shared.' },
        ],
      }],
    },
  },
  {
    // Main: the Electron shell. It may use the engine's Node part, never the UI or the CLI.
    files: ['src/main/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { regex: '(^|/)(renderer|preload|cli)/', message: 'Main talks to the renderer over IPC only; it never imports the renderer, the preload or the CLI.' },
          { regex: '(^|/)engine/browser/', message: 'Main never imports the browser engine.' },
        ],
      }],
    },
  },
  {
    // The command line: Node, over the engine. No electron, no UI.
    files: ['src/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { ...electron, message: 'The CLI runs without Electron.' },
          { regex: '(^|/)(renderer|preload|main)/', message: 'The CLI never imports the UI or main.' },
        ],
      }],
    },
  },
);
