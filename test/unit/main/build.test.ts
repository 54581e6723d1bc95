// Checks main and the preload as the project's electron-vite settings build them (once per run,
// by test/global-setup.ts): the bundles the desktop app would run: the sandboxed preload is one CommonJS file that
// requires nothing but 'electron'; main finds the preload and renderer where electron-vite puts
// them; and the engine bundle that main forks as a utility process is self-contained — run here
// as a Node child process (the same entry serves both), it opens a model.
import { describe, expect, it } from 'vitest';
import { fork } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { EngineClient } from '../../../src/engine/client';
import type { ReadyMessage, Request, Response } from '../../../src/engine/protocol';
import { DESKTOP_OUT as out, ROOT as root } from '../../support/paths';

const requires = (code: string): string[] => [...code.matchAll(/require\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]);


describe('electron-vite build of main and preload', () => {
  it('the preload is one CommonJS file that requires only electron', () => {
    expect(readdirSync(join(out, 'preload'))).toEqual(['index.js']);
    const code = readFileSync(join(out, 'preload/index.js'), 'utf8');
    expect(requires(code)).toEqual(['electron']);
    expect(code).not.toMatch(/^\s*import\s/m);
    expect(code).not.toMatch(/\bimport\(/);
    expect(code).toContain('exposeInMainWorld("prunescope"');
  });

  it('main is CommonJS, requires electron and node builtins only, and points at the preload and renderer', () => {
    const code = readFileSync(join(out, 'main/index.js'), 'utf8');
    const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
    const foreign = requires(code).filter((m) => m !== 'electron' && !builtins.has(m));
    expect(foreign).toEqual([]);
    expect(code).toContain('../preload/index.js');
    expect(code).toContain('../renderer/index.html');
    expect(code).toContain('Prunescope Engine');
  });

  it('the engine bundle main forks exists and serves the protocol on its own', async () => {
    const code = readFileSync(join(out, 'main/index.js'), 'utf8');
    const m = /"\.\/(chunks\/utility[^"]*\.js)"/.exec(code);
    expect(m, 'main references the utility bundle').not.toBeNull();
    const enginePath = join(out, 'main', (m as RegExpExecArray)[1]);
    expect(existsSync(enginePath)).toBe(true);
    // Only onnxruntime-node (native) may come from node_modules.
    const engineCode = readFileSync(enginePath, 'utf8');
    const builtins = new Set([...builtinModules, ...builtinModules.map((x) => `node:${x}`)]);
    expect(requires(engineCode).filter((x) => !builtins.has(x) && x !== 'onnxruntime-node')).toEqual([]);

    const child = fork(enginePath, [], {
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      serialization: 'advanced',
      env: { ...process.env, NODE_PATH: join(root, 'node_modules'), PRUNESCOPE_RESOURCES: join(root, 'resources') },
    });
    try {
      const client = new EngineClient({
        post: (r: Request) => void child.send(r),
        onMessage: (l: (msg: Response | ReadyMessage) => void) => void child.on('message', (x) => l(x as Response | ReadyMessage)),
      });
      await client.ready;
      const model = '/usr/share/libonnx-testdata/data/node/test_gemm_default_single_elem_vector_bias/model.onnx';
      const summary = await client.request({ type: 'open', source: { kind: 'path', path: model } }).promise;
      expect(summary.opCounts).toEqual({ Gemm: 1 });
      expect(summary.graph.inputs.map((i) => i.name)).toEqual(['a', 'b', 'c']);
    } finally {
      child.kill();
    }
  });
});
