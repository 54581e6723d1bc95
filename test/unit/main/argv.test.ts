import { describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { parseOpenArgv, positionalArgs } from '../../../src/main/argv';

const packaged = { defaultApp: false, cwd: '/home/u/work' };
const dev = { defaultApp: true, cwd: '/home/u/work' };

describe('parseOpenArgv', () => {
  it('finds nothing in a bare launch', () => {
    expect(parseOpenArgv(['/opt/Prunescope/prunescope'], packaged)).toEqual({ kind: 'none' });
    expect(parseOpenArgv(['/usr/lib/electron', '.'], dev)).toEqual({ kind: 'none' });
    expect(parseOpenArgv(['/usr/lib/electron', 'out/main/index.js', '--inspect=9229'], dev)).toEqual({ kind: 'none' });
  });

  it('skips Electron and Chromium switches', () => {
    const argv = [
      '/opt/Prunescope/prunescope',
      '--no-sandbox',
      '--enable-logging',
      '--remote-debugging-port=0',
      '--inspect=0',
      '--allow-file-access-from-files',
      'mnist.onnx',
    ];
    expect(parseOpenArgv(argv, packaged)).toEqual({ kind: 'open', path: '/home/u/work/mnist.onnx' });
  });

  it('skips the app path when unpackaged, even after switches', () => {
    const argv = ['/usr/lib/electron', '--inspect=0', '--remote-debugging-port=0', '.', 'models/mlp.onnx'];
    expect(parseOpenArgv(argv, dev)).toEqual({ kind: 'open', path: '/home/u/work/models/mlp.onnx' });
  });

  it('resolves relative paths against the given cwd (a second instance\'s)', () => {
    expect(parseOpenArgv(['app', '../x/m.ONNX'], { defaultApp: false, cwd: '/a/b' })).toEqual({
      kind: 'open',
      path: resolve('/a/x/m.ONNX'),
    });
    expect(parseOpenArgv(['app', '/abs/m.onnx'], packaged)).toEqual({ kind: 'open', path: '/abs/m.onnx' });
  });

  it('takes a file named like a switch after --', () => {
    expect(parseOpenArgv(['app', '--', '-weird.onnx'], packaged)).toEqual({ kind: 'open', path: '/home/u/work/-weird.onnx' });
    expect(positionalArgs(['app', '--flag', '--', '--x', 'y'], { defaultApp: false })).toEqual(['--x', 'y']);
  });

  it('accepts file:// URLs', () => {
    expect(parseOpenArgv(['app', 'file:///tmp/my%20model.onnx'], packaged)).toEqual({ kind: 'open', path: '/tmp/my model.onnx' });
  });

  it('rejects a file that is not .onnx, naming it', () => {
    expect(parseOpenArgv(['app', 'notes.txt'], packaged)).toEqual({
      kind: 'rejected',
      path: '/home/u/work/notes.txt',
      reason: 'is not an .onnx file',
    });
  });
});
