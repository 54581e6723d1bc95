// Session: checks a model once, plans it, and runs it on feeds (generic) or on one float input
// (the fast path evaluation uses).
import { DataType, type Dim, type Model, type ValueInfo } from '../onnx/model';
import { RuntimeError, UnsupportedOpError } from './errors';
import { type CompanionInput, companionFeeds, companionInputs, samplesAs } from './companion-inputs';
import { promoteHalf } from './half-promote';
import { batchDims } from './input-dims';
import { type LayerInfo, type Plan, type PlanOptions, buildPlan } from './plan';
import { unsupportedNodes } from './registry';
import { type RtData, type RtTensor, floatToHalf, halfToFloat, isHalfType, size } from './tensor';

export interface SessionOptions {
  kernels: 'dense' | 'sparse';
  /** Min sparsity for a weight to get a sparse kernel (default 0: all Gemm/MatMul weights that are initializers). */
  sparseMinSparsity?: number;
  /** Run Gemm/MatMul layers in the built-in WebAssembly kernels where available (default true; false: plain JS). */
  wasm?: boolean;
  /** Names the model in error messages (a file name, say). */
  label?: string;
  /**
   * The dims of one sample of the (first) input for runFloat, where the model leaves more than one
   * of them symbolic (a CNN exported with dynamic height and width): the dataset's sample shape.
   */
  sampleDims?: readonly number[];
}

export interface IoInfo {
  name: string;
  dims: Dim[];
  dataType: number;
}

function ioInfo(v: ValueInfo): IoInfo {
  const t = v.type;
  if (t && t.kind === 'tensor') return { name: v.name, dims: t.shape ? [...t.shape] : [], dataType: t.elemType };
  return { name: v.name, dims: [], dataType: DataType.UNDEFINED };
}

function copyTensor(t: RtTensor): RtTensor {
  return { dims: [...t.dims], data: t.data.slice() as RtData, dataType: t.dataType };
}

export class Session {
  readonly inputs: IoInfo[];
  readonly outputs: IoInfo[];
  /** The fused Gemm/MatMul layers and the kernel each one got. */
  readonly layers: readonly LayerInfo[];
  /** Nodes evaluated once at creation because they only depend on constants. */
  readonly foldedNodes: number;
  private readonly plan: Plan;
  private readonly values: (RtTensor | undefined)[];
  private readonly inputSlots: number[];
  private readonly outputSlots: number[];
  private readonly where: string;
  private readonly fixedInputDims = new Map<number, number[]>();
  private readonly sampleDims: readonly number[] | undefined;
  /** Inputs / outputs the model declares float16 that run as float32 (half-promote.ts). */
  private readonly widenedIn: boolean[];
  private readonly widenedOut: boolean[];
  /** runFloat's input tensor, reused while the dims repeat. */
  private floatFeed: RtTensor | undefined;
  /** What runFloat feeds the inputs after the first (companion-inputs.ts), found at its first call. */
  private companions: CompanionInput[] | undefined;
  /** Their tensors, reused while the dims repeat. */
  private companionFeeds: { dims: readonly number[]; feeds: Record<string, RtTensor> } | undefined;

  private constructor(model: Model, options: SessionOptions) {
    this.where = options.label ?? (model.graph.name ? `model "${model.graph.name}"` : 'model');
    this.sampleDims = options.sampleDims;
    const opts: PlanOptions = { kernels: options.kernels, sparseMinSparsity: options.sparseMinSparsity, wasm: options.wasm };
    const wide = promoteHalf(model);
    this.plan = buildPlan(wide ?? model, opts, this.where);
    const init = new Set([...model.graph.initializers.map((t) => t.name), ...model.graph.sparseInitializers.map((s) => s.values.name)]);
    // The model's own types at the surface: feeds and results as it declares them.
    this.inputs = model.graph.inputs.filter((v) => !init.has(v.name)).map(ioInfo);
    this.outputs = model.graph.outputs.map(ioInfo);
    const widened = (io: IoInfo): boolean => wide !== undefined && io.dataType === DataType.FLOAT16;
    this.widenedIn = this.inputs.map(widened);
    this.widenedOut = this.outputs.map(widened);
    this.layers = this.plan.layers;
    this.foldedNodes = this.plan.folded;
    this.values = [...this.plan.constants];
    this.inputSlots = this.inputs.map((i) => this.plan.slots.get(i.name) ?? -1);
    this.outputSlots = this.outputs.map((o) => this.plan.slots.get(o.name) ?? -1);
  }

