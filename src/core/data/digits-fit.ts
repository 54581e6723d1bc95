// Do the bundled MNIST digits fit a model? Decided from the model's summary alone (its graph
// inputs and outputs), before any file is read, so the Evaluate and Sensitivity panels offer the
// bundled digits only where they can run: a float input that takes 28×28 samples (checked by the
// one dataset fit check, checkDatasetFits: [N, 784], [N, 1, 28, 28], [N, 28, 28], …) and 10 outputs.
// When they do not fit, the words say what data the model needs instead.
import { dtypeName } from '../onnx/dtype';
import { DataType } from '../onnx/model';
import type { Dataset } from './dataset';
import { checkDatasetFits, type ModelInputShape } from './fit';

type Dim = number | string | null;

/** The parts of a graph the decision reads (the engine's GraphSummary has them). */
export interface GraphIo {
  inputs: readonly { name: string; elemType?: number; shape?: readonly Dim[]; type?: string }[];
  outputs: readonly { name: string; shape?: readonly Dim[] }[];
  /** Initializers listed among the inputs (old exporters) are not fed. */
  initializers: readonly { name: string }[];
}

/** The bundled set as the fit check sees it: 28×28 float samples, labels 0..9. */
const DIGITS: Dataset = {
  name: 'the bundled MNIST digits',
  images: new Float32Array(0),
  labels: Int32Array.of(9),
  count: 0,
  sampleShape: [28, 28],
  sampleSize: 784,
  classes: 10,
};
const DIGIT_CLASSES = 10;

const INTEGER_TYPES = new Set<number>([DataType.UINT8, DataType.INT8, DataType.UINT16, DataType.INT16, DataType.INT32, DataType.INT64, DataType.UINT32, DataType.UINT64]);

const shown = (dims: readonly Dim[]): string => `[${dims.map((d) => (d === null || d === '' ? '?' : String(d))).join(', ')}]`;

/** The first input that is fed (not an initializer), or undefined. */
export function fedInput(graph: GraphIo): GraphIo['inputs'][number] | undefined {
  const inits = new Set(graph.initializers.map((t) => t.name));
  return graph.inputs.find((i) => !inits.has(i.name));
}

/** null when the bundled digits fit the model; else what data the model needs, in words for the panel. */
export function bundledDigitsMisfit(graph: GraphIo): string | null {
  const input = fedInput(graph);
  if (!input) return 'the model has no input to feed';
  const dims = input.shape ? [...input.shape] : [null];
  const out = graph.outputs[0]?.shape;
  const last = out && out.length > 0 ? out[out.length - 1] : undefined;
  const asked: ModelInputShape = { dims, name: input.name, ...(input.elemType !== undefined && input.elemType !== 0 ? { elemType: input.elemType } : {}) };
  let fits = out === undefined || last === DIGIT_CLASSES;
  if (fits) {
    try {
      checkDatasetFits(DIGITS, asked, typeof last === 'number' ? last : Number.MAX_SAFE_INTEGER);
    } catch {
      fits = false;
    }
  }
  if (fits) return null;
  return modelDataNeed(input, out);
}

/** What data a model needs, from its fed input and its first output's shape. */
function modelDataNeed(input: GraphIo['inputs'][number], out: readonly Dim[] | undefined): string {
  const dims = input.shape ?? [];
  const integer = input.elemType !== undefined && INTEGER_TYPES.has(input.elemType) ? dtypeName(input.elemType) : undefined;
  if (integer !== undefined) {
    // A language model: ids [N, T] in, logits [N, T, V] out.
    const classes = out?.length === 2 && typeof out[1] === 'number' && out[1] > 0 ? out[1] : undefined;
    if (dims.length === 2 && classes !== undefined) return `token ids ${integer} [N, T] with labels 0..${classes - 1} (a classifier): choose an .npz of ids x and labels y`;
    if (dims.length === 2) return `token ids ${integer} [N, T]${out?.length === 3 ? ' (a language model)' : ''}: choose a .npy or .npz file of ids`;
    return `integer values ${integer} ${shown(dims)}: the bundled MNIST digits are float images`;
  }
  const last = out && out.length > 0 ? out[out.length - 1] : undefined;
  const labels = typeof last === 'number' && last > 0 ? ` and labels 0..${last - 1}` : '';
  return `samples of shape ${shown(dims.slice(1))}${labels} for input '${input.name}': choose IDX, text, .npy / .npz files or a folder of images`;
}
