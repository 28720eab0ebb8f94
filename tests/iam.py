"""IAM checked offline: the AWS calls each Lambda function makes, judged by its role in the translated template.

moto checks no permissions, so a call the deployed role forbids (the contact form's ``s3:PutObject`` on
``inbound-web/``, once) passes every local test and fails only on AWS. This module closes that gap:

* ``Recorder``: a botocore hook (``before-parameter-build``, so a presigned URL counts as the call it
  authorizes) notes every call and which function made it: the *outermost* frame of the call stack that
  belongs to a function's code (the API's proxy adapter, the ingest service, the autoclose job …), so the
  contact form's ingest counts as the API's; the walk outwards stops at test code, so a change a test
  injects into a job counts as the API's it imitates. Calls from test code itself (provisioning, seeding,
  a browser's login) belong to no function and are ignored.
* ``accesses``: the IAM actions and resource ARNs AWS authorizes a call by (a DynamoDB transaction is one
  ``PutItem``/``UpdateItem``/``DeleteItem``/``ConditionCheckItem`` per item, a presigned POST a ``PutObject``,
  SESv2's ``SendEmail`` of a raw message is ``ses:SendRawEmail`` on the sender's identity, with
  ``ses:FromAddress`` …).
* ``role_grants``/``evaluate``: each function's inline role statements from the *translated* template,
  ``Ref``/``GetAtt``/``Sub`` resolved to the local resources' ARNs, evaluated as IAM does (explicit Deny
  wins, then any Allow; wildcards; the condition operators used offline). AWS managed policies SAM attaches
  (logs, X-Ray, the event-source pollers) serve the Lambda service, not our code, and are not evaluated.
"""

from __future__ import annotations

import re
import sys
import threading
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from email.utils import parseaddr
from types import FrameType
from typing import Any

import botocore.handlers

REGION = "eu-central-1"
ACCOUNT = "123456789012"  # moto's account
FUNCTIONS = (
    "IngestFunction",
    "ApiFunction",
    "AutocloseFunction",
    "PublisherFunction",
    "AutomationFunction",
    "LiveFunction",
    "LiveFanoutFunction",
    "FeedbackFunction",
)
# The live socket's two functions share their code (functions/live/app.py: ``handler`` and ``fanout``,
# services/live.py): the outermost frame's code name tells them apart, before ENTRY_MODULES is asked.
ENTRY_FUNCTIONS: dict[tuple[str, str], str] = {
    ("functions.live.app", "handler"): "LiveFunction",
    ("functions.live.app", "fanout"): "LiveFanoutFunction",
    ("helpdesk.services.live", "fan_out"): "LiveFanoutFunction",
}
# The live API's id and stage in the ARNs ManageConnections is authorized on: locally there is no API
# Gateway (the stack's own server answers), so the local name of ``LiveApi`` (every resource gets one,
# helpdesk_local.template.local_name) and the stage's default stand for them, as the local resolver
# resolves ``${LiveApi}`` and ``${StageName}``.
LIVE_API, LIVE_STAGE = "helpdesk-live-api", "v1"

