// MaxPool (the argmax of each window is kept for backward), AveragePool (count_include_pad,
// ceil_mode), GlobalAveragePool and GlobalMaxPool, over 1-D or 2-D spatial dims.
import type { Kernel, KernelFactory } from '../kernel';
import { GraphTrainError, attrInt, value, type Value } from '../value';
import { windowDims, windowOver, windowSpec, type SlidingWindow } from '../sliding-window';

function planes(x: Value, label: string): [number, number] {
  if (x.dims.length < 3) throw new GraphTrainError(`${label}: input of rank ${x.dims.length}, expected [N, C, …]`);
  return [x.dims[0] * x.dims[1], x.dims.slice(2).reduce((a, b) => a * b, 1)];
}

export const maxPool: KernelFactory = ({ node, label }) => {
  if (node.outputs.length > 1 && node.outputs[1] !== '') throw new GraphTrainError(`${label}: its Indices output is not supported`);
  const spec = windowSpec(node, label);
  if (attrInt(node, 'storage_order', 0) !== 0) throw new GraphTrainError(`${label}: storage_order 1 is not supported`);
  const kernel: Kernel = {
    forward([x]) {
      const [NC] = planes(x!, label);
      const w: SlidingWindow = windowOver(spec, x!.dims.slice(2), label);
      const { H, W, kh, kw, sh, sw, dh, dw, pt, pl, OH, OW } = w;
      const out = value(windowDims(x!.dims[0], x!.dims[1], w, x!.dims.length));
      const arg = new Int32Array(out.data.length);
      const xd = x!.data;
      let o = 0;
      for (let c = 0; c < NC; c++) {
        const plane = c * H * W;
        for (let oy = 0; oy < OH; oy++) {
          for (let ox = 0; ox < OW; ox++, o++) {
            let best = -Infinity;
            let at = -1;
            for (let i = 0; i < kh; i++) {
              const iy = oy * sh - pt + i * dh;
              if (iy < 0 || iy >= H) continue;
              for (let j = 0; j < kw; j++) {
                const ix = ox * sw - pl + j * dw;
                if (ix < 0 || ix >= W) continue;
                const v = xd[plane + iy * W + ix];
                if (v > best || at < 0) {
                  best = v;
                  at = plane + iy * W + ix;
                }
              }
            }
            out.data[o] = at < 0 ? 0 : best;
            arg[o] = at;
          }
        }
      }
      return { outputs: [out], saved: arg };
    },
    backward(dOut, [x], _o, saved) {
      const arg = saved as Int32Array;
      const dx = new Float32Array(x!.data.length);
      for (let o = 0; o < arg.length; o++) if (arg[o] >= 0) dx[arg[o]] += dOut[o];
      return [dx];
    },
  };
  return kernel;
};

export const averagePool: KernelFactory = ({ node, label }) => {
  const spec = windowSpec(node, label);
  const includePad = attrInt(node, 'count_include_pad', 0) !== 0;
  /** Per output position of one plane: the divisor of its window. */
  const divisors = (w: SlidingWindow): Float64Array => {
    const { H, W, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr, OH, OW } = w;
    const div = new Float64Array(OH * OW);
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        let n = 0;
        for (let i = 0; i < kh; i++) {
          const iy = oy * sh - pt + i * dh;
          const inY = includePad ? iy >= -pt && iy < H + pb : iy >= 0 && iy < H;
          if (!inY) continue;
          for (let j = 0; j < kw; j++) {
            const ix = ox * sw - pl + j * dw;
            if (includePad ? ix >= -pl && ix < W + pr : ix >= 0 && ix < W) n++;
          }
        }
        div[oy * OW + ox] = n;
      }
    }
    return div;
  };
  const walk = (x: Value, f: (xi: number, o: number, inv: number) => void): SlidingWindow => {
    const [NC] = planes(x, label);
    const w = windowOver(spec, x.dims.slice(2), label);
    const { H, W, kh, kw, sh, sw, dh, dw, pt, pl, OH, OW } = w;
    const div = divisors(w);
    let o = 0;
    for (let c = 0; c < NC; c++) {
      const plane = c * H * W;
      for (let oy = 0; oy < OH; oy++) {
        for (let ox = 0; ox < OW; ox++, o++) {
          const d = div[oy * OW + ox];
          const inv = d > 0 ? 1 / d : 0;
          for (let i = 0; i < kh; i++) {
            const iy = oy * sh - pt + i * dh;
            if (iy < 0 || iy >= H) continue;
            for (let j = 0; j < kw; j++) {
              const ix = ox * sw - pl + j * dw;
              if (ix >= 0 && ix < W) f(plane + iy * W + ix, o, inv);
            }
          }
        }
      }
    }
    return w;
  };
  return {
    forward([x]) {
      const w = windowOver(spec, x!.dims.slice(2), label);
      const out = value(windowDims(x!.dims[0], x!.dims[1], w, x!.dims.length));
      const acc = new Float64Array(out.data.length);
      const xd = x!.data;
      walk(x!, (xi, o, inv) => {
        acc[o] += xd[xi] * inv;
      });
      out.data.set(acc);
      return { outputs: [out] };
    },
    backward(dOut, [x]) {
      const dx = new Float32Array(x!.data.length);
      walk(x!, (xi, o, inv) => {
        dx[xi] += dOut[o] * inv;
      });
      return [dx];
    },
  };
};

function globalDims(x: Value): number[] {
  return [x.dims[0], x.dims[1], ...x.dims.slice(2).map(() => 1)];
}

export const globalAveragePool: KernelFactory = ({ label }) => ({
  forward([x]) {
    const [NC, S] = planes(x!, label);
    const out = value(globalDims(x!));
    const xd = x!.data;
    for (let c = 0; c < NC; c++) {
      let s = 0;
      for (let i = c * S, e = i + S; i < e; i++) s += xd[i];
      out.data[c] = s / S;
    }
    return { outputs: [out] };
  },
  backward(dOut, [x]) {
    const [NC, S] = planes(x!, label);
    const dx = new Float32Array(x!.data.length);
    for (let c = 0; c < NC; c++) dx.fill(dOut[c] / S, c * S, (c + 1) * S);
    return [dx];
  },
});

export const globalMaxPool: KernelFactory = ({ label }) => ({
  forward([x]) {
    const [NC, S] = planes(x!, label);
    const out = value(globalDims(x!));
    const arg = new Int32Array(NC);
    for (let c = 0; c < NC; c++) {
      let at = c * S;
      for (let i = c * S + 1; i < (c + 1) * S; i++) if (x!.data[i] > x!.data[at]) at = i;
      arg[c] = at;
      out.data[c] = x!.data[at];
    }
    return { outputs: [out], saved: arg };
  },
  backward(dOut, [x], _o, saved) {
    const arg = saved as Int32Array;
    const dx = new Float32Array(x!.data.length);
    for (let c = 0; c < arg.length; c++) dx[arg[c]] += dOut[c];
    return [dx];
  },
});
