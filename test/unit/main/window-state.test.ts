import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_STATE, fitToDisplays, loadWindowState, saveWindowState } from '../../../src/main/window-state';
import { useTempDir } from '../../support/temp-dir';

const dir = useTempDir('prunescope-win-');

describe('window state', () => {
  it('round-trips and falls back to the default on bad files', () => {
    const f = join(dir(), 'window.json');
    expect(loadWindowState(f)).toEqual(DEFAULT_STATE);
    saveWindowState(f, { bounds: { x: 10, y: 20, width: 1000, height: 700 }, maximized: true });
    expect(loadWindowState(f)).toEqual({ bounds: { x: 10, y: 20, width: 1000, height: 700 }, maximized: true });
    writeFileSync(f, '{bad');
    expect(loadWindowState(f)).toEqual(DEFAULT_STATE);
    writeFileSync(f, JSON.stringify({ bounds: { width: 'wide', height: 3 } }));
    expect(loadWindowState(f)).toEqual(DEFAULT_STATE);
    writeFileSync(f, JSON.stringify({ bounds: { width: 10, height: 10, x: 5 } }));
    expect(loadWindowState(f)).toEqual({ bounds: { width: 640, height: 420 }, maximized: false });
  });

  it('keeps a window on a screen that exists', () => {
    const screens = [{ x: 0, y: 0, width: 1920, height: 1040 }];
    const onScreen = { bounds: { x: 100, y: 100, width: 1200, height: 800 }, maximized: false };
    expect(fitToDisplays(onScreen, screens)).toEqual(onScreen);
    // was on a second monitor that is gone: position dropped, size kept
    const gone = { bounds: { x: 2500, y: 100, width: 1200, height: 800 }, maximized: false };
    expect(fitToDisplays(gone, screens).bounds).toEqual({ width: 1200, height: 800 });
    // too large for the screen: clamped
    const big = { bounds: { x: 0, y: 0, width: 4000, height: 3000 }, maximized: false };
    expect(fitToDisplays(big, screens).bounds).toEqual({ x: 0, y: 0, width: 1920, height: 1040 });
    // title bar above the top edge: not reachable, dropped
    const above = { bounds: { x: 100, y: -500, width: 800, height: 600 }, maximized: false };
    expect(fitToDisplays(above, screens).bounds).toEqual({ width: 800, height: 600 });
  });
});
