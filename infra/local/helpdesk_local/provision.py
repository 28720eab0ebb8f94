"""Create the template's resources on the moto server: bucket, queues, tables, user pool, bus, SES identities.

Only the properties that matter locally are carried over; everything is read from ``template.yaml``.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

import boto3

from .template import Resolver, local_name, resources, template

REGION = "eu-central-1"
ACCOUNT = "123456789012"


@dataclass
class Provisioned:
    names: dict[str, str] = field(default_factory=dict)  # logical id -> local physical name
    attrs: dict[tuple[str, str], str] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)  # the functions' environment, resolved
    user_pool_id: str = ""
    user_pool_client_id: str = ""
    queue_urls: dict[str, str] = field(default_factory=dict)
    stream_arns: dict[str, str] = field(default_factory=dict)


# moto accepts any credentials; these never leave this machine.
MOTO_CREDENTIALS = {"aws_access_key_id": "local", "aws_secret_access_key": "local"}


def share_service_models() -> None:
    """One botocore data loader for every session of this process (once per process).

    Each function's code makes a session per client (``helpdesk.aws.clients``) and pynamodb one per table
    model, each with its own loader: in the local stack, where all functions share one process, the same
    service models and endpoint data were parsed again for each (40 MB more after the first mails at
    10,000 tickets). A loader is a cache of parsed JSON files that botocore only reads; sharing it keeps
    one copy. The Lambda code is unchanged: on AWS each function is a process of its own.
    """
    import botocore.loaders
    import botocore.session

    if getattr(botocore.session.create_loader, "shared", False):
        return
    create = botocore.loaders.create_loader
    loaders: dict[str | None, Any] = {}
    lock = threading.Lock()

    def create_loader(search_path_string: str | None = None) -> Any:
        with lock:
            if search_path_string not in loaders:
                loaders[search_path_string] = create(search_path_string)
            return loaders[search_path_string]

    create_loader.shared = True  # type: ignore[attr-defined]
    botocore.session.create_loader = create_loader


def local_client(service: str, endpoint: str) -> Any:
    return boto3.client(service, endpoint_url=endpoint, region_name=REGION, **MOTO_CREDENTIALS)  # type: ignore[call-overload]


def provision(endpoint: str, parameters: dict[str, str]) -> Provisioned:
    tpl = template()
    out = Provisioned()
    for lid in tpl["Resources"]:
        out.names[lid] = local_name(lid)
    sqs, s3, ddb = local_client("sqs", endpoint), local_client("s3", endpoint), local_client("dynamodb", endpoint)
    cognito, events = local_client("cognito-idp", endpoint), local_client("events", endpoint)

    # Queues first (the bucket notifies one); the DLQ before the queue that redrives into it.
    queues = resources("AWS::SQS::Queue", tpl)
    for lid in sorted(queues, key=lambda q: "RedrivePolicy" in queues[q].get("Properties", {})):
        props = queues[lid].get("Properties", {})
        resolver = Resolver(tpl, parameters, out.names, out.attrs)
        attributes: dict[str, str] = {}
        for key in ("VisibilityTimeout", "MessageRetentionPeriod"):
            if key in props:
                attributes[key] = str(resolver(props[key]))
        if "RedrivePolicy" in props:
            redrive = resolver(props["RedrivePolicy"])
            attributes["RedrivePolicy"] = (
                f'{{"deadLetterTargetArn": "{redrive["deadLetterTargetArn"]}", '
                f'"maxReceiveCount": "{redrive["maxReceiveCount"]}"}}'
            )
        url = sqs.create_queue(QueueName=out.names[lid], Attributes=attributes)["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        out.queue_urls[lid] = url
        out.attrs[(lid, "Arn")] = arn
        out.attrs[(lid, "QueueName")] = out.names[lid]

    for lid, res in resources("AWS::DynamoDB::Table", tpl).items():
        create_table(ddb, out.names[lid], res["Properties"])
        description = ddb.describe_table(TableName=out.names[lid])["Table"]
        out.attrs[(lid, "Arn")] = description["TableArn"]
        if description.get("LatestStreamArn"):
            out.attrs[(lid, "StreamArn")] = description["LatestStreamArn"]
            out.stream_arns[lid] = description["LatestStreamArn"]

    resolver = Resolver(tpl, parameters, out.names, out.attrs)
    for lid, res in resources("AWS::S3::Bucket", tpl).items():
        props = resolver(res.get("Properties", {}))
        s3.create_bucket(Bucket=out.names[lid], CreateBucketConfiguration={"LocationConstraint": REGION})
        out.attrs[(lid, "Arn")] = f"arn:aws:s3:::{out.names[lid]}"
        if "CorsConfiguration" in props:
            rules = [
                {("MaxAgeSeconds" if k == "MaxAge" else k): v for k, v in rule.items()}
                for rule in props["CorsConfiguration"]["CorsRules"]
            ]
            s3.put_bucket_cors(Bucket=out.names[lid], CORSConfiguration={"CORSRules": rules})
        lifecycle = _lifecycle_rules(props.get("LifecycleConfiguration", {}).get("Rules", []))
        if lifecycle:
            s3.put_bucket_lifecycle_configuration(Bucket=out.names[lid], LifecycleConfiguration={"Rules": lifecycle})
        notification = props.get("NotificationConfiguration", {})
        configs = []
        for qc in notification.get("QueueConfigurations", []):
            rules = qc.get("Filter", {}).get("S3Key", {}).get("Rules", [])
            configs.append(
                {
                    "QueueArn": qc["Queue"],
                    "Events": [qc["Event"]],
                    "Filter": {"Key": {"FilterRules": [{"Name": r["Name"], "Value": r["Value"]} for r in rules]}},
                }
            )
        if configs:
            s3.put_bucket_notification_configuration(
                Bucket=out.names[lid], NotificationConfiguration={"QueueConfigurations": configs}
            )

    for lid, res in resources("AWS::Cognito::UserPool", tpl).items():
        props = res["Properties"]
        policy = props.get("Policies", {}).get("PasswordPolicy", {})
        pool = cognito.create_user_pool(
            PoolName=out.names[lid],
            Policies={"PasswordPolicy": {k: v for k, v in policy.items() if k != "TemporaryPasswordValidityDays"}},
            AutoVerifiedAttributes=props.get("AutoVerifiedAttributes", []),
            UsernameConfiguration=props.get("UsernameConfiguration", {"CaseSensitive": False}),
        )["UserPool"]
        out.names[lid] = pool["Id"]
        out.attrs[(lid, "Arn")] = pool["Arn"]
        out.user_pool_id = pool["Id"]
    for lid, res in resources("AWS::Cognito::UserPoolClient", tpl).items():
        props = res["Properties"]
        client = cognito.create_user_pool_client(
            UserPoolId=out.user_pool_id,
            ClientName=props.get("ClientName", out.names[lid]),
            ExplicitAuthFlows=props.get("ExplicitAuthFlows", []),
            ReadAttributes=props.get("ReadAttributes", []),
            WriteAttributes=props.get("WriteAttributes", []),
            GenerateSecret=False,
        )["UserPoolClient"]
        out.names[lid] = client["ClientId"]
        out.user_pool_client_id = client["ClientId"]
    for res in resources("AWS::Cognito::UserPoolGroup", tpl).values():
        props = res["Properties"]
        cognito.create_group(
            GroupName=props["GroupName"], UserPoolId=out.user_pool_id, Description=props.get("Description", "")
        )

    for lid in resources("AWS::Events::EventBus", tpl):
        name = out.names[lid]
        arn = events.create_event_bus(Name=name)["EventBusArn"]
        out.attrs[(lid, "Arn")] = arn
        out.attrs[(lid, "Name")] = name

    resolver = Resolver(tpl, parameters, out.names, out.attrs)
    ses, sesv2 = local_client("ses", endpoint), local_client("sesv2", endpoint)
    for lid in resources("AWS::SES::ConfigurationSet", tpl):
        sesv2.create_configuration_set(ConfigurationSetName=out.names[lid])
    for res in resources("AWS::SES::EmailIdentity", tpl).values():
        if not resolver.present(res):  # a slot for a mail domain that is not given
            continue
        identity = resolver(res["Properties"]["EmailIdentity"])
        ses.verify_domain_identity(Domain=identity)
        extra = {}
        configuration_set = res["Properties"].get("ConfigurationSetAttributes", {}).get("ConfigurationSetName")
        if configuration_set:  # the identity's default: what the deploy set-up step checks
            extra["ConfigurationSetName"] = resolver(configuration_set)
        sesv2.create_email_identity(EmailIdentity=identity, **extra)

    variables = tpl.get("Globals", {}).get("Function", {}).get("Environment", {}).get("Variables", {})
    out.env = {key: str(resolver(value)) for key, value in variables.items()}
    return out


def create_table(ddb: Any, name: str, props: dict[str, Any]) -> None:
    kwargs: dict[str, Any] = {
        "TableName": name,
        "AttributeDefinitions": props["AttributeDefinitions"],
        "KeySchema": props["KeySchema"],
        "BillingMode": props.get("BillingMode", "PAY_PER_REQUEST"),
    }
    if props.get("GlobalSecondaryIndexes"):
        kwargs["GlobalSecondaryIndexes"] = props["GlobalSecondaryIndexes"]
    if props.get("StreamSpecification"):
        kwargs["StreamSpecification"] = {"StreamEnabled": True, **props["StreamSpecification"]}
    ddb.create_table(**kwargs)
    ttl = props.get("TimeToLiveSpecification")
    if ttl and ttl.get("Enabled"):
        ddb.update_time_to_live(
            TableName=name, TimeToLiveSpecification={"AttributeName": ttl["AttributeName"], "Enabled": True}
        )


def _lifecycle_rules(rules: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The template's lifecycle rules (CloudFormation's shape) in the S3 API's shape, so tests can read them."""
    out: list[dict[str, Any]] = []
    for rule in rules:
        api: dict[str, Any] = {"ID": rule["Id"], "Status": rule["Status"], "Filter": {"Prefix": rule.get("Prefix", "")}}
        if "ExpirationInDays" in rule:
            api["Expiration"] = {"Days": int(rule["ExpirationInDays"])}
        if "Transitions" in rule:
            api["Transitions"] = [
                {"Days": int(t["TransitionInDays"]), "StorageClass": t["StorageClass"]} for t in rule["Transitions"]
            ]
        if "AbortIncompleteMultipartUpload" in rule:
            days = int(rule["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"])
            api["AbortIncompleteMultipartUpload"] = {"DaysAfterInitiation": days}
        out.append(api)
    return out
