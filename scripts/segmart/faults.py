"""Fault injection for the refresh tests: pause at a named point so a test can SIGKILL the refresh there.

    SEGMART_FAULT_PAUSE_AT=<point> [SEGMART_FAULT_PAUSE_SECONDS=600] segmart refresh ...

At the named point the refresh prints `SEGMART-FAULT-PAUSE <point> pid=<pid>` on stdout (even with --quiet)
and sleeps. Points: `dbt` and `validate` (the child process is running), `publish-copy` (the new version's
file is half written), `publish-swap` (the new version is complete, `current` not yet swapped), `export`.
Unset in production: `pause_at` then does nothing.
"""

from __future__ import annotations

import os
import sys
import time

POINTS = ("dbt", "validate", "publish-copy", "publish-swap", "export")
MARKER = "SEGMART-FAULT-PAUSE"


def pause_at(point: str) -> None:
    if os.environ.get("SEGMART_FAULT_PAUSE_AT") != point:
        return
    print(f"{MARKER} {point} pid={os.getpid()}", file=sys.stdout, flush=True)
    time.sleep(float(os.environ.get("SEGMART_FAULT_PAUSE_SECONDS", "600")))