# Whose code a frame is (module name prefix -> function logical id; None: no function, e.g. the operator's CLI).
# The outermost matching frame of a call's stack decides.
ENTRY_MODULES: tuple[tuple[str, str | None], ...] = (
    ("functions.ingest", "IngestFunction"),
    ("functions.api", "ApiFunction"),
    ("functions.autoclose", "AutocloseFunction"),
    ("functions.publisher", "PublisherFunction"),
    ("functions.automation", "AutomationFunction"),
    ("helpdesk.services.automation", "AutomationFunction"),
    ("functions.feedback", "FeedbackFunction"),
    ("helpdesk.services.feedback", "FeedbackFunction"),
    ("helpdesk.api", "ApiFunction"),
    ("helpdesk.services.ingest", "IngestFunction"),
    ("helpdesk.services.autoclose", "AutocloseFunction"),
    ("helpdesk.services.publish", "PublisherFunction"),
    ("helpdesk.aws.events", "PublisherFunction"),
    ("helpdesk.services.redrive", None),
    ("helpdesk.services.recount", None),  # the operator's `helpdesk recount`
    ("helpdesk.services.reindex", None),  # the operator's `helpdesk reindex`
    # the live socket (ENTRY_FUNCTIONS tells its fan-out apart)
    ("functions.live", "LiveFunction"),
    ("helpdesk.services.live", "LiveFunction"),
    ("helpdesk.services.notifications", None),  # the fan-out's (functions.live.app: fanout) or the API's routes
    ("helpdesk.cli", None),
    ("helpdesk_deploy", None),  # the operator's `make deploy` set-up step (their own credentials)
    ("helpdesk.services", "ApiFunction"),  # every other use case (replies, changes, batch, admin …) is the API's
)

IAM_PREFIX = {
    "s3": "s3",
    "dynamodb": "dynamodb",
    "dynamodb-streams": "dynamodb",
    "sesv2": "ses",
    "ses": "ses",
    "cognito-identity-provider": "cognito-idp",
    "eventbridge": "events",
    "sqs": "sqs",
    "secrets-manager": "secretsmanager",
    "apigatewaymanagementapi": "execute-api",
}

# Cognito operations authorized by the user's tokens or by nothing: no IAM permission is needed.
COGNITO_PUBLIC = {
    "InitiateAuth",
    "RespondToAuthChallenge",
    "GlobalSignOut",
    "RevokeToken",
    "ChangePassword",
    "ForgotPassword",
    "ConfirmForgotPassword",
    "GetUser",
    "SignUp",
    "ConfirmSignUp",
}

TRANSACT_WRITE = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
}


@dataclass(frozen=True)
class Access:
    """One authorization AWS makes for a call: action, resource and the condition keys the request carries."""

    action: str
    resource: str
    context: tuple[tuple[str, str], ...] = ()

    def __str__(self) -> str:
        extra = "".join(f" [{key}={value}]" for key, value in self.context)
        return f"{self.action} on {self.resource}{extra}"


@dataclass(frozen=True)
class Recorded:
    function: str
    call: str  # "s3.PutObject"
    accesses: tuple[Access, ...]
    error: str | None = None  # the call could not be mapped to IAM (extend ``accesses``)


# ----------------------------------------------------------------------------------------- calls -> IAM


def table_arn(name: str, region: str = REGION, account: str = ACCOUNT) -> str:
    return name if name.startswith("arn:") else f"arn:aws:dynamodb:{region}:{account}:table/{name}"


