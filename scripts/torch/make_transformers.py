# Writes three small transformers (seeded random weights) as torch.onnx.export writes them, into
# test/models/transformers/:
#   vit.onnx   ViT: 7x7 stride-7 Conv patch embedding (16 patches), CLS token, position embedding,
#              2 pre-norm encoder blocks (LayerNormalization op, exact GELU as Erf, attention scores
#              by Einsum "bhid,bhjd->bhij"), classifier on the CLS token        (opset 17)
#              input x [N, 1, 28, 28] float32, output logits [N, 10]
#   bert.onnx  BERT-style encoder: token + position embeddings (Gather), post-norm blocks with the
#              LayerNorm decomposed (ReduceMean/Sub/Pow/Sqrt/Div), an additive attention mask from
#              an int64 mask input, tanh pooler on the first token, 2-class classifier  (opset 14)
#              inputs input_ids [N, T] int64, attention_mask [N, T] int64; output logits [N, 2]
#   gpt.onnx   GPT-style decoder: token + position embeddings, causal mask made in the graph from
#              torch.tril (Trilu) and applied with Where, tanh-approximate GELU, pre-norm blocks,
#              final LayerNorm and a bias-free LM head                              (opset 16)
#              input input_ids [N, T] int64; output logits [N, T, 100]
# d_model 64, 4 heads, MLP 128, 2 blocks each; N and T are dynamic (T ≤ 32).
#
# Usage: /usr/bin/python3 scripts/torch/make_transformers.py [--out test/models/transformers]
import argparse, math, os
import torch
import torch.nn as nn
import torch.nn.functional as F

D, H, FF, VOCAB, MAXT = 64, 4, 128, 100, 32


