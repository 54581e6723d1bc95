# Trains the ViT of make_transformers.py (7x7 patches, CLS token, 2 pre-norm blocks, d_model 64,
# 4 heads, MLP 128, exact GELU, Einsum attention) on Fashion-MNIST and writes it as
# torch.onnx.export writes it (opset 17) to test/models/transformers/vit-fashion.onnx.
# Input x [N, 1, 28, 28] float32 = pixels / 255; output logits [N, 10]. The t10k accuracy is stored
# in the model's metadata (the test set is only measured, never used to choose anything).
#
# Usage: /usr/bin/python3 scripts/torch/train_vit.py [--epochs 4] [--threads 1]
import argparse, os, sys
import numpy as np
import torch
import torch.nn.functional as F
import onnx

sys.path.insert(0, os.path.dirname(__file__))
from make_transformers import ViT  # noqa: E402
from train_cnns import read_idx, accuracy  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', default='/usr/share/datasets/fashion-mnist')
    ap.add_argument('--epochs', type=int, default=4)
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--out', default=os.path.join(os.path.dirname(__file__), '../../test/models/transformers/vit-fashion.onnx'))
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(3)
    tx = torch.from_numpy(read_idx(f'{a.data}/train-images-idx3-ubyte.gz').astype(np.float32) / 255).unsqueeze(1)
    ty = torch.from_numpy(read_idx(f'{a.data}/train-labels-idx1-ubyte.gz').astype(np.int64))
    vx = torch.from_numpy(read_idx(f'{a.data}/t10k-images-idx3-ubyte.gz').astype(np.float32) / 255).unsqueeze(1)
    vy = torch.from_numpy(read_idx(f'{a.data}/t10k-labels-idx1-ubyte.gz').astype(np.int64))
    model = ViT()
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=0.01)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, 3e-3, total_steps=a.epochs * ((len(tx) + 127) // 128))
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
        print(f'vit epoch {epoch + 1}: loss {loss.item():.3f}', flush=True)
    acc = accuracy(model, vx, vy)
    model.eval()
    torch.onnx.export(model, torch.zeros(1, 1, 28, 28), a.out, opset_version=17, do_constant_folding=True,
                      input_names=['x'], output_names=['logits'], dynamic_axes={'x': {0: 'N'}, 'logits': {0: 'N'}})
    m = onnx.load(a.out)
    onnx.checker.check_model(m)
    for k, v in (('test_accuracy', f'{acc:.4f}'), ('dataset', 'Fashion-MNIST t10k (10,000), pixels / 255'),
                 ('training', f'{a.epochs} epochs on {len(tx)} train images, AdamW, one-cycle 3e-3, batch 128, seed 3'),
                 ('script', 'scripts/torch/train_vit.py')):
        p = m.metadata_props.add()
        p.key, p.value = k, v
    onnx.save(m, a.out)
    print(f'vit: test accuracy {acc:.4f}, {os.path.getsize(a.out)} bytes', flush=True)


if __name__ == '__main__':
    main()