  /** Plans a model; throws UnsupportedOpError naming every node it cannot run, before anything runs. */
  static create(model: Model, options: SessionOptions): Session {
    const bad = unsupportedNodes(model);
    if (bad.length > 0) throw new UnsupportedOpError(bad, options.label ?? (model.graph.name ? `model "${model.graph.name}"` : 'model'));
    return new Session(model, options);
  }

  /** Runs the graph; outputs are fresh copies the caller owns. */
  run(feeds: Record<string, RtTensor>): Record<string, RtTensor> {
    for (const name of Object.keys(feeds)) {
      if (!this.inputs.some((i) => i.name === name)) {
        throw new RuntimeError(`${this.where}: "${name}" is not an input (inputs: ${this.inputs.map((i) => i.name).join(', ')})`);
      }
    }
    const symbols = new Map<string, number>();
    this.inputs.forEach((info, k) => {
      const t = feeds[info.name];
      if (!t) throw new RuntimeError(`${this.where}: input "${info.name}" is missing`);
      this.checkFeed(info, t, symbols);
      this.values[this.inputSlots[k]] = this.widenedIn[k] ? halfToFloat(t) : t;
    });
    this.execute();
    const out: Record<string, RtTensor> = {};
    this.outputs.forEach((o, k) => {
      const v = this.values[this.outputSlots[k]];
      if (!v) throw new RuntimeError(`${this.where}: output "${o.name}" was not computed`);
      out[o.name] = this.widenedOut[k] && v.dataType === DataType.FLOAT ? floatToHalf(v, DataType.FLOAT16) : copyTensor(v);
    });
    return out;
  }

  /**
   * One float input → first output. `input` holds `batch` samples back to back; returns the output
   * data (e.g. logits [batch, classes]), valid until the next call (buffers are reused). A float16 /
   * bfloat16 input gets the samples rounded to its type, an int64 / int32 input (token ids) the
   * samples as integers; a half output is read back as float32. The inputs after the first are
   * fed by companion-inputs.ts' rule (attention_mask all ones, …), or refused by it.
   */
  runFloat(input: Float32Array, batch: number): Float32Array {
    const info = this.inputs[0];
    if (!info) throw new RuntimeError(`${this.where}: the model has no input to feed`);
    const companions = (this.companions ??= companionInputs(this.inputs, info, this.where));
    const half = isHalfType(info.dataType);
    const ids = info.dataType === DataType.INT64 || info.dataType === DataType.INT32;
    if (info.dataType !== DataType.FLOAT && !half && !ids) throw new RuntimeError(`${this.where}: input "${info.name}" is not float32, float16, bfloat16, int64 or int32`);
    const fixedBatch = typeof info.dims[0] === 'number' ? info.dims[0] : undefined;
    if (fixedBatch !== undefined && fixedBatch !== batch && fixedBatch === 1 && batch > 1) return this.runSamples(input, batch);
    const dims = this.inputDims(info, input.length, batch);
    const feed = this.floatFeed;
    // A float16 input computed in float32 takes the samples rounded to float16, as the model would.
    if (half && this.widenedIn[0]) this.floatFeed = halfToFloat(floatToHalf({ dims, data: input, dataType: DataType.FLOAT }, info.dataType));
    else if (half) this.floatFeed = floatToHalf({ dims, data: input, dataType: DataType.FLOAT }, info.dataType);
    // Token ids travel as floats (exact below 2^24, checked when the dataset was read).
    else if (ids) this.floatFeed = { dims, data: samplesAs(info.dataType, input), dataType: info.dataType };
    else if (feed && feed.dims === dims && feed.dataType === DataType.FLOAT) feed.data = input;
    else this.floatFeed = { dims, data: input, dataType: DataType.FLOAT };
    this.values[this.inputSlots[0]] = this.floatFeed;
    // The companions' tensors are made again only when the dims change.
    const made = this.companionFeeds;
    if (!made || made.dims.length !== dims.length || made.dims.some((d, j) => d !== dims[j])) this.companionFeeds = { dims, feeds: companionFeeds(companions, dims) };
    companions.forEach((c, k) => (this.values[this.inputSlots[k + 1]] = this.companionFeeds!.feeds[c.name]));
    this.execute();
    const res = this.values[this.outputSlots[0]];
    if (!res) throw new RuntimeError(`${this.where}: output "${this.outputs[0].name}" was not computed`);
    if (isHalfType(res.dataType)) return halfToFloat(res).data as Float32Array;
    return res.data instanceof Float32Array ? res.data : Float32Array.from(res.data as ArrayLike<number>, Number);
  }

