// Fine-tuning with channels: the channels are removed first (applyChannels), then the smaller
// model is trained as it is — every selected weight that is left, at ratio 0, so no mask holds
// anything back.
import type { Model } from '../../onnx/model';
import type { PruneOptions, PrunePlan } from '../types';
import { applyChannels } from './apply';

export function channelsFinetuneStart(model: Model, plan: PrunePlan): { model: Model; options: PruneOptions; notes: string[] } {
  const small = applyChannels(model, plan);
  const removed = plan.layers.reduce((s, l) => s + (l.removedChannels?.length ?? 0), 0);
  return {
    model: small,
    options: { ratio: 0, mode: 'layer', select: plan.layers.map((l) => l.tensor) },
    notes: [
      ...(plan.notes ?? []),
      `${removed} channels removed (${plan.prunedParams} of ${plan.prunableParams} weights), then the smaller model fine-tuned without masks`,
    ],
  };
}
