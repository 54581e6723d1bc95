// Lint rules that keep the layers of DESIGN.md apart.
import tseslint from 'typescript-eslint';

const nodeBuiltins = [
  'node:*', 'fs', 'fs/*', 'path', 'os', 'child_process', 'worker_threads', 'zlib', 'crypto', 'util',
  'stream', 'events', 'url', 'http', 'https', 'net', 'buffer', 'process', 'module', 'perf_hooks', 'readline',
];

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
          { group: ['electron', 'electron/*'], message: 'src/core must not import electron.' },
          { group: nodeBuiltins, message: 'src/core must not import node builtins.' },
          { group: ['../../engine/*', '../../main/*', '../../preload/*', '../../renderer/*', '../../cli/*', '**/engine/**', '**/renderer/**', '**/main/**', '**/cli/**', '**/preload/**'], message: 'src/core imports nothing of ours outside core.' },
        ],
      }],
      'no-restricted-globals': ['error', 'document', 'window', 'navigator', 'localStorage', 'HTMLElement', 'process', 'require', 'Buffer', '__dirname'],
    },
  },
  {
    // The renderer never touches the filesystem or electron directly: only the preload API or the worker.
    files: ['src/renderer/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['electron', 'electron/*'], message: 'The renderer reaches electron only through the preload API.' },
          { group: nodeBuiltins, message: 'The renderer never touches node builtins or the filesystem.' },
          { group: ['**/main/**', '**/cli/**', '**/preload/**'], message: 'The renderer imports only core, engine protocol types and shared types.' },
        ],
      }],
    },
  },
  {
    files: ['src/engine/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['electron', 'electron/*'], message: 'The engine runs under Node, Electron and Web Workers alike: no electron import.' },
          { group: ['**/main/**', '**/renderer/**', '**/cli/**', '**/preload/**'], message: 'The engine depends only on core.' },
        ],
      }],
    },
  },
);
