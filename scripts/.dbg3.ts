import { readFileSync } from 'node:fs';
import { decodeModel } from '../src/core/onnx';
const m = decodeModel(new Uint8Array(readFileSync('/tmp/tv/swin_small-op17.onnx')), 'm');
let v = m.graph.nodes.find((n) => n.inputs.includes('onnx::MatMul_634'))!.outputs[0];
for (let i = 0; i < 4; i++) { const r = m.graph.nodes.filter((n) => n.inputs.includes(v)); console.log(r.map((n) => `${n.opType} ${n.name} [${n.inputs.join(', ')}]`)); if (r.length !== 1) break; v = r[0].outputs[0]; }
