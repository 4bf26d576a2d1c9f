"""Run the attrdb command line from a source checkout: ``python cli.py --help``."""

from attrdb.cli import main

if __name__ == "__main__":
    main()
