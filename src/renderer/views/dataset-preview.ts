// The Evaluate panel's dataset extras: "Choose folder…" (a folder of images, one subfolder per
// class), the image normalisation control (0..1 or per-channel mean/std, for image folders), and
// the preview of the first samples with their labels, what was done to the values and the class
// names, shown as soon as a dataset is described and before anything runs.
// evaluate.ts mounts it: `folderButton` beside its file picker, `el` under it, `show()` with each
// description (or null), and gets folder picks through `onPick`.

import { parseNormalization, type DatasetSource, type DatasetSummary, type ImageNormalization, type PreviewSample } from '../../engine/protocol';
import type { Platform } from '../engine-link';
import { clear, h } from '../dom';

type Picked = { source: DatasetSource; label: string };
type FolderPick = Extract<DatasetSource, { kind: 'folder' | 'folderFiles' }>;

/** How big a preview image is drawn (CSS pixels, longest side). */
const PREVIEW_SIDE = 56;

export interface DatasetPreviewPanel {
  folderButton: HTMLButtonElement;
  el: HTMLElement;
  /** Shows a described dataset (null: none, or it could not be read) and the source it came from. */
  show(summary: DatasetSummary | null, source?: DatasetSource): void;
  /**
   * Asks the engine to read and describe a dataset for the model, with its preview; a long read
   * (a folder of thousands of images) shows its progress here with a Cancel button.
   */
  describe(source: DatasetSource, modelId: number | undefined): Promise<DatasetSummary>;
}

function sampleFigure(s: PreviewSample, index: number): HTMLElement {
  const name = s.className !== undefined ? `${s.label} ${s.className}` : `label ${s.label}`;
  const caption = h('figcaption', { class: 'mono', title: `values ${s.min.toPrecision(3)} … ${s.max.toPrecision(3)}` }, name);
  if (!s.image) return h('figure', { class: 'ds-sample', 'data-testid': `ds-sample-${index}` }, h('div', { class: 'ds-values muted' }, `${s.min.toPrecision(3)} … ${s.max.toPrecision(3)}`), caption);
  const { width, height, channels, pixels } = s.image;
  const canvas = h('canvas', { width, height, role: 'img', 'aria-label': `sample ${index + 1}: ${name}` });
  const scale = PREVIEW_SIDE / Math.max(width, height);
  canvas.style.width = `${Math.round(width * scale)}px`;
  canvas.style.height = `${Math.round(height * scale)}px`;
  canvas.style.imageRendering = 'pixelated';
  const g = canvas.getContext('2d');
  if (g) {
    const img = g.createImageData(width, height);
    for (let p = 0; p < width * height; p++) {
      for (let k = 0; k < 3; k++) img.data[p * 4 + k] = pixels[p * channels + (channels === 3 ? k : 0)];
      img.data[p * 4 + 3] = 255;
    }
    g.putImageData(img, 0, 0);
  }
  return h('figure', { class: 'ds-sample', 'data-testid': `ds-sample-${index}` }, canvas, caption);
}

