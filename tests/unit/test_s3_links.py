"""Presigned links on AWS name the bucket's regional endpoint (a new bucket outside us-east-1 answers the global
one with a redirect, which breaks a signed link); with an endpoint override (moto) they stay path-style."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest

from helpdesk.aws.clients import reset_clients
from helpdesk.aws.s3 import MailStore


@pytest.fixture
def on_aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    reset_clients()
    yield
    reset_clients()


@pytest.mark.parametrize("region", ["eu-west-1", "eu-central-1", "us-east-1"])
def test_links_use_the_regional_endpoint_and_sigv4(on_aws: None, monkeypatch: pytest.MonkeyPatch, region: str) -> None:
    monkeypatch.setenv("AWS_REGION", region)
    monkeypatch.setenv("AWS_DEFAULT_REGION", region)
    store = MailStore("hd-mail-1")
    link = urlsplit(store.download_url("attachments/t/1/Rechnung.pdf", "Rechnung.pdf", "application/pdf"))
    assert link.scheme == "https" and link.netloc == f"hd-mail-1.s3.{region}.amazonaws.com"
    assert link.path == "/attachments/t/1/Rechnung.pdf"
    assert parse_qs(link.query)["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    url, fields = store.upload_url("uploads/t/1/a.pdf", "application/pdf", 1024)
    assert url == f"https://hd-mail-1.s3.{region}.amazonaws.com/"
    assert fields["x-amz-algorithm"] == "AWS4-HMAC-SHA256"


def test_with_an_endpoint_override_links_stay_path_style(on_aws: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_REGION", "eu-central-1")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:5100")
    link = urlsplit(MailStore("hd-mail-1").download_url("attachments/x", "x.txt", "text/plain"))
    assert (link.netloc, link.path) == ("127.0.0.1:5100", "/hd-mail-1/attachments/x")
