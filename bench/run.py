"""Run the benchmark: ``python bench/run.py`` (``make bench``).

On SQLite and on PostgreSQL, then two servers behind Varnish on each (``suite.py``). Prints
the results as Markdown and writes them to ``bench/results.json``.
"""

import sys
from pathlib import Path

if __name__ == "__main__":
    # Import ``bench`` as a package from the project root, not its modules from bench/.
    sys.path[0] = str(Path(__file__).resolve().parent.parent)
    from bench.suite import main

    sys.exit(main())