class Attention(nn.Module):
    def __init__(self, einsum=False):
        super().__init__()
        self.qkv = nn.Linear(D, 3 * D)
        self.proj = nn.Linear(D, D)
        self.einsum = einsum

    def forward(self, x, mask_add=None, causal=False):
        n, t, _ = x.shape
        q, k, v = self.qkv(x).split(D, dim=-1)
        q, k, v = [z.reshape(n, t, H, D // H).transpose(1, 2) for z in (q, k, v)]
        if self.einsum:
            s = torch.einsum('bhid,bhjd->bhij', q, k)
        else:
            s = q @ k.transpose(-2, -1)
        s = s / math.sqrt(D // H)
        if mask_add is not None:
            s = s + mask_add
        if causal:
            keep = torch.tril(torch.ones(t, t, dtype=torch.bool, device=x.device))
            s = torch.where(keep, s, torch.tensor(torch.finfo(torch.float32).min))
        p = F.softmax(s, dim=-1)
        y = (p @ v).transpose(1, 2).reshape(n, t, D)
        return self.proj(y)


class Block(nn.Module):
    def __init__(self, pre=True, einsum=False, gelu='none', decomposed_ln=False):
        super().__init__()
        self.pre = pre
        self.att = Attention(einsum)
        self.ln1 = nn.LayerNorm(D)
        self.ln2 = nn.LayerNorm(D)
        self.fc1 = nn.Linear(D, FF)
        self.fc2 = nn.Linear(FF, D)
        self.gelu = gelu
        self.decomposed_ln = decomposed_ln

    def norm(self, ln, x):
        if not self.decomposed_ln:
            return ln(x)
        # The form older exporters and Hugging Face's TF-style LayerNorm write.
        mu = x.mean(-1, keepdim=True)
        var = (x - mu).pow(2).mean(-1, keepdim=True)
        return (x - mu) / torch.sqrt(var + 1e-12) * ln.weight + ln.bias

    def mlp(self, x):
        return self.fc2(F.gelu(self.fc1(x), approximate=self.gelu))

    def forward(self, x, mask_add=None, causal=False):
        if self.pre:
            x = x + self.att(self.norm(self.ln1, x), mask_add, causal)
            return x + self.mlp(self.norm(self.ln2, x))
        x = self.norm(self.ln1, x + self.att(x, mask_add, causal))
        return self.norm(self.ln2, x + self.mlp(x))


class ViT(nn.Module):
    def __init__(self):
        super().__init__()
        self.patch = nn.Conv2d(1, D, 7, 7)
        self.cls = nn.Parameter(torch.randn(1, 1, D) * 0.02)
        self.pos = nn.Parameter(torch.randn(1, 17, D) * 0.02)
        self.blocks = nn.ModuleList([Block(einsum=True) for _ in range(2)])
        self.ln = nn.LayerNorm(D)
        self.head = nn.Linear(D, 10)

    def forward(self, x):
        p = self.patch(x).flatten(2).transpose(1, 2)
        x = torch.cat([self.cls.expand(p.shape[0], -1, -1), p], dim=1) + self.pos
        for b in self.blocks:
            x = b(x)
        return self.head(self.ln(x[:, 0]))


class Bert(nn.Module):
    def __init__(self):
        super().__init__()
        self.tok = nn.Embedding(VOCAB, D)
        self.pos = nn.Embedding(MAXT, D)
        self.ln = nn.LayerNorm(D)
        self.blocks = nn.ModuleList([Block(pre=False, decomposed_ln=True) for _ in range(2)])
        self.pool = nn.Linear(D, D)
        self.head = nn.Linear(D, 2)

    def forward(self, input_ids, attention_mask):
        t = input_ids.shape[1]
        x = self.ln(self.tok(input_ids) + self.pos(torch.arange(t, device=input_ids.device)))
        mask_add = (1.0 - attention_mask[:, None, None, :].to(torch.float32)) * -10000.0
        for b in self.blocks:
            x = b(x, mask_add)
        return self.head(torch.tanh(self.pool(x[:, 0])))


class Gpt(nn.Module):
    def __init__(self):
        super().__init__()
        self.tok = nn.Embedding(VOCAB, D)
        self.pos = nn.Embedding(MAXT, D)
        self.blocks = nn.ModuleList([Block(gelu='tanh') for _ in range(2)])
        self.ln = nn.LayerNorm(D)
        self.lm = nn.Linear(D, VOCAB, bias=False)

    def forward(self, input_ids):
        t = input_ids.shape[1]
        x = self.tok(input_ids) + self.pos(torch.arange(t, device=input_ids.device))
        for b in self.blocks:
            x = b(x, causal=True)
        return self.lm(self.ln(x))


def export(model, args, names, out_names, dyn, path, opset):
    model.eval()
    # LayerNorm scales and shifts away from 1 and 0, so that the tests see them applied.
    for m in model.modules():
        if isinstance(m, nn.LayerNorm):
            m.weight.copy_(1 + 0.1 * torch.randn_like(m.weight))
            m.bias.copy_(0.1 * torch.randn_like(m.bias))
    torch.onnx.export(model, args, path, input_names=names, output_names=out_names, dynamic_axes=dyn,
                      opset_version=opset, do_constant_folding=True)
    print(f'{path}: {os.path.getsize(path)} bytes, opset {opset}')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--out', default='test/models/transformers')
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    torch.manual_seed(17)
    ids = torch.randint(0, VOCAB, (2, 16))
    mask = torch.ones(2, 16, dtype=torch.int64)
    mask[1, 12:] = 0
    with torch.no_grad():
        export(ViT(), (torch.rand(2, 1, 28, 28),), ['x'], ['logits'], {'x': {0: 'N'}, 'logits': {0: 'N'}},
               os.path.join(a.out, 'vit.onnx'), 17)
        export(Bert(), (ids, mask), ['input_ids', 'attention_mask'], ['logits'],
               {'input_ids': {0: 'N', 1: 'T'}, 'attention_mask': {0: 'N', 1: 'T'}, 'logits': {0: 'N'}},
               os.path.join(a.out, 'bert.onnx'), 14)
        export(Gpt(), (ids,), ['input_ids'], ['logits'],
               {'input_ids': {0: 'N', 1: 'T'}, 'logits': {0: 'N', 1: 'T'}}, os.path.join(a.out, 'gpt.onnx'), 16)


if __name__ == '__main__':
    main()
