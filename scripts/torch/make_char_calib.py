# Writes the char-GPT's calibration and validation token ids, both from the TRAINING part of the
# text (the first 90% that scripts/torch/train_char_gpt.py trained on; char-test.npy is the last
# 10%, never used here). Windows of 32 ids at seeded random starts, calibration and validation
# windows disjoint (validation: for choosing settings, never the test set; the first --val windows
# of the shuffle, so a larger --calib leaves it unchanged).
#   test/models/language/char-calib.npy  int64 [128, 32]
#   test/models/language/char-val.npy    int64 [64, 32]
# Needs only numpy. Usage: /usr/bin/python3 scripts/torch/make_char_calib.py [--out test/models/language]
import argparse, os
import numpy as np

FILES = ['GPL-3', 'LGPL-2.1', 'GFDL-1.3', 'Apache-2.0']
T = 32


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--out', default='test/models/language')
    ap.add_argument('--calib', type=int, default=128)
    ap.add_argument('--val', type=int, default=64)
    a = ap.parse_args()
    text = ''.join(open(os.path.join('/usr/share/common-licenses', f), encoding='utf-8').read() for f in FILES)
    chars = sorted(set(text))
    vocab = [int(l) for l in open(os.path.join(a.out, 'vocab.txt'))]
    assert vocab == [ord(c) for c in chars], 'vocab.txt does not match the licence texts'
    index = {c: i for i, c in enumerate(chars)}
    ids = np.array([index[c] for c in text], dtype=np.int64)
    train = ids[:int(len(ids) * 0.9)]
    # non-overlapping windows of the training part, shuffled with a fixed seed
    windows = train[:len(train) // T * T].reshape(-1, T)
    order = np.random.default_rng(17).permutation(len(windows))
    val = windows[order[:a.val]]
    calib = windows[order[a.val:a.val + a.calib]]
    np.save(os.path.join(a.out, 'char-calib.npy'), calib)
    np.save(os.path.join(a.out, 'char-val.npy'), val)
    print(f'{len(windows)} training windows; calibration {calib.shape}, validation {val.shape}')


if __name__ == '__main__':
    main()
