// One image file to one model sample: decode (PNG through fast-png, JPEG through jpeg-js, told
// apart by their magic numbers), convert to the model's channels (RGB to gray: ITU-R BT.601 luma
// 0.299 R + 0.587 G + 0.114 B; gray to RGB: the value three times; alpha dropped), resize to the
// model's H × W (bilinear, pixel centres aligned: align_corners = false, as torch's and PIL's
// bilinear without antialiasing), scale to 0..1, then normalise: '0-1' keeps 0..1, mean/std gives
// (v - mean[c]) / std[c] per channel (the torchvision Normalize convention, on 0..1 values).
import { decode as decodePng } from 'fast-png';
import { decode as decodeJpeg } from 'jpeg-js';
import { DatasetError } from './dataset';
import type { ImageTarget } from './fit';
import type { ImageNormalization } from './normalize';

/** Decoded pixels: `channels` values per pixel, row by row, each in 0..1. */
export interface Pixels {
  width: number;
  height: number;
  channels: 1 | 3;
  data: Float32Array;
}

const isPng = (b: Uint8Array): boolean => b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47;
const isJpeg = (b: Uint8Array): boolean => b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;

/** True when the bytes start like a PNG or JPEG file. */
export function looksLikeImage(bytes: Uint8Array): boolean {
  return isPng(bytes) || isJpeg(bytes);
}

/** Decodes a PNG or JPEG to gray or RGB values in 0..1; throws naming the file. */
export function decodeImage(name: string, bytes: Uint8Array): Pixels {
  if (isPng(bytes)) {
    let png: ReturnType<typeof decodePng>;
    try {
      png = decodePng(bytes, { checkCrc: true });
    } catch (e) {
      throw new DatasetError(name, `is not a readable PNG (${(e as Error).message})`);
    }
    const { width, height } = png;
    let src: ArrayLike<number> = png.data;
    let ch = png.channels;
    let max = 2 ** png.depth - 1;
    if (png.palette) {
      ch = png.palette[0]?.length ?? 3;
      const out = new Uint8Array(width * height * ch);
      for (let i = 0; i < width * height; i++) {
        const c = png.palette[png.data[i]] ?? [0, 0, 0, 255];
        for (let k = 0; k < ch; k++) out[i * ch + k] = c[k];
      }
      src = out;
      max = 255;
    }
    if (src.length < width * height * ch) throw new DatasetError(name, 'is a truncated PNG: its pixel data is incomplete');
    const color = ch >= 3 ? 3 : 1;
    const data = new Float32Array(width * height * color);
    for (let i = 0; i < width * height; i++) for (let k = 0; k < color; k++) data[i * color + k] = src[i * ch + k] / max;
    return { width, height, channels: color as 1 | 3, data };
  }
  if (isJpeg(bytes)) {
    let jpg: { width: number; height: number; data: Uint8Array };
    try {
      jpg = decodeJpeg(bytes, { useTArray: true, formatAsRGBA: true, tolerantDecoding: false, maxMemoryUsageInMB: 1024 });
    } catch (e) {
      throw new DatasetError(name, `is not a readable JPEG (${(e as Error).message})`);
    }
    const { width, height } = jpg;
    if (!(width > 0 && height > 0)) throw new DatasetError(name, 'is a JPEG without pixels');
    const data = new Float32Array(width * height * 3);
    for (let i = 0; i < width * height; i++) for (let k = 0; k < 3; k++) data[i * 3 + k] = jpg.data[i * 4 + k] / 255;
    return { width, height, channels: 3, data };
  }
  throw new DatasetError(name, 'is not a PNG or JPEG image');
}

/** The pixels with `channels` channels (BT.601 luma for RGB → gray; gray repeated for gray → RGB). */
export function convertChannels(p: Pixels, channels: 1 | 3): Pixels {
  if (p.channels === channels) return p;
  const n = p.width * p.height;
  const data = new Float32Array(n * channels);
  if (channels === 1) for (let i = 0; i < n; i++) data[i] = 0.299 * p.data[i * 3] + 0.587 * p.data[i * 3 + 1] + 0.114 * p.data[i * 3 + 2];
  else for (let i = 0; i < n; i++) data[i * 3] = data[i * 3 + 1] = data[i * 3 + 2] = p.data[i];
  return { ...p, channels, data };
}

/** Bilinear resize with aligned pixel centres (source x = (x + 0.5) · w / W - 0.5, clamped). */
export function resizeBilinear(p: Pixels, width: number, height: number): Pixels {
  if (p.width === width && p.height === height) return p;
  const c = p.channels;
  const data = new Float32Array(width * height * c);
  const axis = (n: number, from: number): { i0: Int32Array; i1: Int32Array; f: Float32Array } => {
    const i0 = new Int32Array(n), i1 = new Int32Array(n), f = new Float32Array(n);
    for (let o = 0; o < n; o++) {
      const s = Math.min(Math.max((o + 0.5) * (from / n) - 0.5, 0), from - 1);
      i0[o] = Math.floor(s);
      i1[o] = Math.min(i0[o] + 1, from - 1);
      f[o] = s - i0[o];
    }
    return { i0, i1, f };
  };
  const xs = axis(width, p.width);
  const ys = axis(height, p.height);
  for (let y = 0; y < height; y++) {
    const r0 = ys.i0[y] * p.width, r1 = ys.i1[y] * p.width, fy = ys.f[y];
    for (let x = 0; x < width; x++) {
      const a = xs.i0[x], b = xs.i1[x], fx = xs.f[x];
      for (let k = 0; k < c; k++) {
        const top = p.data[(r0 + a) * c + k] * (1 - fx) + p.data[(r0 + b) * c + k] * fx;
        const bottom = p.data[(r1 + a) * c + k] * (1 - fx) + p.data[(r1 + b) * c + k] * fx;
        data[(y * width + x) * c + k] = top * (1 - fy) + bottom * fy;
      }
    }
  }
  return { width, height, channels: c, data };
}

/**
 * Writes one image as a model sample into `out` at `offset` (target.channels × H × W values, in the
 * target's layout), converted, resized and normalised.
 */
export function imageToSample(name: string, bytes: Uint8Array, target: ImageTarget, norm: ImageNormalization, out: Float32Array, offset: number): void {
  const p = resizeBilinear(convertChannels(decodeImage(name, bytes), target.channels), target.width, target.height);
  const c = target.channels;
  const hw = target.width * target.height;
  for (let k = 0; k < c; k++) {
    const mean = norm.kind === 'mean-std' ? (norm.mean.length === 1 ? norm.mean[0] : norm.mean[k]) : 0;
    const std = norm.kind === 'mean-std' ? (norm.std.length === 1 ? norm.std[0] : norm.std[k]) : 1;
    for (let i = 0; i < hw; i++) {
      const v = (p.data[i * c + k] - mean) / std;
      out[offset + (target.layout === 'nhwc' ? i * c + k : k * hw + i)] = v;
    }
  }
}
