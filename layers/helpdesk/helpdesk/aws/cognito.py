"""Cognito: password login and refresh for the web client, user administration for admins."""

from __future__ import annotations

import contextlib
from typing import Any

from botocore.exceptions import ClientError, ParamValidationError

from ..domain.dataclass import dataclass
from . import clients


class LoginFailed(Exception):
    def __init__(self, message: str, throttled: bool = False) -> None:
        super().__init__(message)
        self.throttled = throttled


@dataclass
class Tokens:
    id_token: str | None = None
    refresh_token: str | None = None
    expires_in: int | None = None
    challenge: str | None = None
    session: str | None = None


def _tokens(response: dict[str, Any]) -> Tokens:
    if response.get("ChallengeName"):
        return Tokens(challenge=response["ChallengeName"], session=response.get("Session"))
    auth = response.get("AuthenticationResult", {})
    return Tokens(
        id_token=auth.get("IdToken"), refresh_token=auth.get("RefreshToken"), expires_in=auth.get("ExpiresIn")
    )


def _call(fn: Any, **kwargs: Any) -> dict[str, Any]:
    """A login call. Whatever Cognito refuses is a failed login (401); only its own outages are errors."""
    try:
        return fn(**kwargs)  # type: ignore[no-any-return]
    except ParamValidationError as exc:  # a malformed session/token never reaches Cognito
        raise LoginFailed("invalid login data") from exc
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code in ("TooManyRequestsException", "LimitExceededException", "TooManyFailedAttemptsException"):
            raise LoginFailed("too many attempts; wait a moment", throttled=True) from exc
        if (
            code in ("InternalErrorException", "ServiceUnavailable")
            or exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 400) >= 500
        ):
            raise
        if code == "InvalidPasswordException":
            raise LoginFailed("the new password does not meet the policy") from exc
        # One message for wrong user, wrong password, bad session or token: do not tell which one it was.
        raise LoginFailed("wrong username or password") from exc


class CognitoAuth:
    def __init__(self, user_pool_id: str, client_id: str) -> None:
        self.pool = user_pool_id
        self.client_id = client_id

    def login(self, username: str, password: str) -> Tokens:
        return _tokens(
            _call(
                clients.cognito().initiate_auth,
                ClientId=self.client_id,
                AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": username, "PASSWORD": password},
            )
        )

    def refresh(self, refresh_token: str) -> Tokens:
        tokens = _tokens(
            _call(
                clients.cognito().initiate_auth,
                ClientId=self.client_id,
                AuthFlow="REFRESH_TOKEN_AUTH",
                AuthParameters={"REFRESH_TOKEN": refresh_token},
            )
        )
        tokens.refresh_token = tokens.refresh_token or refresh_token
        return tokens

    def new_password(self, username: str, session: str, new_password: str) -> Tokens:
        return _tokens(
            _call(
                clients.cognito().respond_to_auth_challenge,
                ClientId=self.client_id,
                ChallengeName="NEW_PASSWORD_REQUIRED",
                Session=session,
                ChallengeResponses={"USERNAME": username, "NEW_PASSWORD": new_password},
            )
        )

    # -- administration ----------------------------------------------------------------------------------

    def create_user(self, username: str, email: str, name: str, group: str, temporary_password: str | None) -> None:
        kwargs: dict[str, Any] = {
            "UserPoolId": self.pool,
            "Username": username,
            "UserAttributes": [
                {"Name": "email", "Value": email},
                {"Name": "email_verified", "Value": "true"},
                {"Name": "name", "Value": name or username},
            ],
            "DesiredDeliveryMediums": ["EMAIL"],
        }
        if temporary_password:
            kwargs["TemporaryPassword"] = temporary_password
        clients.cognito().admin_create_user(**kwargs)
        self.set_group(username, group)

    def set_group(self, username: str, group: str) -> None:
        for other in ("admin", "agent"):
            if other != group:
                with contextlib.suppress(ClientError):
                    clients.cognito().admin_remove_user_from_group(
                        UserPoolId=self.pool, Username=username, GroupName=other
                    )
        clients.cognito().admin_add_user_to_group(UserPoolId=self.pool, Username=username, GroupName=group)

    def set_enabled(self, username: str, enabled: bool) -> None:
        if enabled:
            clients.cognito().admin_enable_user(UserPoolId=self.pool, Username=username)
        else:
            clients.cognito().admin_disable_user(UserPoolId=self.pool, Username=username)
