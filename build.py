#!/usr/bin/env python3
"""Build the site: `python build.py [build|check|new|serve] [options]`. See README.md."""

import sys

from newshub.cli import main

if __name__ == "__main__":
    sys.exit(main())
