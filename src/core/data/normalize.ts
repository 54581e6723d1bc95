// The normalisation of image pixels (0..1 after decoding): its grammar and how it is said. Kept
// apart from the decoders so that the UI can use it without them.

/** How image pixels (0..1 after decoding) are normalised. */
export type ImageNormalization = { kind: '0-1' } | { kind: 'mean-std'; mean: number[]; std: number[] };

/** How the normalisation is said to the user. */
export function describeNormalization(n: ImageNormalization): string {
  return n.kind === '0-1' ? 'pixels scaled to 0..1' : `pixels scaled to 0..1, then (v - mean) / std with mean [${n.mean.join(', ')}], std [${n.std.join(', ')}]`;
}

/** The per-channel mean and std of ImageNet (RGB), which torchvision's trained models expect. */
export const IMAGENET_NORMALIZATION: ImageNormalization = { kind: 'mean-std', mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };

/**
 * The CLI's / panel's normalisation text: "0-1", "imagenet" (IMAGENET_NORMALIZATION), or
 * "MEAN/STD" with one number or one per channel each, e.g. "0.5/0.5" or
 * "0.485,0.456,0.406/0.229,0.224,0.225". Throws a one-line message.
 */
export function parseNormalization(text: string): ImageNormalization {
  const t = text.trim();
  if (t === '0-1' || t === '0..1') return { kind: '0-1' };
  if (t.toLowerCase() === 'imagenet') return IMAGENET_NORMALIZATION;
  const parts = t.split('/');
  const nums = (s: string | undefined): number[] => (s ?? '').split(',').map((v) => (v.trim() === '' ? NaN : Number(v)));
  const mean = nums(parts[0]);
  const std = nums(parts[1]);
  if (parts.length !== 2 || [...mean, ...std].some((v) => !Number.isFinite(v)) || std.some((v) => v <= 0)) {
    throw new Error(`normalisation "${text}": expected 0-1, imagenet or MEAN/STD, e.g. 0.5/0.5 or 0.485,0.456,0.406/0.229,0.224,0.225 (std > 0)`);
  }
  return { kind: 'mean-std', mean, std };
}
