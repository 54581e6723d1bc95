// A virtualized text viewer: lines are kept as offsets into one string and only the lines inside
// the viewport (plus a small margin) exist in the DOM, so a 1000×1000 matrix scrolls smoothly.

import { h } from '../dom';

const LINE_HEIGHT = 18;
const OVERSCAN = 20;
/** Very long lines (a base64 blob in JSON) are cut for display; the saved text is complete. */
const MAX_SHOWN_CHARS = 20_000;

/** Columns drawn beyond each side of the viewport. */
const COL_OVERSCAN = 40;
/** Width of the line-number gutter with its padding and margin (see .viewer-line .ln). */
const GUTTER = 72;

export class VirtualText {
  private text = '';
  private starts: number[] = [0];
  private readonly spacer: HTMLElement;
  private readonly lines: HTMLElement;
  private frame = 0;
  private shown: [number, number, number, number] = [-1, -1, -1, -1];
  /** Row elements reused from frame to frame: number, left pad, text. */
  private readonly pool: { row: HTMLElement; ln: HTMLElement; pad: HTMLElement; body: Text }[] = [];
  private charWidth = 0;

  constructor(private readonly host: HTMLElement) {
    this.lines = h('div', { class: 'viewer-lines' });
    this.spacer = h('div', { class: 'viewer-spacer' }, this.lines);
    host.append(this.spacer);
    host.addEventListener('scroll', () => this.schedule(), { passive: true });
    new ResizeObserver(() => this.schedule()).observe(host);
  }

  get lineCount(): number {
    return this.text === '' ? 0 : this.starts.length;
  }

  setText(text: string): void {
    this.text = text.endsWith('\n') ? text.slice(0, -1) : text;
    this.starts = [0];
    let maxLen = 0;
    let prev = 0;
    for (let i = this.text.indexOf('\n'); i !== -1; i = this.text.indexOf('\n', i + 1)) {
      maxLen = Math.max(maxLen, i - prev);
      prev = i + 1;
      this.starts.push(prev);
    }
    maxLen = Math.min(MAX_SHOWN_CHARS, Math.max(maxLen, this.text.length - prev));
    this.spacer.style.height = `${this.lineCount * LINE_HEIGHT}px`;
    this.spacer.style.width = `${Math.ceil(maxLen * this.measureChar()) + GUTTER + 90}px`;
    this.host.scrollTop = 0;
    this.host.scrollLeft = 0;
    this.shown = [-1, -1, -1, -1];
    this.render();
  }

  refresh(): void {
    this.charWidth = 0;
    this.shown = [-1, -1, -1, -1];
    this.render();
  }

  /** Width of one monospace character as the viewer draws it (about 7.2 px at 12 px). */
  private measureChar(): number {
    if (this.charWidth > 0) return this.charWidth;
    const probe = h('span', { class: 'viewer-line', style: 'position:absolute;visibility:hidden' }, '0'.repeat(100));
    this.host.append(probe);
    const w = probe.getBoundingClientRect().width / 100;
    probe.remove();
    if (w > 0) this.charWidth = w;
    return w > 0 ? w : 7.3;
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  /**
   * Draws the visible rows, and of each only the visible columns (a row of a 1000-column matrix is
   * ~10,000 characters; laying out all of them per frame made scrolling slow). Row elements are
   * reused and only their text changes.
   */
  private render(): void {
    const count = this.lineCount;
    const height = this.host.clientHeight || 400;
    const width = this.host.clientWidth || 600;
    const cw = this.measureChar();
    const first = Math.max(0, Math.floor(this.host.scrollTop / LINE_HEIGHT) - OVERSCAN);
    const last = Math.min(count, Math.ceil((this.host.scrollTop + height) / LINE_HEIGHT) + OVERSCAN);
    const col0 = Math.max(0, Math.floor(Math.max(0, this.host.scrollLeft - GUTTER) / cw) - COL_OVERSCAN);
    const col1 = Math.min(MAX_SHOWN_CHARS, Math.ceil((this.host.scrollLeft + width) / cw) + COL_OVERSCAN);
    // Redraw only when the drawn window no longer covers the viewport (with half the overscan left).
    const [f0, l0, c0, c1] = this.shown;
    const rowsOk = f0 >= 0 && first >= f0 && last <= l0 && (first - f0 > OVERSCAN / 2 || f0 === 0) && (l0 - last > OVERSCAN / 2 || l0 === count);
    const colsOk = c0 >= 0 && col0 >= c0 && col1 <= c1 && (col0 - c0 > COL_OVERSCAN / 2 || c0 === 0) && c1 - col1 > COL_OVERSCAN / 2;
    if (rowsOk && colsOk) return;
    const r0 = first;
    const r1 = last;
    const k0 = col0;
    const k1 = col1 + COL_OVERSCAN;
    this.shown = [r0, r1, k0, k1];
    const n = r1 - r0;
    while (this.pool.length < n) {
      const ln = h('span', { class: 'ln' });
      const pad = h('span', { class: 'pad' });
      const body = document.createTextNode('');
      const row = h('div', { class: 'viewer-line' }, ln, pad, body);
      this.pool.push({ row, ln, pad, body });
    }
    const padPx = `${k0 * cw}px`;
    for (let j = 0; j < n; j++) {
      const i = r0 + j;
      const { ln, pad, body } = this.pool[j];
      const start = this.starts[i];
      const end = i + 1 < this.starts.length ? this.starts[i + 1] - 1 : this.text.length;
      const shownEnd = Math.min(end, start + MAX_SHOWN_CHARS);
      let line = this.text.slice(Math.min(shownEnd, start + k0), Math.min(shownEnd, start + k1));
      if (end - start > MAX_SHOWN_CHARS && start + k1 >= shownEnd) line += ` … (${(end - start - MAX_SHOWN_CHARS).toLocaleString('en-US')} more characters)`;
      const num = String(i + 1);
      if (ln.textContent !== num) ln.textContent = num;
      pad.style.width = padPx;
      if (body.data !== line) body.data = line;
    }
    const rows = this.pool.slice(0, n).map((p) => p.row);
    if (this.lines.childElementCount !== n) this.lines.replaceChildren(...rows);
    this.lines.style.transform = `translateY(${r0 * LINE_HEIGHT}px)`;
  }
}
