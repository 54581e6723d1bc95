// Does a token-id test set fit a language model? The model's input must take integer ids [N, T]
// (T symbolic, or the set's T), its output be logits [N, T, V], and every id be below V.
import { DatasetError, type Dataset } from './dataset';
import type { ModelInputShape } from './fit';
import type { TokenIds } from './token-ids';

/** ONNX integer element types a token-id input may have: uint8, int8, uint16, int16, int32, int64, uint32, uint64. */
const INTEGER_TYPES = new Set([2, 3, 4, 5, 6, 7, 12, 13]);

/** What a language model looks like to the check: its input and its output's dims (when known). */
export interface LanguageModelShape {
  input: ModelInputShape;
  /** Vocabulary: the output's last dim. */
  vocabulary: number;
  /** The output's dims, batch first, when the model declares them. */
  outputDims?: readonly (number | string | null)[];
}

const list = (s: readonly unknown[]): string => `[${s.map((d) => (d === null ? '?' : String(d))).join(', ')}]`;

/** Throws a DatasetError naming the file and the problem unless the ids fit the model. */
export function checkTokensFit(ds: Dataset & { tokens: TokenIds }, model: LanguageModelShape): void {
  const file = ds.file ?? ds.name;
  const { input } = model;
  const named = input.name !== undefined ? `model input '${input.name}'` : 'the model input';
  const t = ds.tokens.length;
  const what = `holds token ids [${ds.tokens.sequences}, ${t}]`;
  if (input.elemType !== undefined && !INTEGER_TYPES.has(input.elemType)) {
    throw new DatasetError(file, `${what}, but ${named} ${input.type ?? list(input.dims)} takes floats, not token ids`);
  }
  if (input.dims.length !== 2) {
    throw new DatasetError(file, `${what}, but ${named} has shape ${list(input.dims)}; a language model takes ids [N, T]`);
  }
  const modelT = input.dims[1];
  if (typeof modelT === 'number' && modelT >= 0 && modelT !== t) {
    throw new DatasetError(file, `${what}: sequences of ${t} tokens, but ${named} takes ${modelT}`);
  }
  const out = model.outputDims;
  if (out !== undefined && out.length !== 3) {
    throw new DatasetError(file, `${what}, but the model's output has shape ${list(out)}; next-token evaluation needs logits [N, T, V]`);
  }
  const v = model.vocabulary;
  if (!(v > 0 && v < Number.MAX_SAFE_INTEGER)) {
    throw new DatasetError(file, `${what}, but the model's output does not declare its vocabulary (the last dim of [N, T, V])`);
  }
  if (ds.tokens.maxId >= v) {
    const at = ds.tokens.ids.indexOf(ds.tokens.maxId);
    throw new DatasetError(file, `token id ${ds.tokens.maxId} (sequence ${Math.floor(at / t)}, position ${at % t}) is beyond the model's vocabulary of ${v} (ids 0..${v - 1})`);
  }
}

/** The dataset summary's words: "64 sequences × 32 tokens, vocabulary 75 from the model". */
export function tokenSummary(tokens: TokenIds, vocabulary?: number): string {
  const base = `${tokens.sequences} sequence${tokens.sequences === 1 ? '' : 's'} × ${tokens.length} tokens`;
  return vocabulary !== undefined && vocabulary > 0 && vocabulary < Number.MAX_SAFE_INTEGER ? `${base}, vocabulary ${vocabulary} from the model` : base;
}