  private runSamples(input: Float32Array, batch: number): Float32Array {
    const per = input.length / batch;
    let out: Float32Array | undefined;
    for (let b = 0; b < batch; b++) {
      const y = this.runFloat(input.subarray(b * per, (b + 1) * per), 1);
      out ??= new Float32Array(y.length * batch);
      out.set(y, b * y.length);
    }
    return out ?? new Float32Array(0);
  }

  private inputDims(info: IoInfo, length: number, batch: number): number[] {
    const hit = this.fixedInputDims.get(batch);
    if (hit && size(hit) === length) return hit;
    const dims = batchDims(info.dims, batch, length / batch, this.sampleDims);
    if (dims === undefined) {
      const several = info.dims.filter((d, i) => i > 0 && typeof d !== 'number').length > 1;
      throw new RuntimeError(
        several
          ? `${this.where}: input "${info.name}" [${info.dims.join(', ')}] has several symbolic dimensions and no sample shape fills them`
          : `${this.where}: ${length} values do not make ${batch} samples of input "${info.name}" [${info.dims.join(', ')}]`,
      );
    }
    this.fixedInputDims.set(batch, dims);
    return dims;
  }

  private checkFeed(info: IoInfo, t: RtTensor, symbols: Map<string, number>): void {
    if (info.dataType !== DataType.UNDEFINED && t.dataType !== info.dataType) {
      throw new RuntimeError(`${this.where}: input "${info.name}" expects element type ${info.dataType}, got ${t.dataType}`);
    }
    if (size(t.dims) !== t.data.length) {
      throw new RuntimeError(`${this.where}: input "${info.name}" has ${t.data.length} values for dims [${t.dims.join(', ')}]`);
    }
    if (info.dims.length === 0) return;
    const bad = (): never => {
      throw new RuntimeError(`${this.where}: input "${info.name}" expects dims [${info.dims.join(', ')}], got [${t.dims.join(', ')}]`);
    };
    if (t.dims.length !== info.dims.length) bad();
    info.dims.forEach((d, i) => {
      if (typeof d === 'number' && d !== t.dims[i]) bad();
      if (typeof d === 'string' && d !== '') {
        const prev = symbols.get(d);
        if (prev !== undefined && prev !== t.dims[i]) bad();
        symbols.set(d, t.dims[i]);
      }
    });
  }

  private execute(): void {
    const v = this.values;
    for (const step of this.plan.steps) {
      const args = step.args;
      for (let i = 0; i < step.ins.length; i++) {
        const s = step.ins[i];
        args[i] = s < 0 ? undefined : v[s];
      }
      const res = step.impl(args, step.ctx);
      for (let i = 0; i < step.outs.length; i++) {
        const s = step.outs[i];
        if (s >= 0) v[s] = res[i];
      }
    }
  }
}
