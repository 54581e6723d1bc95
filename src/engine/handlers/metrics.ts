// nodeMetrics (issue 16): core's per-node metrics of the open model, or of the model a spec prunes
// (the pruned-model cache's entry, so after a 'prune' it is the result the user applied).
// Magnitude with single weights, N:M or blocks keeps every shape: the "after" values are the open
// model's with the plan's zeros (core/prune/planned-zeros.ts), no pruned copy is built. Channel plans
// change shapes and MACs, so those are measured on the pruned model. Both reuse the preview's plan.
import { nodeMetrics } from '../../core/analysis/node-metrics';
import { applyPrune } from '../../core/prune/apply';
import { methodSpecOf } from '../../core/prune/method';
import { plannedZeros } from '../../core/prune/planned-zeros';
import type { Handler } from '../context';
import { specKey } from '../methods/cache';
import { jobProgress, prunedModel } from '../methods/run';
import { getModel, plan } from './common';

export const nodeMetricsOf: Handler<'nodeMetrics'> = async (req, ctx) => {
  const open = getModel(ctx, req.modelId);
  if (!req.spec) return nodeMetrics(open.model);
  const method = methodSpecOf(req.spec).method ?? 'magnitude';
  if (method === 'magnitude') {
    const p = plan(open.model, req.spec);
    return p.structure === 'channels' ? nodeMetrics(applyPrune(open.model, p)) : nodeMetrics(open.model, plannedZeros(open.model, p));
  }
  if (req.cachedOnly && !ctx.pruned.get(open.modelId, specKey(req.spec))) return null;
  const entry = await prunedModel(ctx, open, req.spec, jobProgress(ctx));
  return nodeMetrics(entry.model);
};
