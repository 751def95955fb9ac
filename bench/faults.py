"""The fault tests, short (CI) or full form.

    python -m bench.faults          # as CI runs them: 3 kills, a 10 s Kafka outage
    python -m bench.faults --full   # 20 kills per worker, a 30 s Kafka outage

Same as ``pytest tests/fault -m fault [--full]``; extra arguments go to pytest.
"""

from __future__ import annotations

import os
import sys

import pytest

from bench.kit import REPO


def main(argv: list[str]) -> int:
    args = [str(REPO / "tests" / "fault"), "-m", "fault", "-v", "-p", "no:cacheprovider"]
    if "--full" in argv:
        os.environ["LAPAK_FAULT_FULL"] = "1"
        args.append("--timeout=1800")
    return int(pytest.main(args + [a for a in argv if a != "--full"]))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
