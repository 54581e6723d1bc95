# Exports torchvision architectures with random (untrained, seeded) weights to /tmp/prunescope-tv
# (or --out), for scripts/check-exports.ts: the networks people bring, as torch.onnx.export writes
# them — merged equal initializers, Identity-aliased biases, Mod/Pad/Slice shape arithmetic (Swin),
# channels-last LayerNorm (ConvNeXt), nn.MultiheadAttention (ViT). Not committed (5–47 MB each).
# Needs Debian's python3-torch and python3-torchvision. Usage:
#   /usr/bin/python3 scripts/torch/export_torchvision.py [--out DIR] [--opset 13]
import argparse, os
import torch
import torchvision.models as tvm
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
FULL = ['resnet18', 'mobilenet_v2', 'mobilenet_v3_small', 'squeezenet1_1', 'shufflenet_v2_x0_5', 'efficientnet_b0', 'mnasnet0_5', 'regnet_y_400mf']  # input 224×224


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--out', default='/tmp/prunescope-tv')
    ap.add_argument('--opset', type=int, default=13)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    torch.manual_seed(0)
    todo = [(n, SMALL[n], 32) for n in SMALL] + [(n, (lambda n=n: getattr(tvm, n)(weights=None)), 224) for n in FULL]
    for name, make, size in todo:
        m = make().eval()
        path = os.path.join(a.out, f'{name}-{size}-op{max(a.opset, 14) if name in SMALL else a.opset}.onnx')
        torch.onnx.export(m, torch.randn(1, 3, size, size), path, input_names=['x'], output_names=['logits'],
                          dynamic_axes={'x': {0: 'N'}, 'logits': {0: 'N'}}, opset_version=max(a.opset, 14) if name in SMALL else a.opset)
        print('wrote', path)


if __name__ == '__main__':
    main()
