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


def test_every_session_of_the_local_stack_shares_one_loader_of_service_models() -> None:
    """Each function's code makes a session per client and pynamodb one per table model: in the one process
    of the local stack each parsed the same service models again (40 MB after the first mails)."""
    import boto3
    import botocore.session

    from helpdesk_local.provision import share_service_models

    share_service_models()
    share_service_models()  # once per process, however often the stack starts
    first, second = botocore.session.get_session(), boto3.session.Session()._session
    assert first.get_component("data_loader") is second.get_component("data_loader")
    one = first.create_client("dynamodb", region_name="eu-central-1")
    other = second.create_client("dynamodb", region_name="eu-central-1")
    assert one.meta.service_model.operation_names == other.meta.service_model.operation_names
    loader = first.get_component("data_loader")
    assert loader.load_service_model("dynamodb", "service-2") is loader.load_service_model("dynamodb", "service-2")
