"""Functions for tests/jobs/test_offload.py that a worker process can import by name."""

from __future__ import annotations

import os


def die_in_a_worker(parent_pid: int) -> str:
    """Kill the worker process running this; in the parent, just say so."""
    if os.getpid() != parent_pid:
        os._exit(3)
    return "ran in the parent"