def accesses(
    service: str, operation: str, params: Mapping[str, Any], *, presigned: bool = False, post_key: str | None = None
) -> list[Access]:
    """The IAM authorizations for one botocore call (``service`` is botocore's hyphenized service id)."""
    prefix = IAM_PREFIX.get(service)
    if prefix is None:
        raise LookupError(f"no IAM mapping for service {service!r} ({operation}); extend tests/iam.py")
    if service == "s3":
        return _s3(operation, params, presigned=presigned, post_key=post_key)
    if service in ("dynamodb", "dynamodb-streams"):
        return _dynamodb(operation, params)
    if service in ("sesv2", "ses"):
        return _ses(operation, params)
    if service == "eventbridge":
        buses = {str(entry.get("EventBusName") or "default") for entry in params.get("Entries", [])}
        return [
            Access(
                f"events:{operation}",
                bus if bus.startswith("arn:") else f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/{bus}",
            )
            for bus in sorted(buses)
        ]
    if service == "cognito-identity-provider":
        if operation in COGNITO_PUBLIC:
            return []
        pool = params.get("UserPoolId")
        if not pool:
            raise LookupError(f"cognito-idp {operation} without a UserPoolId; extend tests/iam.py")
        return [Access(f"cognito-idp:{operation}", f"arn:aws:cognito-idp:{REGION}:{ACCOUNT}:userpool/{pool}")]
    if service == "sqs":
        url = params.get("QueueUrl") or params.get("QueueName") or ""
        name = str(url).rstrip("/").rsplit("/", 1)[-1]
        return [Access(f"sqs:{operation}", f"arn:aws:sqs:{REGION}:{ACCOUNT}:{name}")]
    if service == "secrets-manager":
        secret = str(params.get("SecretId", ""))
        arn = secret if secret.startswith("arn:") else f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:{secret}"
        return [Access(f"secretsmanager:{operation}", arn)]
    if service == "apigatewaymanagementapi":
        method = {"PostToConnection": "POST", "DeleteConnection": "DELETE", "GetConnection": "GET"}.get(operation)
        if method is None:
            raise LookupError(f"no IAM mapping for {service}.{operation}; extend tests/iam.py")
        connection = params.get("ConnectionId", "")
        arn = f"arn:aws:execute-api:{REGION}:{ACCOUNT}:{LIVE_API}/{LIVE_STAGE}/{method}/@connections/{connection}"
        return [Access("execute-api:ManageConnections", arn)]
    raise LookupError(f"no IAM mapping for {service}.{operation}; extend tests/iam.py")  # pragma: no cover


def _s3(operation: str, params: Mapping[str, Any], *, presigned: bool, post_key: str | None) -> list[Access]:
    bucket = str(params.get("Bucket", ""))
    if presigned and operation == "CreateBucket":  # botocore presigns a POST with CreateBucket's model
        if post_key is None:
            raise LookupError("a presigned POST whose key was not found; extend tests/iam.py")
        return [Access("s3:PutObject", f"arn:aws:s3:::{bucket}/{post_key}")]
    obj = f"arn:aws:s3:::{bucket}/{params.get('Key', '')}"
    if operation in ("GetObject", "HeadObject"):
        return [Access("s3:GetObject", obj)]
    if operation in ("PutObject", "CreateMultipartUpload", "UploadPart", "CompleteMultipartUpload"):
        return [Access("s3:PutObject", obj)]
    if operation == "DeleteObject":
        return [Access("s3:DeleteObject", obj)]
    if operation == "CopyObject":
        source = params.get("CopySource")
        if isinstance(source, Mapping):
            source = f"{source['Bucket']}/{source['Key']}"
        return [Access("s3:GetObject", f"arn:aws:s3:::{str(source).lstrip('/')}"), Access("s3:PutObject", obj)]
    if operation in ("ListObjects", "ListObjectsV2"):
        return [Access("s3:ListBucket", f"arn:aws:s3:::{bucket}", (("s3:prefix", str(params.get("Prefix", ""))),))]
    raise LookupError(f"no IAM mapping for s3.{operation}; extend tests/iam.py")


def _dynamodb(operation: str, params: Mapping[str, Any]) -> list[Access]:
    if operation == "TransactWriteItems":
        found = []
        for item in params.get("TransactItems", []):
            ((kind, request),) = item.items()
            found.append(Access(f"dynamodb:{TRANSACT_WRITE[kind]}", table_arn(request["TableName"])))
        return found
    if operation == "TransactGetItems":
        return [
            Access("dynamodb:GetItem", table_arn(item["Get"]["TableName"])) for item in params.get("TransactItems", [])
        ]
    if operation in ("BatchGetItem", "BatchWriteItem"):
        return [Access(f"dynamodb:{operation}", table_arn(name)) for name in params.get("RequestItems", {})]
    if operation == "ListTables":
        return [Access("dynamodb:ListTables", "*")]
    if "StreamArn" in params:
        return [Access(f"dynamodb:{operation}", str(params["StreamArn"]))]
    table = params.get("TableName")
    if not table:
        raise LookupError(f"dynamodb {operation} without TableName; extend tests/iam.py")
    arn = table_arn(str(table))
    if operation in ("Query", "Scan") and params.get("IndexName"):
        arn = f"{arn}/index/{params['IndexName']}"
    return [Access(f"dynamodb:{operation}", arn)]


