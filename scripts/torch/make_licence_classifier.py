# Writes a small BERT-style classifier with the three inputs Hugging Face exports of BERT take
# (input_ids, attention_mask, token_type_ids), trained to tell which licence a window of 32
# characters comes from (Debian's /usr/share/common-licenses: GPL-3, GFDL-1.3, Apache-2.0; the
# character ids of test/models/language/vocab.txt), and its test set:
#   test/models/segments/licence-bert.onnx   inputs int64 [N, T] ×3 → logits [N, 3]   (opset 14)
#   test/models/segments/licence-test.npz    x int64 [300, 32] (100 windows of each licence from
#                                            every fifth chunk of 512 characters of its text, never
#                                            trained on), y int64 [300]
#   test/models/segments/licence-calib.npz   x int64 [96, 32] from the training part, y int64 [96]
# The encoder is make_transformers.py's (post-norm blocks, decomposed LayerNorm, additive mask) with
# a token-type embedding added, as BERT has. About 4 minutes on one CPU thread.
# Usage: /usr/bin/python3 scripts/torch/make_licence_classifier.py [--out test/models/segments]
import argparse, os, sys
import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(__file__))
from make_transformers import Block, D, MAXT  # noqa: E402

# LGPL-2.1 is left out: in windows of 32 characters it reads like the GPL.
FILES = ['GPL-3', 'GFDL-1.3', 'Apache-2.0']
T = 32


class LicenceBert(nn.Module):
    def __init__(self, vocab):
        super().__init__()
        self.tok = nn.Embedding(vocab, D)
        self.pos = nn.Embedding(MAXT, D)
        self.seg = nn.Embedding(2, D)
        self.ln = nn.LayerNorm(D)
        self.blocks = nn.ModuleList([Block(pre=False, decomposed_ln=True) for _ in range(2)])
        self.pool = nn.Linear(D, D)
        self.head = nn.Linear(D, len(FILES))

    def forward(self, input_ids, attention_mask, token_type_ids):
        t = input_ids.shape[1]
        x = self.ln(self.tok(input_ids) + self.pos(torch.arange(t, device=input_ids.device)) + self.seg(token_type_ids))
        mask_add = (1.0 - attention_mask[:, None, None, :].to(torch.float32)) * -10000.0
        for b in self.blocks:
            x = b(x, mask_add)
        return self.head(torch.tanh(self.pool(x.mean(1))))


CHUNK = 512


def split(ids):
    # Chunks of 512 characters: every fifth held out for the test set, the rest for training (both
    # from all over the text, so that they are alike; a window never crosses a chunk's end).
    chunks = [ids[i:i + CHUNK] for i in range(0, len(ids) - CHUNK + 1, CHUNK)]
    return [c for k, c in enumerate(chunks) if k % 5 != 4], [c for k, c in enumerate(chunks) if k % 5 == 4]


def windows(chunks, n, rng):
    out = []
    for _ in range(n):
        c = chunks[rng.integers(0, len(chunks))]
        s = rng.integers(0, len(c) - T + 1)
        out.append(c[s:s + T])
    return np.stack(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--out', default='test/models/segments')
    ap.add_argument('--steps', type=int, default=1000)
    a = ap.parse_args()
    torch.manual_seed(5)
    torch.set_num_threads(1)
    rng = np.random.default_rng(5)
    vocab = [int(l) for l in open('test/models/language/vocab.txt')]
    index = {c: i for i, c in enumerate(vocab)}
    texts = [np.array([index[ord(c)] for c in open(os.path.join('/usr/share/common-licenses', f), encoding='utf-8').read()], dtype=np.int64) for f in FILES]
    parts = [split(t) for t in texts]
    train = [p[0] for p in parts]
    test = [p[1] for p in parts]
    model = LicenceBert(len(vocab))
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3)
    for step in range(a.steps):
        ys = rng.integers(0, len(FILES), 64)
        x = torch.tensor(np.stack([windows(train[y], 1, rng)[0] for y in ys]))
        ones = torch.ones_like(x)
        loss = nn.functional.cross_entropy(model(x, ones, torch.zeros_like(x)), torch.tensor(ys))
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 100 == 0:
            print(f'step {step} loss {loss.item():.3f}')
    model.eval()
    xs = np.concatenate([windows(t, 100, rng) for t in test])
    ys = np.repeat(np.arange(len(FILES)), 100)
    with torch.no_grad():
        x = torch.tensor(xs)
        acc = (model(x, torch.ones_like(x), torch.zeros_like(x)).argmax(1).numpy() == ys).mean()
        print(f'held-out accuracy (torch) {acc:.4f}')
        os.makedirs(a.out, exist_ok=True)
        path = os.path.join(a.out, 'licence-bert.onnx')
        dyn = {'input_ids': {0: 'batch_size', 1: 'sequence_length'}, 'attention_mask': {0: 'batch_size', 1: 'sequence_length'},
               'token_type_ids': {0: 'batch_size', 1: 'sequence_length'}, 'logits': {0: 'batch_size'}}
        torch.onnx.export(model, (x[:2], torch.ones_like(x[:2]), torch.zeros_like(x[:2])), path,
                          input_names=['input_ids', 'attention_mask', 'token_type_ids'], output_names=['logits'],
                          dynamic_axes=dyn, opset_version=14, do_constant_folding=True)
    np.savez(os.path.join(a.out, 'licence-test.npz'), x=xs, y=ys)
    # Calibration windows from the training part (wanda, reconstruct: --calib), labelled like the test set.
    cy = np.repeat(np.arange(len(FILES)), 32)
    np.savez(os.path.join(a.out, 'licence-calib.npz'), x=np.concatenate([windows(t, 32, rng) for t in train]), y=cy)
    print(f'{path}: {os.path.getsize(path)} bytes')


if __name__ == '__main__':
    main()
