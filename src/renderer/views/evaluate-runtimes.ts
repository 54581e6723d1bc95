// The Evaluate panel's runtimes: one checkbox per runtime with, beside it in words, which runtime it
// is (onnxruntime-node or onnxruntime-web and its threads) or why it cannot run the open model. The
// engine's `runtimes` request answers that before anything runs (Prunescope's runtime: the nodes
// whose ops it lacks; onnxruntime: its own message when it fails to load the model); a runtime
// that cannot run the model is unchecked and disabled, and Run says why when none can.

import { RUNNER_NAMES, type EvalPoint, type ModelSummary, type RuntimeName, type RuntimeStatus } from '../../engine/protocol';
import type { AppContext } from '../context';
import { h } from '../dom';

const OWN: readonly RuntimeName[] = ['sparse', 'dense'];

/** "A, B, C and 2 more" */
function listOps(ops: string[]): string {
  return ops.length > 4 ? `${ops.slice(0, 4).join(', ')} and ${ops.length - 4} more` : ops.join(', ');
}

export interface RuntimePicker {
  el: HTMLElement;
  /** The checked runtimes (only ones that can run the open model can be checked). */
  checked(): RuntimeName[];
  /** Why Run cannot start because of the runtimes, or null. */
  blocker(model: ModelSummary): string | null;
  /** Said before Run without blocking it (only onnxruntime will run this model), or null. */
  note(model: ModelSummary): string | null;
  /** Which runtime a column is (its label), for the results. */
  label(r: RuntimeName): string;
  /** Disables the boxes while a job runs. */
  setBusy(busy: boolean): void;
  /** A runtime found unable to run the model during a run (onnxruntime failing to load a pruned model). */
  learn(points: EvalPoint[]): void;
}

export function createRuntimePicker(ctx: AppContext, onChange: () => void): RuntimePicker {
  const boxes = new Map<RuntimeName, HTMLInputElement>();
  const notes = new Map<RuntimeName, HTMLElement>();
  const el = h('div', { class: 'runtime-list', role: 'group', 'aria-label': 'Runtimes', 'data-testid': 'eval-runtimes' });
  for (const r of RUNNER_NAMES) {
    const box = h('input', { type: 'checkbox', checked: true, 'data-runtime': r, 'aria-describedby': `eval-runtime-${r}` });
    box.addEventListener('change', onChange);
    const note = h('span', { class: 'muted', id: `eval-runtime-${r}`, 'data-testid': `eval-runtime-${r}` });
    boxes.set(r, box);
    notes.set(r, note);
    el.append(h('div', { class: 'runtime-row' }, h('label', {}, box, r), note));
  }
  /** The engine's answer for the open model; null while it is asked (or when there is no model). */
  let statuses: RuntimeStatus[] | null = null;
  /** Set when asking failed: Prunescope's runtime then judged by the summary's unsupported ops, onnxruntime unknown. */
  let unknown = false;
  let busy = false;
  let asked = 0;

  const statusOf = (r: RuntimeName): RuntimeStatus | undefined => statuses?.find((s) => s.runtime === r);
  const why = (r: RuntimeName): string | undefined => statusOf(r)?.unavailable;

  function show(model: ModelSummary | null): void {
    for (const r of RUNNER_NAMES) {
      const box = boxes.get(r);
      const note = notes.get(r);
      if (!box || !note) continue;
      const reason = why(r);
      box.disabled = busy || reason !== undefined || (model !== null && statuses === null && !unknown);
      note.className = reason ? 'warn-note' : 'muted';
      if (!model) note.textContent = '';
      else if (statuses === null && !unknown) note.textContent = 'checking whether it can run this model…';
      else note.textContent = reason ?? statusOf(r)?.label ?? '';
      box.parentElement?.setAttribute('title', reason ?? statusOf(r)?.label ?? '');
    }
  }

  async function ask(model: ModelSummary | null): Promise<void> {
    const mine = ++asked;
    statuses = null;
    unknown = false;
    show(model);
    onChange();
    if (!model) return;
    try {
      const answer = await ctx.platform.client.call({ type: 'runtimes', modelId: model.modelId });
      if (mine !== asked) return;
      statuses = answer;
    } catch {
      if (mine !== asked) return;
      // An older engine or a failure: judge Prunescope's runtime by the summary, let onnxruntime be tried.
      unknown = true;
      const own = model.unsupportedOps.length > 0 ? `cannot run ${listOps(model.unsupportedOps)}` : undefined;
      statuses = RUNNER_NAMES.map((r) => ({ runtime: r, label: r, ...(own && OWN.includes(r) ? { unavailable: own } : {}) }));
    }
    // A new model: every runtime that can run it is checked.
    for (const [r, box] of boxes) box.checked = why(r) === undefined;
    show(model);
    onChange();
  }
  ctx.store.on('model', (model) => void ask(model));

  const ownReason = (): string | undefined => why('sparse');
  return {
    el,
    checked: () => RUNNER_NAMES.filter((r) => boxes.get(r)?.checked && !boxes.get(r)?.disabled),
    blocker(model) {
      if (statuses === null) return 'Checking which runtimes can run this model…';
      const own = ownReason();
      const ort = why('onnxruntime');
      // One reason for all (an input none can be fed): said once.
      if (own && ort) return own === ort ? `No runtime can run ${model.fileName}: ${own}` : `No runtime can run ${model.fileName}: Prunescope's runtime ${own}; ${ort}`;
      if (busy) return null;
      const chosen = RUNNER_NAMES.filter((r) => boxes.get(r)?.checked);
      if (own && !chosen.includes('onnxruntime')) return `Prunescope's runtime ${own}: check onnxruntime to evaluate this model.`;
      if (chosen.length === 0) return 'Check at least one runtime.';
      return null;
    },
    note(model) {
      const own = ownReason();
      return own && !why('onnxruntime') ? `Prunescope's runtime ${own}: only onnxruntime will evaluate ${model.fileName}.` : null;
    },
    label: (r) => statusOf(r)?.label ?? r,
    setBusy(b) {
      busy = b;
      show(ctx.store.state.model);
    },
    learn(points) {
      // onnxruntime failing on every point (its load of the model): remembered, so Run says so next time.
      const ort = points.flatMap((p) => p.results).filter((m) => m.runtime === 'onnxruntime');
      if (!statuses || ort.length === 0 || !ort.every((m) => m.unavailable)) return;
      statuses = statuses.map((s) => (s.runtime === 'onnxruntime' ? { ...s, unavailable: ort[0].unavailable } : s));
      const box = boxes.get('onnxruntime');
      if (box) box.checked = false;
      show(ctx.store.state.model);
    },
  };
}
