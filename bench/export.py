"""A customer's data export (DSGVO Art. 15/20, issue 16): how long the ZIP takes and how much memory it needs.

    .venv/bin/python bench/export.py [--tickets 100] [--attachment-mb 1] [--big-mb 25]

On a moto server provisioned from template.yaml, one customer gets ``--tickets`` tickets (each mail with an
attachment of ``--attachment-mb``), plus one ticket with a ``--big-mb`` attachment. Then

* **export**: ``services.data_export.run_export`` builds the ZIP into the bucket (multipart upload);
* **baseline**: the same reads without a ZIP — the customer's tickets (Query each), every raw mail and
  attachment read whole (GetObject) — in the same run, so the ratio says what zipping and uploading cost;
* **memory**: how much the exporting process (a child, as a Lambda would be: moto keeps every object in
  this process's memory) grows while the export runs, against the biggest file and the ZIP: streaming
  keeps it near one 8 MB part plus one 1 MB chunk, never the big attachment or the ZIP whole.

Times include moto on this machine (far slower than S3 for big bodies): the ratio is the figure to read.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ADDRESS = "bench.kunde@kunde.example"

# In the child: the models bound to the same moto (the environment is inherited), the job built, then
# "seconds grown-KB peak-KB".
CHILD = """
import re, sys, time
from helpdesk.store.models import bind
from helpdesk.bootstrap import mail_store
from helpdesk.services import data_export

def high_water():  # VmHWM: this process's peak resident memory, in KB (ru_maxrss survives the fork's exec)
    return int(re.search(r"VmHWM:\\s+(\\d+)", open("/proc/self/status").read()).group(1))

bind()
mail = mail_store()
data_export.get_export(sys.argv[1])
before = high_water()
started = time.monotonic()
job = data_export.run_export(sys.argv[1], mail)
took = time.monotonic() - started
peak = high_water()
print(took, peak - before, peak)
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=100)
    parser.add_argument("--attachment-mb", type=float, default=1.0)
    parser.add_argument("--big-mb", type=float, default=25.0)
    args = parser.parse_args()

    from bench.common import local_stack

    server, resources = local_stack()
    try:
        from helpdesk.aws import clients
        from helpdesk.bootstrap import ingest_deps, mail_store
        from helpdesk.domain.ids import new_id
        from helpdesk.services import data_export
        from helpdesk.services.ingest import ingest_object
        from helpdesk.store.models import MessageItem, TicketItem, TicketTableItem
        from tests.integration.helpers import make_mail

        mail = mail_store()
        s3 = clients.s3()

        def put(raw: bytes) -> None:
            key = f"inbound/{new_id().lower()}"
            s3.put_object(Bucket=mail.bucket, Key=key, Body=raw)
            ingest_object(mail.bucket, key, ingest_deps())

        attachment = os.urandom(int(args.attachment_mb * 1024 * 1024))
        started = time.monotonic()
        for n in range(args.tickets):
            put(
                make_mail(
                    sender=f"Bench Kunde <{ADDRESS}>",
                    subject=f"Anfrage {n}",
                    attachments=[(f"anhang-{n}.bin", "application/octet-stream", attachment)],
                )
            )
        big = os.urandom(int(args.big_mb * 1024 * 1024))
        put(make_mail(sender=ADDRESS, subject="Großer Anhang", attachments=[("gross.bin", "application/zip", big)]))
        print(f"seeded {args.tickets + 1} tickets in {time.monotonic() - started:.1f} s")

        # baseline: the same reads, no ZIP
        started = time.monotonic()
        read = 0
        for ticket in TicketTableItem.by_customer.query(ADDRESS):
            if not isinstance(ticket, TicketItem):
                continue
            for item in TicketTableItem.query(ticket.pk):
                if isinstance(item, MessageItem):
                    for key in [item.raw_key, *(a.key for a in item.attachments or [])]:
                        if key:
                            read += len(mail.get(key))
        baseline = time.monotonic() - started

        # The export runs in a child process (as in a Lambda): moto keeps every object in this one's memory.
        job = data_export.start_export(ADDRESS, mail, actor="bench", time_left=lambda: 0.0)
        assert job.state == "running"
        out = subprocess.run(
            [sys.executable, "-c", CHILD, job.id], capture_output=True, text=True, check=True, cwd=ROOT
        ).stdout.split()
        took, grown, peak = float(out[0]), int(out[1]), int(out[2])
        done = data_export.get_export(job.id)
        assert done is not None
        assert done.state == "done", done
        mb = 1024 * 1024
        print(f"read whole (baseline): {read / mb:.1f} MB in {baseline:.2f} s")
        print(f"export ZIP:            {done.size / mb:.1f} MB in {took:.2f} s  ({done.counts})")
        print(f"ratio export/baseline: {took / baseline:.2f}")
        print(
            f"memory of the exporting process: peak RSS {peak / 1024:.0f} MB, grown by {grown / 1024:.0f} MB while "
            f"exporting (biggest file {len(big) / mb:.0f} MB, ZIP {done.size / mb:.0f} MB)"
        )
    finally:
        server.stop()
        del resources


if __name__ == "__main__":
    main()
