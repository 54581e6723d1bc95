// A folder of images with one subfolder per class: the subfolder names, sorted (by code point,
// as listed to the user), are the class names, label 0, 1, … in that order; each class folder
// holds PNG or JPEG files directly. Hidden entries (a name starting with '.') are skipped; any
// other file that is not an image, a file beside the class folders, a folder inside a class
// folder or a class folder without images is refused naming it.
import { classCount, DatasetError, type Dataset } from './dataset';
import type { ImageTarget } from './fit';
import { imageToSample, looksLikeImage } from './images';
import { describeNormalization, type ImageNormalization } from './normalize';

/** One entry of the folder: its path below the root ("cat/001.png"), '/'-separated. */
export interface FolderEntry {
  path: string;
  kind: 'file' | 'dir';
}

/** The images to read, in order, with their labels, and the class names. */
export interface FolderPlan {
  root: string;
  classNames: string[];
  items: { path: string; label: number }[];
}

const hidden = (segment: string): boolean => segment.startsWith('.');
const byCodePoint = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Checks the folder's layout and orders its images by class, then file name. */
export function planImageFolder(root: string, entries: readonly FolderEntry[]): FolderPlan {
  const classes = new Map<string, string[]>();
  const at = (p: string): string => `${root}/${p}`;
  for (const e of entries) {
    const parts = e.path.split('/').filter((s) => s !== '');
    if (parts.some(hidden)) continue;
    if (parts.length === 1) {
      if (e.kind === 'dir') {
        if (!classes.has(parts[0])) classes.set(parts[0], []);
      } else throw new DatasetError(at(e.path), 'is a file beside the class folders; an image folder holds one subfolder of images per class');
    } else if (parts.length === 2 && e.kind === 'file') {
      const list = classes.get(parts[0]) ?? [];
      list.push(parts[1]);
      classes.set(parts[0], list);
    } else {
      throw new DatasetError(at(e.path), `is nested inside the class folder ${parts[0]}; images go directly in their class folder`);
    }
  }
  const classNames = [...classes.keys()].sort(byCodePoint);
  if (classNames.length === 0) throw new DatasetError(root, 'holds no class folders; an image folder holds one subfolder of PNG or JPEG images per class');
  const items: FolderPlan['items'] = [];
  classNames.forEach((c, label) => {
    const files = (classes.get(c) ?? []).sort(byCodePoint);
    if (files.length === 0) throw new DatasetError(at(c), 'is a class folder without images');
    for (const f of files) items.push({ path: `${c}/${f}`, label });
  });
  return { root, classNames, items };
}

/** Fills a dataset's samples image by image (the engine reads the files, reports progress and checks cancel between them). */
export class ImageFolderBuilder {
  readonly images: Float32Array;
  readonly labels: Int32Array;
  private readonly sampleSize: number;

  /** `sizeNote`: why the images have this size when the model input does not fix it. */
  constructor(
    private readonly plan: FolderPlan,
    private readonly target: ImageTarget,
    private readonly norm: ImageNormalization,
    private readonly sizeNote?: string,
  ) {
    if (norm.kind === 'mean-std') {
      for (const [what, v] of [['mean', norm.mean], ['std', norm.std]] as const) {
        if (v.length !== 1 && v.length !== target.channels) {
          throw new DatasetError(plan.root, `normalisation ${what} has ${v.length} values; the model takes ${target.channels} channel${target.channels === 1 ? ' (give one value)' : `s (give 1 or ${target.channels})`}`);
        }
      }
    }
    this.sampleSize = target.channels * target.height * target.width;
    this.images = new Float32Array(plan.items.length * this.sampleSize);
    this.labels = Int32Array.from(plan.items, (i) => i.label);
  }

  get count(): number {
    return this.plan.items.length;
  }

  /** Decodes image `index` of the plan from its file's bytes. */
  add(index: number, bytes: Uint8Array): void {
    const name = `${this.plan.root}/${this.plan.items[index].path}`;
    if (!looksLikeImage(bytes)) throw new DatasetError(name, 'is not a PNG or JPEG image; a class folder holds only images');
    imageToSample(name, bytes, this.target, this.norm, this.images, index * this.sampleSize);
  }

  dataset(): Dataset {
    const t = this.target;
    const sampleShape = t.layout === 'nchw' ? [t.channels, t.height, t.width] : t.layout === 'nhwc' ? [t.height, t.width, t.channels] : [t.height, t.width];
    const root = this.plan.root;
    return {
      name: root.replace(/[\\/]+$/, '').replace(/^.*[\\/]/, '') || root,
      file: root,
      images: this.images,
      labels: this.labels,
      count: this.count,
      sampleShape,
      sampleSize: this.sampleSize,
      classes: classCount(this.labels),
      classNames: this.plan.classNames,
      layout: t.layout === 'nhwc' ? 'nhwc' : 'nchw',
      conversion: `images ${t.channels === 1 ? 'in gray' : 'in RGB'}, resized to ${t.height}×${t.width} (bilinear${this.sizeNote ? `; ${this.sizeNote}` : ''}), ${describeNormalization(this.norm)}`,
    };
  }
}
