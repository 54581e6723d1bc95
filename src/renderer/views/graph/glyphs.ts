// Glyph widths of the graph view's fonts, measured once on a canvas in the page (the layout worker
// sums them to size the boxes).

import type { Font } from './layout';

const fonts: Record<Font, string> = { title: '600 12px', body: '11px', edge: '9px' };

export function measureGlyphs(family: string): Record<Font, number[]> | undefined {
  const ctx = document.createElement('canvas').getContext('2d');
  if (!ctx) return undefined;
  const out = {} as Record<Font, number[]>;
  for (const f of Object.keys(fonts) as Font[]) {
    ctx.font = `${fonts[f]} ${family}`;
    out[f] = [];
    for (let c = 32; c < 127; c++) out[f].push(ctx.measureText(String.fromCharCode(c)).width);
  }
  return out;
}
