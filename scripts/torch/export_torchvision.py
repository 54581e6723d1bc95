# Exports torchvision architectures with random (untrained, seeded) weights to /tmp/prunescope-tv
# (or --out), for scripts/check-exports.ts: the networks people bring, as torch.onnx.export writes
# them — merged equal initializers, Identity-aliased biases, Mod/Pad/Slice shape arithmetic (Swin),
# channels-last LayerNorm (ConvNeXt), nn.MultiheadAttention (ViT). Not committed (5–47 MB each).
# `--set more`: further architectures (Concat-heavy DenseNet and Inception, grouped ResNeXt, VGG,
# AlexNet, MobileNetV3-large, EfficientNetV2, RegNetX, segmentation heads with dilations and
# bilinear Resize, a small U-Net with ConvTranspose and nearest Upsample).
# Needs Debian's python3-torch and python3-torchvision. Usage:
#   /usr/bin/python3 scripts/torch/export_torchvision.py [--out DIR] [--opset 13] [--set first|more]
import argparse, os
import torch
import torchvision.models as tvm
import torchvision.models.segmentation as tvs
from torchvision.models.vision_transformer import VisionTransformer
from torchvision.models.convnext import ConvNeXt, CNBlockConfig
from torchvision.models.swin_transformer import SwinTransformer


def small_vit():
    m = VisionTransformer(image_size=32, patch_size=8, num_layers=2, num_heads=2, hidden_dim=32, mlp_dim=64, num_classes=10)
    torch.nn.init.normal_(m.heads.head.weight, std=0.2)  # torchvision zeroes the head: the logits would all be 0
    return m


SMALL = {  # input 32×32
    'vit_small': small_vit,
    'convnext_small': lambda: ConvNeXt([CNBlockConfig(16, 32, 1), CNBlockConfig(32, None, 1)], num_classes=10),
    'swin_small': lambda: SwinTransformer(patch_size=[4, 4], embed_dim=16, depths=[1, 1], num_heads=[2, 2], window_size=[4, 4], num_classes=10),
}
class Segmentation(torch.nn.Module):
    """torchvision's segmentation models return a dict: export its 'out' tensor."""

    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, x):
        return self.m(x)['out']


class TinyUNet(torch.nn.Module):
    """Down by strided Conv, up by ConvTranspose and by nearest Upsample, skips by Concat."""

    def __init__(self):
        super().__init__()
        c = torch.nn.Conv2d
        self.e1 = torch.nn.Sequential(c(3, 8, 3, padding=1), torch.nn.BatchNorm2d(8), torch.nn.ReLU())
        self.e2 = torch.nn.Sequential(c(8, 16, 3, stride=2, padding=1), torch.nn.BatchNorm2d(16), torch.nn.ReLU())
        self.e3 = torch.nn.Sequential(c(16, 32, 3, stride=2, padding=1), torch.nn.ReLU())
        self.up1 = torch.nn.ConvTranspose2d(32, 16, 2, stride=2)
        self.d1 = torch.nn.Sequential(c(32, 16, 3, padding=1), torch.nn.ReLU())
        self.up2 = torch.nn.Upsample(scale_factor=2, mode='nearest')
        self.d2 = torch.nn.Sequential(c(24, 8, 3, padding=1), torch.nn.ReLU())
        self.out = c(8, 4, 1)

    def forward(self, x):
        a = self.e1(x)
        b = self.e2(a)
        y = self.up1(self.e3(b))
        y = self.d1(torch.cat([y, b], 1))
        y = self.d2(torch.cat([self.up2(y), a], 1))
        return self.out(y)


MORE = {  # name: (constructor, input size)
    'densenet121': (lambda: tvm.densenet121(weights=None), 224),
    'googlenet': (lambda: tvm.googlenet(weights=None, aux_logits=False, init_weights=True), 224),
    'inception_v3': (lambda: tvm.inception_v3(weights=None, aux_logits=False, init_weights=True), 299),
    'vgg11': (lambda: tvm.vgg11(weights=None), 224),
    'alexnet': (lambda: tvm.alexnet(weights=None), 224),
    'resnext50_32x4d': (lambda: tvm.resnext50_32x4d(weights=None), 224),
    'mobilenet_v3_large': (lambda: tvm.mobilenet_v3_large(weights=None), 224),
    'efficientnet_v2_s': (lambda: tvm.efficientnet_v2_s(weights=None), 224),
    'regnet_x_400mf': (lambda: tvm.regnet_x_400mf(weights=None), 224),
    'lraspp_mobilenet_v3_large': (lambda: Segmentation(tvs.lraspp_mobilenet_v3_large(weights=None, weights_backbone=None)), 224),
    'deeplabv3_mobilenet_v3_large': (lambda: Segmentation(tvs.deeplabv3_mobilenet_v3_large(weights=None, weights_backbone=None)), 224),
    'tiny_unet': (TinyUNet, 64),
}

FULL = ['resnet18', 'mobilenet_v2', 'mobilenet_v3_small', 'squeezenet1_1', 'shufflenet_v2_x0_5', 'efficientnet_b0', 'mnasnet0_5', 'regnet_y_400mf']  # input 224×224


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--out', default='/tmp/prunescope-tv')
    ap.add_argument('--opset', type=int, default=13)
    ap.add_argument('--set', choices=['first', 'more'], default='first')
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    torch.manual_seed(0)
    if a.set == 'more':
        todo = [(n, make, size) for n, (make, size) in MORE.items()]
    else:
        todo = [(n, SMALL[n], 32) for n in SMALL] + [(n, (lambda n=n: getattr(tvm, n)(weights=None)), 224) for n in FULL]
    for name, make, size in todo:
        m = make().eval()
        path = os.path.join(a.out, f'{name}-{size}-op{max(a.opset, 14) if name in SMALL else a.opset}.onnx')
        torch.onnx.export(m, torch.randn(1, 3, size, size), path, input_names=['x'], output_names=['logits'],
                          dynamic_axes={'x': {0: 'N'}, 'logits': {0: 'N'}}, opset_version=max(a.opset, 14) if name in SMALL else a.opset)
        print('wrote', path)


if __name__ == '__main__':
    main()
