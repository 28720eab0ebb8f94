"""The local stack's data directory at 1,000 / 5,000 / 10,000 tickets: start-up, snapshot cost, inbox page, memory.

    .venv/bin/python bench/local_data.py [--tickets 1000,5000,10000] [--mails 60] [--work DIR]

1. ``helpdesk local --demo`` into an empty data directory; its six demo tickets (mail, auto-reply,
   events, tags, meta records: what the ingest writes) are the pattern.
2. For each size, the snapshot is grown to that many tickets by copying those partitions under new
   ticket ids, numbers and Message-IDs (counters set to match). Ingesting 10,000 mails for real
   takes hours at the local ingest rate (issue 19, part 5); these copies have the same items and sizes.
   A stack is started on them once and left until it is quiet (the first scheduled run escalates the
   overdue copies, the publisher indexes them for search: what a team's data had done ticket by
   ticket; the time it took is printed once), then stopped: every measurement starts from that.
3. **Start-up**: ``helpdesk local`` (a subprocess, as a user runs it) from the command to the state
   file a started stack writes, and the stack's own "Started in" figure; its memory (RSS) once up;
   an inbox page (``GET /tickets?limit=25``, the web client's default query) as admin, median of 5.
4. **Idle CPU**: the stack's CPU time over 10 s with nothing to do (from /proc: the machine's load does
   not change it much), and the CPU time one inbox page costs (the wall time above depends on the load).
5. **Ingest rate**: ``--mails`` mails over SMTP at once, from the first one sent to the last one a ticket
   (the stack's "created" lines), the stack's CPU time per mail (on a loaded machine the rate is the
   load's, the CPU time is the stack's: 1 / CPU per mail is the rate one free core gives), and its
   memory right after them (the first mails also load the ingest's libraries and clients, and the
   partitions they touched are still built) and once the stack is idle again (quiet, and the cold
   store's ``COLD_AFTER`` passed: what a stack between bursts of mail holds).
6. **Snapshot cost**: the same data directory in this process, one snapshot after a change, three
   times (the median: the first writes the whole file, as a stack's first snapshot does, the next two
   append): the whole time, and how long DynamoDB requests wait for it (the tables are read under the
   lock); and a full read (a stack's first snapshot without a restore).

``--work DIR`` keeps the generated (and settled) data directories in DIR and reuses them on the next run:
a first run takes more than an hour on 2 cores, settling (and indexing) the 10,000 copies alone most of it;
each measurement starts from a fresh copy.

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


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def created(log: Path) -> int:
    return log.read_text(encoding="utf-8", errors="replace").count(" created: ")


def ingest_rate(state: dict[str, Any], log: Path, mails: int) -> float:
    """Mails per second: ``mails`` sent over SMTP at once, until the last one is a ticket."""
    import smtplib
    import uuid
    from email.message import EmailMessage

    before = created(log)
    began = time.monotonic()
    with smtplib.SMTP(state["smtp"][0], state["smtp"][1], timeout=60) as smtp:
        for n in range(mails):
            message = EmailMessage()
            message["From"] = f"Kundin {n} <kundin{n}.{uuid.uuid4().hex[:6]}@example.org>"
            message["To"] = f"support@{state['mail_domain']}"
            message["Subject"] = f"Drucker streikt ({uuid.uuid4().hex[:8]})"
            message["Message-ID"] = f"<{uuid.uuid4().hex}@example.org>"
            message.set_content("Guten Tag,\n\nunser Drucker im 2. Stock druckt seit gestern nichts mehr.\n" * 4)
            smtp.send_message(message)
    while created(log) - before < mails:
        if time.monotonic() - began > 900:
            raise SystemExit(f"only {created(log) - before} of {mails} mails became tickets in 900 s")
        time.sleep(0.2)
    return mails / (time.monotonic() - began)


def quiet(pid: int, limit: float = 3600.0) -> float:
    """Seconds until the stack's CPU stays under 5 % of a core for 3 s (at most ``limit``)."""
    began = time.monotonic()
    while time.monotonic() - began < limit:
        before = cpu_seconds(pid)
        time.sleep(3)
        if cpu_seconds(pid) - before < 0.15:
            return time.monotonic() - began - 3
    raise SystemExit(f"the stack was still busy after {limit:.0f} s")


