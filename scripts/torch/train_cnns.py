# Trains three small CNNs on Fashion-MNIST with Debian's python3-torch and writes them as
# torch.onnx.export writes them, into test/models/cnn/:
#   lenet.onnx      LeNet-5 style: Conv 5x5, ReLU, MaxPool, Gemm layers          (opset 11)
#   resnet.onnx     ResNet style: Conv + BatchNormalization kept in the graph, residual Add,
#                   a strided 1x1 projection, GlobalAveragePool, Gemm             (opset 13)
#   mobilenet.onnx  MobileNetV2/V3 style: inverted residuals (1x1 expand, 3x3 depthwise,
#                   1x1 project), ReLU6 (Clip), squeeze-excite with HardSigmoid, HardSwish,
#                   BatchNormalization folded by the exporter                     (opset 17)
# Input: x [N, 1, 28, 28] float32, pixels / 255 (the IDX convention Prunescope reads); output:
# logits [N, 10]. The test accuracy on the 10,000 t10k images is stored in the model's metadata
# (the test set is only measured, never used to choose anything).
#
# Usage: /usr/bin/python3 scripts/torch/train_cnns.py [--data /usr/share/datasets/fashion-mnist]
#        [--epochs 3] [--subset 60000] [--only lenet,resnet,mobilenet] [--out test/models/cnn]
import argparse, gzip, os, struct
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import onnx


def read_idx(path):
    with gzip.open(path, 'rb') as f:
        data = f.read()
    ndim = data[3]
    dims = struct.unpack('>' + 'I' * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


class LeNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 6, 5, padding=2)
        self.c2 = nn.Conv2d(6, 16, 5)
        self.f1 = nn.Linear(16 * 5 * 5, 120)
        self.f2 = nn.Linear(120, 84)
        self.f3 = nn.Linear(84, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.c1(x)), 2)
        x = F.max_pool2d(F.relu(self.c2(x)), 2)
        x = torch.flatten(x, 1)
        return self.f3(F.relu(self.f2(F.relu(self.f1(x)))))


class Basic(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.a = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.an = nn.BatchNorm2d(cout)
        self.b = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn = nn.BatchNorm2d(cout)
        self.skip = None
        if stride != 1 or cin != cout:
            self.skip = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = self.bn(self.b(F.relu(self.an(self.a(x)))))
        return F.relu(y + (x if self.skip is None else self.skip(x)))


class ResNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16), nn.ReLU())
        self.blocks = nn.Sequential(Basic(16, 16, 1), Basic(16, 32, 2), Basic(32, 64, 2))
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        x = self.blocks(self.stem(x))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


class SqueezeExcite(nn.Module):
    def __init__(self, c, r=4):
        super().__init__()
        self.a = nn.Conv2d(c, c // r, 1)
        self.b = nn.Conv2d(c // r, c, 1)

    def forward(self, x):
        s = F.adaptive_avg_pool2d(x, 1)
        return x * F.hardsigmoid(self.b(F.relu(self.a(s))))


class Inverted(nn.Module):
    def __init__(self, cin, cout, stride, expand, se=False, hswish=False):
        super().__init__()
        mid = cin * expand
        act = nn.Hardswish if hswish else nn.ReLU6
        self.body = nn.Sequential(
            nn.Conv2d(cin, mid, 1, bias=False), nn.BatchNorm2d(mid), act(),
            nn.Conv2d(mid, mid, 3, stride, 1, groups=mid, bias=False), nn.BatchNorm2d(mid), act(),
            *( [SqueezeExcite(mid)] if se else [] ),
            nn.Conv2d(mid, cout, 1, bias=False), nn.BatchNorm2d(cout))
        self.residual = stride == 1 and cin == cout

    def forward(self, x):
        y = self.body(x)
        return x + y if self.residual else y


class MobileNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, 16, 3, 2, 1, bias=False), nn.BatchNorm2d(16), nn.ReLU6())
        self.blocks = nn.Sequential(
            Inverted(16, 16, 1, 2),
            Inverted(16, 24, 2, 4),
            Inverted(24, 24, 1, 3),
            Inverted(24, 40, 1, 3, se=True, hswish=True),
            Inverted(40, 40, 1, 3, se=True, hswish=True))
        self.head = nn.Sequential(nn.Conv2d(40, 96, 1, bias=False), nn.BatchNorm2d(96), nn.Hardswish())
        self.fc = nn.Linear(96, 10)

    def forward(self, x):
        x = self.head(self.blocks(self.stem(x)))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


