// A virtualized text viewer: lines are kept as offsets into one string and only the lines inside
// the viewport (plus a small margin) exist in the DOM, so a 1000×1000 matrix scrolls smoothly.

import { h } from '../dom';

const LINE_HEIGHT = 18;
const OVERSCAN = 20;
/** Very long lines (a base64 blob in JSON) are cut for display; the saved text is complete. */
const MAX_SHOWN_CHARS = 20_000;

export class VirtualText {
  private text = '';
  private starts: number[] = [0];
  private readonly spacer: HTMLElement;
  private readonly lines: HTMLElement;
  private frame = 0;
  private shown: [number, number] = [-1, -1];

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
    // Monospace: width from the longest line (about 7.3 px per character at 12 px) plus the gutter.
    this.spacer.style.width = `${Math.ceil(maxLen * 7.3) + 90}px`;
    this.host.scrollTop = 0;
    this.host.scrollLeft = 0;
    this.shown = [-1, -1];
    this.render();
  }

  refresh(): void {
    this.shown = [-1, -1];
    this.render();
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  private render(): void {
    const count = this.lineCount;
    const height = this.host.clientHeight || 400;
    const first = Math.max(0, Math.floor(this.host.scrollTop / LINE_HEIGHT) - OVERSCAN);
    const last = Math.min(count, Math.ceil((this.host.scrollTop + height) / LINE_HEIGHT) + OVERSCAN);
    if (first === this.shown[0] && last === this.shown[1]) return;
    this.shown = [first, last];
    const rows: HTMLElement[] = [];
    for (let i = first; i < last; i++) {
      const start = this.starts[i];
      const end = i + 1 < this.starts.length ? this.starts[i + 1] - 1 : this.text.length;
      let line = this.text.slice(start, Math.min(end, start + MAX_SHOWN_CHARS));
      if (end - start > MAX_SHOWN_CHARS) line += ` … (${(end - start - MAX_SHOWN_CHARS).toLocaleString('en-US')} more characters)`;
      rows.push(h('div', { class: 'viewer-line' }, h('span', { class: 'ln' }, i + 1), line));
    }
    this.lines.style.transform = `translateY(${first * LINE_HEIGHT}px)`;
    this.lines.replaceChildren(...rows);
  }
}
