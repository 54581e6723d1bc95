import { readFileSync } from 'node:fs';
import { decodeModel } from '../src/core/onnx';
import { findTargets, residualPath } from '../src/core/prune/reconstruct/targets';
const m = decodeModel(new Uint8Array(readFileSync('/tmp/tv/swin_small-op17.onnx')), 'm');
const ts = findTargets(m, ['onnx::MatMul_634', 'onnx::MatMul_641', 'onnx::MatMul_631']);
if (typeof ts === 'string') throw new Error(ts);
for (const t of ts) { const r = residualPath(m, t); console.log(t.tensor.name, t.node.opType, t.node.name, t.kind, t.rows, t.groups, r?.other); }
