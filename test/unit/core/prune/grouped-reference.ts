// Independent references for N:M and block pruning: groups and blocks enumerated from the ONNX
// meaning of each weight's dims (not through core/prune/layout.ts), then sorted by brute force.

/** How a weight is read: [outputs, inputs, positions] and the element index of (o, i, p). */
export interface RefLayout {
  outputs: number;
  inputs: number;
  positions: number;
  at: (o: number, i: number, p: number) => number;
}

/** Gemm B with transB 1 ([N, K]) or 0 ([K, N]); MatMul right operand [K, N]; Conv [M, C, kh, kw]. */
export function refLayout(kind: 'gemmT' | 'gemm' | 'matmulRight' | 'conv', dims: number[]): RefLayout {
  switch (kind) {
    case 'gemmT':
      return { outputs: dims[0], inputs: dims[1], positions: 1, at: (o, i) => o * dims[1] + i };
    case 'gemm':
    case 'matmulRight':
      return { outputs: dims[1], inputs: dims[0], positions: 1, at: (o, i) => i * dims[1] + o };
    case 'conv': {
      const taps = dims.slice(2).reduce((a, b) => a * b, 1);
      return { outputs: dims[0], inputs: dims[1], positions: taps, at: (o, i, p) => (o * dims[1] + i) * taps + p };
    }
  }
}

const mag = (v: number): number => (Number.isNaN(v) ? Infinity : Math.abs(v));

/** N:M by brute force: each group sorted by (|w| desc, index asc), its first min(size, N) kept. */
export function refNm(w: ArrayLike<number>, l: RefLayout, n: number, m: number): Uint8Array {
  const keep = new Uint8Array(w.length);
  for (let o = 0; o < l.outputs; o++) {
    for (let p = 0; p < l.positions; p++) {
      for (let g = 0; g < l.inputs; g += m) {
        const members: { i: number; e: number }[] = [];
        for (let i = g; i < Math.min(g + m, l.inputs); i++) members.push({ i, e: l.at(o, i, p) });
        members.sort((a, b) => mag(w[b.e]) - mag(w[a.e]) || a.i - b.i);
        members.slice(0, n).forEach((x) => (keep[x.e] = 1));
      }
    }
  }
  return keep;
}

/** The groups of M along the inputs, as element lists. */
export function refGroups(l: RefLayout, m: number): number[][] {
  const out: number[][] = [];
  for (let o = 0; o < l.outputs; o++) {
    for (let p = 0; p < l.positions; p++) {
      for (let g = 0; g < l.inputs; g += m) {
        const group: number[] = [];
        for (let i = g; i < Math.min(g + m, l.inputs); i++) group.push(l.at(o, i, p));
        out.push(group);
      }
    }
  }
  return out;
}

export interface RefBlock {
  tensor: number;
  /** (bo · nbIn + bi) · positions + p */
  index: number;
  elements: number[];
  score: number;
}

/** Every R×C block of a weight with its elements and mean |w|. */
export function refBlocks(w: ArrayLike<number>, l: RefLayout, rows: number, cols: number, tensor = 0): RefBlock[] {
  const nbIn = Math.ceil(l.inputs / cols);
  const out: RefBlock[] = [];
  for (let bo = 0; bo * rows < l.outputs; bo++) {
    for (let bi = 0; bi < nbIn; bi++) {
      for (let p = 0; p < l.positions; p++) {
        const elements: number[] = [];
        let sum = 0;
        for (let o = bo * rows; o < Math.min((bo + 1) * rows, l.outputs); o++) {
          for (let i = bi * cols; i < Math.min((bi + 1) * cols, l.inputs); i++) {
            const e = l.at(o, i, p);
            elements.push(e);
            sum += mag(w[e]);
          }
        }
        out.push({ tensor, index: (bo * nbIn + bi) * l.positions + p, elements, score: sum / elements.length });
      }
    }
  }
  return out;
}

const byScore = (a: RefBlock, b: RefBlock): number => (a.score < b.score ? -1 : a.score > b.score ? 1 : a.tensor - b.tensor || a.index - b.index);

/** Per layer: the round(ratio × nBlocks) lowest blocks (ties by index) removed; returns kept masks. */
export function refBlocksLayer(w: ArrayLike<number>, blocks: RefBlock[], ratio: number): Uint8Array {
  const keep = new Uint8Array(w.length).fill(1);
  const sorted = [...blocks].sort(byScore);
  for (const b of sorted.slice(0, Math.round(ratio * blocks.length))) for (const e of b.elements) keep[e] = 0;
  return keep;
}

/** Global: the shortest prefix of the pool sorted by (score, tensor, index) reaching round(ratio × elements), and every block of score 0. */
export function refBlocksGlobal(sizes: number[], pool: RefBlock[], ratio: number): Uint8Array[] {
  const keep = sizes.map((n) => new Uint8Array(n).fill(1));
  const target = Math.round(ratio * sizes.reduce((a, b) => a + b, 0));
  let reached = 0;
  for (const b of [...pool].sort(byScore)) {
    if (reached >= target && b.score !== 0) break;
    for (const e of b.elements) keep[b.tensor][e] = 0;
    reached += b.elements.length;
  }
  return keep;
}
