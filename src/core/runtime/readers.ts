// Who reads each value of the plan's live nodes: what the fusions ask before they take a node into
// a step (a value read by nothing else may be fused away). Counts, not lists: a value read by
// 200,000 nodes must not be copied into a growing list per read.
import type { Node } from '../onnx/model';

/** The only reader of a value, when it is of `opType` (a graph output has none: it must stay). */
export type SoleUser = (name: string, opType: string) => Node | undefined;
/** The two distinct readers of a value read by exactly two nodes (a Mul(d, d) is one), not a graph output. */
export type TwoReaders = (name: string) => readonly Node[] | undefined;

export interface Readers {
  soleUser: SoleUser;
  twoReaders: TwoReaders;
  /** How many times a value is read (a node reading it twice counts twice). */
  reads(name: string): number;
}

export function readersOf(live: readonly Node[], outputs: ReadonlySet<string>): Readers {
  const useCount = new Map<string, number>();
  const firstUser = new Map<string, Node>();
  const secondUser = new Map<string, Node>();
  const readerCount = new Map<string, number>();
  for (const n of live) {
    for (const i of n.inputs) {
      if (i === '') continue;
      const c = useCount.get(i);
      useCount.set(i, (c ?? 0) + 1);
      if (c === undefined) firstUser.set(i, n);
      if (c !== undefined && (firstUser.get(i) === n || secondUser.get(i) === n)) continue;
      const r = readerCount.get(i) ?? 0;
      readerCount.set(i, r + 1);
      if (r === 1) secondUser.set(i, n);
    }
  }
  return {
    soleUser: (name, opType) => {
      if (outputs.has(name) || useCount.get(name) !== 1) return undefined;
      const u = firstUser.get(name);
      return u && u.opType === opType ? u : undefined;
    },
    twoReaders: (name) => (outputs.has(name) || readerCount.get(name) !== 2 ? undefined : [firstUser.get(name)!, secondUser.get(name)!]),
    reads: (name) => useCount.get(name) ?? 0,
  };
}
