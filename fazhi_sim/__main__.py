"""``python -m fazhi_sim``: the same as the ``fazhi-sim`` command."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
