"""The deploy artefacts, built as `make deploy` builds them, and each handler run from them under Python 3.12.

The build (`python -m helpdesk_deploy --dry-run`, no AWS credentials anywhere) needs no Python 3.12 and no
Docker. The handlers then run in a Python 3.12 subprocess started with ``-I -S``: nothing on ``sys.path``
but the function's folder, the built layer and a runtime-like boto3 (as the Lambda runtime has it), against
moto, with the events AWS delivers (S3 via SQS, an API Gateway proxy request, the schedule, the table's
stream). Without a Python 3.12 on the machine those tests skip and say why.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from helpdesk_deploy.build import LAYER_BUDGET_ZIPPED, find_python312, runtime_closure
from helpdesk_deploy.deploy import Config, check_config, load_template

ROOT = Path(__file__).resolve().parents[2]
RUNNER = Path(__file__).with_name("run_handler.py")
PYTHON312 = find_python312()
needs_312 = pytest.mark.skipif(
    PYTHON312 is None,
    reason="no Python 3.12 found ($HELPDESK_PYTHON312, pyenv's versions, python3.12 on PATH, /usr/bin, "
    "/usr/local/bin; or HELPDESK_PYTHON312=none): the packaged handlers were not run; "
    "`pyenv install 3.12` (or any python3.12) runs them",
)
# A test that builds (the shared fixture's setup counts to the first test using it) waits for a whole build: up to
# 600 s for its subprocess on a loaded machine (7 min measured with 8 test runs on 2 cores), above the 300 s default.
pytestmark = pytest.mark.timeout(660)

CONFIG = """
stack_name = "helpdesk-test"
region = "eu-central-1"
[parameters]
MailDomain = "support.example.com"
RawMailRetentionDays = 400
"""


@dataclass
class Built:
    out: Path
    stdout: str
    seconds: float


def no_aws_env() -> dict[str, str]:
    """The environment of a machine without AWS credentials (and no AWS CLI configuration to find them in)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        {"AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull, "AWS_EC2_METADATA_DISABLED": "true"}
    )
    return env


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """One build per test run: xdist's workers share it (the first builds under a lock, the others wait)."""
    import fcntl
    import time

    base = tmp_path_factory.getbasetemp()
    # under xdist each worker's base is <run>/popen-gwN: <run> is common to the workers of this run only
    shared = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "deploy"
    shared.mkdir(exist_ok=True)
    with (shared / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = shared / "built.json"
        if done.exists():
            data = json.loads(done.read_text())
            return Built(Path(data["out"]), data["stdout"], data["seconds"])
        (shared / "deploy.toml").write_text(CONFIG)
        started = time.monotonic()
        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "helpdesk_deploy",
                "--dry-run",
                "--config",
                str(shared / "deploy.toml"),
                "--out",
                str(shared / "build"),
            ],
            capture_output=True,
            text=True,
            timeout=600,
            env=no_aws_env(),
            cwd=shared,
        )
        assert run.returncode == 0, f"dry run failed:\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}"
        result = Built(shared / "build", run.stdout, time.monotonic() - started)
        done.write_text(json.dumps({"out": str(result.out), "stdout": result.stdout, "seconds": result.seconds}))
        return result


# ------------------------------------------------------------------------------------------------ the build


def test_the_dry_run_builds_everything_and_stops_before_aws(built: Built) -> None:
    assert "stopped before the first command that needs AWS credentials" in built.stdout
    assert "aws cloudformation deploy" in built.stdout and "RawMailRetentionDays=400" in built.stdout
    for name in (
        "layer.zip",
        "ingest.zip",
        "api.zip",
        "autoclose.zip",
        "publisher.zip",
        "feedback.zip",
        "template.yaml",
    ):
        assert (built.out / name).is_file(), name
    assert not (built.out / "packaged.yaml").exists()  # that is `aws cloudformation package`'s, with credentials
    generated = yaml.safe_load((built.out / "template.yaml").read_text())
    resources = generated["Resources"]
    assert resources["HelpdeskLayer"]["Properties"]["ContentUri"] == "layer.zip"
    assert "Metadata" not in resources["HelpdeskLayer"]  # nothing left for `sam build` to do
    assert {
        resources[f]["Properties"]["CodeUri"]
        for f in (
            "IngestFunction",
            "ApiFunction",
            "AutocloseFunction",
            "PublisherFunction",
            "FeedbackFunction",
        )
    } == {
        "ingest.zip",
        "api.zip",
        "autoclose.zip",
        "publisher.zip",
        "feedback.zip",
    }


