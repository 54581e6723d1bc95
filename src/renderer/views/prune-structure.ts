// The structure part of the Prune panel, beside Mode: Unstructured / Channels / N:M / Blocks as a
// radio group (arrow keys move the choice); Channels asks the importance (L1 / L2) and the multiple
// kept channels are rounded to (1, 4, 8, 16; default 8, fast in onnxruntime); N:M offers 2:4,
// 4:8 or a free N:M, Blocks 4x1, 8x1, 4x4 or a free R×C. Every choice is written into the spec as
// the canonical text of core's parser (spec.structure, spec.importance); a free entry that does not
// read says why beside the field and nothing is sent. The ratio lock of N:M is the panel's (prune.ts).

import { CHANNEL_IMPORTANCES, CHANNEL_MULTIPLES, DEFAULT_CHANNEL_MULTIPLE, DEFAULT_IMPORTANCE, formatStructure, type ChannelImportance, type PruneSpec } from '../../engine/protocol';
import type { AppContext } from '../context';
import { h } from '../dom';
import { BLOCK_PRESETS, NM_PRESETS, readEntry, STRUCTURE_KINDS, structureOf, specWithStructure, type StructureKind } from '../structure-choice';

export interface StructureControls {
  el: HTMLElement;
  /** Back to Unstructured, L1, the first presets (a new model was opened). */
  reset(): void;
}

const OTHER = 'other';
const IMPORTANCE_LABELS: Record<ChannelImportance, string> = { l1: 'L1', l2: 'L2' };

/** A radio group drawn as a segmented control; native radios keep arrow keys and focus. */
function radioGroup<V extends string>(name: string, label: string, options: readonly { value: V; label: string; title?: string }[], testid: string): { el: HTMLElement; radios: Map<V, HTMLInputElement> } {
  const radios = new Map<V, HTMLInputElement>();
  const el = h('div', { class: 'segmented seg-radios', role: 'radiogroup', 'aria-label': label, 'data-testid': testid });
  for (const o of options) {
    const radio = h('input', { type: 'radio', name, value: o.value, 'data-testid': `${testid}-${o.value}` });
    radios.set(o.value, radio);
    el.append(h('label', { title: o.title }, radio, h('span', {}, o.label)));
  }
  return { el, radios };
}

