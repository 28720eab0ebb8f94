"""template.yaml translates offline with aws-sam-translator (as `sam package` + CloudFormation would)."""

from __future__ import annotations

from typing import Any

import pytest

from helpdesk_local.template import load_template
from tests.sam import translate


@pytest.fixture(scope="module")
def translated() -> dict[str, Any]:
    return translate(load_template(), {"MailDomain": "support.example.com"})


def test_translates_to_plain_cloudformation(translated: dict[str, Any]) -> None:
    types = {r["Type"] for r in translated["Resources"].values()}
    assert not any(t.startswith("AWS::Serverless::") for t in types)
    for expected in (
        "AWS::Lambda::Function",
        "AWS::Lambda::LayerVersion",
        "AWS::ApiGateway::RestApi",
        "AWS::Lambda::EventSourceMapping",
        "AWS::Events::Rule",
        "AWS::DynamoDB::Table",
        "AWS::SQS::Queue",
        "AWS::S3::Bucket",
        "AWS::Cognito::UserPool",
        "AWS::SES::ReceiptRule",
    ):
        assert expected in types, expected


def test_ingest_reports_partial_batch_failures(translated: dict[str, Any]) -> None:
    mappings = [
        r["Properties"] for r in translated["Resources"].values() if r["Type"] == "AWS::Lambda::EventSourceMapping"
    ]
    sqs = [m for m in mappings if "IngestQueue" in str(m["EventSourceArn"])]
    assert len(sqs) == 1 and sqs[0]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    stream = [m for m in mappings if "StreamArn" in str(m["EventSourceArn"])]
    assert len(stream) == 3 and all(m["FilterCriteria"]["Filters"] for m in stream)  # publisher, fan-out, automation
    assert all(m["FunctionResponseTypes"] == ["ReportBatchItemFailures"] for m in stream if "Automation" in str(m))


def test_every_function_uses_the_layer_and_inline_least_privilege(translated: dict[str, Any]) -> None:
    functions = {lid: r for lid, r in translated["Resources"].items() if r["Type"] == "AWS::Lambda::Function"}
    assert set(functions) == {
        "IngestFunction",
        "ApiFunction",
        "AutocloseFunction",
        "PublisherFunction",
        "AutomationFunction",
        "LiveFunction",
        "LiveFanoutFunction",
        "FeedbackFunction",
    }
    for lid, fn in functions.items():
        assert fn["Properties"]["Layers"], lid
        role = translated["Resources"][f"{lid}Role"]["Properties"]
        for policy in role.get("Policies", []):
            for statement in policy["PolicyDocument"]["Statement"]:
                actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
                assert not any(a.endswith(":*") or a == "*" for a in actions), (lid, actions)


def test_dlq_redrive_and_alarm(translated: dict[str, Any]) -> None:
    queue = translated["Resources"]["IngestQueue"]["Properties"]
    assert queue["RedrivePolicy"]["deadLetterTargetArn"] == {"Fn::GetAtt": ["IngestDLQ", "Arn"]}
    alarm = translated["Resources"]["IngestDLQAlarm"]["Properties"]
    assert alarm["MetricName"] == "ApproximateNumberOfMessagesVisible"


def test_tables_are_on_demand_encrypted_and_recoverable() -> None:
    for lid, resource in load_template()["Resources"].items():
        if resource["Type"] != "AWS::DynamoDB::Table":
            continue
        props = resource["Properties"]
        assert props["BillingMode"] == "PAY_PER_REQUEST", lid
        assert props["SSESpecification"]["SSEEnabled"] is True, lid
        assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True, lid
        assert resource["DeletionPolicy"] == "Retain", lid


def test_bucket_is_private_encrypted_and_expires_raw_mail() -> None:
    props = load_template()["Resources"]["MailBucket"]["Properties"]
    assert all(props["PublicAccessBlockConfiguration"].values())
    assert props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]
    raw = [r for r in props["LifecycleConfiguration"]["Rules"] if r.get("Prefix") == "inbound/"]
    assert raw and raw[0]["ExpirationInDays"] == {"Ref": "RawMailRetentionDays"}


def test_raw_mail_expires_after_it_moved_to_infrequent_access() -> None:
    """S3 refuses an expiry that is not later than the transition: the smallest retention must be later."""
    template = load_template()
    smallest = template["Parameters"]["RawMailRetentionDays"]["MinValue"]
    rules = template["Resources"]["MailBucket"]["Properties"]["LifecycleConfiguration"]["Rules"]
    raw = {r["Prefix"]: r for r in rules if r.get("Prefix") in ("inbound/", "inbound-web/")}
    assert set(raw) == {"inbound/", "inbound-web/"}  # the contact form's messages are raw mail too
    for rule in raw.values():
        assert rule["ExpirationInDays"] == {"Ref": "RawMailRetentionDays"}
        assert all(smallest > t["TransitionInDays"] for t in rule.get("Transitions", []))


def test_cloudwatch_may_use_the_alarm_topics_key(translated: dict[str, Any]) -> None:
    """Alarms cannot publish to a topic under the AWS managed key alias/aws/sns (its policy is AWS's)."""
    topic = translated["Resources"]["AlarmTopic"]["Properties"]
    assert topic["KmsMasterKeyId"] == {"Fn::GetAtt": ["AlarmKey", "Arn"]}
    key = translated["Resources"]["AlarmKey"]["Properties"]
    assert key["EnableKeyRotation"] is True
    statements = key["KeyPolicy"]["Statement"]
    cloudwatch = [s for s in statements if s.get("Principal", {}).get("Service") == "cloudwatch.amazonaws.com"]
    assert len(cloudwatch) == 1 and cloudwatch[0]["Effect"] == "Allow"
    assert set(cloudwatch[0]["Action"]) == {"kms:Decrypt", "kms:GenerateDataKey*"}
    admins = [s for s in statements if s.get("Action") == "kms:*"]
    assert admins and admins[0]["Principal"] == {
        "AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}
    }
    for alarm in (r for r in translated["Resources"].values() if r["Type"] == "AWS::CloudWatch::Alarm"):
        assert alarm["Properties"]["AlarmActions"] == [{"Ref": "AlarmTopic"}]


def test_every_function_has_an_errors_alarm_and_a_bounded_log_group(translated: dict[str, Any]) -> None:
    """Found in issue 13's review: the SES feedback function had neither (its failures were silent and its logs
    kept forever); a function added later must not repeat that."""
    resources = translated["Resources"]
    functions = {name for name, r in resources.items() if r["Type"] == "AWS::Lambda::Function"}
    alarmed = {
        d["Value"]["Ref"]
        for r in resources.values()
        if r["Type"] == "AWS::CloudWatch::Alarm" and r["Properties"].get("MetricName") == "Errors"
        for d in r["Properties"].get("Dimensions", [])
        if d["Name"] == "FunctionName" and isinstance(d["Value"], dict)
    }
    logged = {
        r["Properties"]["LogGroupName"]["Fn::Sub"].removeprefix("/aws/lambda/${").removesuffix("}")
        for r in resources.values()
        if r["Type"] == "AWS::Logs::LogGroup"
        and r["Properties"].get("RetentionInDays") == {"Ref": "LogRetentionDays"}
        and isinstance(r["Properties"].get("LogGroupName"), dict)
    }
    assert "FeedbackFunction" in functions
    assert sorted(functions - alarmed) == []
    assert sorted(functions - logged) == []
