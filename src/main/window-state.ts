// Remembers the window's size and position (userData/window.json) and keeps a restored window
// on a screen that still exists.

import { readFileSync } from 'node:fs';
import { writeAtomicSync } from '../engine/node/atomic-write';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface WindowState {
  bounds: Partial<Rect> & { width: number; height: number };
  maximized: boolean;
}

export const DEFAULT_STATE: WindowState = { bounds: { width: 1280, height: 820 }, maximized: false };
const MIN_W = 640;
const MIN_H = 420;

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? Math.round(v) : undefined;
}

/** Reads the saved state; anything unreadable gives the default. */
export function loadWindowState(file: string): WindowState {
  try {
    const raw = JSON.parse(readFileSync(file, 'utf8')) as { bounds?: Record<string, unknown>; maximized?: unknown };
    const b = raw.bounds ?? {};
    const width = num(b.width);
    const height = num(b.height);
    if (width === undefined || height === undefined) return DEFAULT_STATE;
    const x = num(b.x);
    const y = num(b.y);
    return {
      bounds: {
        width: Math.max(MIN_W, width),
        height: Math.max(MIN_H, height),
        ...(x !== undefined && y !== undefined ? { x, y } : {}),
      },
      maximized: raw.maximized === true,
    };
  } catch {
    return DEFAULT_STATE;
  }
}

export function saveWindowState(file: string, state: WindowState): void {
  try {
    writeAtomicSync(file, JSON.stringify(state) + '\n');
  } catch {
    // not worth failing a quit over
  }
}

/**
 * Keeps the position only if enough of the window (100×50 px of its top) is on one of the
 * displays' work areas; otherwise drops it so the window manager centres the window. The size is
 * clamped to the largest work area.
 */
export function fitToDisplays(state: WindowState, workAreas: readonly Rect[]): WindowState {
  if (workAreas.length === 0) return state;
  const maxW = Math.max(...workAreas.map((a) => a.width));
  const maxH = Math.max(...workAreas.map((a) => a.height));
  const width = Math.min(state.bounds.width, maxW);
  const height = Math.min(state.bounds.height, maxH);
  const { x, y } = state.bounds;
  if (x === undefined || y === undefined) return { ...state, bounds: { width, height } };
  const visible = workAreas.some((a) => {
    const ix = Math.min(x + width, a.x + a.width) - Math.max(x, a.x);
    const iy = Math.min(y + 50, a.y + a.height) - Math.max(y, a.y);
    return ix >= Math.min(100, width) && iy >= 50;
  });
  return { ...state, bounds: visible ? { x, y, width, height } : { width, height } };
}
