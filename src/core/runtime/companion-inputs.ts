// The inputs a transformer takes beside its token ids, and what evaluation feeds them. Hugging Face
// and torch exports of BERT-style encoders take `attention_mask` (1 where a token is attended) and
// often `token_type_ids` (the segment of each token) and `position_ids`, each of the ids' shape
// [N, T]. A test set of unpadded single-segment sequences determines them: the mask all ones, the
// segments all zero, the positions 0..T−1. Any other extra input cannot be guessed: refused, named.
// One rule for every runtime (Prunescope's Session, onnxruntime-node and -web) and every place that
// says on screen what was fed.
import { ProblemError } from '../errors';
import { DataType, type Dim, type Model } from '../onnx/model';
import type { RtData, RtTensor } from './tensor';

/** What an extra input is fed: all ones, all zeros, or each token's position 0..T−1 along the last dim. */
export type CompanionFill = 'ones' | 'zeros' | 'positions';

/** An input fed beside the data input, with the dims of the data input's feed. */
export interface CompanionInput {
  name: string;
  /** ONNX element type the model declares for it. */
  dataType: number;
  fill: CompanionFill;
}

/** A graph input as the rule sees it. */
export interface InputDecl {
  name: string;
  dims: readonly Dim[];
  dataType: number;
}

/** The model's graph inputs that are not initializers, in order (the first is the data input). */
export function inputDecls(model: Model): InputDecl[] {
  const inits = new Set(model.graph.initializers.map((t) => t.name));
  return model.graph.inputs
    .filter((i) => !inits.has(i.name))
    .map((i) => (i.type?.kind === 'tensor' ? { name: i.name, dims: i.type.shape ? [...i.type.shape] : [], dataType: i.type.elemType } : { name: i.name, dims: [], dataType: DataType.UNDEFINED }));
}

const RULES: readonly { fill: CompanionFill; pattern: RegExp }[] = [
  { fill: 'ones', pattern: /(^|[_.])(attention_mask|input_mask)$/i },
  { fill: 'zeros', pattern: /(^|[_.])(token_type_ids|segment_ids|token_type|segment)$/i },
  { fill: 'positions', pattern: /(^|[_.])position_ids$/i },
];

/** Element types a companion can be fed as. */
const FILLABLE = new Set<number>([DataType.INT64, DataType.INT32, DataType.FLOAT, DataType.BOOL]);

const WHAT: Record<CompanionFill, string> = {
  ones: 'all ones (every token attended: the sequences are taken as unpadded)',
  zeros: 'all zeros (one segment)',
  positions: 'positions 0..T−1',
};

/**
 * Why an extra input among `inputs` cannot be fed beside the data input `data`, in words (no
 * location), or undefined when the rule fills them all.
 */
export function companionProblem(inputs: readonly InputDecl[], data: InputDecl): string | undefined {
  for (const i of inputs) {
    if (i.name === data.name) continue;
    if (!RULES.some((r) => r.pattern.test(i.name))) {
      return `input "${i.name}" cannot be fed: beside the data input "${data.name}" Prunescope fills only attention_mask (ones), token_type_ids (zeros) and position_ids (0..T−1)`;
    }
    if (!FILLABLE.has(i.dataType)) return `input "${i.name}" takes element type ${i.dataType}; ${i.name} is fed as int64, int32, float32 or bool`;
    if (i.dims.length > 0 && data.dims.length > 0 && i.dims.length !== data.dims.length) {
      return `input "${i.name}" has rank ${i.dims.length}, the data input "${data.name}" ${data.dims.length}; ${i.name} is fed with the data input's shape`;
    }
  }
  return undefined;
}

/**
 * The companions of the data input `data` among `inputs` (the model's graph inputs that are not
 * initializers): each extra input's fill by its name. Throws an 'unsupported' ProblemError
 * (`where`: the model) with companionProblem's words when one cannot be filled.
 */
export function companionInputs(inputs: readonly InputDecl[], data: InputDecl, where: string): CompanionInput[] {
  const problem = companionProblem(inputs, data);
  if (problem !== undefined) throw new ProblemError('unsupported', `${where}: ${problem}`);
  return inputs.filter((i) => i.name !== data.name).map((i) => ({ name: i.name, dataType: i.dataType, fill: RULES.find((r) => r.pattern.test(i.name))!.fill }));
}

/** The values of a companion for a feed of `dims` (positions count along the last dim). */
export function companionData(c: CompanionInput, dims: readonly number[]): RtData {
  const n = dims.reduce((p, d) => p * d, 1);
  const t = dims.length > 0 ? dims[dims.length - 1] : 1;
  const value = (i: number): number => (c.fill === 'ones' ? 1 : c.fill === 'zeros' ? 0 : i % t);
  switch (c.dataType) {
    case DataType.INT64:
      return BigInt64Array.from({ length: n }, (_, i) => BigInt(value(i)));
    case DataType.INT32:
      return Int32Array.from({ length: n }, (_, i) => value(i));
    case DataType.BOOL:
      return Uint8Array.from({ length: n }, (_, i) => value(i));
    default:
      return Float32Array.from({ length: n }, (_, i) => value(i));
  }
}

/** The companions' tensors for a feed of `dims`, by input name. */
export function companionFeeds(cs: readonly CompanionInput[], dims: readonly number[]): Record<string, RtTensor> {
  const out: Record<string, RtTensor> = {};
  for (const c of cs) out[c.name] = { dims: [...dims], data: companionData(c, dims), dataType: c.dataType };
  return out;
}

/**
 * Samples as the data input takes them: token ids, which travel as floats (exact below 2^24), as
 * int64 or int32 for an integer input; floats as they are.
 */
export function samplesAs(dataType: number, x: Float32Array): RtData {
  if (dataType === DataType.INT64) return BigInt64Array.from(x, (v) => BigInt(v));
  if (dataType === DataType.INT32) return Int32Array.from(x);
  return x;
}

/** The feeds of one run: the samples `x` as the data input (float32, or token ids as integers), its companions beside it. */
export function runFeeds(data: { name: string; dataType: number }, companions: readonly CompanionInput[], dims: readonly number[], x: Float32Array): Record<string, RtTensor> {
  const ids = data.dataType === DataType.INT64 || data.dataType === DataType.INT32;
  return { ...companionFeeds(companions, dims), [data.name]: { dims: [...dims], data: samplesAs(data.dataType, x), dataType: ids ? data.dataType : DataType.FLOAT } };
}

/** "attention_mask: all ones (…); token_type_ids: all zeros (one segment)", or '' when there are none. */
export function companionNote(cs: readonly CompanionInput[]): string {
  return cs.map((c) => `${c.name}: ${WHAT[c.fill]}`).join('; ');
}
