// A prune spec (ratio, mode, selection, overrides, method, structure and its options, the method's
// data) and the requests that carry only one: prunePreview and prune.
import { FINETUNE_STARTS, isPruneMethod, isReconstructAllocation, methodNames, RECONSTRUCT_ALLOCATIONS, type FinetuneStart } from '../../core/prune/method-registry';
import { canonicalStructure, CHANNEL_IMPORTANCES, isChannelImportance, isChannelMultiple, MAX_CHANNEL_MULTIPLE, STRUCTURE_FORMS } from '../../core/prune/structure';
import type { PruneMethod, PruneSpec } from '../protocol';
import { datasetSource } from './dataset-source';
import { fail, isObj, modelId, ratio, stringList, type RequestValidator } from './fields';

function method(v: unknown, where: string): PruneMethod {
  if (!isPruneMethod(v)) fail(`${where} must be one of ${methodNames()}`);
  return v;
}

export function methodList(v: unknown, where: string): PruneMethod[] {
  if (!Array.isArray(v) || v.length === 0) fail(`${where} must be a non-empty list of methods`);
  const out = v.map((m: unknown, i: number) => method(m, `${where}[${i}]`));
  if (new Set(out).size !== out.length) fail(`${where} lists a method twice`);
  return out;
}

export function spec(v: unknown, needRatio: true): PruneSpec;
export function spec(v: unknown, needRatio: false): Omit<PruneSpec, 'ratio'>;
export function spec(v: unknown, needRatio: boolean): PruneSpec | Omit<PruneSpec, 'ratio'> {
  if (!isObj(v)) fail('"spec" must be an object');
  const mode = v.mode ?? 'layer';
  if (mode !== 'layer' && mode !== 'global') fail('spec.mode must be "layer" or "global"');
  const out: Omit<PruneSpec, 'ratio'> & { ratio?: number } = { mode };
  if (needRatio) out.ratio = ratio(v.ratio, 'spec.ratio');
  if (v.select !== undefined) out.select = stringList(v.select, 'spec.select');
  if (v.overrides !== undefined) {
    if (!isObj(v.overrides)) fail('spec.overrides must be an object of name → ratio');
    const o: Record<string, number> = {};
    for (const [k, r] of Object.entries(v.overrides)) o[k] = ratio(r, `spec.overrides["${k}"]`);
    out.overrides = o;
  }
  if (v.method !== undefined) out.method = method(v.method, 'spec.method');
  if (v.structure !== undefined) {
    if (typeof v.structure !== 'string') fail(`spec.structure must be a string: ${STRUCTURE_FORMS}`);
    try {
      out.structure = canonicalStructure(v.structure);
    } catch (e) {
      fail(`spec.structure: ${(e as Error).message}`);
    }
  }
  if (v.importance !== undefined) {
    if (!isChannelImportance(v.importance)) fail(`spec.importance must be one of ${CHANNEL_IMPORTANCES.join(', ')}`);
    out.importance = v.importance;
  }
  if (v.channelMultiple !== undefined) {
    if (!isChannelMultiple(v.channelMultiple)) fail(`spec.channelMultiple must be an integer from 1 to ${MAX_CHANNEL_MULTIPLE}`);
    out.channelMultiple = v.channelMultiple;
  }
  if (v.allocation !== undefined) {
    if (!isReconstructAllocation(v.allocation)) fail(`spec.allocation must be one of ${RECONSTRUCT_ALLOCATIONS.join(', ')}`);
    out.allocation = v.allocation;
  }
  if (v.calibration !== undefined) out.calibration = datasetSource(v.calibration, 'spec.calibration');
  if (v.train !== undefined) out.train = datasetSource(v.train, 'spec.train');
  if (v.dataLimit !== undefined) {
    if (typeof v.dataLimit !== 'number' || !Number.isInteger(v.dataLimit) || v.dataLimit < 1) fail('spec.dataLimit must be an integer ≥ 1');
    out.dataLimit = v.dataLimit;
  }
  if (v.epochs !== undefined) {
    if (typeof v.epochs !== 'number' || !Number.isInteger(v.epochs) || v.epochs < 1 || v.epochs > 100) fail('spec.epochs must be an integer from 1 to 100');
    out.epochs = v.epochs;
  }
  if (v.allocateBlocks !== undefined) {
    if (typeof v.allocateBlocks !== 'boolean') fail('spec.allocateBlocks must be true or false');
    out.allocateBlocks = v.allocateBlocks;
  }
  if (v.distill !== undefined) {
    if (typeof v.distill !== 'boolean') fail('spec.distill must be true or false');
    out.distill = v.distill;
  }
  if (v.learningRate !== undefined) {
    if (typeof v.learningRate !== 'number' || !(v.learningRate > 0 && v.learningRate <= 1)) fail('spec.learningRate must be a number in (0, 1]');
    out.learningRate = v.learningRate;
  }
  if (v.start !== undefined) {
    if (typeof v.start !== 'string' || !(FINETUNE_STARTS as readonly string[]).includes(v.start)) fail(`spec.start must be ${FINETUNE_STARTS.join(' or ')}`);
    out.start = v.start as FinetuneStart;
  }
  return out as PruneSpec;
}

/** A spec the request may leave out (a dump of the model as it is). */
export function optionalSpec(v: unknown): PruneSpec | undefined {
  return v === undefined ? undefined : spec(v, true);
}

export const prunePreview: RequestValidator<'prunePreview'> = (msg, id, where) => ({ id, type: 'prunePreview', modelId: modelId(msg, where), spec: spec(msg.spec, true) });

export const prune: RequestValidator<'prune'> = (msg, id, where) => ({ id, type: 'prune', modelId: modelId(msg, where), spec: spec(msg.spec, true) });