export function createStructureControls(ctx: AppContext, setSpec: (spec: PruneSpec) => void, userRatio: () => number): StructureControls {
  const { store } = ctx;
  const kinds = radioGroup<StructureKind>('prune-structure', 'Structure', STRUCTURE_KINDS.map((k) => ({ value: k.kind, label: k.label, title: k.help })), 'structure');
  const help = h('div', { class: 'muted structure-help', id: 'structure-help', 'data-testid': 'structure-help' });
  kinds.el.setAttribute('aria-describedby', 'structure-help');
  const importance = radioGroup<ChannelImportance>(
    'prune-importance',
    'Channel importance',
    CHANNEL_IMPORTANCES.map((i) => ({ value: i, label: IMPORTANCE_LABELS[i], title: `A channel's score: the ${IMPORTANCE_LABELS[i]} norm of its weights; the lowest go first` })),
    'importance',
  );
  const preset = (id: string, label: string, presets: readonly string[]): HTMLSelectElement =>
    h('select', { class: 'field', id, 'aria-label': label, 'data-testid': id }, ...presets.map((p) => h('option', { value: p }, p.replace('x', '×'))), h('option', { value: OTHER }, 'Other…'));
  const nmPreset = preset('structure-nm-preset', 'N:M pattern', NM_PRESETS);
  const blockPreset = preset('structure-blocks-preset', 'Block shape', BLOCK_PRESETS);
  const entry = (id: string, label: string, placeholder: string): HTMLInputElement =>
    h('input', { type: 'text', class: 'field structure-entry', id, placeholder, 'aria-label': label, 'aria-describedby': 'structure-error', 'data-testid': id, hidden: true, spellcheck: 'false', autocomplete: 'off' });
  const nmEntry = entry('structure-nm-entry', 'N:M pattern, e.g. 2:4', 'N:M');
  const blockEntry = entry('structure-blocks-entry', 'Block shape R×C, e.g. 4x1', 'RxC');
  const error = h('div', { class: 'field-error', id: 'structure-error', role: 'alert', 'data-testid': 'structure-error', hidden: true });
  const importanceRow = h('div', { class: 'row', hidden: true }, h('label', {}, 'Importance'), importance.el);
  const multipleHelp =
    'Each layer keeps a multiple of this many channels (when its channel count is one), rounded to the nearest: ' +
    'onnxruntime runs other channel counts slowly (MobileNet at 0.25 ran 2× slower than unpruned with exact counts, 0.6–1.0× with multiples of 8). ' +
    'The removed fraction then differs a little from the ratio: the table shows the kept shapes. 1 = exactly the ratio.';
  const multiple = h(
    'select',
    { class: 'field', id: 'channel-multiple', 'aria-label': 'Kept channels in multiples of', 'aria-describedby': 'channel-multiple-help', title: multipleHelp, 'data-testid': 'channel-multiple' },
    ...CHANNEL_MULTIPLES.map((q) => h('option', { value: String(q) }, q === 1 ? '1 (exact)' : String(q))),
  );
  multiple.value = String(DEFAULT_CHANNEL_MULTIPLE);
  const multipleRow = h(
    'div',
    { class: 'row', hidden: true },
    h('label', { for: 'channel-multiple' }, 'Multiple of'),
    multiple,
    h('span', { class: 'muted', id: 'channel-multiple-help', 'data-testid': 'channel-multiple-help' }, 'channels kept per layer (multiples of 8 run fastest in onnxruntime)'),
  );
  const nmRow = h('div', { class: 'row', hidden: true }, h('label', { for: 'structure-nm-preset' }, 'Pattern'), nmPreset, nmEntry);
  const blockRow = h('div', { class: 'row', hidden: true }, h('label', { for: 'structure-blocks-preset' }, 'Block'), blockPreset, blockEntry, h('span', { class: 'muted' }, 'outputs × inputs'));
  const el = h('div', { class: 'structure-section', 'data-testid': 'prune-structure' }, h('div', { class: 'row' }, h('label', {}, 'Structure'), kinds.el), help, importanceRow, multipleRow, nmRow, blockRow, error);

  /** The kind shown (it leads the spec while a free entry does not read yet). */
  let kind: StructureKind = 'unstructured';

  function showError(text: string | null, field: HTMLInputElement | null): void {
    error.hidden = text === null;
    error.textContent = text ?? '';
    for (const f of [nmEntry, blockEntry]) f.setAttribute('aria-invalid', String(f === field && text !== null));
  }

  /** The structure text the controls say now, or null (and the reason shown) when a free entry does not read. */
  function chosen(): string | null {
    if (kind === 'unstructured' || kind === 'channels') return kind;
    const select = kind === 'nm' ? nmPreset : blockPreset;
    const field = kind === 'nm' ? nmEntry : blockEntry;
    if (select.value !== OTHER) return select.value;
    const read = readEntry(kind, field.value);
    if ('error' in read) {
      showError(read.error, field);
      return null;
    }
    return read.structure;
  }

  function currentImportance(): ChannelImportance {
    return [...importance.radios].find(([, r]) => r.checked)?.[0] ?? DEFAULT_IMPORTANCE;
  }

  function layout(): void {
    importanceRow.hidden = kind !== 'channels';
    multipleRow.hidden = kind !== 'channels';
    nmRow.hidden = kind !== 'nm';
    blockRow.hidden = kind !== 'blocks';
    nmEntry.hidden = nmPreset.value !== OTHER;
    blockEntry.hidden = blockPreset.value !== OTHER;
    help.textContent = STRUCTURE_KINDS.find((k) => k.kind === kind)?.help ?? '';
  }

  function send(): void {
    layout();
    showError(null, null);
    const text = chosen();
    if (text === null) return;
    setSpec(specWithStructure(store.state.spec, text, currentImportance(), userRatio(), Number(multiple.value)));
  }

  for (const [k, radio] of kinds.radios) {
    radio.addEventListener('change', () => {
      if (!radio.checked) return;
      kind = k;
      send();
    });
  }
  for (const radio of importance.radios.values()) radio.addEventListener('change', () => radio.checked && send());
  multiple.addEventListener('change', send);
  for (const [select, field] of [[nmPreset, nmEntry], [blockPreset, blockEntry]] as const) {
    select.addEventListener('change', () => {
      // "Other…" starts from the pattern in use, so the field and the spec agree until it is edited.
      if (select.value === OTHER && field.value === '') field.value = store.state.spec.structure ?? '';
      send();
      if (select.value === OTHER) field.focus();
    });
    field.addEventListener('input', send);
  }

  /** The controls follow the spec (a reset, or a spec set elsewhere). */
  function sync(spec: PruneSpec): void {
    const s = structureOf(spec);
    // While a free entry is being typed the shown kind leads: the spec still holds the last good one.
    const typing = (kind === 'nm' && nmPreset.value === OTHER) || (kind === 'blocks' && blockPreset.value === OTHER);
    if (!(typing && (s.kind === kind || !error.hidden))) kind = s.kind;
    const radio = kinds.radios.get(kind);
    if (radio && !radio.checked) radio.checked = true;
    const imp = importance.radios.get(spec.importance ?? DEFAULT_IMPORTANCE);
    if (imp && !imp.checked) imp.checked = true;
    const q = String(spec.channelMultiple ?? DEFAULT_CHANNEL_MULTIPLE);
    if (s.kind === 'channels' && multiple.value !== q && CHANNEL_MULTIPLES.includes(Number(q))) multiple.value = q;
    if (s.kind === 'nm' || s.kind === 'blocks') {
      const text = formatStructure(s);
      const [select, field, presets] = s.kind === 'nm' ? [nmPreset, nmEntry, NM_PRESETS] : [blockPreset, blockEntry, BLOCK_PRESETS];
      if (presets.includes(text) && select.value !== OTHER) select.value = text;
      else if (!presets.includes(text)) {
        select.value = OTHER;
        if (document.activeElement !== field) field.value = text;
      }
    }
    layout();
  }
  store.on('spec', sync);

  function reset(): void {
    kind = 'unstructured';
    multiple.value = String(DEFAULT_CHANNEL_MULTIPLE);
    nmPreset.value = NM_PRESETS[0]!;
    blockPreset.value = BLOCK_PRESETS[0]!;
    nmEntry.value = '';
    blockEntry.value = '';
    showError(null, null);
    sync(store.state.spec);
  }
  reset();
  return { el, reset };
}
