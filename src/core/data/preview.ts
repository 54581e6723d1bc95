// The first few samples of a dataset as small pictures, for the user to see before anything runs.
// A sample is image-like when its shape, leading 1s dropped, is [H, W], [C, H, W] or [H, W, C]
// with C = 1 or 3 (channels first when both read so, unless the dataset says it is channels last),
// or a flat [H·H] of at least 16 values (drawn as an H × H square). Each sample is drawn on its own
// value range (min → black, max → white), so normalised values show as well as 0..1 or 0..255.
import type { Dataset } from './dataset';

export interface PreviewSample {
  label: number;
  /** The class name of the label, when the dataset has them. */
  className?: string;
  /** Absent when the sample is not image-like. */
  image?: { width: number; height: number; channels: 1 | 3; pixels: Uint8Array };
  /** The sample's smallest and largest values. */
  min: number;
  max: number;
}

export interface DatasetPreview {
  samples: PreviewSample[];
  /** How the samples are drawn, e.g. "1×28×28 as 28×28 gray"; absent when they are not image-like. */
  drawnAs?: string;
}

type Layout = { channels: 1 | 3; height: number; width: number; channelsFirst: boolean };

function layoutOf(ds: Dataset): Layout | undefined {
  let s = ds.sampleShape;
  while (s.length > 2 && s[0] === 1) s = s.slice(1);
  const cOk = (c: number): c is 1 | 3 => c === 1 || c === 3;
  if (s.length === 3 && cOk(s[0]) && ds.layout !== 'nhwc') return { channels: s[0], height: s[1], width: s[2], channelsFirst: true };
  if (s.length === 3 && cOk(s[2])) return { channels: s[2], height: s[0], width: s[1], channelsFirst: false };
  if (s.length === 2) return { channels: 1, height: s[0], width: s[1], channelsFirst: true };
  if (s.length === 1) {
    const side = Math.round(Math.sqrt(s[0]));
    if (side >= 4 && side * side === s[0]) return { channels: 1, height: side, width: side, channelsFirst: true };
  }
  return undefined;
}

export function datasetPreview(ds: Dataset, count = 8): DatasetPreview {
  const n = Math.min(count, ds.count);
  const layout = layoutOf(ds);
  const samples: PreviewSample[] = [];
  for (let i = 0; i < n; i++) {
    const values = ds.images.subarray(i * ds.sampleSize, (i + 1) * ds.sampleSize);
    let min = Infinity;
    let max = -Infinity;
    for (const v of values) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
    const label = ds.labels[i];
    const sample: PreviewSample = { label, min, max };
    const name = ds.classNames?.[label];
    if (name !== undefined) sample.className = name;
    if (layout) {
      const { channels: c, height: h, width: w, channelsFirst } = layout;
      const pixels = new Uint8Array(w * h * c);
      const span = max > min ? 255 / (max - min) : 0;
      for (let p = 0; p < w * h; p++) {
        for (let k = 0; k < c; k++) {
          const v = values[channelsFirst ? k * w * h + p : p * c + k];
          pixels[p * c + k] = Number.isFinite(v) ? Math.round((v - min) * span) : 0;
        }
      }
      sample.image = { width: w, height: h, channels: c, pixels };
    }
    samples.push(sample);
  }
  const preview: DatasetPreview = { samples };
  if (layout) preview.drawnAs = `[${ds.sampleShape.join(', ')}] as ${layout.height}×${layout.width} ${layout.channels === 1 ? 'gray' : 'RGB'}`;
  return preview;
}
