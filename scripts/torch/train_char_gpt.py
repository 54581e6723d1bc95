# Trains a character-level GPT (the GPT of make_transformers.py: 2 pre-norm blocks, d_model 64,
# 4 heads, MLP 128, causal mask, tanh GELU) on text tokenised into character ids, and writes into
# test/models/language/:
#   char-gpt.onnx   input_ids int64 [N, T] -> logits [N, T, V] (T <= 32), opset 16
#   char-test.npy   held-out ids int64 [N, 32]: the last 10% of the text, never trained on
#   vocab.txt       the characters of ids 0..V-1, one per line as its Unicode code point
# The text: the GNU licence texts Debian ships in /usr/share/common-licenses (GPL-3, LGPL-2.1,
# GFDL-1.3, Apache-2.0), verbatim copies of which anyone may make. Plain ASCII; ids are the sorted
# distinct characters.
#
# Usage: /usr/bin/python3 scripts/torch/train_char_gpt.py [--steps 1500] [--out test/models/language]
import argparse, os, sys
import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(__file__))
import make_transformers as mt  # noqa: E402

FILES = ['GPL-3', 'LGPL-2.1', 'GFDL-1.3', 'Apache-2.0']
T = 32


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--out', default='test/models/language')
    ap.add_argument('--steps', type=int, default=1500)
    ap.add_argument('--test-sequences', type=int, default=64)
    a = ap.parse_args()
    torch.manual_seed(17)
    torch.set_num_threads(1)
    text = ''.join(open(os.path.join('/usr/share/common-licenses', f), encoding='utf-8').read() for f in FILES)
    chars = sorted(set(text))
    mt.VOCAB = len(chars)
    index = {c: i for i, c in enumerate(chars)}
    ids = np.array([index[c] for c in text], dtype=np.int64)
    split = int(len(ids) * 0.9)
    train, held = torch.from_numpy(ids[:split]), ids[split:]
    model = mt.Gpt()
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.01)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, a.steps)
    for step in range(a.steps):
        at = torch.randint(0, len(train) - T - 1, (64,))
        x = torch.stack([train[i:i + T] for i in at])
        y = torch.stack([train[i + 1:i + T + 1] for i in at])
        loss = F.cross_entropy(model(x).reshape(-1, mt.VOCAB), y.reshape(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        if step % 250 == 0 or step == a.steps - 1:
            print(f'step {step}: train loss {loss.item():.3f}', flush=True)
    # Held-out sequences: consecutive, non-overlapping windows of T ids.
    n = min(a.test_sequences, len(held) // T)
    test = held[:n * T].reshape(n, T)
    model.eval()
    with torch.no_grad():
        x = torch.from_numpy(test)
        logits = model(x)
        loss = F.cross_entropy(logits[:, :-1].reshape(-1, mt.VOCAB), x[:, 1:].reshape(-1)).item()
    print(f'held-out next-token loss {loss:.4f}, perplexity {np.exp(loss):.3f} ({n} x {T} ids, vocabulary {mt.VOCAB})')
    os.makedirs(a.out, exist_ok=True)
    path = os.path.join(a.out, 'char-gpt.onnx')
    with torch.no_grad():
        torch.onnx.export(model, (x[:2, :16],), path, input_names=['input_ids'], output_names=['logits'],
                          dynamic_axes={'input_ids': {0: 'N', 1: 'T'}, 'logits': {0: 'N', 1: 'T'}},
                          opset_version=16, do_constant_folding=True)
    np.save(os.path.join(a.out, 'char-test.npy'), test)
    with open(os.path.join(a.out, 'vocab.txt'), 'w') as f:
        f.write(''.join(f'{ord(c)}\n' for c in chars))
    print(f'{path}: {os.path.getsize(path)} bytes')


if __name__ == '__main__':
    main()