export function createDatasetPreview(platform: Platform, onPick: (picked: Picked) => void): DatasetPreviewPanel {
  /** The folder picked last, re-sent with a new normalisation when the control changes. */
  let folder: { source: FolderPick; label: string } | null = null;
  const folderButton = h('button', { class: 'btn small', 'data-testid': 'eval-pick-folder', title: 'A folder with one subfolder of PNG or JPEG images per class' }, 'Choose folder…');
  const normKind = h(
    'select',
    { class: 'field', 'data-testid': 'ds-normalize', 'aria-label': 'Image normalisation' },
    h('option', { value: '0-1' }, 'pixels 0..1'),
    h('option', { value: 'imagenet' }, 'ImageNet mean/std (torchvision)'),
    h('option', { value: 'mean-std' }, 'per-channel mean/std'),
  );
  const normText = h('input', { class: 'field', value: '0.5/0.5', 'data-testid': 'ds-mean-std', 'aria-label': 'Mean/std', placeholder: '0.485,0.456,0.406/0.229,0.224,0.225', hidden: true });
  const normNote = h('span', { class: 'muted', 'data-testid': 'ds-normalize-note' });
  const normRow = h('div', { class: 'row', hidden: true, 'data-testid': 'ds-normalize-row' }, h('label', {}, 'Images'), normKind, normText, normNote);
  const conversion = h('div', { class: 'muted', 'data-testid': 'ds-conversion', hidden: true });
  const fed = h('div', { class: 'muted', 'data-testid': 'ds-fed', hidden: true });
  const classes = h('div', { class: 'muted', 'data-testid': 'ds-classes', hidden: true });
  const strip = h('div', { class: 'ds-preview', 'data-testid': 'ds-preview', 'aria-label': 'The first samples with their labels' });
  const readText = h('span', { class: 'muted', 'data-testid': 'ds-reading' });
  const readCancel = h('button', { class: 'btn small', 'data-testid': 'ds-cancel' }, 'Cancel');
  const readRow = h('div', { class: 'row', hidden: true }, readText, readCancel);
  const status = h('div', { class: 'muted', 'data-testid': 'ds-status', hidden: true });
  const el = h('div', { class: 'ds-extras' }, normRow, readRow, status, conversion, fed, classes, strip);
  let reading: number | null = null;
  readCancel.addEventListener('click', () => {
    if (reading !== null) platform.client.cancel(reading);
  });

  const normalization = (): ImageNormalization | null => {
    if (normKind.value === '0-1') return { kind: '0-1' };
    try {
      const n = parseNormalization(normKind.value === 'imagenet' ? 'imagenet' : normText.value);
      normNote.textContent = '';
      return n;
    } catch (e) {
      normNote.textContent = e instanceof Error ? e.message : String(e);
      return null;
    }
  };
  const emitFolder = (): void => {
    if (!folder) return;
    const n = normalization();
    if (!n) return;
    onPick({ source: { ...folder.source, normalize: n }, label: folder.label });
  };
  normKind.addEventListener('change', () => {
    normText.hidden = normKind.value !== 'mean-std';
    emitFolder();
  });
  normText.addEventListener('change', emitFolder);
  folderButton.addEventListener('click', () => {
    void platform.pickDatasetFolder().then((picked) => {
      if (!picked) return;
      folder = picked;
      emitFolder();
    });
  });

  return {
    folderButton,
    el,
    async describe(source, modelId) {
      this.show(null, source);
      status.hidden = true;
      const req = platform.client.request(
        { type: 'dataset', source, ...(modelId !== undefined ? { modelId } : {}), preview: true },
        {
          onProgress: (p) => {
            readRow.hidden = false;
            readText.textContent = p.message;
          },
        },
      );
      reading = req.id;
      try {
        return await req.promise;
      } catch (e) {
        if (e instanceof Error && 'code' in e && e.code === 'cancelled') {
          status.hidden = false;
          status.textContent = 'Reading was cancelled: the dataset is read again when it is chosen again or evaluated.';
        }
        throw e;
      } finally {
        if (reading === req.id) {
          reading = null;
          readRow.hidden = true;
        }
      }
    },
    show(summary, source) {
      const isFolder = source?.kind === 'folder' || source?.kind === 'folderFiles';
      normRow.hidden = !isFolder;
      if (!isFolder) folder = null;
      conversion.hidden = !summary?.conversion;
      conversion.textContent = summary?.conversion ? `Values: ${summary.conversion}.` : '';
      fed.hidden = !summary?.fed;
      fed.textContent = summary?.fed ? `The model's other inputs are fed: ${summary.fed}.` : '';
      const names = summary?.classNames;
      classes.hidden = !names;
      classes.textContent = names ? `Classes (subfolders, sorted): ${names.map((n, i) => `${i} ${n}`).join(', ')}` : '';
      const preview = summary?.preview;
      clear(strip, preview ? preview.samples.map(sampleFigure) : []);
      if (preview?.drawnAs) strip.setAttribute('title', `The first ${preview.samples.length} samples, ${preview.drawnAs}, each on its own value range`);
    },
  };
}