def settle(base: Path, log: Path) -> float:
    """Start a stack on freshly generated data once and wait until it is quiet, then stop it (its snapshot
    keeps what it did). The copies are of tickets a few days old: the first scheduled run escalates every
    overdue one, and the publisher indexes each for search and brings its SLA state up to date. A team's
    data directory has had that done ticket by ticket; measured without it, "idle" and the ingest rate
    would be this catching up (a whole core for minutes at 1,000 tickets). Then ``helpdesk reindex`` runs
    against the started stack, as the start banner tells a team with data from before the search index to
    do: the publisher indexes only the copies the scheduled run changed, and a team's data has every ticket
    in the index. Returns the seconds it took."""
    from tests.e2e.conftest import HELPDESK, clean_env

    process, state, _ = start(base, log)
    try:
        began = time.monotonic()
        quiet(process.pid)
        with log.open("a") as out:
            subprocess.run(
                [str(HELPDESK), "reindex", "--api-port", state["api_url"].rsplit(":", 1)[1]],
                stdout=out,
                stderr=subprocess.STDOUT,
                env=clean_env(),
                cwd=ROOT,
                check=True,
            )
        quiet(process.pid)
        return time.monotonic() - began
    finally:
        stop(process)


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


def hash_attributes() -> dict[str, str]:
    """Each table's (logical id's) hash key attribute, from template.yaml."""
    from helpdesk_local.template import resources

    return {
        lid: next(k["AttributeName"] for k in res["Properties"]["KeySchema"] if k["KeyType"] == "HASH")
        for lid, res in resources("AWS::DynamoDB::Table").items()
    }


def _key_json(value: Any) -> str:  # as the snapshot's commit lines name a partition
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def read_snapshot(data: Path) -> dict[str, Any]:
    """The snapshot as one dict (its first line with the appended commits' changes to the header, and
    ``tables``: every table's items), read as a restore reads it."""
    from helpdesk_local.persist import DataDir, apply_commit, committed_batches, header_facts

    directory = DataDir(data)
    header = directory.read_snapshot()
    assert header is not None, f"no snapshot in {data}"
    hash_attr = hash_attributes()
    lines: dict[tuple[str, str, int | None], list[dict[str, Any]]] = {}
    facts = header_facts(header)
    for batch, commit in committed_batches(directory, header):
        for gone in (commit or {}).get("gone", []):
            lines.pop(tuple(gone), None)
        for _, line in batch:
            partition = json.loads(line)
            first = partition["items"][0][hash_attr[partition["table"]]]
            lines[(partition["table"], _key_json(first), partition.get("part"))] = partition["items"]
        if commit:
            apply_commit(facts, commit)
    tables: dict[str, list[dict[str, Any]]] = {}
    for (table, _, _), items in lines.items():
        tables.setdefault(table, []).extend(items)
    header = {k: v for k, v in header.items() if k != "lines"}
    return header | {
        "ingested": sorted(facts["ingested"]),
        "objects": list(facts["objects"].values()),
        "cognito": facts["cognito"],
        "tables": tables,
    }


def write_snapshot(data: Path, snapshot: dict[str, Any]) -> None:
    """Back to the file's form (written whole): the first line, then one line per partition, as the stack
    writes them (``persist.encode_line``)."""
    from helpdesk_local.persist import encode_line

    hash_attr = hash_attributes()
    with (data / "snapshot.jsonl").open("wb") as handle:
        first = {k: v for k, v in snapshot.items() if k != "tables"}
        handle.write(json.dumps(first, ensure_ascii=False).encode() + b"\n")
        for lid, items in snapshot["tables"].items():
            partitions: dict[str, list[dict[str, Any]]] = {}
            for item in items:
                partitions.setdefault(json.dumps(item[hash_attr[lid]]), []).append(item)
            for part in partitions.values():
                handle.write(encode_line(lid, None, part[0][hash_attr[lid]], part) + b"\n")