def test_the_layer_is_within_budget_and_ships_only_what_the_functions_import(built: Built) -> None:
    layer = built.out / "layer.zip"
    assert layer.stat().st_size <= LAYER_BUDGET_ZIPPED, f"{layer.stat().st_size / 2**20:.1f} MB zipped"
    with zipfile.ZipFile(layer) as archive:
        names = archive.namelist()
    top = {n.split("/")[1] for n in names if n.startswith("python/") and n.count("/") >= 2}
    for present in (
        "helpdesk",
        "pynamodb",
        "chalice",
        "msgspec",
        "nh3",
        "regex",
        "jwt",
        "cryptography",
    ):
        assert present in top, present
    for absent in (
        "boto3",
        "botocore",
        "s3transfer",
        "pip",
        "setuptools",
        "wheel",
        "inquirer",
        "click",
        "yaml",
        "dateutil",
        "pydantic",  # the API's models are msgspec records since issue 13
        "pydantic_core",
    ):
        assert absent not in top, f"{absent} is in the layer"
    assert "python/helpdesk/cli.py" not in names  # the command line needs Typer: not for Lambda
    assert all(n.startswith("python/") for n in names)
    pyc = [n for n in names if n.endswith(".pyc")]
    if PYTHON312:
        assert pyc and all(".cpython-312." in n for n in pyc), "bytecode for another Python"
        assert "python/helpdesk/__pycache__/bootstrap.cpython-312.pyc" in names
    else:
        assert not pyc and "no Python 3.12 found" in built.stdout


@pytest.mark.skipif(PYTHON312 is None, reason="no Python 3.12 here: the shared build above already ran without one")
def test_the_dry_run_needs_no_python312(tmp_path: Path) -> None:
    """Issue 13's "done means": `make deploy` works on a machine with only Python 3.11 up to the first step that
    needs AWS credentials. On a machine that has a 3.12 the shared build used it (for the bytecode), so this
    build pretends there is none: ``HELPDESK_PYTHON312=none`` and no python3.12 on PATH."""
    (tmp_path / "deploy.toml").write_text(CONFIG)
    env = no_aws_env() | {"HELPDESK_PYTHON312": "none"}
    env["PATH"] = os.pathsep.join(
        d for d in env.get("PATH", "").split(os.pathsep) if d and not (Path(d) / "python3.12").exists()
    )
    config, out = str(tmp_path / "deploy.toml"), str(tmp_path / "build")
    run = subprocess.run(
        [sys.executable, "-m", "helpdesk_deploy", "--dry-run", "--config", config, "--out", out],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
        cwd=tmp_path,
    )
    assert run.returncode == 0, f"dry run failed:\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}"
    assert sys.version_info[:2] != (3, 12)  # the build ran under the machine's own Python
    assert "no Python 3.12 found" in run.stdout
    assert "stopped before the first command that needs AWS credentials" in run.stdout
    with zipfile.ZipFile(tmp_path / "build" / "layer.zip") as archive:
        names = archive.namelist()
    assert "python/helpdesk/bootstrap.py" in names and not [n for n in names if n.endswith(".pyc")]


def test_the_zips_are_reproducible(built: Built, tmp_path: Path) -> None:
    from helpdesk_deploy.build import reproducible_zip

    again = tmp_path / "ingest.zip"
    reproducible_zip(built.out / "functions" / "ingest", again)
    assert again.read_bytes() == (built.out / "ingest.zip").read_bytes()


