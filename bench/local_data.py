"""The local stack's data directory at 1,000 / 5,000 / 10,000 tickets: start-up, snapshot cost, inbox page, memory.

    .venv/bin/python bench/local_data.py [--tickets 1000,5000,10000]

1. ``helpdesk local --demo`` into an empty data directory; its six demo tickets (mail, auto-reply,
   events, tags, meta records: what the ingest writes) are the pattern.
2. For each size, the snapshot is grown to that many tickets by copying those partitions under new
   ticket ids, numbers and Message-IDs (counters set to match). Ingesting 10,000 mails for real
   takes hours at the local ingest rate (issue 19, part 5); these copies have the same items and sizes.
3. **Start-up**: ``helpdesk local`` (a subprocess, as a user runs it) from the command to the state
   file a started stack writes, and the stack's own "Started in" figure; its memory (RSS) once up;
   an inbox page (``GET /tickets?limit=25``, the web client's default query) as admin, median of 5.
4. **Snapshot cost**: the same data directory in this process, one snapshot after a change, three
   times: the whole time, and how long DynamoDB requests wait for it (the tables are read under the lock).

The machine is shared (2 cores, other stacks and test runs): figures are one run's, not a benchmark lab's.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def start(data: Path, log: Path, demo: bool = False) -> tuple[subprocess.Popen[str], dict[str, Any], float]:
    from tests.conftest import free_port
    from tests.e2e.conftest import HELPDESK, clean_env

    api_port = free_port()
    args = [str(HELPDESK), "local", "--api-port", str(api_port), "--data-dir", str(data), "--exit-with-parent"]
    for flag in ("--smtp-port", "--moto-port", "--outbox-port", "--live-port"):
        args += [flag, str(free_port())]
    args += ["--autoclose-interval", "3600"] + (["--demo"] if demo else [])
    state_file = Path(tempfile.gettempdir()) / f"helpdesk-local-{api_port}.json"
    state_file.unlink(missing_ok=True)
    began = time.monotonic()
    process = subprocess.Popen(
        args, stdout=log.open("w"), stderr=subprocess.STDOUT, text=True, env=clean_env(), cwd=ROOT
    )
    while time.monotonic() - began < 300:
        if process.poll() is not None:
            raise SystemExit(f"helpdesk local exited:\n{log.read_text()[-3000:]}")
        if state_file.exists() and json.loads(state_file.read_text()).get("pid") == process.pid:
            return process, json.loads(state_file.read_text()), time.monotonic() - began
        time.sleep(0.05)
    process.kill()
    raise SystemExit("helpdesk local did not start within 300 s")


def stop(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGINT)
    process.wait(timeout=120)


def token(state: dict[str, Any], user: str = "admin") -> str:
    from helpdesk_local.provision import local_client

    cognito = local_client("cognito-idp", state["moto_endpoint"])
    result = cognito.initiate_auth(
        ClientId=state["user_pool_client_id"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": user, "PASSWORD": state["users"][user]["password"]},
    )
    return str(result["AuthenticationResult"]["IdToken"])


def get(state: dict[str, Any], path: str, bearer: str) -> tuple[float, Any]:
    request = urllib.request.Request(state["api_url"] + path, headers={"Authorization": f"Bearer {bearer}"})
    began = time.monotonic()
    with urllib.request.urlopen(request, timeout=120) as response:
        body = json.loads(response.read())
    return time.monotonic() - began, body


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def grow(snapshot: dict[str, Any], tickets: int, inbound: Path) -> dict[str, Any]:
    """The snapshot with ``tickets`` tickets: the pattern partitions copied under new ids, numbers, Message-IDs,
    each with its own copy of the raw mail in ``inbound`` (the S3 objects a start reads back)."""
    from helpdesk.domain.ids import new_id

    table, meta = snapshot["tables"]["TicketsTable"], snapshot["tables"]["MetaTable"]
    partitions: dict[str, list[dict[str, Any]]] = {}
    for item in table:
        partitions.setdefault(item["pk"]["S"], []).append(item)
    numbers = {item["pk"]["S"]: item["number"]["S"] for item in table if item["sk"]["S"] == "TICKET"}
    per_ticket_meta: dict[str, list[dict[str, Any]]] = {pk: [] for pk in partitions}
    rest: list[dict[str, Any]] = []
    for item in meta:
        per_ticket_meta.get(item.get("ticket_id", {}).get("S"), rest).append(item)
    patterns = [
        json.dumps({"items": partitions[pk], "meta": per_ticket_meta[pk]}, ensure_ascii=False) for pk in partitions
    ]
    message_ids = [
        [item["pk"]["S"][4:] for item in per_ticket_meta[pk] if item["pk"]["S"].startswith("MID#")] for pk in partitions
    ]
    raw_keys = [sorted(set(re.findall(r"inbound/[0-9a-z]+", text))) for text in patterns]
    raw = {key: (inbound / key[8:]).read_bytes() for keys in raw_keys for key in keys}
    entries = {e["key"]: e for e in snapshot["objects"] if e["bucket"] == "MailBucket"}
    objects = [e for e in snapshot["objects"] if not e["key"].startswith("inbound/")]
    ingested: list[str] = []
    prefix = next(iter(numbers.values()))[:-6]
    new_table: list[dict[str, Any]] = []
    new_meta: list[dict[str, Any]] = list(rest)
    pks = list(partitions)
    for index in range(tickets):
        which = index % len(pks)
        text = patterns[which].replace(pks[which], new_id()).replace(numbers[pks[which]], f"{prefix}{index + 1:06d}")
        for mid in message_ids[which]:
            text = text.replace(mid, f"c{index}.{mid}")
        for key in raw_keys[which]:
            copy_key = f"inbound/{new_id().lower()}"
            (inbound / copy_key[8:]).write_bytes(raw[key])
            text = text.replace(key, copy_key)
            objects.append(entries[key] | {"key": copy_key})
            ingested.append(copy_key)
        copy = json.loads(text)
        new_table += copy["items"]
        new_meta += copy["meta"]
    for item in new_meta:
        if item["pk"]["S"].startswith("CTR#"):
            item["value"] = {"N": str(tickets)}
    for key in raw:
        (inbound / key[8:]).unlink()
    return snapshot | {
        "tables": snapshot["tables"] | {"TicketsTable": new_table, "MetaTable": new_meta},
        "objects": objects,
        "ingested": ingested,
    }


def snapshot_cost(data: Path) -> tuple[list[float], list[float], int]:
    """One snapshot after a change, three times, in this process (as the running stack takes them)."""
    from helpdesk_local.stack import LocalConfig, LocalStack
    from tests.conftest import free_port

    config = LocalConfig(
        api_port=free_port(),
        smtp_port=free_port(),
        moto_port=free_port(),
        outbox_port=free_port(),
        live_port=free_port(),
        autoclose_interval=3600,
        quiet=True,
        data_dir=data,
        snapshot_interval=3600,  # only the snapshots taken here
        state_file=Path(tempfile.mkdtemp()) / "state.json",
    )
    stack = LocalStack(config).start()
    whole, locked = [], []
    try:
        assert stack.persist is not None
        for _ in range(3):
            stack.persist.snapshot()
            whole.append(stack.persist.last_seconds)
            locked.append(stack.persist.last_locked_seconds)
        size = stack.persist.last_bytes
    finally:
        stack.stop()
    return whole, locked, size


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", default="1000,5000,10000")
    args = parser.parse_args()
    sizes = [int(n) for n in args.tickets.split(",")]
    work = Path(tempfile.mkdtemp(prefix="bench-local-data-"))
    pattern_dir = work / "pattern"
    process, state, seconds = start(pattern_dir, work / "pattern.log", demo=True)
    admin = token(state)
    deadline = time.monotonic() + 120
    while len(get(state, "/tickets?status=all&limit=100", admin)[1]["items"]) < 6:
        if time.monotonic() > deadline:
            raise SystemExit("the demo mails did not become tickets")
        time.sleep(0.5)
    time.sleep(1)
    stop(process)
    print(f"empty data directory: up in {seconds:.1f} s (demo pattern: 6 tickets)")
    pattern = json.loads((pattern_dir / "snapshot.json").read_text())
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} (shared with other work)")
    print()
    print(
        "tickets | items | snapshot MB | start (command → up) | 'Started in' | RSS once up | inbox page p50"
        " | snapshot | DynamoDB waits"
    )
    for size in sizes:
        data = work / f"data-{size}"
        data.mkdir()
        for sub in ("inbound", "objects"):
            shutil.copytree(pattern_dir / sub, data / sub)
        grown = grow(pattern, size, data / "inbound")
        (data / "snapshot.json").write_text(json.dumps(grown, ensure_ascii=False, separators=(",", ":")))
        items = sum(len(v) for v in grown["tables"].values())
        megabytes = (data / "snapshot.json").stat().st_size / 1e6
        process, state, seconds = start(data, work / f"stack-{size}.log")
        try:
            started_in = next(
                (
                    line.split()[2]
                    for line in (work / f"stack-{size}.log").read_text().splitlines()
                    if "Started in" in line
                ),
                "?",
            )
            memory = rss_mb(process.pid)
            admin = token(state)
            pages = [get(state, "/tickets?limit=25", admin)[0] for _ in range(5)]
        finally:
            stop(process)
        whole, locked, _ = snapshot_cost(data)
        page, taken, waited = statistics.median(pages), statistics.median(whole), statistics.median(locked)
        print(
            f"{size:7d} | {items:6d} | {megabytes:11.1f} | {seconds:18.1f} s | {started_in:>9} s | {memory:8.0f} MB |"
            f" {page:12.2f} s | {taken:6.2f} s | {waited:.2f} s",
            flush=True,
        )
    print(f"\nload average at the end {os.getloadavg()[0]:.1f}; data left in {work}")


if __name__ == "__main__":
    main()
