"""The ``helpdesk`` command line: run the local stack, get tokens, parse and send mail, run jobs.

Not shipped to Lambda (it needs the ``local`` extra: Typer, moto, aiosmtpd).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Serverless mail-to-ticket helpdesk: local stack and tools. 'helpdesk COMMAND --help' explains each.",
)

DataDirOption = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        envvar="HELPDESK_DATA_DIR",
        help="Where the local stack keeps its data (default: .helpdesk/ in the checkout)",
    ),
]

ApiPort = Annotated[
    int,
    typer.Option(
        "--api-port", envvar="HELPDESK_API_PORT", help="Port of the running local stack's API (finds its state file)"
    ),
]


@app.command()
def local(
    demo: Annotated[bool, typer.Option("--demo", help="Send sample mails through the pipeline at start")] = False,
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    api_port: Annotated[int, typer.Option("--api-port", envvar="HELPDESK_API_PORT", help="API + web client")] = 8000,
    smtp_port: Annotated[int, typer.Option("--smtp-port", envvar="HELPDESK_SMTP_PORT", help="SMTP inbound")] = 2525,
    moto_port: Annotated[int, typer.Option("--moto-port", envvar="HELPDESK_MOTO_PORT", help="moto server")] = 5100,
    outbox_port: Annotated[
        int, typer.Option("--outbox-port", envvar="HELPDESK_OUTBOX_PORT", help="page listing mail the helpdesk sent")
    ] = 8025,
    live_port: Annotated[
        int, typer.Option("--live-port", envvar="HELPDESK_LIVE_PORT", help="live WebSocket (the web client's updates)")
    ] = 8001,
    domain: Annotated[
        list[str] | None,
        typer.Option(
            "--mail-domain",
            "--domain",
            metavar="DOMAIN",
            help="Mail domain SMTP accepts (MailDomain); repeat it or give a comma list for several, the first "
            "one is the system's own",
        ),
    ] = None,
    autoclose_interval: Annotated[
        float,
        typer.Option(
            "--autoclose-interval", envvar="HELPDESK_AUTOCLOSE_INTERVAL", help="Seconds between autoclose runs"
        ),
    ] = 60.0,
    log_level: Annotated[str, typer.Option("--log-level", help="Lambda handlers' log level")] = "WARNING",
    data_dir: DataDirOption = None,
    fresh: Annotated[
        bool, typer.Option("--fresh", help="Delete everything in the data directory first (asks unless --yes)")
    ] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask before --fresh deletes")] = False,
    snapshot_interval: Annotated[
        float,
        typer.Option(
            "--snapshot-interval",
            envvar="HELPDESK_SNAPSHOT_INTERVAL",
            help="Seconds between snapshots of the data (taken only when something changed)",
        ),
    ] = 5.0,
    exit_with_parent: Annotated[
        bool,
        typer.Option(
            "--exit-with-parent",
            envvar="HELPDESK_EXIT_WITH_PARENT",
            help="Stop when the process that started this one is gone (for tests and scripts)",
        ),
    ] = False,
) -> None:
    """Run the whole system locally (moto, SMTP, ingest, API + web client, scheduler) until Ctrl-C.

    Tickets, configuration, agents and raw mail are kept in the data directory across restarts.
    """
    from helpdesk_local.persist import DataDirBusy
    from helpdesk_local.stack import LocalConfig, LocalStack, run_forever

    data = _data_dir(data_dir)
    if fresh:
        _wipe(data, yes)

    config = LocalConfig(
        host=host,
        api_port=api_port,
        smtp_port=smtp_port,
        moto_port=moto_port,
        outbox_port=outbox_port,
        live_port=live_port,
        mail_domain=",".join(domain or ["example.com"]).lower(),
        demo=demo,
        autoclose_interval=autoclose_interval,
        log_level=log_level.upper(),
        data_dir=data.path,
        snapshot_interval=snapshot_interval,
        exit_with_parent=exit_with_parent,
    )
    try:
        run_forever(LocalStack(config))
    except DataDirBusy as exc:
        _fail(f"{exc}; stop it first, or give another --data-dir")


@app.command()
def backup(
    target: Annotated[Path, typer.Argument(help="The archive to write (.tar.gz)")],
    data_dir: DataDirOption = None,
) -> None:
    """Copy the local stack's data directory into an archive (while the stack is stopped)."""
    from helpdesk_local.persist import DataDirBusy, backup

    data = _data_dir(data_dir)
    if not data.path.exists() or data.is_empty():
        _fail(f"{data.path} holds no data")
    try:
        count = backup(data, target)
    except DataDirBusy as exc:
        _fail(f"{exc}; stop it first (a backup of a running stack could miss its last changes)")
    typer.echo(f"{count} files from {data.path} written to {target}")