def _ses(operation: str, params: Mapping[str, Any]) -> list[Access]:
    if operation not in ("SendEmail", "SendRawEmail"):
        raise LookupError(f"no IAM mapping for ses.{operation}; extend tests/iam.py")
    sender = parseaddr(str(params.get("FromEmailAddress") or params.get("Source") or ""))[1]
    domain = sender.rpartition("@")[2].lower()
    # SESv2's SendEmail with raw content is authorized as ses:SendRawEmail (AWS's refusals name that action).
    action = "SendRawEmail" if operation == "SendRawEmail" or "Raw" in params.get("Content", {}) else "SendEmail"
    # SES authorizes a send by the identity that verifies the sender: our domain identity.
    return [
        Access(
            f"ses:{action}",
            f"arn:aws:ses:{REGION}:{ACCOUNT}:identity/{domain}",
            (("ses:FromAddress", sender),),
        )
    ]


# ---------------------------------------------------------------------------------------------- recorder


# A call made in a worker thread (the live fan-out posts in parallel) has no function's code on its own
# stack: it is the function's whose code handed the work to the pool.
_SUBMIT = ThreadPoolExecutor.submit
_inherited = threading.local()


def _submit_inheriting(self: ThreadPoolExecutor, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
    function = function_of(sys._getframe(1))

    def run(*inner: Any, **named: Any) -> Any:
        _inherited.function = function
        try:
            return fn(*inner, **named)
        finally:
            _inherited.function = None

    return _SUBMIT(self, run, *args, **kwargs)


def function_of(frame: FrameType | None) -> str | None:
    """Whose code made the call: the outermost frame of a function's code, counted from the call outwards up
    to the first frame of test code (a test that injects an agent's change into the autoclose job makes that
    change the API's, not the job's). None: test code itself, or no function's code (the operator's CLI)."""
    found: str | None = None
    while frame is not None:
        module = str(frame.f_globals.get("__name__", ""))
        if module == "tests" or module.startswith("tests."):
            break
        named = ENTRY_FUNCTIONS.get((module, frame.f_code.co_name))
        if named is not None:
            found = named
            frame = frame.f_back
            continue
        for prefix, function in ENTRY_MODULES:
            if module == prefix or module.startswith(prefix + "."):
                found = function or ""
                break
        frame = frame.f_back
    return found or getattr(_inherited, "function", None) or None


def _presigned_post_key(frame: FrameType | None) -> str | None:
    while frame is not None:
        if frame.f_code.co_name == "generate_presigned_post" and frame.f_globals.get("__name__") == "botocore.signers":
            key = frame.f_locals.get("key")
            return str(key) if key is not None else None
        frame = frame.f_back
    return None


@dataclass
class Recorder:
    """Records the AWS calls of every botocore session created while installed (boto3 and pynamodb alike)."""

    calls: list[Recorded] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def hook(
        self, event_name: str, params: Mapping[str, Any], context: Mapping[str, Any] | None = None, **kwargs: Any
    ) -> None:
        frame = sys._getframe(1)
        function = function_of(frame)
        if function is None:
            return
        _, service, operation = event_name.split(".", 2)
        presigned = bool((context or {}).get("is_presign_request"))
        try:
            post_key = _presigned_post_key(frame) if presigned and operation == "CreateBucket" else None
            found = accesses(service, operation, params, presigned=presigned, post_key=post_key)
            recorded = Recorded(function, f"{service}.{operation}", tuple(found))
        except (LookupError, KeyError, TypeError, ValueError) as exc:
            recorded = Recorded(function, f"{service}.{operation}", (), error=str(exc))
        with self._lock:
            self.calls.append(recorded)

    def install(self) -> None:
        botocore.handlers.BUILTIN_HANDLERS.append(("before-parameter-build", self.hook))
        ThreadPoolExecutor.submit = _submit_inheriting  # type: ignore[method-assign,assignment]
        _rebind()

    def uninstall(self) -> None:
        botocore.handlers.BUILTIN_HANDLERS.remove(("before-parameter-build", self.hook))
        ThreadPoolExecutor.submit = _SUBMIT  # type: ignore[method-assign]
        _rebind()

    def seen(self) -> list[Recorded]:
        """The calls recorded so far, left in place (the per-test check still sees them)."""
        with self._lock:
            return list(self.calls)

    def take(self) -> list[Recorded]:
        with self._lock:
            taken, self.calls = self.calls, []
        return taken


def _rebind() -> None:
    """New botocore sessions carry the handlers in BUILTIN_HANDLERS: drop the cached clients and connections."""
    from helpdesk.aws.clients import reset_clients
    from helpdesk.store.models import bind

    reset_clients()
    bind()


# ------------------------------------------------------------------------------------------------ policy


def _pattern(text: str, *, ignore_case: bool = False) -> re.Pattern[str]:
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in text)
    return re.compile(body, re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL)


