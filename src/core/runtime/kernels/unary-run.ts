// Float32 activations in WebAssembly SIMD (unary-code.ts): the data is copied into the module's
// memory a chunk at a time, activated in place and copied out. JS's Math.exp costs about 13 ns an
// element here (EfficientNet-B0's Sigmoids were half its run); this runs at about 1 ns with the
// copies. Returns false where WebAssembly is unavailable (the ops' JS loops then).
import { type UnaryKind, unaryModuleBytes } from './unary-code';
import { wasmApi } from './wasm-asm';

/** Floats per chunk (4 MB), so the memory stays bounded whatever the tensor size. */
const CHUNK = 1 << 20;
/** Where the attributes (alpha, beta) live; the data starts at 16. */
const PARAMS = 0;
const DATA = 16;

interface Instance {
  f32: Float32Array;
  fns: Record<UnaryKind, (p: number, end: number, params: number) => void>;
}
let instance: Instance | null | undefined;

function load(): Instance | null {
  if (instance !== undefined) return instance;
  try {
    if (!wasmApi) return (instance = null);
    const memory = new wasmApi.Memory({ initial: Math.ceil((DATA + 4 * CHUNK) / 65536) + 1 });
    const inst = new wasmApi.Instance(new wasmApi.Module(unaryModuleBytes()), { env: { mem: memory } });
    instance = { f32: new Float32Array(memory.buffer), fns: inst.exports as unknown as Instance['fns'] };
  } catch {
    instance = null;
  }
  return instance;
}

/** dst[i] = kind(src[i]) (dst may be src); alpha, beta: HardSigmoid's and LeakyRelu's attributes. False: no WebAssembly. */
export function unaryWasm(kind: UnaryKind, src: Float32Array, dst: Float32Array, alpha = 0, beta = 0): boolean {
  const m = load();
  if (m === null) return false;
  const { f32, fns } = m;
  f32[PARAMS] = alpha;
  f32[PARAMS + 1] = beta;
  const fn = fns[kind];
  for (let at = 0; at < src.length; at += CHUNK) {
    const n = Math.min(CHUNK, src.length - at);
    f32.set(src.subarray(at, at + n), DATA >> 2);
    fn(DATA, DATA + 4 * Math.ceil(n / 4) * 4, PARAMS);
    dst.set(f32.subarray(DATA >> 2, (DATA >> 2) + n), at);
  }
  return true;
}
