// Pairs the nodes of model A's main graph with those of model B's. The rule, deterministic:
// 1. name — a non-empty node name found in both graphs pairs the k-th node of that name in A with
//    the k-th in B (graph order), whatever their op types (a changed op type is then reported).
// 2. neighbours — over the nodes left, in rounds until a round pairs nothing (odd rounds walk A's
//    nodes in graph order, even rounds backwards, so pairs spread both ways): an unpaired A node's
//    candidates are the unpaired B nodes of the same domain and op type. A candidate scores a point
//    for each input position whose source agrees (the two producers are paired with each other, or
//    it is the same graph input), and a point for each consumer (output k read by paired nodes at
//    the same input position). The best score ≥ 1 wins; ties go to the candidate whose relative
//    position in graph order (index / node count) is nearest, then to the lower index.
// 3. position — the rest: per domain and op type, the k-th unpaired A node with the k-th unpaired
//    B node, in graph order (ONNX graphs are stored topologically sorted).
// Nodes still unpaired are removed (A only) or added (B only).
import type { Graph, Node } from '../onnx/model';
import type { MatchHow } from './types';

export interface NodePair {
  a: number;
  b: number;
  how: MatchHow;
}

export interface NodeMatching {
  pairs: NodePair[];
  /** B index → A index and A index → B index (−1: unpaired). */
  aOfB: Int32Array;
  bOfA: Int32Array;
  added: number[];
  removed: number[];
}

interface GraphIndex {
  nodes: Node[];
  producer: Map<string, number>;
  /** Per node and output k: the consumers as [node, input position]. */
  consumers: [number, number][][][];
  graphInputs: Set<string>;
}

function indexGraph(g: Graph): GraphIndex {
  const producer = new Map<string, number>();
  g.nodes.forEach((n, i) => n.outputs.forEach((o) => o !== '' && !producer.has(o) && producer.set(o, i)));
  const consumers: [number, number][][][] = g.nodes.map((n) => n.outputs.map(() => []));
  g.nodes.forEach((n, i) =>
    n.inputs.forEach((name, pos) => {
      const p = name === '' ? undefined : producer.get(name);
      if (p === undefined) return;
      const k = g.nodes[p].outputs.indexOf(name);
      consumers[p][k].push([i, pos]);
    }),
  );
  return { nodes: g.nodes, producer, consumers, graphInputs: new Set(g.inputs.map((v) => v.name)) };
}

const opKeyOf = (n: Node): string => `${n.domain === 'ai.onnx' ? '' : n.domain}|${n.opType}`;

/** The anchors of node i: its sources and consumers as seen through the pairing (pair ids). */
function anchors(x: GraphIndex, i: number, pairId: Int32Array): string[] {
  const n = x.nodes[i];
  const out: string[] = [];
  n.inputs.forEach((name, pos) => {
    if (name === '') return;
    const p = x.producer.get(name);
    if (p !== undefined) {
      if (pairId[p] >= 0) out.push(`i${pos}:p${pairId[p]}.${x.nodes[p].outputs.indexOf(name)}`);
    } else if (x.graphInputs.has(name)) out.push(`i${pos}:g${name}`);
  });
  x.consumers[i].forEach((list, k) => {
    for (const [c, pos] of list) if (pairId[c] >= 0) out.push(`o${k}:p${pairId[c]}.${pos}`);
  });
  return out;
}

/** Pairs A's nodes with B's (see the rule at the top of this file). */
export function matchNodes(ga: Graph, gb: Graph): NodeMatching {
  const A = indexGraph(ga);
  const B = indexGraph(gb);
  const nA = A.nodes.length;
  const nB = B.nodes.length;
  const bOfA = new Int32Array(nA).fill(-1);
  const aOfB = new Int32Array(nB).fill(-1);
  // A pair's id is its A index; pairIdA[a] = a when paired, pairIdB[b] = its A node.
  const pairIdA = new Int32Array(nA).fill(-1);
  const pairIdB = new Int32Array(nB).fill(-1);
  const how = new Map<number, MatchHow>();
  const pair = (a: number, b: number, h: MatchHow): void => {
    bOfA[a] = b;
    aOfB[b] = a;
    pairIdA[a] = a;
    pairIdB[b] = a;
    how.set(a, h);
  };

  // 1. names
  const byName = new Map<string, number[]>();
  B.nodes.forEach((n, i) => {
    if (n.name === '') return;
    const l = byName.get(n.name);
    if (l) l.push(i);
    else byName.set(n.name, [i]);
  });
  const taken = new Map<string, number>();
  A.nodes.forEach((n, a) => {
    const l = n.name === '' ? undefined : byName.get(n.name);
    if (!l) return;
    const k = taken.get(n.name) ?? 0;
    if (k < l.length) {
      pair(a, l[k], 'name');
      taken.set(n.name, k + 1);
    }
  });

  // 2. neighbours
  for (let round = 1; ; round++) {
    const index = new Map<string, number[]>();
    for (let b = 0; b < nB; b++) {
      if (aOfB[b] >= 0) continue;
      const op = opKeyOf(B.nodes[b]);
      for (const key of anchors(B, b, pairIdB)) {
        const k = `${op}|${key}`;
        const l = index.get(k);
        if (l) l.push(b);
        else index.set(k, [b]);
      }
    }
    if (index.size === 0) break;
    let added = 0;
    for (let s = 0; s < nA; s++) {
      const a = round % 2 === 1 ? s : nA - 1 - s;
      if (bOfA[a] >= 0) continue;
      const op = opKeyOf(A.nodes[a]);
      const score = new Map<number, number>();
      for (const key of anchors(A, a, pairIdA)) {
        for (const b of index.get(`${op}|${key}`) ?? []) if (aOfB[b] < 0) score.set(b, (score.get(b) ?? 0) + 1);
      }
      let best = -1;
      let bestScore = 0;
      let bestDist = Infinity;
      const relA = nA > 1 ? a / (nA - 1) : 0;
      for (const [b, sc] of score) {
        const dist = Math.abs(relA - (nB > 1 ? b / (nB - 1) : 0));
        if (sc > bestScore || (sc === bestScore && (dist < bestDist || (dist === bestDist && b < best)))) {
          best = b;
          bestScore = sc;
          bestDist = dist;
        }
      }
      if (best >= 0) {
        pair(a, best, 'neighbours');
        added++;
      }
    }
    if (added === 0) break;
  }

  // 3. position
  const restB = new Map<string, number[]>();
  for (let b = 0; b < nB; b++) {
    if (aOfB[b] >= 0) continue;
    const op = opKeyOf(B.nodes[b]);
    const l = restB.get(op);
    if (l) l.push(b);
    else restB.set(op, [b]);
  }
  const used = new Map<string, number>();
  for (let a = 0; a < nA; a++) {
    if (bOfA[a] >= 0) continue;
    const op = opKeyOf(A.nodes[a]);
    const l = restB.get(op);
    const k = used.get(op) ?? 0;
    if (l && k < l.length) {
      pair(a, l[k], 'position');
      used.set(op, k + 1);
    }
  }

  const pairs: NodePair[] = [];
  const removed: number[] = [];
  for (let a = 0; a < nA; a++) {
    if (bOfA[a] >= 0) pairs.push({ a, b: bOfA[a], how: how.get(a) as MatchHow });
    else removed.push(a);
  }
  const added: number[] = [];
  for (let b = 0; b < nB; b++) if (aOfB[b] < 0) added.push(b);
  return { pairs, aOfB, bOfA, added, removed };
}
