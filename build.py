"""Qingdao Project Atlas: `python build.py build | check | new …` (see README.md)."""

import sys

from atlas.cli import main

if __name__ == "__main__":
    sys.exit(main())
