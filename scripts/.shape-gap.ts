import { readFileSync } from 'node:fs';
import { decodeModel } from '../src/core/onnx';
import { inferShapes } from '../src/core/analysis/shapes';
const m = decodeModel(new Uint8Array(readFileSync(process.argv[2])), 'm');
const s = inferShapes(m.graph, m.opsetImports.find((o) => o.domain === '' || o.domain === 'ai.onnx')?.version ?? 13);
let shown = 0;
for (const n of m.graph.nodes) {
  const known = n.inputs.filter((i) => i !== '').every((i) => s.has(i) || m.graph.initializers.some((t) => t.name === i));
  const out = n.outputs.every((o) => s.has(o) && s.get(o)!.shape !== undefined);
  if (known && !out && shown++ < 8) console.log(n.opType, n.name, n.inputs.map((i) => `${i}:${JSON.stringify(s.get(i)?.shape)}`).join(' '));
}
