// The licence classifier of test/models/segments (a BERT-style encoder with the inputs Hugging Face
// exports give BERT): where it lives, the accuracy torch recorded when it wrote it, and a copy with
// one input renamed (an extra input the companion rule cannot fill).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeModel, encodeModel } from '../../src/core/onnx';
import { ROOT } from './paths';

export const LICENCE_DIR = join(ROOT, 'test/models/segments');
export const LICENCE_MODEL = join(LICENCE_DIR, 'licence-bert.onnx');
export const LICENCE_TEST = join(LICENCE_DIR, 'licence-test.npz');
export const LICENCE_CALIB = join(LICENCE_DIR, 'licence-calib.npz');

/** The held-out accuracy torch printed when it wrote the model (its README), to 4 places. */
export function torchAccuracy(): number {
  const m = /held-out accuracy \(torch\) ([0-9.]+)/.exec(readFileSync(join(LICENCE_DIR, 'README.md'), 'utf8'));
  if (!m) throw new Error('test/models/segments/README.md does not record torch\'s accuracy');
  return Number(m[1]);
}

/** The model's bytes with input `from` (and every read of it) renamed `to`. */
export function withInputRenamed(from: string, to: string): Uint8Array {
  const m = decodeModel(new Uint8Array(readFileSync(LICENCE_MODEL)), 'licence-bert.onnx');
  const rename = (x: string): string => (x === from ? to : x);
  return encodeModel({
    ...m,
    graph: { ...m.graph, inputs: m.graph.inputs.map((i) => ({ ...i, name: rename(i.name) })), nodes: m.graph.nodes.map((n) => ({ ...n, inputs: n.inputs.map(rename) })) },
  });
}
