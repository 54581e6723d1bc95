// The IPC handlers with real files in a temp folder, a real PathPolicy, and scripted dialogs
// (the one piece that needs a human).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { linkSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { OpenDialogOptions, SaveDialogOptions } from 'electron';
import { IPC } from '../../../src/shared/channels';
import { PathPolicy } from '../../../src/engine/path-policy';
import { createIpcHandlers, labelsBeside, type IpcEventLike } from '../../../src/main/ipc';
import { checkSender, type FrameLike } from '../../../src/main/validate';

const APP = 'file:///app/out/renderer/index.html';
const mainFrame: FrameLike = { url: APP, parent: null };
const ok: IpcEventLike = { senderFrame: mainFrame };
const foreign: IpcEventLike = { senderFrame: { url: 'https://evil.example/', parent: null } };
const sub: IpcEventLike = { senderFrame: { url: APP, parent: mainFrame } };

let dir: string;
let model: string;
let sentToEngine: { paths: string[]; write: boolean }[];
let openAnswers: (string[] | null)[];
let saveAnswers: (string | null)[];
let openAsked: OpenDialogOptions[];
let saveAsked: SaveDialogOptions[];
let opened: { path: string | null; granted: boolean }[];
let current: string | null;

function make() {
  const grants = new PathPolicy({ restricted: true, normalize: resolve, onGrant: (paths, write) => sentToEngine.push({ paths, write }) });
  const h = createIpcHandlers({
    checkSender: (event) => checkSender(event.senderFrame, mainFrame, APP),
    showOpenDialog: async (o) => {
      openAsked.push(o);
      return openAnswers.shift() ?? null;
    },
    showSaveDialog: async (o) => {
      saveAsked.push(o);
      return saveAnswers.shift() ?? null;
    },
    grants,
    currentModel: () => current,
    modelOpened: (path, granted) => {
      opened.push({ path, granted });
      current = path !== null && granted ? path : null;
    },
  });
  return { ...h, grants };
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'prunescope-ipc-'));
  model = join(dir, 'mnist.onnx');
  writeFileSync(model, 'MODEL');
  sentToEngine = [];
  openAnswers = [];
  saveAnswers = [];
  openAsked = [];
  saveAsked = [];
  opened = [];
  current = null;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('IPC handlers', () => {
  it('refuse every channel from a foreign page or a subframe, before any dialog', async () => {
    const { handle, on } = make();
    const args: Record<string, unknown[]> = {
      [IPC.showOpenModel]: [],
      [IPC.showOpenDataset]: [],
      [IPC.showOpenDatasetFolder]: [],
      [IPC.showSave]: ['png', 'x'],
      [IPC.showSaveFolder]: [],
      [IPC.saveFile]: ['csv', 'x', 'a'],
      [IPC.acceptDrop]: [model],
    };
    expect(Object.keys(handle).sort()).toEqual(Object.keys(args).sort());
    for (const [channel, a] of Object.entries(args)) {
      await expect(handle[channel](foreign, ...a), channel).rejects.toThrow(/refused/);
      await expect(handle[channel](sub, ...a), channel).rejects.toThrow(/refused/);
    }
    on[IPC.modelOpened](foreign, model);
    expect(openAsked).toEqual([]);
    expect(saveAsked).toEqual([]);
    expect(sentToEngine).toEqual([]);
    expect(opened).toEqual([]);
  });

  it('Open: the chosen model is allowed on the engine and returned; cancel gives null', async () => {
    const { handle, grants } = make();
    openAnswers.push([model], null);
    expect(await handle[IPC.showOpenModel](ok)).toBe(model);
    expect(sentToEngine).toEqual([{ paths: [model], write: false }]);
    expect(grants.allows(model, false)).toBe(true);
    expect(await handle[IPC.showOpenModel](ok)).toBeNull();
    expect(openAsked[1].defaultPath).toBe(dir); // remembers the folder
    await expect(handle[IPC.showOpenModel](ok, '/etc/passwd')).rejects.toThrow(/expects 0 argument/);
  });

  it('Open dataset: allows the files and the labels file beside an images file', async () => {
    const { handle } = make();
    const images = join(dir, 't10k-images-idx3-ubyte.gz');
    openAnswers.push([images]);
    expect(await handle[IPC.showOpenDataset](ok)).toEqual([images]);
    expect(sentToEngine).toEqual([
      { paths: [images], write: false },
      { paths: [join(dir, 't10k-labels-idx1-ubyte.gz')], write: false },
    ]);
    expect(labelsBeside('/d/train-images.idx3-ubyte')).toBe('/d/train-labels-idx1-ubyte');
    expect(labelsBeside('/d/data.txt')).toBeNull();
  });

  it('showSave validates, adds the extension, allows for writing, refuses the open model', async () => {
    const { handle, on } = make();
    saveAnswers.push(join(dir, 'pruned'));
    expect(await handle[IPC.showSave](ok, 'onnx', '../mnist-pruned')).toBe(join(dir, 'pruned.onnx'));
    expect(saveAsked[0].defaultPath).toBe('mnist-pruned.onnx');
    expect(saveAsked[0].filters).toEqual([{ name: 'ONNX model', extensions: ['onnx'] }]);
    expect(sentToEngine).toEqual([{ paths: [join(dir, 'pruned.onnx')], write: true }]);

    await expect(handle[IPC.showSave](ok, 'exe', 'x')).rejects.toThrow(/save kind/);
    await expect(handle[IPC.showSave](ok, 'png', 42)).rejects.toThrow(/suggested name/);

    openAnswers.push([model]);
    await handle[IPC.showOpenModel](ok);
    on[IPC.modelOpened](ok, model);
    saveAnswers.push(model);
    await expect(handle[IPC.showSave](ok, 'onnx', 'x')).rejects.toThrow(/refusing to overwrite the open model/);
  });

  it('saveFile writes atomically where the user chose, never over the model', async () => {
    const { handle, on } = make();
    const out = join(dir, 'out');
    mkdirSync(out);
    saveAnswers.push(join(out, 'hist'));
    const png = new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10]);
    expect(await handle[IPC.saveFile](ok, 'png', 'hist.png', png)).toBe(join(out, 'hist.png'));
    expect(new Uint8Array(readFileSync(join(out, 'hist.png')))).toEqual(png);
    expect(readdirSync(out)).toEqual(['hist.png']);

    // bad data is refused before any dialog
    const asked = saveAsked.length;
    await expect(handle[IPC.saveFile](ok, 'png', 'x', { 0: 1 })).rejects.toThrow(/string or a Uint8Array/);
    expect(saveAsked.length).toBe(asked);

    openAnswers.push([model]);
    await handle[IPC.showOpenModel](ok);
    on[IPC.modelOpened](ok, model);
    saveAnswers.push(model);
    await expect(handle[IPC.saveFile](ok, 'txt', 'x', 'oops')).rejects.toThrow(/refusing to overwrite/);
    expect(readFileSync(model, 'utf8')).toBe('MODEL');
    saveAnswers.push(null);
    expect(await handle[IPC.saveFile](ok, 'csv', 'x', 'a')).toBeNull();
  });

  it('showOpenDatasetFolder allows the folder for reading only', async () => {
    const { handle } = make();
    openAnswers.push([dir]);
    expect(await handle[IPC.showOpenDatasetFolder](ok)).toBe(dir);
    expect(sentToEngine).toEqual([{ paths: [dir], write: false }]);
  });

  it('showSaveFolder allows the folder for writing', async () => {
    const { handle } = make();
    openAnswers.push([dir]);
    expect(await handle[IPC.showSaveFolder](ok)).toBe(dir);
    expect(sentToEngine).toEqual([{ paths: [dir], write: true }]);
  });

  it('drops: only existing .onnx files are accepted and allowed', async () => {
    const { handle } = make();
    const txt = join(dir, 'notes.txt');
    writeFileSync(txt, 'x');
    expect(await handle[IPC.acceptDrop](ok, model)).toBe(model);
    expect(await handle[IPC.acceptDrop](ok, txt)).toBeNull();
    expect(await handle[IPC.acceptDrop](ok, join(dir, 'gone.onnx'))).toBeNull();
    expect(await handle[IPC.acceptDrop](ok, 'mnist.onnx')).toBeNull();
    expect(await handle[IPC.acceptDrop](ok, 12)).toBeNull();
    expect(await handle[IPC.acceptDrop](ok, dir + '.onnx')).toBeNull();
    expect(sentToEngine).toEqual([{ paths: [model], write: false }]);
  });

  it('modelOpened: recent only for granted paths; null closes; junk is ignored', async () => {
    const { handle, on } = make();
    on[IPC.modelOpened](ok, '/somewhere/never-granted.onnx');
    on[IPC.modelOpened](ok, 'sample-mlp.onnx');
    openAnswers.push([model]);
    await handle[IPC.showOpenModel](ok);
    on[IPC.modelOpened](ok, model);
    on[IPC.modelOpened](ok, null);
    on[IPC.modelOpened](ok, 17);
    on[IPC.modelOpened](ok);
    expect(opened).toEqual([
      { path: '/somewhere/never-granted.onnx', granted: false },
      { path: 'sample-mlp.onnx', granted: false },
      { path: model, granted: true },
      { path: null, granted: false },
    ]);
  });
});

