# Writes test/models/structured/shared_bias.onnx: a small CNN whose Conv biases are all zero (as in
# an untrained torchvision network), which torch.onnx.export (Debian's python3-torch 1.13, opset 13)
# merges into ONE initializer read by both Convs of 12 outputs — the case channel pruning must cut differently
# for each reader. Conv(1→12) Relu Conv(12→12) Relu Conv(12→16) Relu GlobalAveragePool Flatten
# Linear(16→10); random seeded weights; x [N, 1, 12, 12] → logits [N, 10].
# Usage: /usr/bin/python3 scripts/torch/make_shared_constants.py [--out test/models/structured]
import argparse, os
import torch
import torch.nn as nn
import onnx


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 12, 3, padding=1)
        self.c2 = nn.Conv2d(12, 12, 3, padding=1)
        self.c3 = nn.Conv2d(12, 16, 3, padding=1)
        for c in (self.c1, self.c2, self.c3):
            nn.init.zeros_(c.bias)
        self.fc = nn.Linear(16, 10)

    def forward(self, x):
        x = torch.relu(self.c1(x))
        x = torch.relu(self.c2(x))
        x = torch.relu(self.c3(x))
        return self.fc(torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--out', default='test/models/structured')
    a = ap.parse_args()
    torch.manual_seed(5)
    m = Net().eval()
    path = os.path.join(a.out, 'shared_bias.onnx')
    torch.onnx.export(m, torch.randn(1, 1, 12, 12), path, input_names=['x'], output_names=['logits'],
                      dynamic_axes={'x': {0: 'N'}, 'logits': {0: 'N'}}, opset_version=13)
    g = onnx.load(path).graph
    readers = {}
    for n in g.node:
        for i in n.input:
            readers[i] = readers.get(i, 0) + 1
    shared = [t.name for t in g.initializer if readers.get(t.name, 0) > 1]
    assert shared, 'torch did not merge the zero biases: the fixture would not test sharing'
    print('wrote', path, 'shared initializers:', shared)


if __name__ == '__main__':
    main()
