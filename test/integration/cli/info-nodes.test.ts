// `prunescope info MODEL --nodes --where QUERY` as a user runs it: the sample MLP's per-node rows
// against its layer sizes (fc2: 1000×1000 weights + 1000 biases, 1000·1000 MACs at batch 1), the
// filter, and a bad query named on stderr with exit code 2.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, prunescope } from '../../support/cli';

const MLP = join(ROOT, 'resources', 'sample-mlp.onnx');

describe('info --nodes', () => {
  it('lists every node, and --where keeps the matching ones', () => {
    const all = JSON.parse(prunescope(['info', MLP, '--nodes', '--json']).stdout);
    expect(all.nodes.map((n: { opType: string }) => n.opType)).toEqual(['Flatten', 'Gemm', 'Relu', 'Gemm', 'Relu', 'Gemm']);
    expect(all.totals.macs).toBe(784 * 1000 + 1000 * 1000 + 1000 * 10);
    const r = prunescope(['info', MLP, '--where', 'op:Gemm macs>900k', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.nodes).toHaveLength(1);
    expect(j.nodes[0]).toMatchObject({ opType: 'Gemm', params: 1000 * 1000 + 1000, macs: 1000 * 1000, bytes: 4 * 1_001_000 });
    const text = prunescope(['info', MLP, '--nodes', '--where', 'sparsity<0.5']).stdout;
    expect(text).toContain('3 of 6 nodes where sparsity<0.5');
  });

  it('a bad query names the term', () => {
    const r = prunescope(['info', MLP, '--nodes', '--where', 'flops>1M']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown measure "flops"');
  });
});