describe('saves never replace an input (compared by identity)', () => {
  it('showSave and saveFile refuse the open model through a folder alias or hard link, and an opened dataset', async () => {
    const { handle, on } = make();
    openAnswers.push([model]);
    await handle[IPC.showOpenModel](ok);
    on[IPC.modelOpened](ok, model);
    const alias = join(mkdtempSync(join(tmpdir(), 'prunescope-ipc-alias-')), 'alias');
    symlinkSync(dir, alias);
    linkSync(model, join(dir, 'hard.onnx'));
    try {
      for (const chosen of [join(alias, 'mnist.onnx'), join(dir, 'hard.onnx')]) {
        saveAnswers.push(chosen);
        await expect(handle[IPC.showSave](ok, 'onnx', 'x'), chosen).rejects.toThrow(/refusing to overwrite the open model/);
        saveAnswers.push(chosen.replace(/\.onnx$/, ''));
        await expect(handle[IPC.saveFile](ok, 'onnx', 'x', 'oops'), chosen).rejects.toThrow(/refusing to overwrite the open model/);
      }
      const labels = join(dir, 'test.csv');
      writeFileSync(labels, 'LABELS');
      openAnswers.push([labels]);
      await handle[IPC.showOpenDataset](ok);
      saveAnswers.push(join(alias, 'test'));
      await expect(handle[IPC.saveFile](ok, 'csv', 'sweep', 'ratio\n')).rejects.toThrow(/refusing to overwrite the dataset/);
      expect(readFileSync(labels, 'utf8')).toBe('LABELS');
      expect(readFileSync(model, 'utf8')).toBe('MODEL');
    } finally {
      rmSync(join(alias, '..'), { recursive: true, force: true });
    }
  });
});