@app.command()
def restore(
    source: Annotated[Path, typer.Argument(help="An archive written by 'helpdesk backup'")],
    data_dir: DataDirOption = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask before replacing the data")] = False,
) -> None:
    """Replace the local stack's data directory with a backup (while the stack is stopped)."""
    from helpdesk_local.persist import DataDirBusy, restore_backup

    data = _data_dir(data_dir)
    if not source.is_file():
        _fail(f"{source} does not exist")
    if data.path.exists() and not data.is_empty() and not yes:
        typer.confirm(f"Replace everything in {data.path} with {source}?", abort=True)
    try:
        count = restore_backup(data, source)
    except DataDirBusy as exc:
        _fail(f"{exc}; stop it first")
    except (ValueError, OSError) as exc:
        _fail(str(exc))
    typer.echo(f"{count} files from {source} restored into {data.path}")


def _data_dir(path: Path | None) -> Any:
    from helpdesk_local.persist import DEFAULT_DATA_DIR, DataDir

    return DataDir((path or DEFAULT_DATA_DIR).resolve())


def _wipe(data: Any, yes: bool) -> None:
    from helpdesk_local.persist import DataDirBusy

    if not data.path.exists() or data.is_empty():
        return
    if not yes:
        typer.confirm(f"Delete every ticket, agent and mail in {data.path}?", abort=True)
    try:
        with data.held():
            data.wipe()
    except DataDirBusy as exc:
        _fail(f"{exc}; stop it first")


@app.command()
def token(
    user: Annotated[str, typer.Option("--user", help="Dev user: admin or agent")] = "agent",
    api_port: ApiPort = 8000,
) -> None:
    """Print a valid ID token for a dev user of the running local stack (last line of stdout)."""
    from helpdesk_local.provision import local_client
    from helpdesk_local.stack import read_state

    state = _state(api_port, read_state)
    users: dict[str, Any] = state["users"]
    if user not in users:
        _fail(f"unknown dev user {user!r}; choose one of {', '.join(users)}")
    from botocore.exceptions import BotoCoreError, ClientError

    cognito = local_client("cognito-idp", state["moto_endpoint"])
    try:
        result = cognito.initiate_auth(
            ClientId=state["user_pool_client_id"],
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": user, "PASSWORD": users[user]["password"]},
        )
    except (BotoCoreError, ClientError) as exc:
        _fail(f"the local stack on port {api_port} did not issue a token ({state['moto_endpoint']}): {exc}")
    typer.echo(result["AuthenticationResult"]["IdToken"])


@app.command()
def parse(
    file: Annotated[Path, typer.Argument(help="A raw mail (.eml)", exists=False)],
    raw_html: Annotated[bool, typer.Option("--raw-html", help="Print the HTML unsanitized (careful)")] = False,
) -> None:
    """Parse one raw mail with the ingest's own code and print JSON (from, to, subject, text, html, …)."""
    from helpdesk.domain.mail import parse_mail
    from helpdesk.domain.sanitize import sanitize_html

    try:
        raw = file.read_bytes()
    except OSError as exc:
        _fail(f"cannot read {file}: {exc.strerror or exc}")
    parsed = parse_mail(raw)
    html = parsed.html if raw_html else sanitize_html(parsed.html).html
    typer.echo(json.dumps(parsed.to_json(sanitized_html=html), ensure_ascii=False, indent=2))


@app.command()
def send(
    file: Annotated[Path, typer.Argument(help="A raw mail (.eml) to send")],
    to: Annotated[list[str] | None, typer.Option("--to", help="Envelope recipient (default: To/Cc)")] = None,
    mail_from: Annotated[str | None, typer.Option("--from", help="Envelope sender (default: From)")] = None,
    host: Annotated[str, typer.Option(help="SMTP host")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="SMTP port", envvar="HELPDESK_SMTP_PORT")] = 2525,
) -> None:
    """Inject a mail into the local stack over SMTP, as a mail program would."""
    from helpdesk_local.stack import send_file

    try:
        recipients = send_file(file, host, port, rcpt=to, mail_from=mail_from)
    except (OSError, ValueError) as exc:
        _fail(f"could not send {file}: {exc}")
    typer.echo(f"sent {file} to {recipients}")


@app.command()
def autoclose(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only list what would happen, change nothing")] = False,
    api_port: ApiPort = 8000,
    aws: Annotated[bool, typer.Option("--aws", help="Use the AWS environment instead of the local stack")] = False,
) -> None:
    """Run the scheduled job once: reminders, auto-close of stale "warten auf Kunde", deadline alerts."""
    from helpdesk.bootstrap import autoclose_deps
    from helpdesk.services.autoclose import run

    if not aws:
        _use_local(api_port)
    report = run(autoclose_deps(), dry_run=dry_run)
    for action in report.actions:
        typer.echo(
            f"{action.number:<16} {action.step:<8} {action.age_days:>6.1f} days  {action.reason}"
            f"  [{'dry run' if dry_run else action.result}]"
        )
    typer.echo(
        f"examined {report.examined}: reminded {report.reminded}, closed {report.closed}, "
        f"deadlines alerted {report.escalated}, skipped {report.skipped}"
        + (" (dry run: nothing changed)" if dry_run else "")
    )


