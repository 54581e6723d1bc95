// A standalone SVG document of the whole drawing (the view's CSS rules inlined with the theme's
// resolved colours), and a PNG of it rendered through a canvas.

import type { Layout } from './layout';

function inlineStyles(): string {
  const root = getComputedStyle(document.documentElement);
  const resolve = (css: string): string => css.replace(/var\((--[\w-]+)\)/g, (_m, name: string) => root.getPropertyValue(name).trim() || 'currentColor');
  const rules: string[] = [];
  for (const sheet of Array.from(document.styleSheets)) {
    let list: CSSRuleList;
    try {
      list = sheet.cssRules;
    } catch {
      continue; // a cross-origin sheet cannot be read
    }
    for (const rule of Array.from(list)) {
      if (rule instanceof CSSStyleRule && /(^|[\s,])\.gv-(node|box|head|title|row|pill|badge|edge|arrow|cat|match|selected|pruned|changed|ov)/.test(rule.selectorText)) {
        rules.push(resolve(rule.cssText));
      }
    }
  }
  return rules.join('\n');
}

/** `band`: a group drawn in a strip of `band.height` above the drawing (an overlay's legend). */
export function svgDocument(svg: SVGSVGElement, layout: Layout, band?: { node: SVGGElement; height: number }): string {
  const copy = svg.cloneNode(true) as SVGSVGElement;
  const top = band?.height ?? 0;
  const height = Math.ceil(layout.height) + top;
  copy.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  copy.setAttribute('width', String(Math.ceil(layout.width)));
  copy.setAttribute('height', String(height));
  copy.setAttribute('viewBox', `0 0 ${Math.ceil(layout.width)} ${height}`);
  copy.removeAttribute('class');
  copy.removeAttribute('style');
  const viewport = copy.querySelector('.gv-viewport');
  if (top > 0) viewport?.setAttribute('transform', `translate(0,${top})`);
  else viewport?.removeAttribute('transform');
  const bg = getComputedStyle(document.documentElement).getPropertyValue('--gv-bg').trim() || '#ffffff';
  const style = document.createElementNS('http://www.w3.org/2000/svg', 'style');
  style.textContent = `svg { background: ${bg}; }\n${inlineStyles()}`;
  copy.insertBefore(style, copy.firstChild);
  const rect = document.createElementNS('http://www.w3.org/2000/svg', 'rect');
  rect.setAttribute('width', '100%');
  rect.setAttribute('height', '100%');
  rect.setAttribute('fill', bg);
  copy.insertBefore(rect, style.nextSibling);
  if (band) copy.insertBefore(band.node, rect.nextSibling);
  return `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(copy)}`;
}

export async function svgToPng(svgText: string, width: number, height: number): Promise<Blob> {
  const scale = Math.max(0.1, Math.min(2, 16000 / Math.max(width, height, 1)));
  const url = URL.createObjectURL(new Blob([svgText], { type: 'image/svg+xml' }));
  try {
    const img = new Image();
    await new Promise<void>((resolve, reject) => {
      img.onload = () => resolve();
      img.onerror = () => reject(new Error('The graph drawing could not be rendered as an image.'));
      img.src = url;
    });
    const canvas = document.createElement('canvas');
    canvas.width = Math.max(1, Math.ceil(width * scale));
    canvas.height = Math.max(1, Math.ceil(height * scale));
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('No 2D canvas is available to render the graph.');
    ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
    return await new Promise<Blob>((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('The graph image could not be encoded as PNG.'))), 'image/png'));
  } finally {
    URL.revokeObjectURL(url);
  }
}
