// runtimes: which runtime can run the open model, found out before anything is evaluated, with the
// reason in words when one cannot (Prunescope's runtimes: the nodes whose ops they lack; onnxruntime:
// its own message when it fails to load the model). Also the onnxruntime fallback of evaluate and
// sweep: a model Prunescope's runtime cannot run is evaluated by onnxruntime where the platform has it.

import { unsupportedNodes, type NodeRef } from '../../core/runtime';
import { encodeModel } from '../../core/onnx/encode';
import type { Model } from '../../core/onnx/model';
import type { Handler, JobContext, OpenModel } from '../context';
import { feedProblem, modelIo } from '../model-io';
import type { EvalOptions, RuntimeName, RuntimeStatus } from '../protocol';
import { getModel } from './common';

/** Labels of Prunescope's own runtimes (onnxruntime's comes from the platform). */
export const OWN_LABELS: Record<Exclude<RuntimeName, 'onnxruntime'>, string> = {
  sparse: "Prunescope's sparse runtime",
  dense: "Prunescope's dense runtime",
};

const MAX_NAMES = 3;

/** 'cannot run Resize (node "up"), Foo (nodes "a", "b" and 2 more)': the nodes grouped by op type. */
export function cannotRun(nodes: readonly NodeRef[]): string {
  const byOp = new Map<string, NodeRef[]>();
  for (const n of nodes) byOp.set(n.opType, [...(byOp.get(n.opType) ?? []), n]);
  const parts = [...byOp].map(([op, list]) => {
    const names = list.slice(0, MAX_NAMES).map((n) => `"${n.name || '(unnamed)'}"`);
    const more = list.length > MAX_NAMES ? ` and ${list.length - MAX_NAMES} more` : '';
    const why = list[0].reason ? `: ${list[0].reason}` : '';
    return `${op} (node${list.length > 1 ? 's' : ''} ${names.join(', ')}${more}${why})`;
  });
  return `cannot run ${parts.join(', ')}`;
}

/** Why Prunescope's runtime cannot run this model, or undefined when it can. */
export function ownRuntimeProblem(model: Model): string | undefined {
  const bad = unsupportedNodes(model);
  return bad.length > 0 ? cannotRun(bad) : undefined;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

async function ortStatus(ctx: JobContext, open: OpenModel): Promise<RuntimeStatus> {
  const label = ctx.platform.ortLabel ?? 'onnxruntime';
  const make = ctx.platform.ort;
  if (!make) return { runtime: 'onnxruntime', label, unavailable: 'onnxruntime is not available in this engine' };
  try {
    const io = modelIo(open.model, open.fileName);
    const dims = io.dims.slice(1).map((d) => (typeof d === 'number' && d > 0 ? d : 1));
    const runner = await make(encodeModel(open.model), { name: io.name, sampleDims: dims }, { threads: 1 });
    await runner.dispose();
    return { runtime: 'onnxruntime', label };
  } catch (e) {
    return { runtime: 'onnxruntime', label, unavailable: `onnxruntime could not load the model: ${errorText(e)}` };
  }
}

/** One answer per open model (loading it in onnxruntime is not free). */
const known = new WeakMap<OpenModel, Promise<RuntimeStatus[]>>();

export const runtimes: Handler<'runtimes'> = async (req, ctx) => {
  const open = getModel(ctx, req.modelId);
  let answer = known.get(open);
  if (!answer) {
    answer = (async () => {
      const unfed = feedProblem(open.model);
      const own = unfed ?? ownRuntimeProblem(open.model);
      const statuses: RuntimeStatus[] = (['sparse', 'dense'] as const).map((r) => ({ runtime: r, label: OWN_LABELS[r], ...(own ? { unavailable: own } : {}) }));
      const ort = await ortStatus(ctx, open);
      statuses.push(unfed && !ort.unavailable ? { ...ort, unavailable: unfed } : ort);
      return statuses;
    })();
    known.set(open, answer);
  }
  return answer;
};

/**
 * The runtimes an evaluation runs: the requested ones (default all), plus onnxruntime when none of
 * the requested ones can run the model and the platform has onnxruntime (the fallback: every model
 * with a dataset gets an accuracy; the results name the runtime that measured it).
 */
export function withFallback(ctx: JobContext, open: OpenModel, options: EvalOptions | undefined): EvalOptions | undefined {
  const asked = options?.runtimes;
  if (!asked || asked.includes('onnxruntime') || !ctx.platform.ort) return options;
  if (ownRuntimeProblem(open.model) === undefined) return options;
  return { ...options, runtimes: [...asked, 'onnxruntime'] };
}
