"""``helpdesk local``: the whole system on one machine, no AWS account.

Starts, in this process:

* a moto server (in-memory AWS) with the resources of ``template.yaml``;
* SMTP inbound (standing in for SES) that stores mail in the inbound bucket;
* the SQS poller invoking the ingest Lambda handler, the stream poller invoking the publisher,
  the autoclose ticker;
* the API Lambda behind a local HTTP server (API + web client);
* the live socket: a WebSocket server calling the live Lambda's routes, its management API, and
  the live fan-out fed by the same stream reader as the publisher;
* the outbox (mail the helpdesk sent through SES).

With a data directory (``helpdesk local`` uses ``.helpdesk/`` by default) the stores are kept there
and filled again at the next start, and raw mail is on disk before SMTP answers 250
(:mod:`helpdesk_local.persist`). Without one (``LocalConfig.data_dir = None``, as in-process tests
use it) state lives in memory and stopping the stack forgets it.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import smtplib
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import moto_cold
from .filters import stream_filter
from .persist import DataDir, Snapshotter
from .provision import ACCOUNT, REGION, Provisioned, local_client, provision, share_service_models
from .runners import Loop, MemoryTrimmer, SqsPoller, StreamPoller, Ticker
from .seed import DEV_USERS

if TYPE_CHECKING:
    from .live_server import LiveServer

log = logging.getLogger("helpdesk.local")
# bench/live.py's baseline in the same run: the stack as it was before issue 12's last round (moto's own
# response serializer, the stream read every 0.2 s rather than woken by writes, the configuration read at
# every use within an API request). Nothing else reads it.
BENCH_BASELINE = os.environ.get("HELPDESK_LOCAL_BENCH_BASELINE") == "1"


def write_private_json(path: Path, data: dict[str, Any]) -> None:
    """Write ``data`` so that a reader sees either no file or the whole of it, readable by us only.

    Readers (tests, ``helpdesk token``) wait for the file to exist: a file that exists but is still
    being written would be read empty. So: a private temporary file in the same directory, then an
    atomic rename.
    """
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # mode 0600
    try:
        with os.fdopen(fd, "w") as handle:
            json.dump(data, handle, indent=1)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@dataclass
class LocalConfig:
    host: str = "127.0.0.1"
    api_port: int = 8000
    smtp_port: int = 2525
    moto_port: int = 5100
    outbox_port: int = 8025
    live_port: int = 8001
    live_admin_port: int = 0  # the management API (POST /@connections/{id}); 0 = any free port
    mail_domain: str = "example.com"  # one domain, or several comma separated (template.yaml: MailDomain)
    demo: bool = False
    autoclose_interval: float = 60.0
    quiet: bool = False
    state_file: Path | None = None
    log_level: str = "WARNING"
    data_dir: Path | None = None  # None: in memory only
    snapshot_interval: float = 5.0  # seconds between snapshots (taken only when something changed)
    exit_with_parent: bool = False  # stop when the process that started us is gone (tests)

    @property
    def mail_domains(self) -> tuple[str, ...]:
        from helpdesk.domain.mail_domains import parse_domains

        return parse_domains(self.mail_domain) or ("example.com",)

    @property
    def first_domain(self) -> str:
        return self.mail_domains[0]


@dataclass
class LocalStack:
    config: LocalConfig
    printer: Callable[[str], None] = print
    resources: Provisioned | None = None
    loops: list[Loop] = field(default_factory=list)
    stoppables: list[Any] = field(default_factory=list)
    started_at: float = 0.0
    ready_seconds: float = 0.0
    live: LiveServer | None = None  # the WebSocket API and its management API
    data: DataDir | None = None
    persist: Snapshotter | None = None
    restored: bool = False  # filled from a snapshot (or a journal) rather than seeded
    replayed: int = 0  # raw mails sent through ingest again at start
    unindexed: tuple[int, int] = (0, 0)  # restored tickets without a search index entry, of all tickets
    stop_seconds: dict[str, float] = field(default_factory=dict)  # how long each part took to stop
    restore_seconds: float = 0.0

    @property
    def endpoint(self) -> str:
        return f"http://{self.config.host}:{self.config.moto_port}"

    @property
    def api_url(self) -> str:
        return f"http://{self.config.host}:{self.config.api_port}"

    @property
    def live_url(self) -> str:
        return self.live.url if self.live else ""

    @property
    def outbox_url(self) -> str:
        return f"http://{self.config.host}:{self.config.outbox_port}"

    def client(self, service: str) -> Any:
        return local_client(service, self.endpoint)

    # ------------------------------------------------------------------------------------------------ start

    def start(self) -> LocalStack:
        self.started_at = time.monotonic()
        cfg = self.config
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        from .moto_server import MotoServer, forget_stream_reads

        empty = True
        if cfg.data_dir is not None:
            self.data = DataDir(cfg.data_dir)
            self.data.acquire()  # before anything else: a second stack on the same directory stops here
            empty = self.data.is_empty()
            # The same user pool and client ids at every start, so tokens survive a restart.
            os.environ["MOTO_COGNITO_IDP_USER_POOL_ID_STRATEGY"] = "HASH"
            os.environ["MOTO_COGNITO_IDP_USER_POOL_CLIENT_ID_STRATEGY"] = "HASH"
        moto = MotoServer(cfg.host, cfg.moto_port, fast_items=not BENCH_BASELINE)
        moto.start()
        self.stoppables.append(moto)
        self._environment_for_aws()
        share_service_models()
        self.resources = provision(self.endpoint, {"MailDomain": ",".join(cfg.mail_domains), "AWS::Region": REGION})
        pending: list[str] = []
        persist: Snapshotter | None = None  # becomes self.persist once the state is whole (stop() snapshots it)
        if self.data is not None:
            assert moto.gate is not None
            persist = Snapshotter(self.data, self.resources, moto.gate.lock)
            if not empty:  # a snapshot, or only raw mail (a crash before the first snapshot)
                began = time.monotonic()
                self.restored = self.data.read_snapshot() is not None
                pending = persist.restore()
                self.restore_seconds = time.monotonic() - began
                self.unindexed = persist.unindexed()
        from .live_server import LiveServer

        live = self.live = LiveServer(cfg.host, cfg.live_port, cfg.live_admin_port)  # bound now: the env names it
        self._environment_for_functions(self.resources)

        from helpdesk.store.config_store import ConfigStore

        from .seed import create_dev_users, seed_config

        if not self.restored:
            seed_config(ConfigStore(ttl=0), cfg.first_domain)
            from helpdesk.bootstrap import config_store

            config_store().invalidate()  # (the functions' store, if it read before the seed)
            create_dev_users(self.client("cognito-idp"), self.resources.user_pool_id)
            if persist is not None:
                persist.snapshot()  # the seeded state is kept before any mail comes in
        self.persist = persist
        self._tap_events()
        if persist is not None and pending:
            persist.replay(pending)  # S3 → SQS: the ingest poller below picks them up
            self.replayed = len(pending)

        from functions.api.app import handler as api_handler
        from functions.autoclose.app import handler as autoclose_handler
        from functions.ingest.app import handler as ingest_handler
        from functions.live.app import fanout as live_fanout_handler
        from functions.live.app import handler as live_handler
        from functions.publisher.app import handler as publisher_handler

        from .api_server import ApiServer
        from .outbox import OutboxServer, OutboxWatcher
        from .smtp import InboundHandler, InboundServer

        res = self.resources
        sqs = self.client("sqs")
        ingest = SqsPoller(
            sqs,
            res.queue_urls["IngestQueue"],
            res.attrs[("IngestQueue", "Arn")],
            ingest_handler,
            "helpdesk-ingest",
            on_batch=self._report_batch,
        )
        streams = self.client("dynamodbstreams")
        gate = moto.gate
        assert gate is not None
        publisher = StreamPoller(
            streams,
            res.stream_arns["TicketsTable"],
            writes=lambda: gate.changes,
            passed=lambda arns: forget_stream_reads(gate.lock, arns, ACCOUNT, REGION),
        )
        # The live fan-out reads the same stream (a second event source mapping), with the template's filters.
        # It goes first: on AWS the two mappings run side by side, so the publisher's work (it also keeps the
        # search index) must not delay the sockets here either.
        publisher.add(live_fanout_handler, "helpdesk-live-fanout", keep=stream_filter("LiveFanoutFunction"))
        publisher.add(publisher_handler, "helpdesk-publisher", keep=_is_event_insert)
        outbox = OutboxWatcher(self._say)
        # The search table's stream (keys only): a ticket's index changed → the fan-out tells searching inboxes.
        indexed = StreamPoller(
            streams,
            res.stream_arns["SearchTable"],
            live_fanout_handler,
            "helpdesk-live-fanout",
            keep=stream_filter("LiveFanoutFunction", "Indexed"),
            writes=lambda: gate.changes,
            passed=lambda arns: forget_stream_reads(gate.lock, arns, ACCOUNT, REGION),
        )
        stream_loop = Loop("stream-poller", publisher.step, idle=0.2)
        index_loop = Loop("index-stream-poller", indexed.step, idle=0.2)
        if not BENCH_BASELINE:
            gate.on_change.append(stream_loop.wake)  # a write may add stream records: read them now
            gate.on_change.append(index_loop.wake)
        self.loops += [
            Loop("ingest-poller", ingest.step, idle=0.05),
            stream_loop,
            index_loop,
            Loop(
                "autoclose-ticker",
                Ticker(autoclose_handler, "helpdesk-autoclose", cfg.autoclose_interval).step,
                idle=1.0,
            ),
            Loop("outbox-watcher", outbox.step, idle=0.5),
            Loop("events-tap", self._events_step(gate), idle=0.5),
            Loop("memory-trim", MemoryTrimmer().step, idle=10.0),
        ]
        if self.persist is not None:
            self.loops.append(Loop("snapshots", self._snapshot_step(moto), idle=cfg.snapshot_interval))
            assert moto.gate is not None
            self.loops.append(Loop("freezer", moto_cold.Freezer(moto.gate.lock).step, idle=1.0))
        for loop in self.loops:
            loop.start()

        s3 = self.client("s3")
        bucket = res.names["MailBucket"]

        def store(key: str, data: bytes) -> None:
            if self.data is not None:
                self.data.journal(key, data)  # on disk before SMTP answers 250
            try:
                s3.put_object(Bucket=bucket, Key=key, Body=data)
            except Exception:
                if self.data is not None:
                    self.data.forget(key)  # SMTP answers 451: the client sends it again
                raise

        smtp = InboundServer(InboundHandler(store, self.mail_domains), cfg.host, cfg.smtp_port)
        smtp.start()
        self.stoppables.append(smtp)
        from helpdesk.bootstrap import config_store

        config = config_store()

        def api_with_one_config(event: dict[str, Any], context: Any) -> dict[str, Any]:
            # One configuration snapshot per request: an inbox read used it three times, and a write in the
            # request must be seen by its later reads.
            if BENCH_BASELINE:
                return api_handler(event, context)
            with config.pinned():
                return api_handler(event, context)

        api = ApiServer(api_with_one_config, cfg.host, cfg.api_port)
        api.start()
        self.stoppables.append(api)
        live.start(live_handler)
        self.stoppables.append(live)
        outbox_server = OutboxServer(cfg.host, cfg.outbox_port)
        outbox_server.start()
        self.stoppables.append(outbox_server)
        self._write_state()
        self.ready_seconds = time.monotonic() - self.started_at
        if cfg.demo and not empty:
            self._say("  (data directory is not empty: the demo mails are not sent again)")
        elif cfg.demo:
            from .demo import send_demo_mails

            try:
                send_demo_mails(cfg.host, cfg.smtp_port, cfg.first_domain)
            except (OSError, smtplib.SMTPException) as exc:  # the stack itself works: keep it running
                log.warning("demo mails could not be sent: %s", exc)
                self._say(f"  ⚠  demo mails could not be sent ({exc}); send your own with 'helpdesk send'")
        return self

    def _environment_for_aws(self) -> None:
        os.environ.update(
            {
                "AWS_ENDPOINT_URL": self.endpoint,
                "AWS_ACCESS_KEY_ID": "local",
                "AWS_SECRET_ACCESS_KEY": "local",
                "AWS_DEFAULT_REGION": REGION,
                "AWS_REGION": REGION,
            }
        )
        os.environ.pop("AWS_PROFILE", None)
        os.environ.pop("AWS_SESSION_TOKEN", None)

    def _environment_for_functions(self, res: Provisioned) -> None:
        pool = res.user_pool_id
        os.environ.update(res.env)
        os.environ.update(
            {
                "HELPDESK_LOCAL": "1",
                "HELPDESK_JWT_ISSUER": f"https://cognito-idp.{REGION}.amazonaws.com/{pool}",
                "HELPDESK_JWKS_URL": f"{self.endpoint}/{pool}/.well-known/jwks.json",
                "HELPDESK_PUBLIC_URL": self.api_url,
                "HELPDESK_LIVE_URL": self.live.url if self.live else "",
                "HELPDESK_LIVE_ENDPOINT": self.live.admin_url if self.live else "",
                "HELPDESK_LINK_SECRET": os.environ.get("HELPDESK_LINK_SECRET", "local-development-link-secret"),
                # Every configuration write of the local stack goes through this process's ConfigStore, which
                # drops its cache at once; the TTL only bounds how long a write from elsewhere stays unseen.
                # 0 (a read per request) made each request pay for the whole configuration, which grows
                # with every record an admin (or schemathesis) creates.
                "HELPDESK_CONFIG_TTL": "2",
                "POWERTOOLS_TRACE_DISABLED": "true",
                "POWERTOOLS_METRICS_DISABLED": "true",
                "POWERTOOLS_LOG_LEVEL": self.config.log_level,
                "POWERTOOLS_DEV": "false",
            }
        )
        from helpdesk import bootstrap
        from helpdesk.aws.clients import reset_clients
        from helpdesk.settings import reset_settings

        reset_settings()
        reset_clients()
        bootstrap.reset()
        bootstrap.adapters()  # binds the tables to the local stack's

    def mail_domains(self) -> set[str]:
        from helpdesk.bootstrap import config_store

        domains = set(self.config.mail_domains)
        domains |= {m.address.rpartition("@")[2] for m in config_store().snapshot().mailboxes}
        return domains

    def _tap_events(self) -> None:
        """Local only: route every event on the bus to a queue, so events can be seen (and tested)."""
        assert self.resources is not None
        bus = self.resources.names["EventBus"]
        sqs, events = self.client("sqs"), self.client("events")
        url = sqs.create_queue(QueueName="helpdesk-local-events")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        events.put_rule(Name="local-tap", EventBusName=bus, EventPattern=json.dumps({"source": ["helpdesk"]}))
        events.put_targets(Rule="local-tap", EventBusName=bus, Targets=[{"Id": "tap", "Arn": arn}])
        self.events_queue_url = url
        self.events_seen: list[dict[str, Any]] = []
        self._events_sqs = sqs  # one client: creating one per read cost more than the read

    def _events_step(self, gate: Any) -> Callable[[], bool]:
        """The event tap reads its queue only after PutEvents calls (an idle stack asked twice a second)."""
        drained: list[int] = [-1]

        def step() -> bool:
            mark = gate.events
            if mark == drained[0]:
                return False
            worked = self._drain_events()
            if not worked:
                drained[0] = mark
            return worked

        return step

    def _drain_events(self) -> bool:
        sqs = self._events_sqs
        messages = sqs.receive_message(QueueUrl=self.events_queue_url, MaxNumberOfMessages=10).get("Messages", [])
        for m in messages:
            event = json.loads(m["Body"])
            self.events_seen.append(event)
            detail = event.get("detail", {})
            if event.get("detail-type") == "TicketCreated":
                self._say(
                    f"  🎫 {detail.get('number')} created: {detail.get('subject', '')!s:.60} "
                    f"(from {detail.get('customer')}, queue {detail.get('queue')})"
                )
            elif event.get("detail-type") == "StatusChanged":
                self._say(f"  ↻  {detail.get('number')}: {detail.get('from')} → {detail.get('to')}")
            sqs.delete_message(QueueUrl=self.events_queue_url, ReceiptHandle=m["ReceiptHandle"])
        return bool(messages)

    def _snapshot_step(self, moto: Any) -> Callable[[], bool]:
        seen: list[tuple[int, int]] = [(-1, -1)]

        def step() -> bool:
            assert self.persist is not None
            marker = (moto.gate.changes, len(self.persist.ingested))
            if marker != seen[0]:
                seen[0] = marker  # read before the snapshot: a change during it is seen next time
                self.persist.snapshot()
            return False

        return step

    def _report_batch(self, messages: list[dict[str, Any]], failed: set[str]) -> None:
        if self.persist is not None:
            self.persist.note_ingested(messages, failed)
        if failed:
            self._say(f"  ⚠  ingest failed for {len(failed)} of {len(messages)} mails (will retry, then DLQ)")

    def _say(self, text: str) -> None:
        if not self.config.quiet:
            self.printer(text)

    def _write_state(self) -> None:
        assert self.resources is not None
        state = {
            "pid": os.getpid(),
            "api_url": self.api_url,
            "moto_endpoint": self.endpoint,
            "smtp": [self.config.host, self.config.smtp_port],
            "outbox_url": self.outbox_url,
            "live_url": self.live_url,
            "live_admin_url": self.live.admin_url if self.live else "",
            "mail_domain": self.config.first_domain,
            "mail_domains": list(self.config.mail_domains),
            "user_pool_id": self.resources.user_pool_id,
            "user_pool_client_id": self.resources.user_pool_client_id,
            "users": {name: {"password": u["password"], "group": u["group"]} for name, u in DEV_USERS.items()},
            "env": {**self.resources.env, "AWS_ENDPOINT_URL": self.endpoint},
            "queues": self.resources.queue_urls,
        }
        write_private_json(self.state_path, state)

    @property
    def state_path(self) -> Path:
        return self.config.state_file or state_path(self.config.api_port)

    # ------------------------------------------------------------------------------------------------- stop

    def stop(self) -> None:
        began = time.monotonic()
        for loop in self.loops:
            loop.stop()
        for loop in self.loops:
            loop.join(timeout=5)
        self.stop_seconds["loops"] = time.monotonic() - began
        for item in reversed(self.stoppables):
            began = time.monotonic()
            try:
                item.stop()
            except Exception:  # stopping must go on for the rest
                log.exception("stopping %s failed", item)
            self.stop_seconds[type(item).__name__] = time.monotonic() - began
        if self.persist is not None:  # nothing changes any more: the last snapshot is the whole state
            began = time.monotonic()
            try:
                self.persist.snapshot()
            except Exception:
                log.exception("the last snapshot failed; the one before it and the mail journal remain")
            self.stop_seconds["snapshot"] = time.monotonic() - began
        if self.data is not None:
            self.data.release()
        with contextlib.suppress(FileNotFoundError):
            self.state_path.unlink()

    def _kept(self) -> str:
        if self.data is None:
            return "state in memory"
        how = "restored from" if self.restored else "kept in"
        replayed = f", {self.replayed} mails ingested again" if self.replayed else ""
        return f"data {how} {self.data.path}{replayed}"

    def banner(self) -> str:
        users = "\n".join(f"     {name:6} / {u['password']}   ({u['group']})" for name, u in DEV_USERS.items())
        return (
            "\n"
            f"  Helpdesk läuft lokal / is running locally ({self._kept()}; Ctrl-C stops everything)\n\n"
            f"  Web client + API   {self.api_url}/\n"
            f"  OpenAPI            {self.api_url}/openapi.json\n"
            f"  SMTP inbound       {self.config.host}:{self.config.smtp_port}   "
            f"(mail to support@{self.config.first_domain}, sales@{self.config.first_domain}; "
            f"domains {', '.join(self.config.mail_domains)})\n"
            f"  Outbox (sent mail) {self.outbox_url}/\n"
            f"  Live (WebSocket)   {self.live_url}   (connections API {self.live.admin_url if self.live else ''})\n"
            f"  AWS (moto)         {self.endpoint}\n\n"
            f"  Demo login:\n{users}\n\n"
            f"  Token for scripts: helpdesk token --user agent\n"
            f"  Send a mail:       helpdesk send some.eml\n"
            f"  Started in {self.ready_seconds:.1f} s"
            + (f" (data read back in {self.restore_seconds:.1f} s)" if self.restored else "")
            + "\n"
            + self._reindex_hint()
        )

    def _reindex_hint(self) -> str:
        missing, tickets = self.unindexed
        if not missing:
            return ""
        return (
            f"\n  ⚠  {missing} von {tickets} Tickets fehlen im Suchindex / {missing} of {tickets} tickets are not in"
            " the search index\n"
            "     (data from before it: search finds them once changed). While this runs: helpdesk reindex\n"
        )


def _is_event_insert(record: dict[str, Any]) -> bool:
    image = record.get("dynamodb", {}).get("NewImage", {})
    return record.get("eventName") == "INSERT" and image.get("kind", {}).get("S") == "event"


def state_path(api_port: int = 8000) -> Path:
    return Path(tempfile.gettempdir()) / f"helpdesk-local-{api_port}.json"


def read_state(api_port: int = 8000) -> dict[str, Any]:
    path = state_path(api_port)
    if not path.exists():
        raise FileNotFoundError(f"no local stack is running on port {api_port} (start it with 'helpdesk local')")
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def run_forever(stack: LocalStack) -> None:
    stop = threading.Event()

    def on_signal(signum: int, frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    parent = os.getppid()
    try:
        stack.start()
        print(stack.banner(), flush=True)
        while not stop.wait(0.5):
            if stack.config.exit_with_parent and os.getppid() != parent:
                print("\n  the parent process is gone", flush=True)
                break
    finally:
        print("\n  stopping …", flush=True)
        began = time.monotonic()
        stack.stop()
        parts = ", ".join(f"{name} {seconds:.1f}" for name, seconds in stack.stop_seconds.items() if seconds >= 0.5)
        print(f"  ({time.monotonic() - began:.1f} s{': ' + parts if parts else ''})", flush=True)
        print("  stopped.", flush=True)
    sys.stdout.flush()


def send_file(
    path: Path, host: str = "127.0.0.1", port: int = 2525, rcpt: list[str] | None = None, mail_from: str | None = None
) -> str:
    """Inject a raw mail over SMTP; recipients default to the To/Cc headers."""
    from email import message_from_bytes, policy
    from email.utils import getaddresses

    data = path.read_bytes()
    msg = message_from_bytes(data, policy=policy.compat32)
    recipients = rcpt or [a for _, a in getaddresses(msg.get_all("to", []) + msg.get_all("cc", [])) if a]
    sender = mail_from or next((a for _, a in getaddresses(msg.get_all("from", [])) if a), "")
    if not recipients:
        raise ValueError("no recipients: give --to or a To header")
    with smtplib.SMTP(host, port, timeout=30) as smtp:
        refused = smtp.sendmail(sender, recipients, data)
    if refused:
        raise smtplib.SMTPRecipientsRefused(refused)
    return ", ".join(recipients)
