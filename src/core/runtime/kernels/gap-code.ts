// The WebAssembly kernel of gap-run.ts: GlobalAveragePool of float32 planes in place in the conv
// arena (where the conv layer that computed them left them).
import { get, i32, set } from './conv-asm';
import { I32, V128, addTo, body, mem, op, v, whileNot } from './wasm-asm';

const F32_ADD = 0x92;
const F32_DIV = 0x95;
const F32_CONVERT_I32_U = 0xb3;
const I32_GT_U = 0x4b;
const extract = (lane: number): number[] => [0xfd, 0x1f, lane];

/**
 * gap(src, dst, planes, len): dst[c] = (Σ of the len floats of plane c at src + 4·c·len) / len, in
 * float32: four vector sums of 16 floats a step, then one of 4, then the scalar rest (reads
 * nothing past a plane).
 */
export function gap(): number[] {
  const [src, dst, planes, len] = [0, 1, 2, 3];
  const [c, p, end] = [4, 5, 6];
  const A = [7, 8, 9, 10];
  const f = 11;
  const sum16 = whileNot([...get(p), ...i32(64), op.i32Add, ...get(end), I32_GT_U], [
    ...A.flatMap((a, k) => [...get(a), ...get(p), ...v.load, ...mem(2, 16 * k), ...v.f32x4Add, ...set(a)]),
    ...addTo(p, 64),
  ]);
  const sum4 = whileNot([...get(p), ...i32(16), op.i32Add, ...get(end), I32_GT_U], [
    ...get(A[0]), ...get(p), ...v.load, ...mem(2), ...v.f32x4Add, ...set(A[0]),
    ...addTo(p, 16),
  ]);
  const rest = whileNot([...get(p), ...get(end), op.i32GeU], [...get(f), ...get(p), op.f32Load, ...mem(2), F32_ADD, ...set(f), ...addTo(p, 4)]);
  const plane = [
    ...get(src), ...get(c), ...get(len), op.i32Mul, ...i32(2), op.i32Shl, op.i32Add, op.tee, p,
    ...get(len), ...i32(2), op.i32Shl, op.i32Add, ...set(end),
    ...A.flatMap((a) => [...v.zero, ...set(a)]),
    ...sum16, ...sum4,
    ...get(A[0]), ...get(A[1]), ...v.f32x4Add, ...get(A[2]), ...get(A[3]), ...v.f32x4Add, ...v.f32x4Add, op.tee, A[0],
    ...extract(0), ...get(A[0]), ...extract(1), F32_ADD, ...get(A[0]), ...extract(2), ...get(A[0]), ...extract(3), F32_ADD, F32_ADD, ...set(f),
    ...rest,
    ...get(dst), ...get(c), ...i32(2), op.i32Shl, op.i32Add, ...get(f), ...get(len), F32_CONVERT_I32_U, F32_DIV, op.f32Store, ...mem(2),
    ...addTo(c, 1),
  ];
  return body([[3, I32], [4, V128], [1, 0x7d]], whileNot([...get(c), ...get(planes), op.i32GeU], plane));
}
