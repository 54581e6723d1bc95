# Makes the small NumPy files the dataset tests read (run: python3 make.py). Every array is a
# formula the tests recompute: x[n, c, h, w] = (n*16 + c*16 + h*4 + w) % 256, y[n] = n % 3.
import numpy as np
n = 5
x = (np.arange(n * 16).reshape(n, 1, 4, 4) % 256).astype(np.uint8)
y = (np.arange(n) % 3).astype(np.int64)
np.savez('small.npz', x=x, y=y)
np.savez_compressed('small_compressed.npz', images=x.astype(np.float32) / 255, labels=y.astype(np.int32))
np.savez('unnamed.npz', x.astype(np.float64), y.astype(np.uint8))  # arr_0, arr_1
np.save('x_f8_be.npy', x.astype('>f8'))
np.save('y_i4_be.npy', y.astype('>i4'))
with open('x_f4_v2.npy', 'wb') as f:
    np.lib.format.write_array(f, x.astype(np.float32), version=(2, 0))
with open('y_v3.npy', 'wb') as f:
    np.lib.format.write_array(f, y, version=(3, 0))
np.save('x_fortran.npy', np.asfortranarray(x.astype(np.float32).reshape(n, 16)))
np.save('objects.npy', np.array([1, 'a', None], dtype=object), allow_pickle=True)
# Labels as Keras users save them (same x, y formula): [N, 1] uint8 as in keras.datasets.cifar10,
# one-hot float32 rows (keras.utils.to_categorical), whole-number float64 ids; and an archive with
# both splits as keras.datasets.mnist ships it (x_train, y_train, x_test, y_test), which must be refused.
np.savez('labels_n1.npz', x=x, y=y.astype(np.uint8).reshape(n, 1))
np.savez('labels_onehot.npz', x_test=x, y_test=np.eye(3, dtype=np.float32)[y])
np.savez('labels_float.npz', x=x, y=y.astype(np.float64))
np.savez('two_splits.npz', x_train=x, y_train=y, x_test=x[:2], y_test=y[:2])