def _like(actual: str, wanted: list[str]) -> bool:
    return any(_pattern(w).fullmatch(actual) for w in wanted)


OPERATORS: dict[str, Callable[[str, list[str]], bool]] = {
    "StringEquals": lambda actual, wanted: actual in wanted,
    "StringNotEquals": lambda actual, wanted: actual not in wanted,
    "StringEqualsIgnoreCase": lambda actual, wanted: actual.lower() in [w.lower() for w in wanted],
    "StringLike": _like,
    "StringNotLike": lambda actual, wanted: not _like(actual, wanted),
    "ArnEquals": lambda actual, wanted: actual in wanted,
    "ArnLike": _like,
    "Bool": lambda actual, wanted: actual.lower() in [w.lower() for w in wanted],
}


def condition_holds(condition: Mapping[str, Mapping[str, Any]], context: Mapping[str, str]) -> bool:
    """IAM's condition block: every operator, every key must hold; a key the request lacks fails
    (``…IfExists`` passes). Keys compare case-insensitively."""
    lowered = {key.lower(): value for key, value in context.items()}
    for operator, tests in condition.items():
        base = operator.removesuffix("IfExists")
        if base not in OPERATORS:
            raise ValueError(f"condition operator {operator} is not evaluated offline; extend tests/iam.py")
        for key, wanted in tests.items():
            actual = lowered.get(key.lower())
            if actual is None:
                if operator.endswith("IfExists"):
                    continue
                return False
            values = [str(w) for w in (wanted if isinstance(wanted, list) else [wanted])]
            if not OPERATORS[base](actual, values):
                return False
    return True


@dataclass(frozen=True)
class Grant:
    """One action x resource of a role statement, resolved; ``shown`` is the resource as the template writes it."""

    function: str
    effect: str
    action: str
    resource: str
    shown: str
    condition: tuple[tuple[str, str, tuple[str, ...]], ...] = ()

    def matches(self, access: Access) -> bool:
        if not _pattern(self.action, ignore_case=True).fullmatch(access.action):
            return False
        if not _pattern(self.resource).fullmatch(access.resource):
            return False
        condition: dict[str, dict[str, Any]] = {}
        for operator, key, values in self.condition:
            condition.setdefault(operator, {})[key] = list(values)
        return condition_holds(condition, dict(access.context))

    @property
    def key(self) -> str:
        when = "".join(f" if {op} {key} {'|'.join(values)}" for op, key, values in self.condition)
        return f"{self.function}: {self.action} on {self.shown}{when}"