def snapshot_cost(data: Path) -> dict[str, Any]:
    """A snapshot after one ticket changed, three times (as the running stack takes them every few seconds
    while agents work), and once everything read again (the first snapshot of a stack that was not restored).

    Run in a process of its own: moto's backends are global, one stack per process."""
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
        persist = stack.persist
        assert persist is not None
        assert stack.resources is not None
        ddb = stack.client("dynamodb")
        for n in range(3):
            ddb.put_item(
                TableName=stack.resources.names["TicketsTable"],
                Item={"pk": {"S": "BENCH"}, "sk": {"S": f"CMT#{n}"}, "body": {"S": "Notiz"}},
            )
            persist.snapshot()
            whole.append(persist.last_seconds)
            locked.append(persist.last_locked_seconds)
        persist.complete = False
        persist.snapshot()
        full = (persist.last_seconds, persist.last_locked_seconds)
        size = persist.last_bytes
    finally:
        stack.stop()
    return {"whole": whole, "locked": locked, "full": full, "bytes": size}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", default="1000,5000,10000")
    parser.add_argument("--mails", type=int, default=60, help="mails sent for the ingest rate")
    parser.add_argument("--work", type=Path, help="keep (and reuse) the generated data directories here")
    parser.add_argument("--snapshot-cost", type=Path, help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args()
    if args.snapshot_cost:
        print(json.dumps(snapshot_cost(args.snapshot_cost)))
        return
    sizes = [int(n) for n in args.tickets.split(",")]
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-local-data-"))
    work.mkdir(parents=True, exist_ok=True)
    pattern_dir = work / "pattern"
    if not (pattern_dir / "snapshot.jsonl").exists():
        shutil.rmtree(pattern_dir, ignore_errors=True)
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
    pattern = read_snapshot(pattern_dir)
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} (shared with other work)")
    print()
    print(
        "tickets | items | snapshot MB | start (command → up) | 'Started in' (data read back) | RSS once up"
        " | inbox page p50 | CPU per page | idle CPU | ingest (CPU per mail) | RSS after ingest"
        " | RSS idle again"
        " | snapshot | DynamoDB waits | full read: snapshot / waits"
    )
    for size in sizes:
        base = work / f"base-{size}"  # generated once (with --work: reused by later runs)
        if not (base / "snapshot.jsonl").exists():
            shutil.rmtree(base, ignore_errors=True)
            base.mkdir()
            for sub in ("inbound", "objects"):
                shutil.copytree(pattern_dir / sub, base / sub)
            write_snapshot(base, grow(pattern, size, base / "inbound"))
        settled = work / f"base-{size}.settled"
        if not settled.exists():
            seconds = settle(base, work / f"settle-{size}.log")
            settled.write_text(f"{seconds:.0f}\n")
            print(f"  (base-{size}: the first start's catching up over the copied tickets took {seconds:.0f} s)")
        data = work / f"data-{size}"
        shutil.rmtree(data, ignore_errors=True)
        shutil.copytree(base, data)
        items = sum(len(v) for v in read_snapshot(data)["tables"].values())
        megabytes = (data / "snapshot.jsonl").stat().st_size / 1e6
        log = work / f"stack-{size}.log"
        process, state, seconds = start(data, log)
        try:
            started_in, read_back = "?", "?"
            for _ in range(100):  # the banner follows the state file
                found = [ln for ln in (work / f"stack-{size}.log").read_text().splitlines() if "Started in" in ln]
                if found:
                    words = found[0].split()
                    started_in, read_back = words[2], (words[8] if len(words) > 8 else "?")
                    break
                time.sleep(0.1)
            memory = rss_mb(process.pid)
            admin = token(state)
            get(state, "/tickets?limit=25", admin)  # the first one builds the index partitions
            cpu_before = cpu_seconds(process.pid)
            pages = [get(state, "/tickets?limit=25", admin)[0] for _ in range(5)]
            page_cpu = (cpu_seconds(process.pid) - cpu_before) / len(pages)
            time.sleep(6)  # the snapshot after the start's first writes (the data is settled: see settle)
            cpu_before = cpu_seconds(process.pid)
            time.sleep(10)
            idle = (cpu_seconds(process.pid) - cpu_before) / 10
            cpu_before = cpu_seconds(process.pid)
            rate = ingest_rate(state, log, args.mails)
            mail_cpu = (cpu_seconds(process.pid) - cpu_before) / args.mails
            after_ingest = rss_mb(process.pid)
            quiet(process.pid)
            from helpdesk_local.moto_cold import COLD_AFTER

            time.sleep(COLD_AFTER + 2)  # the freezer lets the mails' partitions go
            quiet(process.pid)
            idle_again = rss_mb(process.pid)
        finally:
            stop(process)
        child = subprocess.run(
            [sys.executable, __file__, "--snapshot-cost", str(data)], capture_output=True, text=True, check=True
        )
        cost = json.loads(child.stdout.strip().splitlines()[-1])
        page, taken, waited = (
            statistics.median(pages),
            statistics.median(cost["whole"]),
            statistics.median(cost["locked"]),
        )
        print(
            f"{size:7d} | {items:6d} | {megabytes:11.1f} | {seconds:18.1f} s | {started_in:>9} s ({read_back} s) |"
            f" {memory:8.0f} MB | {page:12.2f} s | {page_cpu:10.2f} s | {idle:7.1%} |"
            f" {rate:4.1f} mails/s ({mail_cpu:.2f} s) | {after_ingest:6.0f} MB |"
            f" {idle_again:6.0f} MB |"
            f" {taken:6.2f} s | {waited:.3f} s | {cost['full'][0]:.1f} s / {cost['full'][1]:.1f} s"
            f" (load {os.getloadavg()[0]:.1f})",
            flush=True,
        )
    print(f"\nload average at the end {os.getloadavg()[0]:.1f}; data left in {work}")


if __name__ == "__main__":
    main()
