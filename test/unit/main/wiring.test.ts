// Runs the BUILT main bundle (out/main/index.js from electron-vite) in Node with a stand-in for
// the 'electron' module (fixtures/fake-electron.ts, bundled beside it as node_modules/electron):
// the Electron binary cannot run here, so the test plays Electron's part — ready, page loads, IPC
// events from frames, a second instance, quit — while the engine is a REAL process (the engine
// bundle main forks, started with Node's fork). It checks the wiring the unit tests cannot:
// window and session security, menu state, IPC sender checks, grants reaching the engine, the
// engine port reaching the page, and a restart after a crash.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import type { MenuItemConstructorOptions } from 'electron';
import { EngineClient } from '../../../src/engine/client';
import type { ReadyMessage, Request, Response } from '../../../src/engine/protocol';
import { IPC, TO_RENDERER } from '../../../src/shared/channels';
import { CSP } from '../../../src/main/security';
import type { FakePort, fake as FakeState } from './fixtures/fake-electron';
import { DESKTOP_OUT, ROOT as root } from '../../support/paths';

type Fake = typeof FakeState;
type Item = MenuItemConstructorOptions;

let out: string;
let userData: string;
let fake: Fake;
let appUrl: string;
const relu = '/usr/share/libonnx-testdata/data/node/test_relu/model.onnx';
const sigmoid = '/usr/share/libonnx-testdata/data/node/test_sigmoid/model.onnx';

const changed = (f: Fake) => new Promise<void>((r) => f.events.once('change', () => r()));
async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await changed(fake);
}
const win = () => fake.windows[0];
const wc = () => win().webContents;
const lastMenu = () => (fake.menus.at(-1) as { template: Item[] }).template;
function menuItem(id: string): Item | undefined {
  const walk = (items: Item[]): Item | undefined => {
    for (const i of items) {
      if (i.id === id) return i;
      const sub = Array.isArray(i.submenu) ? walk(i.submenu as Item[]) : undefined;
      if (sub) return sub;
    }
    return undefined;
  };
  return walk(lastMenu());
}
const ports = () => wc().posted.filter((p) => p.channel === TO_RENDERER.enginePort).map((p) => p.ports[0]);
const statuses = () => wc().sent.filter((s) => s.channel === TO_RENDERER.engineStatus).map((s) => s.args[0]);
const fromApp = () => ({ senderFrame: wc().mainFrame });
const fromElsewhere = { senderFrame: { url: 'https://evil.example/', parent: null } };

function clientOn(port: FakePort): EngineClient {
  return new EngineClient({
    post: (r: Request) => port.postMessage(r),
    onMessage: (l: (m: Response | ReadyMessage) => void) => port.onMessage((m) => l(m as Response | ReadyMessage)),
  });
}
async function tryOpen(client: EngineClient, path: string): Promise<string> {
  return client.request({ type: 'open', source: { kind: 'path', path } }).promise.then(
    (s) => `ok ${Object.keys(s.opCounts).join(',')}`,
    (e: { code?: string }) => `error ${e.code}`,
  );
}

beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), 'prunescope-wiring-'));
  userData = mkdtempSync(join(tmpdir(), 'prunescope-userdata-'));
  cpSync(DESKTOP_OUT, out, { recursive: true });
  await build({
    entryPoints: [join(__dirname, 'fixtures/fake-electron.ts')],
    outfile: join(out, 'node_modules/electron/index.js'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    logLevel: 'warning',
  });
  const mainJs = join(out, 'main/index.js');
  const req = createRequire(mainJs);
  fake = (req('electron') as { fake: Fake }).fake;
  fake.nodePath = join(root, 'node_modules');
  fake.app.userData = userData;
  fake.app.appPath = root;
  appUrl = pathToFileURL(join(out, 'renderer/index.html')).href;
  const argv = process.argv;
  process.argv = [process.execPath]; // a launch without a file
  try {
    req(mainJs);
  } finally {
    process.argv = argv;
  }
  fake.app.readyResolve?.();
  await until(() => fake.windows.length === 1 && fake.utilities.length === 1);
});