def test_a_deploy_without_deploy_toml_says_what_to_do(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from helpdesk_deploy.__main__ import main

    assert main(["--config", str(tmp_path / "deploy.toml"), "--out", str(tmp_path / "out")]) == 2
    assert "deploy.example.toml" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_parameters_are_checked_against_the_template_before_anything_is_built() -> None:
    template = load_template()
    good = Config("helpdesk", "eu-west-1", {"MailDomain": "support.example.com"})
    assert check_config(good, template) == []
    bad = Config(
        "1st",
        "Frankfurt",
        {"MailDomain": "Support Example", "RawMailRetentionDays": "30", "LogRetentionDays": "3", "Typo": "x"},
    )
    problems = "\n".join(check_config(bad, template))
    for expected in (
        "stack_name",
        "region",
        "MailDomain=",
        "RawMailRetentionDays=30 is below 31",
        "LogRetentionDays",
        "Typo",
    ):
        assert expected in problems, expected
    assert "MailDomain is required" in "\n".join(check_config(Config("h", "eu-west-1", {}), template))


def test_several_mail_domains_are_checked_one_by_one_and_at_most_five() -> None:
    template = load_template()
    two = Config("helpdesk", "eu-west-1", {"MailDomain": "support.example.com, service.example.de"})
    assert check_config(two, template) == []
    bad = Config("helpdesk", "eu-west-1", {"MailDomain": "support.example.com,Service Example"})
    assert [p.split(" does not match")[0] + " does not match" for p in check_config(bad, template)] == [
        "parameter MailDomain='Service Example' does not match"
    ]
    six = ",".join(f"d{n}.example.com" for n in range(6))
    assert "at most 5" in "\n".join(check_config(Config("h", "eu-west-1", {"MailDomain": six}), template))


def test_the_runtime_closure_leaves_out_the_runtimes_packages_and_chalices_command_line() -> None:
    def item(name: str, *requires: str) -> dict[str, Any]:
        return {"metadata": {"name": name, "version": "1.0", "requires_dist": list(requires)}}

    resolved = [
        item("chalice", "botocore", "pip", "inquirer", "click"),
        item("botocore", "jmespath", "python-dateutil"),
        item("pynamodb", "botocore", "typing-extensions; python_version < '3.11'"),
        item("aws-lambda-powertools", "jmespath", "aws-xray-sdk; extra == 'tracer'", "boto3; extra == 'aws-sdk'"),
        item("aws-xray-sdk", "wrapt", "botocore"),
        item("holidays", "python-dateutil"),  # needs dateutil too: the runtime's (botocore's) serves it
        *(
            item(n)
            for n in ("pip", "inquirer", "click", "jmespath", "python-dateutil", "typing-extensions", "wrapt", "boto3")
        ),
    ]
    keep, left_out = runtime_closure(["chalice", "pynamodb", "aws-lambda-powertools[tracer]", "holidays"], resolved)
    expected = {"chalice", "pynamodb", "aws-lambda-powertools", "aws-xray-sdk", "wrapt", "jmespath", "holidays"}
    assert set(keep) == expected
    assert "the Lambda runtime has it" in left_out["botocore"]
    assert "the Lambda runtime has it" in left_out["python-dateutil"]
    assert set(left_out) == {"botocore", "pip", "inquirer", "click", "python-dateutil", "typing-extensions", "boto3"}


# ------------------------------------------------------------------------- handlers under Python 3.12


@pytest.fixture(scope="session")
def runtime_boto3(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What the Lambda runtime puts on sys.path besides the layer: boto3, botocore and their dependencies."""
    import importlib

    target = tmp_path_factory.mktemp("runtime")
    for name in ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six"):
        module = importlib.import_module(name)
        source = Path(str(module.__file__))
        source = source.parent if source.name == "__init__.py" else source
        (target / source.name).symlink_to(source)
    return target


@dataclass
class Run:
    python: str
    import_seconds: float
    results: list[Any]
    outside: list[str]
    origins: dict[str, str | None]


def run_packaged(
    built: Built, runtime: Path, aws: Any, function: str, events: list[dict[str, Any]], tmp_path: Path, **env: str
) -> Run:
    assert PYTHON312
    function_dir = built.out / "functions" / function
    spec = {
        "paths": [str(function_dir), str(built.out / "layer" / "python"), str(runtime)],
        "function_name": f"helpdesk-{function}",
        "events": events,
        "result_file": str(tmp_path / f"{function}-result.json"),
        "origins": ["botocore", "boto3", "msgspec", "cryptography", "helpdesk"],
    }
    (tmp_path / f"{function}-spec.json").write_text(json.dumps(spec))
    pool = aws.resources.user_pool_id
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "TZ": ":UTC",
        **aws.resources.env,
        # what Lambda sets (tracing active, as template.yaml says); the X-Ray segments go to a daemon nobody runs
        "AWS_LAMBDA_FUNCTION_NAME": f"helpdesk-{function}",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "1024",
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.12",
        "LAMBDA_TASK_ROOT": str(function_dir),
        "_X_AMZN_TRACE_ID": "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
        "AWS_XRAY_CONTEXT_MISSING": "IGNORE_ERROR",
        "AWS_XRAY_DAEMON_ADDRESS": "127.0.0.1:2000",
        "AWS_REGION": "eu-central-1",
        "AWS_DEFAULT_REGION": "eu-central-1",
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_SESSION_TOKEN": "local",
        "AWS_ENDPOINT_URL": aws.endpoint,  # moto instead of AWS: the only difference to a deployment
        "POWERTOOLS_LOG_LEVEL": "WARNING",
        "HELPDESK_JWT_ISSUER": f"https://cognito-idp.eu-central-1.amazonaws.com/{pool}",
        "HELPDESK_JWKS_URL": f"{aws.endpoint}/{pool}/.well-known/jwks.json",
        "HELPDESK_LINK_SECRET": "test-link-secret",
        "HELPDESK_CONFIG_TTL": "0",
        **env,
    }
    process = subprocess.run(
        [PYTHON312, "-I", "-S", "-B", str(RUNNER), str(tmp_path / f"{function}-spec.json")],
        capture_output=True,
        text=True,
        timeout=120,
        env=environment,
        cwd=function_dir,
    )
    assert process.returncode == 0, (
        f"{function} under {PYTHON312} failed:\n{process.stdout[-3000:]}\n{process.stderr[-5000:]}"
    )
    data = json.loads((tmp_path / f"{function}-result.json").read_text())
    run = Run(data["python"], data["import_seconds"], data["results"], data["outside"], data["origins"])
    assert run.python.startswith("3.12.")
    assert run.outside == [], "modules from outside the function, the layer, the runtime's boto3 and the stdlib"
    assert str(run.origins["botocore"]).startswith(str(runtime)), "botocore must be the runtime's"
    assert str(run.origins["helpdesk"]).startswith(str(built.out / "layer"))
    return run


@pytest.fixture
def packaged(built: Built, runtime_boto3: Path, aws: Any, tmp_path: Path) -> Any:
    def run(function: str, events: list[dict[str, Any]], **env: str) -> Run:
        return run_packaged(built, runtime_boto3, aws, function, events, tmp_path, **env)

    return run


def sqs_event(aws: Any, queue: str, messages: list[dict[str, Any]]) -> dict[str, Any]:
    arn = aws.resources.attrs[(queue, "Arn")]
    return {
        "Records": [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": m.get("Attributes", {}),
                "messageAttributes": {},
                "md5OfBody": m["MD5OfBody"],
                "eventSource": "aws:sqs",
                "eventSourceARN": arn,
                "awsRegion": "eu-central-1",
            }
            for m in messages
        ]
    }


def receive_all(aws: Any, queue: str) -> list[dict[str, Any]]:
    sqs = aws.client("sqs")
    url = aws.resources.queue_urls[queue]
    found: list[dict[str, Any]] = []
    while True:
        batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"], WaitTimeSeconds=1)
        if not batch.get("Messages"):
            return found
        found += batch["Messages"]


@needs_312
def test_ingest_turns_an_s3_notification_through_sqs_into_a_ticket(aws: Any, packaged: Any) -> None:
    from tests.integration.helpers import make_mail, reset_sent, sent_mails

    reset_sent()
    s3 = aws.client("s3")
    s3.put_object(Bucket=aws.bucket, Key=f"inbound/{uuid.uuid4().hex}", Body=make_mail(subject="Paket fehlt"))
    # what SES writes when the receipt rule is created; S3 announces it like any mail
    s3.put_object(Bucket=aws.bucket, Key="inbound/AMAZON_SES_SETUP_NOTIFICATION", Body=b"Amazon SES setup notification")
    messages = receive_all(aws, "IngestQueue")  # the two, and the s3:TestEvent of configuring the notification
    assert len(messages) >= 2
    run = packaged("ingest", [sqs_event(aws, "IngestQueue", messages)])
    assert run.results == [{"batchItemFailures": []}]
    tickets = aws.client("dynamodb").scan(TableName=aws.resources.names["TicketsTable"])["Items"]
    subjects = [i["subject"]["S"] for i in tickets if i.get("kind", {}).get("S") == "ticket"]
    assert subjects == ["Paket fehlt"]  # and no ticket of the setup notification
    (autoreply,) = sent_mails()  # the auto-reply went out through SES (none for the setup notification)
    assert "[#T-" in autoreply["Subject"] and "Paket fehlt" in autoreply["Subject"]


@needs_312
def test_the_api_answers_api_gateway_proxy_requests(aws: Any, packaged: Any) -> None:
    from helpdesk_local.api_server import proxy_event
    from tests.integration.api_client import login_tokens

    token = login_tokens(aws)["agent"]

    def request(method: str, path: str, body: Any = None, auth: bool = False) -> dict[str, Any]:
        headers = {
            "host": "abc123.execute-api.eu-central-1.amazonaws.com",
            "x-forwarded-proto": "https",
            "accept": "*/*",
        }
        if auth:
            headers["authorization"] = f"Bearer {token}"
        data = json.dumps(body).encode() if body is not None else b""
        if data:
            headers["content-type"] = "application/json"
        event = proxy_event(method, path, headers, data, "198.51.100.7")
        event["requestContext"].update(
            {
                "accountId": "123456789012",
                "apiId": "abc123",
                "stage": "v1",
                "domainName": headers["host"],
                "protocol": "HTTP/1.1",
                "requestTimeEpoch": int(datetime.now(UTC).timestamp() * 1000),
                "identity": {"sourceIp": "198.51.100.7", "userAgent": "Mozilla/5.0"},
            }
        )
        return event

    contact = {"name": "Otto", "email": "otto@kunde.example", "subject": "Frage", "body": "Geht das in Blau?"}
    run = packaged(
        "api",
        [request("POST", "/public/contact", contact), request("GET", "/tickets", auth=True), request("GET", "/")],
    )
    created, listed, page = run.results
    assert created["statusCode"] == 201, created
    assert listed["statusCode"] == 200, listed
    assert [t["subject"] for t in json.loads(listed["body"])["items"]] == ["Frage"]
    assert page["statusCode"] == 200 and "<html" in page["body"].lower()  # the web client, from the function's folder


@needs_312
def test_autoclose_runs_on_its_schedule(aws: Any, packaged: Any) -> None:
    from tests.integration.helpers import ingest, make_mail

    ingest(aws, make_mail())
    scheduled = {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": "eu-central-1",
        "resources": ["arn:aws:events:eu-central-1:123456789012:rule/helpdesk-AutocloseFunctionTick"],
        "detail": {},
    }
    outbox = {**scheduled, "resources": ["arn:aws:events:eu-central-1:123456789012:rule/OutboxRetry"], "job": "outbox"}
    summary, swept = packaged("autoclose", [scheduled, outbox]).results
    assert summary["stopped_early"] is False and summary["closed"] == 0
    assert swept == {"retry_due": 0, "retry_sent": 0, "retry_refused": 0}


@needs_312
def test_the_feedback_function_marks_a_bounced_mail_from_an_sns_event(aws: Any, packaged: Any) -> None:
    from tests.integration.helpers import ingest, make_mail
    from tests.integration.test_outbound_durable import ses_event

    result = ingest(aws, make_mail(sender="weg@kunde.example"))
    items = aws.client("dynamodb").query(
        TableName=aws.resources.names["TicketsTable"],
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": result.ticket_id}},
    )["Items"]
    (ses_id,) = [i["ses_message_id"]["S"] for i in items if "ses_message_id" in i]  # the auto-reply's
    (counts,) = packaged("feedback", [ses_event("Bounce", ses_id, "weg@kunde.example")]).results
    assert counts == {"bounced": 1, "complained": 0, "unknown": 0}
    suppressed = aws.client("dynamodb").get_item(
        TableName=aws.resources.names["MetaTable"], Key={"pk": {"S": "SUP#weg@kunde.example"}, "sk": {"S": "SUP"}}
    )
    assert suppressed["Item"]["state"]["S"].startswith("bounced: Permanent/General")


def _event_records(aws: Any) -> list[dict[str, Any]]:
    """The tickets stream's new event items, as the event source mappings' FilterCriteria deliver them."""
    streams = aws.client("dynamodbstreams")
    stream = aws.resources.stream_arns["TicketsTable"]
    records = []
    for shard in streams.describe_stream(StreamArn=stream)["StreamDescription"]["Shards"]:
        iterator = streams.get_shard_iterator(
            StreamArn=stream, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )
        for r in streams.get_records(ShardIterator=iterator["ShardIterator"])["Records"]:
            image = r["dynamodb"].get("NewImage", {})
            if r["eventName"] == "INSERT" and image.get("kind") == {"S": "event"}:
                dynamodb = {k: v for k, v in r["dynamodb"].items() if k != "ApproximateCreationDateTime"}
                dynamodb["ApproximateCreationDateTime"] = r["dynamodb"]["ApproximateCreationDateTime"].timestamp()
                records.append({**r, "dynamodb": dynamodb, "eventSourceARN": stream, "awsRegion": "eu-central-1"})
    return records


@needs_312
def test_the_publisher_forwards_the_tables_stream_to_eventbridge(aws: Any, packaged: Any) -> None:
    from tests.integration.helpers import ingest, make_mail

    events, sqs = aws.client("events"), aws.client("sqs")
    bus = aws.resources.names["EventBus"]
    url = sqs.create_queue(QueueName="captured-events")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name="capture", EventBusName=bus, EventPattern=json.dumps({"source": ["helpdesk"]}))
    events.put_targets(Rule="capture", EventBusName=bus, Targets=[{"Id": "q", "Arn": arn}])
    ingest(aws, make_mail(subject="Ereignisse"))

    records = _event_records(aws)
    assert records
    (result,) = packaged("publisher", [{"Records": records}]).results
    assert result == {"batchItemFailures": []}
    received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=2).get("Messages", [])
    assert "TicketCreated" in {json.loads(m["Body"])["detail-type"] for m in received}


@needs_312
def test_the_publisher_runs_a_trigger_from_the_tables_stream(aws: Any, packaged: Any) -> None:
    from helpdesk.bootstrap import config_store
    from helpdesk.domain.config import Action, Trigger
    from helpdesk.store.tickets import TicketStore
    from tests.integration.helpers import ingest, make_mail

    config_store().put(
        "trigger",
        Trigger(id="paket", name="Paket", event="ticket_created", actions=[Action(kind="add_tag", value="paket")]),
    )
    ticket = ingest(aws, make_mail(subject="Automatik im Paket"))
    records = [r for r in _event_records(aws) if r["dynamodb"]["NewImage"]["pk"]["S"] == ticket.ticket_id]
    (result,) = packaged("publisher", [{"Records": records}]).results
    assert result == {"batchItemFailures": []}
    stored = TicketStore().get(ticket.ticket_id, consistent=True)
    assert stored is not None and stored.tags == ["paket"]
