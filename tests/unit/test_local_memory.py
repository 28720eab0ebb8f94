"""helpdesk_local.runners.MemoryTrimmer: the local stack gives freed memory back after it worked (issue 19)."""

from __future__ import annotations

import time

from helpdesk_local.runners import MemoryTrimmer


def _burn(seconds: float) -> None:
    until = time.process_time() + seconds
    while time.process_time() < until:
        pass


def test_it_trims_after_work_and_not_while_idle() -> None:
    trimmer = MemoryTrimmer(work=0.05)
    calls: list[int] = []

    def record(pad: int) -> int:
        calls.append(pad)
        return 1

    trimmer.trim = record
    trimmer.step()
    assert calls == [0]  # a stack that just read its data back
    trimmer.step()
    trimmer.step()
    assert calls == [0]  # nothing done since: no trim
    _burn(0.06)
    trimmer.step()
    assert calls == [0, 0]


def test_on_glibc_it_finds_malloc_trim_and_calls_it() -> None:
    trimmer = MemoryTrimmer(work=0.0)
    assert trimmer.trim is not None
    trimmer.step()
    assert trimmer.count == 1