afterAll(() => {
  fake?.app.emit('will-quit');
  for (const u of fake?.utilities ?? []) if (u.child.exitCode === null && u.child.signalCode === null) u.child.kill('SIGKILL');
  rmSync(out, { recursive: true, force: true });
  rmSync(userData, { recursive: true, force: true });
});

describe('the built main process, wired', () => {
  it('takes the single-instance lock, enables the sandbox, and opens one locked-down window', () => {
    expect(fake.app.lockRequested).toBe(true);
    expect(fake.app.sandboxEnabled).toBe(true);
    expect(fake.windows).toHaveLength(1);
    const prefs = win().options.webPreferences as Record<string, unknown>;
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, webviewTag: false });
    expect(prefs.preload).toBe(join(out, 'preload/index.js'));
    expect(existsSync(prefs.preload as string)).toBe(true);
    expect(win().loaded).toEqual({ file: join(out, 'renderer/index.html') });
  });

  it('puts the CSP on app responses and denies every permission', () => {
    let headers: unknown;
    fake.headersListener?.({ url: appUrl, responseHeaders: { 'Content-Type': ['text/html'] } }, (r: unknown) => (headers = r));
    expect(headers).toEqual({ responseHeaders: { 'Content-Type': ['text/html'], 'Content-Security-Policy': [CSP] } });
    fake.headersListener?.({ url: 'https://example.com/', responseHeaders: {} }, (r: unknown) => (headers = r));
    expect(headers).toEqual({});
    const answers: boolean[] = [];
    for (const p of ['media', 'geolocation', 'notifications', 'clipboard-read']) fake.permissionRequest?.(wc(), p, (ok: boolean) => answers.push(ok));
    expect(answers).toEqual([false, false, false, false]);
    expect(fake.permissionCheck?.(wc(), 'media')).toBe(false);
  });

  it('blocks navigation and new windows; only allowed https links go to the OS browser', () => {
    for (const event of ['will-navigate', 'will-redirect', 'will-attach-webview']) {
      let prevented = false;
      wc().emit(event, { preventDefault: () => (prevented = true) }, 'https://evil.example/');
      expect(prevented, event).toBe(true);
    }
    expect(wc().windowOpenHandler?.({ url: 'https://github.com/onnx/onnx' })).toEqual({ action: 'deny' });
    expect(wc().windowOpenHandler?.({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    expect(wc().windowOpenHandler?.({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(fake.opened).toEqual(['https://github.com/onnx/onnx']);
  });

  it('sets the menu with model items disabled, and registers every IPC channel', () => {
    expect(lastMenu().map((m) => m.label)).toEqual(['&File', '&Edit', '&View', '&Help']);
    expect(menuItem('export-model')?.enabled).toBe(false);
    expect(menuItem('open')?.accelerator).toBe('CmdOrCtrl+O');
    expect(menuItem('toggle-devtools')).toBeDefined(); // unpackaged = dev
    expect([...fake.handles.keys()].sort()).toEqual(
      [IPC.showOpenModel, IPC.showOpenDataset, IPC.showOpenDatasetFolder, IPC.showSave, IPC.showSaveFolder, IPC.saveFile, IPC.acceptDrop].sort(),
    );
    expect([...fake.listeners.keys()]).toEqual([IPC.modelOpened]);
  });

  it('forks the engine bundle and hands the page a port once it has loaded', async () => {
    const u = fake.utilities[0];
    expect(existsSync(u.modulePath)).toBe(true);
    expect(u.options.serviceName).toBe('Prunescope Engine');
    expect(ports()).toHaveLength(0);
    wc().load(appUrl);
    expect(ports()).toHaveLength(1);
    expect(statuses()).toEqual([{ type: 'engine-ready' }]);
    const client = clientOn(ports()[0]);
    await client.ready;
    // nothing granted yet: the engine refuses paths
    expect(await tryOpen(client, relu)).toBe('error bad-request');
  });

  it('IPC from another page is refused; the app page gets a dialog path that the engine may then read', async () => {
    fake.dialogAnswers.open = [relu];
    await expect(fake.handles.get(IPC.showOpenModel)?.(fromElsewhere)).rejects.toThrow(/refused/);
    expect(fake.utilities[0].controls).toEqual([{ type: 'port' }]);
    expect(await fake.handles.get(IPC.showOpenModel)?.(fromApp())).toBe(relu);
    expect(fake.utilities[0].controls.at(-1)).toEqual({ type: 'allow', paths: [relu], write: false });
    const client = clientOn(ports()[0]);
    expect(await tryOpen(client, relu)).toBe('ok Relu');
    expect(await tryOpen(client, sigmoid)).toBe('error bad-request');

    fake.listeners.get(IPC.modelOpened)?.(fromApp() as never, relu);
    expect(menuItem('export-model')?.enabled).toBe(true);
    expect(menuItem('recent-0')?.toolTip).toBe(relu);
    expect(JSON.parse(readFileSync(join(userData, 'recent.json'), 'utf8')).paths).toEqual([relu]);
  });

  it('a second instance with a file opens it here: granted, then sent to the page', async () => {
    const cwd = '/usr/share/libonnx-testdata/data/node';
    fake.app.emit('second-instance', {}, ['/opt/prunescope', '--enable-logging', 'test_sigmoid/model.onnx'], cwd);
    expect(wc().sent.filter((s) => s.channel === TO_RENDERER.openPath).map((s) => s.args[0])).toEqual([sigmoid]);
    expect(await tryOpen(clientOn(ports()[0]), sigmoid)).toBe('ok Sigmoid');
    // a file that is not a model is refused with a message
    fake.app.emit('second-instance', {}, ['/opt/prunescope', 'notes.txt'], cwd);
    expect(JSON.stringify(fake.messageBoxes.at(-1))).toContain('notes.txt');
  });

  it('saveFile writes where the user chose, atomically, never over the open model', async () => {
    const target = join(userData, 'hist.svg');
    fake.dialogAnswers.save = target;
    expect(await fake.handles.get(IPC.saveFile)?.(fromApp() as never, 'svg', 'hist.svg', '<svg/>')).toBe(target);
    expect(readFileSync(target, 'utf8')).toBe('<svg/>');
    fake.dialogAnswers.save = relu;
    await expect(fake.handles.get(IPC.saveFile)?.(fromApp() as never, 'txt', 'x', 'x')).rejects.toThrow(/refusing to overwrite/);
  });

  it('restarts a crashed engine: the page is told, gets a new port, and the grants survive', async () => {
    const first = fake.utilities[0];
    first.child.kill('SIGKILL');
    await until(() => ports().length === 2);
    expect(fake.utilities).toHaveLength(2);
    expect(statuses().slice(1)).toEqual([
      { type: 'engine-died', reason: 'the engine process exited with code -1', restarting: true },
      { type: 'engine-ready' },
    ]);
    const client = clientOn(ports()[1]);
    expect(await tryOpen(client, relu)).toBe('ok Relu');
    expect(await tryOpen(client, sigmoid)).toBe('ok Sigmoid');
  });

  it('a reloaded page gets a fresh port and the menu forgets the model', async () => {
    wc().load(appUrl);
    expect(ports()).toHaveLength(3);
    expect(fake.utilities).toHaveLength(2);
    expect(menuItem('export-model')?.enabled).toBe(false);
    expect(await tryOpen(clientOn(ports()[2]), relu)).toBe('ok Relu');
  });

  it('stops the engine on quit, for good', async () => {
    const engine = fake.utilities[1].child;
    fake.app.emit('will-quit');
    await until(() => engine.exitCode !== null || engine.signalCode !== null);
    expect(fake.utilities).toHaveLength(2);
  });
});
