"""``python -m d2lvi``."""

import sys

from d2lvi.cli import main

sys.exit(main())
