"""The examples' data: scikit-learn's 8x8 digits (shipped with scikit-learn, no download), or a local
MNIST .npz (keys x_train, y_train, x_test, y_test, as keras' mnist.npz) given with --mnist PATH."""
from __future__ import annotations

import argparse
from dataclasses import dataclass

import numpy as np


@dataclass
class Digits:
    """Images scaled to [0, 1] and flattened (n, side*side); labels one-hot (n, 10)."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    side: int  # 8 for scikit-learn's digits, 28 for MNIST

    @property
    def pixels(self) -> int:
        return self.side * self.side

    def batches(self, batch_size: int, seed: int = 0):
        """Endless shuffled mini-batches (x, y) of the training set."""
        rng = np.random.default_rng(seed)
        n = len(self.x_train)
        while True:
            order = rng.permutation(n)
            for start in range(0, n - batch_size + 1, batch_size):
                idx = order[start:start + batch_size]
                yield self.x_train[idx], self.y_train[idx]


def one_hot(labels: np.ndarray, classes: int = 10) -> np.ndarray:
    out = np.zeros((len(labels), classes), dtype=np.float32)
    out[np.arange(len(labels)), labels.astype(np.int64)] = 1.0
    return out


def load(mnist: str | None = None, test_fraction: float = 0.2, seed: int = 0) -> Digits:
    """MNIST from `mnist` when given, else scikit-learn's digits split into train and test sets."""
    if mnist:
        with np.load(mnist) as f:
            missing = {"x_train", "y_train", "x_test", "y_test"} - set(f.files)
            if missing:
                raise SystemExit(f"{mnist} lacks the arrays {sorted(missing)} (expected keras' mnist.npz layout)")
            xs = [f["x_train"], f["x_test"]]
            ys = [f["y_train"], f["y_test"]]
        side = xs[0].shape[1]
        xs = [x.reshape(len(x), -1).astype(np.float32) / 255.0 for x in xs]
        return Digits(xs[0], one_hot(ys[0]), xs[1], one_hot(ys[1]), side)
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        raise SystemExit("The examples train on scikit-learn's digits: pip install 'tlboard[examples]' "
                         "(or pass --mnist PATH to a local mnist.npz).") from None
    digits = load_digits()
    x = (digits.data / 16.0).astype(np.float32)  # pixel values are 0..16
    y = one_hot(digits.target)
    order = np.random.default_rng(seed).permutation(len(x))
    n_test = int(len(x) * test_fraction)
    test, train = order[:n_test], order[n_test:]
    return Digits(x[train], y[train], x[test], y[test], 8)


def arguments(name: str, description: str) -> argparse.Namespace:
    """The options every example takes: --logdir, --quick, --mnist."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--logdir", default=f"runs/{name}", help="where event files go (default: runs/%(prog)s)")
    parser.add_argument("--quick", action="store_true", help="a few steps only (what the tests run)")
    parser.add_argument("--mnist", metavar="PATH", help="a local MNIST .npz instead of scikit-learn's digits")
    return parser.parse_args()


def report(accuracy: float, threshold: float) -> None:
    """Prints the test accuracy and exits non-zero below the threshold."""
    print(f"test accuracy: {accuracy:.4f} (threshold {threshold:.2f})")
    if not accuracy >= threshold:
        raise SystemExit(f"FAILED: test accuracy {accuracy:.4f} is below {threshold:.2f}")
