# Writes the small models of test/models/structured/, on which the channel-pruning tests check the
# dependency analysis against onnxruntime-node. Random weights (seeded), random BatchNormalization
# statistics so that normalisation is not the identity; every model maps x [N, 1, 12, 12] (or
# [N, 32] for the MLPs) to logits [N, 10]. Written by torch.onnx.export (Debian's python3-torch
# 1.13) unless said otherwise:
#   mlp_gemm.onnx        nn.Linear chain: Gemm transB 1, Relu                           (opset 13)
#   mlp_matmul.onnx      weights stored [in, out], x @ W + b: MatMul + Add, Relu          (opset 13)
#   mlp_gemm_transb0.onnx  the same weights as Gemm transB 0: written with onnx.helper, because
#                        torch.onnx.export always writes nn.Linear as Gemm transB 1      (opset 13)
#   conv_bn.onnx         Conv + BatchNormalization kept (TrainingMode.PRESERVE, eval mode,
#                        no constant folding), Relu, MaxPool, Flatten, Gemm              (opset 13)
#   residual.onnx        Conv-BN-Relu-Conv-BN + identity skip (Add), Relu, a strided block
#                        with a 1x1 projection, GlobalAveragePool, Flatten, Gemm          (opset 13)
#   depthwise.onnx       1x1 expand, 3x3 depthwise (group = channels), ReLU6, 1x1 project,
#                        squeeze-excite gate (GlobalAveragePool, Conv, Relu, Conv, Sigmoid, Mul) (opset 13)
#   flatten_reshape.onnx Conv, Relu, x.reshape(-1, C*H*W) (Reshape with a constant shape) into
#                        Linear, and a Concat of two Conv branches along channels         (opset 13)
#   upsample.onnx        Conv, Relu, F.interpolate(scale_factor=2) (Resize with constant scales),
#                        Conv, GlobalAveragePool, Flatten, Gemm                           (opset 13)
#   channels_last.onnx   x [N, 12, 12, 1] (NHWC, as Keras feeds images) permuted to NCHW, two Convs,
#                        then permuted back to NHWC and flattened into Linear, as a Keras model
#                        ported to torch (and tf2onnx's Transpose before Reshape) does: the
#                        flattened vector holds the channels H×W times over, C fastest     (opset 13)
#   reduce_squeeze.onnx  x.mean((2, 3)) (ReduceMean, keepdims 0) into a squeeze-excite pair of
#                        Linears whose gate is unsqueezed twice (Unsqueeze) onto the Conv output,
#                        then x.mean((2, 3), keepdim=True).squeeze(3).squeeze(2) (ReduceMean,
#                        Squeeze) and x.amax((2, 3)) (ReduceMax) into the classifier      (opset 13)
#   computed_resize.onnx F.interpolate(b, size=a.shape[-2:], mode='bilinear'): a Resize whose sizes
#                        are computed when the model runs (Shape, Slice, Concat), as segmentation
#                        heads write it, then Concat with a and a Conv                    (opset 13)
#   conv_transpose.onnx  a strided Conv down, ConvTranspose(12→8, 2, stride 2) up, Concat with the
#                        skip, Conv, as a U-Net decoder has it                            (opset 13)
#   grouped.onnx         a ResNeXt bottleneck: 1x1 (16→24), 3x3 in 4 groups, 1x1 (24→16) + identity
#                        skip, then a strided 3x3 in 2 groups reading the sum, mean into Linear (opset 13)
#
# Usage: /usr/bin/python3 scripts/torch/make_structured.py [--out test/models/structured]
import argparse, os
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import onnx
from onnx import helper, numpy_helper


def randomize_bn(model):
    g = torch.Generator().manual_seed(7)
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            c = m.num_features
            m.weight.data = torch.rand(c, generator=g) + 0.5
            m.bias.data = torch.randn(c, generator=g) * 0.2
            m.running_mean = torch.randn(c, generator=g) * 0.2
            m.running_var = torch.rand(c, generator=g) + 0.5