SPECS = {
    'lenet': (LeNet, 11, torch.onnx.TrainingMode.EVAL),
    'resnet': (ResNet, 13, torch.onnx.TrainingMode.PRESERVE),
    'mobilenet': (MobileNet, 17, torch.onnx.TrainingMode.EVAL),
}


def accuracy(model, x, y):
    model.eval()
    with torch.no_grad():
        pred = torch.cat([model(x[i:i + 1000]).argmax(1) for i in range(0, len(x), 1000)])
    return (pred == y).float().mean().item()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', default='/usr/share/datasets/fashion-mnist')
    ap.add_argument('--epochs', type=int, default=3)
    ap.add_argument('--subset', type=int, default=60000)
    ap.add_argument('--only', default='lenet,resnet,mobilenet')
    ap.add_argument('--out', default=os.path.join(os.path.dirname(__file__), '../../test/models/cnn'))
    a = ap.parse_args()
    torch.manual_seed(1)
    np.random.seed(1)
    tx = torch.from_numpy(read_idx(f'{a.data}/train-images-idx3-ubyte.gz')[:a.subset].astype(np.float32) / 255).unsqueeze(1)
    ty = torch.from_numpy(read_idx(f'{a.data}/train-labels-idx1-ubyte.gz')[:a.subset].astype(np.int64))
    vx = torch.from_numpy(read_idx(f'{a.data}/t10k-images-idx3-ubyte.gz').astype(np.float32) / 255).unsqueeze(1)
    vy = torch.from_numpy(read_idx(f'{a.data}/t10k-labels-idx1-ubyte.gz').astype(np.int64))
    os.makedirs(a.out, exist_ok=True)
    for name in a.only.split(','):
        cls, opset, mode = SPECS[name]
        torch.manual_seed(2)
        model = cls()
        opt = torch.optim.Adam(model.parameters(), lr=2e-3)
        sched = torch.optim.lr_scheduler.OneCycleLR(opt, 4e-3, total_steps=a.epochs * ((len(tx) + 127) // 128))
        for epoch in range(a.epochs):
            model.train()
            perm = torch.randperm(len(tx))
            for i in range(0, len(tx), 128):
                idx = perm[i:i + 128]
                loss = F.cross_entropy(model(tx[idx]), ty[idx])
                opt.zero_grad()
                loss.backward()
                opt.step()
                sched.step()
            print(f'{name} epoch {epoch + 1}: loss {loss.item():.3f}', flush=True)
        acc = accuracy(model, vx, vy)
        model.eval()
        path = os.path.join(a.out, f'{name}.onnx')
        torch.onnx.export(model, torch.zeros(1, 1, 28, 28), path, opset_version=opset, training=mode,
                          do_constant_folding=True, input_names=['x'], output_names=['logits'],
                          dynamic_axes={'x': {0: 'N'}, 'logits': {0: 'N'}})
        m = onnx.load(path)
        onnx.checker.check_model(m)
        for k, v in (('test_accuracy', f'{acc:.4f}'), ('dataset', 'Fashion-MNIST t10k (10,000), pixels / 255'),
                     ('training', f'{a.epochs} epochs on {len(tx)} train images, Adam, one-cycle 4e-3, batch 128, seed 2'),
                     ('script', 'scripts/torch/train_cnns.py')):
            p = m.metadata_props.add()
            p.key, p.value = k, v
        onnx.save(m, path)
        ops = sorted({n.op_type for n in m.graph.node})
        print(f'{name}: test accuracy {acc:.4f}, {os.path.getsize(path)} bytes, ops {ops}', flush=True)


if __name__ == '__main__':
    main()
