"""boto3 clients, created once per process (warm Lambda starts reuse them).

Endpoints come from the standard ``AWS_ENDPOINT_URL`` / ``AWS_ENDPOINT_URL_<SERVICE>`` variables,
so the very same code talks to AWS or to the local moto server.
"""

from __future__ import annotations

import os
from functools import cache
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config

from . import sessions

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodbstreams import DynamoDBStreamsClient
    from mypy_boto3_events import EventBridgeClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_sesv2 import SESV2Client
    from mypy_boto3_sqs import SQSClient

_CONFIG = Config(retries={"max_attempts": 5, "mode": "standard"}, connect_timeout=5, read_timeout=15)
# Presigned links (downloads, upload forms) name the bucket's regional endpoint, bucket.s3.<region>.amazonaws.com:
# the global one answers a bucket outside us-east-1 with a redirect in its first hours, which a signed link
# does not survive. Not with an endpoint override (moto locally): that one takes path-style addresses.
_S3_ON_AWS = Config(
    signature_version="s3v4", s3={"addressing_style": "virtual", "us_east_1_regional_endpoint": "regional"}
)


def _config(service: str) -> Config:
    if service == "s3" and not (os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")):
        return _CONFIG.merge(_S3_ON_AWS)
    return _CONFIG


@cache
def _client(service: str) -> Any:
    session = boto3.session.Session(botocore_session=sessions.session())  # the models parsed once (sessions.py)
    return session.client(service, config=_config(service))  # type: ignore[call-overload]


def s3() -> S3Client:
    return _client("s3")  # type: ignore[no-any-return]


def sesv2() -> SESV2Client:
    return _client("sesv2")  # type: ignore[no-any-return]


def sqs() -> SQSClient:
    return _client("sqs")  # type: ignore[no-any-return]


def events() -> EventBridgeClient:
    return _client("events")  # type: ignore[no-any-return]


def cognito() -> CognitoIdentityProviderClient:
    return _client("cognito-idp")  # type: ignore[no-any-return]


def dynamodb() -> DynamoDBClient:
    return _client("dynamodb")  # type: ignore[no-any-return]


def dynamodbstreams() -> DynamoDBStreamsClient:
    return _client("dynamodbstreams")  # type: ignore[no-any-return]


def reset_clients() -> None:
    """Drop cached clients (the local stack and tests change endpoints and credentials)."""
    _client.cache_clear()
