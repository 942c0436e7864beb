"""nprl.data: dataset loaders (NumPy only, nothing is downloaded).

- :func:`load_mnist` reads the four MNIST IDX files (gzipped or not) from a directory.
- :func:`read_idx` reads any single IDX file, validating its header and length.
"""

from nprl.data.idx import read_idx
from nprl.data.mnist import MNIST_FILES, load_mnist

__all__ = ["MNIST_FILES", "load_mnist", "read_idx"]
