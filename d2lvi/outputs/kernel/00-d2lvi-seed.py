"""IPython startup file of the book's kernels: seed every random generator the chapter can use.

The chapter's cells stay verbatim upstream, so the seeding happens here, in both the book
build (MyST-NB) and `make check` (nbclient). It runs just before the first cell: between
start-up and that cell the kernel's own machinery may draw from `random` a varying number
of times, so seeding at start-up alone is not enough for byte-identical outputs.

Figures are made byte-stable too, so that stored figure files change only when the figure
does: matplotlib's SVG element ids are hashes salted with a random UUID unless
``svg.hashsalt`` is set, and its SVG metadata carries the current date unless
``SOURCE_DATE_EPOCH`` fixes it (read at save time).

Math libraries run one thread per kernel (the build runs one kernel per core): set before
any cell imports them, as in the kernels forked from d2lvi.outputs.forks (THREADS there),
where MXNet allows a forked process one OpenMP thread. A reduction then adds in the same
order whichever way its kernel was started.
"""

import os as _d2lvi_os

_d2lvi_os.environ.update({"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
                          "MKL_NUM_THREADS": "1", "SOURCE_DATE_EPOCH": "0"})
del _d2lvi_os


def _d2lvi_seed_before_first_cell(*_args: object) -> None:
    """Seed Python, NumPy and (when installed) MXNet, once; salt matplotlib's SVG ids."""
    import random

    import numpy

    random.seed(0)
    numpy.random.seed(0)
    try:
        import mxnet

        mxnet.random.seed(0)
    except ImportError:  # a kernel without MXNet
        pass
    try:
        import matplotlib  # ~50 ms once NumPy is loaded; pyplot and the backend stay lazy

        matplotlib.rcParams["svg.hashsalt"] = "d2lvi"
    except ImportError:  # a kernel without matplotlib
        pass
    get_ipython().events.unregister("pre_run_cell", _d2lvi_seed_before_first_cell)  # noqa: F821


get_ipython().events.register("pre_run_cell", _d2lvi_seed_before_first_cell)  # noqa: F821