def shown(expression: Any) -> str:
    """The template's own spelling of a resource (``${MailBucket.Arn}/inbound/*``, ``${UserPool.Arn}``)."""
    if isinstance(expression, dict) and len(expression) == 1:
        ((kind, arg),) = expression.items()
        if kind == "Fn::Sub":
            return str(arg if isinstance(arg, str) else arg[0])
        if kind == "Fn::GetAtt":
            return "${" + ".".join(arg if isinstance(arg, list) else [arg]) + "}"
        if kind == "Ref":
            return "${" + str(arg) + "}"
    return str(expression)


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def role_grants(translated: Mapping[str, Any], resolve: Callable[[Any], Any]) -> dict[str, list[Grant]]:
    """Every function's inline role statements as grants, resolved with ``resolve`` (intrinsics -> ARNs)."""
    found: dict[str, list[Grant]] = {}
    for function in FUNCTIONS:
        role_ref = translated["Resources"][function]["Properties"]["Role"]
        role = translated["Resources"][role_ref["Fn::GetAtt"][0]]["Properties"]
        grants: list[Grant] = []
        for policy in role.get("Policies", []):
            for statement in _listed(policy["PolicyDocument"]["Statement"]):
                if "NotAction" in statement or "NotResource" in statement:
                    raise ValueError(f"{function}: NotAction/NotResource are not evaluated offline")
                condition = tuple(
                    (operator, key, tuple(str(v) for v in _listed(resolve(wanted))))
                    for operator, tests in statement.get("Condition", {}).items()
                    for key, wanted in tests.items()
                )
                for action in _listed(statement["Action"]):
                    for resource in _listed(statement["Resource"]):
                        grants.append(
                            Grant(
                                function,
                                statement["Effect"],
                                action,
                                str(resolve(resource)),
                                shown(resource),
                                condition,
                            )
                        )
        found[function] = grants
    return found


def local_resolver(translated: Mapping[str, Any], resources: Any) -> Callable[[Any], Any]:
    """Ref/GetAtt/Sub of the stack's resources -> the local (moto) names and ARNs; parameters as provisioned."""
    from helpdesk_local.template import Resolver

    return Resolver(
        dict(translated), {"MailDomain": "example.com", "AWS::Region": REGION}, resources.names, resources.attrs
    )


@dataclass
class Report:
    denied: list[tuple[Recorded, Access]] = field(default_factory=list)
    unmapped: list[Recorded] = field(default_factory=list)
    used: set[str] = field(default_factory=set)

    @property
    def ok(self) -> bool:
        return not self.denied and not self.unmapped

    def describe(self) -> str:
        lines = [
            f"{call.function} may not {access} (call {call.call}): no statement of its role allows it"
            for call, access in _unique(self.denied)
        ]
        lines += [
            f"{call.function} made {call.call}, which tests/iam.py cannot judge: {call.error}" for call in self.unmapped
        ]
        return "\n".join(lines)


def _unique(pairs: Iterable[tuple[Recorded, Access]]) -> list[tuple[Recorded, Access]]:
    seen: dict[tuple[str, str, Access], tuple[Recorded, Access]] = {}
    for call, access in pairs:
        seen.setdefault((call.function, call.call, access), (call, access))
    return list(seen.values())


def evaluate(calls: Iterable[Recorded], grants: Mapping[str, list[Grant]]) -> Report:
    report = Report()
    for call in calls:
        if call.error is not None:
            report.unmapped.append(call)
            continue
        for access in call.accesses:
            mine = grants[call.function]
            if any(g.effect == "Deny" and g.matches(access) for g in mine):
                report.denied.append((call, access))
                continue
            allowing = [g for g in mine if g.effect == "Allow" and g.matches(access)]
            if not allowing:
                report.denied.append((call, access))
            report.used.update(g.key for g in allowing)
    return report


def all_grants(grants: Mapping[str, list[Grant]]) -> set[str]:
    return {g.key for mine in grants.values() for g in mine if g.effect == "Allow"}
