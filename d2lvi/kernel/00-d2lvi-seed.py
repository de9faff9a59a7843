"""IPython startup file of the book's kernels: seed every random generator the chapter can use.

The chapter's cells stay verbatim upstream, so the seeding happens here, before cell 1,
both in the book build (MyST-NB) and in `make check` (nbclient). Two runs then print
byte-identical outputs.
"""

import random

import numpy

random.seed(0)
numpy.random.seed(0)
try:
    import mxnet

    mxnet.random.seed(0)
except ImportError:  # a kernel without MXNet (e.g. a prose-only environment)
    pass
