"""Call the API in-process exactly as API Gateway does: proxy events through the Lambda handler."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from helpdesk_local.api_server import proxy_event
from helpdesk_local.runners import LambdaContext


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    text: str

    @property
    def json(self) -> Any:
        return json.loads(self.text)


class ApiClient:
    def __init__(self, handler: Any, tokens: dict[str, str]) -> None:
        self.handler = handler
        self.tokens = tokens

    def call(
        self,
        method: str,
        path: str,
        *,
        user: str | None = None,
        token: str | None = None,
        body: Any = None,
        query: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        raw: bytes | None = None,
    ) -> Response:
        sent = {"host": "helpdesk.test", "x-forwarded-proto": "https", **(headers or {})}
        auth = token or (self.tokens[user] if user else None)
        if auth:
            sent["authorization"] = f"Bearer {auth}"
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else b"")
        if data:
            sent.setdefault("content-type", "application/json")
        if query:
            path = f"{path}?{urlencode(query)}"
        result = self.handler(proxy_event(method, path, sent, data, "203.0.113.9"), LambdaContext("helpdesk-api"))
        return Response(int(result["statusCode"]), dict(result.get("headers") or {}), result.get("body") or "")

    def get(self, path: str, **kwargs: Any) -> Response:
        return self.call("GET", path, **kwargs)


def login_tokens(aws: Any) -> dict[str, str]:
    from helpdesk_local.seed import DEV_USERS, create_dev_users

    cognito = aws.client("cognito-idp")
    existing = {u["Username"] for u in cognito.list_users(UserPoolId=aws.resources.user_pool_id)["Users"]}
    if not set(DEV_USERS) <= existing:
        create_dev_users(cognito, aws.resources.user_pool_id)
    tokens = {}
    for name, user in DEV_USERS.items():
        result = cognito.initiate_auth(
            ClientId=aws.resources.user_pool_client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": name, "PASSWORD": user["password"]},
        )
        tokens[name] = result["AuthenticationResult"]["IdToken"]
    return tokens


def make_api(aws: Any) -> ApiClient:
    from helpdesk.api.app import create_app
    from helpdesk.api.gateway import ProxyAdapter
    from helpdesk_local.template import ROOT

    app = create_app(static_dir=ROOT / "functions" / "api" / "static")
    return ApiClient(ProxyAdapter(app), login_tokens(aws))
