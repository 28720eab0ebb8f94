"""The ticket use cases' tests on the in-memory fakes against the same cases on moto: seconds per run.

    .venv/bin/python bench/service_tests.py

Runs, one after the other in fresh processes, the moto tests of a new mail, a follow-up, a redelivered mail,
a PATCH, a stale PATCH and a reply (tests/integration) and the fakes' tests of the same cases
(tests/unit/test_ticket_services_fakes.py). Prints each run's wall time and pytest's own time (without the
interpreter's start), and the ratio moto / fakes.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MOTO = [
    "tests/integration/test_ingest.py::test_new_mail_becomes_a_ticket_with_number_customer_events_and_autoreply",
    "tests/integration/test_ingest.py::test_answer_with_number_threads_and_reopens",
    "tests/integration/test_ingest.py::test_redelivered_object_is_stored_once_with_one_autoreply",
    "tests/integration/test_api_changes.py::test_patch_with_the_current_version_changes_and_audits",
    "tests/integration/test_api_changes.py::test_a_stale_version_gets_409_with_the_current_ticket",
    "tests/integration/test_api_changes.py::test_reply_with_template_submits_as_waiting_customer_and_the_answer_reopens",
]
FAKES = ["tests/unit/test_ticket_services_fakes.py"]


def run(tests: list[str]) -> tuple[float, float, str]:
    """Wall seconds, pytest's reported seconds, its summary line."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider", *tests],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    wall = time.perf_counter() - start
    summary = [line for line in done.stdout.splitlines() if " passed" in line][-1]
    found = re.search(r"in ([\d.]+)s", summary)
    return wall, float(found.group(1)) if found else wall, summary.strip()


def main() -> None:
    moto = run(MOTO)
    fakes = run(FAKES)
    for name, (wall, inside, summary) in (("moto", moto), ("fakes", fakes)):
        print(f"{name:6} wall {wall:7.2f} s   pytest {inside:7.2f} s   ({summary})")
    print(f"ratio moto/fakes: wall {moto[0] / fakes[0]:.1f}x, pytest {moto[1] / max(fakes[1], 0.01):.1f}x")


if __name__ == "__main__":
    main()
