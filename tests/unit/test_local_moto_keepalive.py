"""helpdesk_local.moto_server: the local moto server keeps a client's connection for its next request.

Werkzeug's development server closed every connection, so every AWS call of the local stack opened a TCP
connection and a server thread (a tenth of the stack's CPU at 10,000 tickets, issue 19). Kept alive, a
request's body must end exactly where its Content-Length says, whether or not the application read it.
"""

from __future__ import annotations

import http.client
import io
import json
import logging
from urllib.parse import urlsplit

import pytest

from helpdesk_local.moto_server import _Body
from helpdesk_local.provision import local_client


def test_one_client_makes_its_calls_over_one_connection(moto_endpoint: str, caplog: pytest.LogCaptureFixture) -> None:
    s3, ddb = local_client("s3", moto_endpoint), local_client("dynamodb", moto_endpoint)
    caplog.set_level(logging.DEBUG, logger="urllib3.connectionpool")
    s3.create_bucket(Bucket="keepalive", CreateBucketConfiguration={"LocationConstraint": "eu-central-1"})
    bodies = [b"", b"x", bytes(range(256)) * 4096, "Grüße\r\n\r\nPOST / HTTP/1.1\r\n".encode()]  # 1 MB, a fake request
    for n, body in enumerate(bodies):
        s3.put_object(Bucket="keepalive", Key=f"k{n}", Body=body)
    for n, body in enumerate(bodies):
        assert s3.get_object(Bucket="keepalive", Key=f"k{n}")["Body"].read() == body
        assert s3.head_object(Bucket="keepalive", Key=f"k{n}")["ContentLength"] == len(body)
    for _ in range(5):
        ddb.list_tables()
    opened = [r for r in caplog.records if "Starting new HTTP connection" in r.getMessage()]
    dropped = [r for r in caplog.records if "Resetting dropped connection" in r.getMessage()]
    assert (len(opened), len(dropped)) == (2, 0)  # one per client, none closed by the server


def test_a_body_the_application_did_not_read_does_not_become_the_next_request(moto_endpoint: str) -> None:
    """A request moto answers without reading its body (an unknown target): the next request on the same
    connection is still read from its own first line."""
    address = urlsplit(moto_endpoint)
    connection = http.client.HTTPConnection(address.hostname or "", address.port)
    headers = {"X-Amz-Target": "DynamoDB_20120810.ListTables", "Content-Type": "application/x-amz-json-1.0"}
    trap = b"GET /moto-api/ HTTP/1.1\r\nHost: x\r\n\r\n" * 200
    connection.request("POST", "/not-a-route?x=1", body=trap, headers={"Host": "unknown.example"})
    first = connection.getresponse()
    first.read()
    assert not first.will_close  # kept alive although moto did not read the body
    kept = connection.sock
    connection.request("POST", "/", body=b"{}", headers=headers | {"Authorization": _AUTH})
    second = connection.getresponse()
    assert second.status == 200
    assert "TableNames" in json.loads(second.read())
    assert connection.sock is kept
    connection.close()


_AUTH = (
    "AWS4-HMAC-SHA256 Credential=testing/20260101/eu-central-1/dynamodb/aws4_request, "
    "SignedHeaders=host;x-amz-target, Signature=0"
)


def test_a_body_stops_at_its_length_and_the_rest_is_read_off() -> None:
    raw = io.BufferedReader(io.BytesIO(b"0123456789NEXT REQUEST"))
    body = _Body(raw, 10)
    assert body.read(4) == b"0123"
    assert body.read() == b"456789"
    assert body.read() == b""
    assert raw.read() == b"NEXT REQUEST"

    raw = io.BufferedReader(io.BytesIO(b"0123456789NEXT"))
    unread = _Body(raw, 10)
    unread.drain()  # the application read nothing
    assert raw.read() == b"NEXT"

    short = _Body(io.BufferedReader(io.BytesIO(b"012")), 10)  # the client went away
    assert short.read() == b"012"
    short.drain()
    assert short.read() == b""