@app.command()
def redrive(
    api_port: ApiPort = 8000,
    aws: Annotated[
        bool, typer.Option("--aws", help="Use HELPDESK_INGEST_QUEUE_URL/HELPDESK_INGEST_DLQ_URL on AWS")
    ] = False,
) -> None:
    """Move mail from the ingest dead-letter queue back to the ingest queue (after fixing the cause)."""
    import os

    from helpdesk.aws import clients
    from helpdesk.services.redrive import redrive as move

    if aws:
        source, target = os.environ.get("HELPDESK_INGEST_DLQ_URL"), os.environ.get("HELPDESK_INGEST_QUEUE_URL")
        if not source or not target:
            _fail("set HELPDESK_INGEST_DLQ_URL and HELPDESK_INGEST_QUEUE_URL (stack outputs)")
    else:
        state = _use_local(api_port)
        source, target = state["queues"]["IngestDLQ"], state["queues"]["IngestQueue"]
    moved = move(clients.sqs(), str(source), str(target))
    typer.echo(f"moved {moved} message(s) back to the ingest queue")


@app.command()
def recount(
    api_port: ApiPort = 8000,
    aws: Annotated[bool, typer.Option("--aws", help="Use the AWS environment instead of the local stack")] = False,
) -> None:
    """Rebuild the per-queue counters (backlog, tags in use) from the tickets: once, after deploying them."""
    from helpdesk.services.recount import recount_queue_counters

    if not aws:
        _use_local(api_port)
    counted = recount_queue_counters()
    typer.echo(f"recounted {sum(counted.values())} ticket(s) in {len(counted)} queue(s)")


@app.command("sla-refresh")
def sla_refresh(
    api_port: ApiPort = 8000,
    aws: Annotated[bool, typer.Option("--aws", help="Use the AWS environment instead of the local stack")] = False,
) -> None:
    """Compute the SLA clocks and next looks of every open ticket: after adding or changing an SLA policy or
    a time trigger (otherwise a ticket gets them at its next change). Idempotent; reads every ticket once."""
    from helpdesk.bootstrap import automation_deps
    from helpdesk.services.timed import refresh_open

    if not aws:
        _use_local(api_port)
    done = refresh_open(automation_deps(), progress=lambda n: typer.echo(f"{n} ticket(s) read so far"))
    typer.echo(f"{done.examined} open ticket(s) looked at, {done.saved} updated, {len(done.skipped)} skipped")
    for line in done.skipped[:20]:
        typer.echo(f"  skipped {line}")


@app.command()
def reindex(
    api_port: ApiPort = 8000,
    aws: Annotated[bool, typer.Option("--aws", help="Use the AWS environment instead of the local stack")] = False,
    start: Annotated[
        str | None, typer.Option("--start", help="Continue from a position an interrupted run printed")
    ] = None,
) -> None:
    """Build the full-text search index from the tickets: for data from before it, or to repair it.

    Idempotent (unchanged tickets are not written) and resumable (--start); removes deleted tickets."""
    from helpdesk.services.reindex import Reindexed
    from helpdesk.services.reindex import reindex as run

    if not aws:
        _use_local(api_port)

    def progress(done: Reindexed, position: str | None) -> None:
        if position:
            typer.echo(f"{done.tickets} ticket(s) so far; to continue from here: --start {position}")

    try:
        done = run(start, progress)
    except ValueError as exc:
        _fail(f"--start: {exc}")
    typer.echo(
        f"indexed {done.tickets} ticket(s), {done.changed} changed ({done.put} postings written, "
        f"{done.deleted} removed); {done.pruned} deleted ticket(s) removed from the index"
    )


def _state(api_port: int, reader: Any) -> dict[str, Any]:
    try:
        state: dict[str, Any] = reader(api_port)
    except FileNotFoundError as exc:
        _fail(str(exc))
    return state


def _use_local(api_port: int) -> dict[str, Any]:
    import os

    from helpdesk import bootstrap
    from helpdesk.aws.clients import reset_clients
    from helpdesk.settings import reset_settings
    from helpdesk_local.stack import read_state

    state = _state(api_port, read_state)
    os.environ.update(state["env"])
    os.environ.update(
        {
            "AWS_ACCESS_KEY_ID": "local",
            "AWS_SECRET_ACCESS_KEY": "local",
            "AWS_DEFAULT_REGION": "eu-central-1",
            "AWS_REGION": "eu-central-1",
        }
    )
    reset_settings()
    reset_clients()
    bootstrap.reset()
    bootstrap.adapters()  # the commands' tables: the local stack's
    return state


def _fail(message: str) -> Any:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code=2)


def main() -> None:
    app(prog_name="helpdesk")


if __name__ == "__main__":
    main()
