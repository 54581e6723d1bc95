// GlobalAveragePool on the conv arena: when a float32 input is held there (a conv layer of the plan
// computed it, conv-wasm.ts ConvArena), the planes are averaged where they are, in WebAssembly
// (gap-code.ts), instead of in JS; anything else goes to the op of ops/pool.ts.
import { DataType } from '../../onnx/model';
import { GlobalAveragePool } from '../ops/pool';
import { type OpImpl, need } from '../ops/types';
import type { ConvArena } from './conv-wasm';

const up = (n: number, m: number): number => Math.ceil(n / m) * m;

/** The GlobalAveragePool step of a plan whose conv layers share `arena`. */
export function arenaGlobalAveragePool(arena: ConvArena): OpImpl {
  // The arena region of the averages, grown when more planes come.
  let at = 0;
  let room = 0;
  return (inputs, ctx) => {
    const x = need(inputs, 0, ctx);
    const d = x.dims;
    const data = x.data;
    const addr = x.dataType === DataType.FLOAT && d.length >= 3 && data.length > 0 && data instanceof Float32Array ? arena.find(data, 0, data.length) : undefined;
    if (addr === undefined) {
      arena.materialize(data);
      return GlobalAveragePool(inputs, ctx);
    }
    const planes = d[0] * d[1];
    if (planes > room) {
      const start = arena.top;
      const end = start + up(planes * 4, 64) + 64;
      if (!arena.commit(end)) {
        arena.materialize(data);
        return GlobalAveragePool(inputs, ctx);
      }
      at = start;
      room = planes;
    }
    arena.fn('gap')(addr, at, planes, data.length / planes);
    const y = ctx.out(0, Float32Array, planes) as Float32Array;
    y.set(arena.f32.subarray(at >> 2, (at >> 2) + planes));
    const dims = [d[0], d[1]];
    for (let i = 2; i < d.length; i++) dims.push(1);
    return [{ dims, data: y, dataType: DataType.FLOAT }];
  };
}