class MlpGemm(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(32, 48)
        self.b = nn.Linear(48, 40)
        self.c = nn.Linear(40, 10)

    def forward(self, x):
        return self.c(F.relu(self.b(F.relu(self.a(x)))))


class MlpMatMul(nn.Module):
    def __init__(self, src):
        super().__init__()
        self.w = nn.ParameterList([nn.Parameter(l.weight.detach().t().contiguous()) for l in (src.a, src.b, src.c)])
        self.bias = nn.ParameterList([nn.Parameter(l.bias.detach().clone()) for l in (src.a, src.b, src.c)])

    def forward(self, x):
        x = F.relu(x @ self.w[0] + self.bias[0])
        x = F.relu(x @ self.w[1] + self.bias[1])
        return x @ self.w[2] + self.bias[2]


class ConvBn(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 8, 3, padding=1)
        self.n1 = nn.BatchNorm2d(8)
        self.c2 = nn.Conv2d(8, 12, 3, padding=1, bias=False)
        self.n2 = nn.BatchNorm2d(12)
        self.fc = nn.Linear(12 * 6 * 6, 10)

    def forward(self, x):
        x = F.relu(self.n1(self.c1(x)))
        x = F.max_pool2d(F.relu(self.n2(self.c2(x))), 2)
        return self.fc(torch.flatten(x, 1))


class Residual(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(1, 8, 3, padding=1, bias=False)
        self.sn = nn.BatchNorm2d(8)
        self.a = nn.Conv2d(8, 8, 3, padding=1, bias=False)
        self.an = nn.BatchNorm2d(8)
        self.b = nn.Conv2d(8, 8, 3, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(8)
        self.c = nn.Conv2d(8, 16, 3, stride=2, padding=1, bias=False)
        self.cn = nn.BatchNorm2d(16)
        self.proj = nn.Conv2d(8, 16, 1, stride=2, bias=False)
        self.pn = nn.BatchNorm2d(16)
        self.fc = nn.Linear(16, 10)

    def forward(self, x):
        x = F.relu(self.sn(self.stem(x)))
        x = F.relu(x + self.bn(self.b(F.relu(self.an(self.a(x))))))
        x = F.relu(self.cn(self.c(x)) + self.pn(self.proj(x)))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


class Depthwise(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(1, 8, 3, padding=1)
        self.expand = nn.Conv2d(8, 24, 1)
        self.dw = nn.Conv2d(24, 24, 3, padding=1, groups=24)
        self.se_a = nn.Conv2d(24, 6, 1)
        self.se_b = nn.Conv2d(6, 24, 1)
        self.project = nn.Conv2d(24, 8, 1)
        self.fc = nn.Linear(8, 10)

    def forward(self, x):
        x = F.relu6(self.stem(x))
        y = F.relu6(self.dw(F.relu6(self.expand(x))))
        g = torch.sigmoid(self.se_b(F.relu(self.se_a(F.adaptive_avg_pool2d(y, 1)))))
        x = x + self.project(y * g)
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


class FlattenReshape(nn.Module):
    def __init__(self):
        super().__init__()
        self.l = nn.Conv2d(1, 6, 3, padding=1)
        self.r = nn.Conv2d(1, 4, 5, padding=2)
        self.c = nn.Conv2d(10, 8, 3, stride=2, padding=1)
        self.fc1 = nn.Linear(8 * 6 * 6, 24)
        self.fc2 = nn.Linear(24, 10)

    def forward(self, x):
        x = torch.cat([F.relu(self.l(x)), torch.tanh(self.r(x))], 1)
        x = F.relu(self.c(x))
        return self.fc2(F.relu(self.fc1(x.reshape(-1, 8 * 6 * 6))))


class Upsample(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Conv2d(1, 8, 3, stride=2, padding=1)
        self.b = nn.Conv2d(8, 12, 3, padding=1)
        self.fc = nn.Linear(12, 10)

    def forward(self, x):
        x = F.interpolate(F.relu(self.a(x)), scale_factor=2.0, mode='nearest')
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(F.relu(self.b(x)), 1), 1))


def export(model, shape, path, mode=torch.onnx.TrainingMode.EVAL, folding=True):
    model.eval()
    torch.onnx.export(model, torch.zeros(*shape), path, opset_version=13, training=mode, do_constant_folding=folding,
                      input_names=['x'], output_names=['logits'], dynamic_axes={'x': {0: 'N'}, 'logits': {0: 'N'}})
    onnx.checker.check_model(onnx.load(path))
    print('wrote', path)


class ChannelsLast(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Conv2d(1, 8, 3, padding=1)
        self.b = nn.Conv2d(8, 12, 3, stride=2, padding=1)
        self.fc1 = nn.Linear(6 * 6 * 12, 16)
        self.fc2 = nn.Linear(16, 10)

    def forward(self, x):
        x = F.relu(self.a(x.permute(0, 3, 1, 2)))
        x = F.relu(self.b(x))
        return self.fc2(F.relu(self.fc1(torch.flatten(x.permute(0, 2, 3, 1), 1))))


class ReduceSqueeze(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Conv2d(1, 8, 3, padding=1)
        self.b = nn.Conv2d(8, 16, 3, stride=2, padding=1)
        self.se_a = nn.Linear(16, 4)
        self.se_b = nn.Linear(4, 16)
        self.fc = nn.Linear(32, 10)

    def forward(self, x):
        x = F.relu(self.b(F.relu(self.a(x))))
        g = torch.sigmoid(self.se_b(F.relu(self.se_a(x.mean((2, 3))))))
        x = x * g.unsqueeze(-1).unsqueeze(-1)
        y = torch.cat([x.mean((2, 3), keepdim=True).squeeze(3).squeeze(2), x.amax((2, 3))], 1)
        return self.fc(y)


class ComputedResize(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Conv2d(1, 8, 3, padding=1)
        self.b = nn.Conv2d(8, 8, 3, stride=2, padding=1)
        self.d = nn.Conv2d(16, 12, 3, padding=1)
        self.fc = nn.Linear(12, 10)

    def forward(self, x):
        a = F.relu(self.a(x))
        b = F.relu(self.b(a))
        up = F.interpolate(b, size=a.shape[-2:], mode='bilinear', align_corners=False)
        d = F.relu(self.d(torch.cat([a, up], 1)))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(d, 1), 1))


class ConvTransposeNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Conv2d(1, 8, 3, padding=1)
        self.b = nn.Conv2d(8, 12, 3, stride=2, padding=1)
        self.up = nn.ConvTranspose2d(12, 8, 2, stride=2)
        self.d = nn.Conv2d(16, 8, 3, padding=1)
        self.fc = nn.Linear(8, 10)

    def forward(self, x):
        a = F.relu(self.a(x))
        u = F.relu(self.up(F.relu(self.b(a))))
        d = F.relu(self.d(torch.cat([a, u], 1)))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(d, 1), 1))


class GroupedNet(nn.Module):
    # A ResNeXt bottleneck (1x1, 3x3 in 4 groups, 1x1, identity skip), then a strided 3x3 in 2
    # groups reading the residual sum (RegNet-style), averaged into the classifier.
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(1, 16, 3, padding=1)
        self.a = nn.Conv2d(16, 24, 1)
        self.b = nn.Conv2d(24, 24, 3, padding=1, groups=4)
        self.c = nn.Conv2d(24, 16, 1)
        self.d = nn.Conv2d(16, 32, 3, stride=2, padding=1, groups=2)
        self.fc = nn.Linear(32, 10)

    def forward(self, x):
        s = F.relu(self.stem(x))
        y = F.relu(self.b(F.relu(self.a(s))))
        y = F.relu(self.c(y) + s)
        return self.fc(F.relu(self.d(y)).mean((2, 3)))


def gemm_transb0(src, path):
    inits, nodes, prev = [], [], 'x'
    for k, l in enumerate((src.a, src.b, src.c)):
        w = numpy_helper.from_array(l.weight.detach().numpy().T.copy(), f'fc{k}.weight')
        b = numpy_helper.from_array(l.bias.detach().numpy().copy(), f'fc{k}.bias')
        inits += [w, b]
        out = 'logits' if k == 2 else f'h{k}'
        nodes.append(helper.make_node('Gemm', [prev, w.name, b.name], [out], name=f'fc{k}', transB=0))
        if k < 2:
            nodes.append(helper.make_node('Relu', [out], [f'r{k}'], name=f'relu{k}'))
            prev = f'r{k}'
    graph = helper.make_graph(nodes, 'mlp_gemm_transb0', [helper.make_tensor_value_info('x', onnx.TensorProto.FLOAT, ['N', 32])],
                              [helper.make_tensor_value_info('logits', onnx.TensorProto.FLOAT, ['N', 10])], inits)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 13)], producer_name='make_structured.py')
    m.ir_version = 8
    onnx.checker.check_model(m)
    onnx.save(m, path)
    print('wrote', path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--out', default='test/models/structured')
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    torch.manual_seed(1)
    mlp = MlpGemm()
    export(mlp, (1, 32), os.path.join(args.out, 'mlp_gemm.onnx'))
    export(MlpMatMul(mlp), (1, 32), os.path.join(args.out, 'mlp_matmul.onnx'))
    gemm_transb0(mlp, os.path.join(args.out, 'mlp_gemm_transb0.onnx'))
    for name, cls, mode, folding in (('conv_bn', ConvBn, torch.onnx.TrainingMode.PRESERVE, False),
                                     ('residual', Residual, torch.onnx.TrainingMode.PRESERVE, False),
                                     ('depthwise', Depthwise, torch.onnx.TrainingMode.EVAL, True),
                                     ('flatten_reshape', FlattenReshape, torch.onnx.TrainingMode.EVAL, True),
                                     ('upsample', Upsample, torch.onnx.TrainingMode.EVAL, True)):
        model = cls()
        randomize_bn(model)
        export(model, (1, 1, 12, 12), os.path.join(args.out, f'{name}.onnx'), mode, folding)
    export(ChannelsLast(), (1, 12, 12, 1), os.path.join(args.out, 'channels_last.onnx'))
    export(ReduceSqueeze(), (1, 1, 12, 12), os.path.join(args.out, 'reduce_squeeze.onnx'))
    export(ComputedResize(), (1, 1, 12, 12), os.path.join(args.out, 'computed_resize.onnx'))
    export(ConvTransposeNet(), (1, 1, 12, 12), os.path.join(args.out, 'conv_transpose.onnx'))
    export(GroupedNet(), (1, 1, 12, 12), os.path.join(args.out, 'grouped.onnx'))


if __name__ == '__main__':
    main()
