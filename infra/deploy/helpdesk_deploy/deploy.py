"""Deploy the built artefacts with the AWS CLI and CloudFormation (which runs the SAM transform itself).

No SAM CLI, no `sam deploy --guided` (and so no "ApiFunction has no authentication. Is this okay? [y/N]"
question: the API authenticates in the function, with Cognito tokens). Parameters come from ``deploy.toml``.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .build import FUNCTIONS, ROOT, Artefacts

TEMPLATE = ROOT / "template.yaml"
EXAMPLE_CONFIG = ROOT / "infra" / "deploy" / "deploy.example.toml"
DEFAULT_CONFIG = ROOT / "deploy.toml"
CAPABILITIES = ("CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND")


class ConfigError(ValueError):
    pass


@dataclass
class Config:
    stack_name: str
    region: str
    parameters: dict[str, str]
    artifact_bucket: str = ""
    source: Path | None = None
    setup: dict[str, Any] = field(default_factory=dict)  # [setup]: the first admin and mailbox (setup.py)

    def bucket(self, account: str) -> str:
        return self.artifact_bucket or f"{self.stack_name}-artifacts-{account}-{self.region}"


def load_template(path: Path = TEMPLATE) -> dict[str, Any]:
    from helpdesk_local.template import load_template as load

    return load(path)


def load_config(path: Path) -> Config:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    unknown = set(data) - {"stack_name", "region", "artifact_bucket", "parameters", "setup"}
    if unknown:
        raise ConfigError(f"{path}: unknown settings {', '.join(sorted(unknown))}")
    for key in ("stack_name", "region"):
        if not isinstance(data.get(key), str) or not data[key]:
            raise ConfigError(f"{path}: '{key}' is missing")
    parameters = {str(k): str(v) for k, v in data.get("parameters", {}).items()}
    setup = data.get("setup", {})
    if not isinstance(setup, dict):
        raise ConfigError(f"{path}: [setup] must be a table")
    return Config(data["stack_name"], data["region"], parameters, str(data.get("artifact_bucket", "")), path, setup)


MAX_MAIL_DOMAINS = 5  # template.yaml: MailIdentity, MailIdentity2 … MailIdentity5


def check_config(config: Config, template: dict[str, Any]) -> list[str]:
    """Problems with the stack name, region and parameters, checked against template.yaml (empty: fine)."""
    problems = []
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9-]{0,127}", config.stack_name):
        problems.append(f"stack_name {config.stack_name!r}: letters, digits and '-', starting with a letter")
    if not re.fullmatch(r"[a-z]{2}(-[a-z]+)+-\d", config.region):
        problems.append(f"region {config.region!r} is not a region name (e.g. eu-west-1)")
    declared: dict[str, Any] = template.get("Parameters", {})
    for name in sorted(set(config.parameters) - set(declared)):
        problems.append(f"parameter {name} is not one of template.yaml's ({', '.join(sorted(declared))})")
    for name, spec in declared.items():
        value = config.parameters.get(name)
        if value is None:
            if "Default" not in spec:
                problems.append(f"parameter {name} is required: {spec.get('Description', '')}".rstrip(": "))
            continue
        if spec.get("Type") == "CommaDelimitedList":  # CloudFormation trims and checks each member
            members = [member.strip() for member in value.split(",")]
            if name == "MailDomain" and len(members) > MAX_MAIL_DOMAINS:
                problems.append(
                    f"parameter {name} names {len(members)} domains; template.yaml has identities for "
                    f"at most {MAX_MAIL_DOMAINS}"
                )
        else:
            members = [value]
        for member in members:
            if "AllowedPattern" in spec and not re.fullmatch(spec["AllowedPattern"], member):
                problems.append(f"parameter {name}={member!r} does not match {spec['AllowedPattern']}")
        if "AllowedValues" in spec and value not in [str(v) for v in spec["AllowedValues"]]:
            problems.append(f"parameter {name}={value!r} is not one of {spec['AllowedValues']}")
        if spec.get("Type") == "Number":
            try:
                number = float(value)
            except ValueError:
                problems.append(f"parameter {name}={value!r} is not a number")
                continue
            if "MinValue" in spec and number < float(spec["MinValue"]):
                problems.append(f"parameter {name}={value} is below {spec['MinValue']}")
            if "MaxValue" in spec and number > float(spec["MaxValue"]):
                problems.append(f"parameter {name}={value} is above {spec['MaxValue']}")
    return problems


def deploy_template(artefacts: Artefacts, template: dict[str, Any]) -> Path:
    """template.yaml with the functions' CodeUri and the layer's ContentUri pointing at the built zips
    (relative to the generated template, which `aws cloudformation package` expects) and no SAM build metadata."""
    generated = json.loads(json.dumps(template))
    for logical_id, resource in generated["Resources"].items():
        if resource["Type"] == "AWS::Serverless::LayerVersion":
            resource["Properties"]["ContentUri"] = artefacts.layer_zip.name
            resource.pop("Metadata", None)
        if resource["Type"] == "AWS::Serverless::Function":
            # The folder the template names (functions/<name>/): two functions may share one.
            name = str(resource["Properties"].get("CodeUri", "")).rstrip("/").rsplit("/", 1)[-1]
            if name not in FUNCTIONS or name not in artefacts.function_zips:
                raise ConfigError(f"{logical_id} is not built (helpdesk_deploy.build.FUNCTIONS)")
            resource["Properties"]["CodeUri"] = artefacts.function_zips[name].name
    target = artefacts.out / "template.yaml"
    target.write_text(
        "# Generated by `make deploy` from template.yaml: code locations point at the built zips.\n"
        + yaml.safe_dump(generated, sort_keys=False, allow_unicode=True, width=120),
        encoding="utf-8",
    )
    return target


def validate_offline(template: Path, config: Config) -> str:
    """SAM's transform, run here as CloudFormation will run it (needs aws-sam-translator: the dev extra)."""
    try:
        import samtranslator  # noqa: F401
    except ImportError:
        return "skipped the offline SAM translation (aws-sam-translator is not installed)"
    from .sam import translate

    data = yaml.safe_load(template.read_text(encoding="utf-8"))
    translated = translate(data, config.parameters, config.region, base=template.parent)
    functions = [lid for lid, r in translated["Resources"].items() if r["Type"] == "AWS::Lambda::Function"]
    return (
        f"SAM translation offline: {len(translated['Resources'])} resources, functions {', '.join(sorted(functions))}"
    )


@dataclass
class Plan:
    """The AWS CLI commands a deploy runs, in order (``{account}`` is filled in from sts)."""

    commands: list[list[str]] = field(default_factory=list)

    def show(self) -> str:
        return "\n".join("  " + shlex.join(c) for c in self.commands)


def plan(config: Config, artefacts: Artefacts, template: Path) -> Plan:
    region = ["--region", config.region]
    bucket = config.bucket("{account}")
    packaged = artefacts.out / "packaged.yaml"
    overrides = [f"{k}={v}" for k, v in sorted(config.parameters.items())]
    return Plan(
        [
            ["aws", "sts", "get-caller-identity", "--query", "Account", "--output", "text", *region],
            ["aws", "s3api", "head-bucket", "--bucket", bucket, *region],
            [
                "aws",
                "cloudformation",
                "package",
                "--template-file",
                str(template),
                "--s3-bucket",
                bucket,
                "--s3-prefix",
                config.stack_name,
                "--output-template-file",
                str(packaged),
                *region,
            ],
            [
                "aws",
                "cloudformation",
                "deploy",
                "--template-file",
                str(packaged),
                "--stack-name",
                config.stack_name,
                "--capabilities",
                *CAPABILITIES,
                "--no-fail-on-empty-changeset",
                *region,
                *(["--parameter-overrides", *overrides] if overrides else []),
            ],
            describe_command(config),
        ]
    )


def _aws(command: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, text=True, capture_output=True)


def execute(config: Config, steps: Plan, out: Any = print) -> dict[str, str]:
    """Run the plan; returns the stack's outputs."""
    if shutil.which("aws") is None:
        raise ConfigError("the AWS CLI is not installed: `sudo apt-get install awscli` or `pip install awscli`")
    identity, head, package, deploy, describe = steps.commands
    who = _aws(identity)
    if who.returncode != 0:
        raise ConfigError(f"no usable AWS credentials (aws sts get-caller-identity):\n{who.stderr.strip()}")
    account = who.stdout.strip()

    def filled(command: list[str]) -> list[str]:
        return [part.replace("{account}", account) for part in command]

    bucket = config.bucket(account)
    if _aws(filled(head)).returncode != 0:
        out(f"creating the artefact bucket s3://{bucket}")
        made = _aws(["aws", "s3", "mb", f"s3://{bucket}", "--region", config.region])
        if made.returncode != 0:
            raise ConfigError(f"could not create s3://{bucket}:\n{made.stderr.strip()}")
    for command in (package, deploy):
        out("$ " + shlex.join(filled(command)))
        result = subprocess.run(filled(command), text=True)
        if result.returncode != 0:
            raise ConfigError(f"{' '.join(command[:3])} failed (exit {result.returncode})")
    return stack_outputs(filled(describe))


def describe_command(config: Config) -> list[str]:
    return ["aws", "cloudformation", "describe-stacks", "--stack-name", config.stack_name, "--region", config.region]


def stack_outputs(describe: list[str]) -> dict[str, str]:
    """The deployed stack's outputs (``aws cloudformation describe-stacks``)."""
    if shutil.which("aws") is None:
        raise ConfigError("the AWS CLI is not installed: `sudo apt-get install awscli` or `pip install awscli`")
    described = _aws(describe)
    if described.returncode != 0:
        raise ConfigError(described.stderr.strip())
    stack = json.loads(described.stdout)["Stacks"][0]
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


def next_steps(config: Config, outputs: dict[str, str]) -> str:
    """What is left to do by hand after the deploy and its set-up step (docs/deploy.md explains each)."""
    region = config.region
    domain = ", ".join(d.strip() for d in config.parameters.get("MailDomain", "<MailDomain>").split(","))
    identity = domain if "," not in domain else "<each domain>"
    return f"""Left to do by hand (docs/deploy.md, steps 5-11):
  1. Confirm the alarm subscription (SNS sent a mail to AlarmEmail).
  2. DNS for {domain}, if the checklist above says the identity or DKIM is not verified:
     MX 10 inbound-smtp.{region}.amazonaws.com, the three DKIM CNAMEs of
     `aws sesv2 get-email-identity --email-identity {identity} --region {region}`, SPF and DMARC TXT records.
  3. SES production access, if the account is still in the sandbox (docs/deploy.md, step 8).
  4. Log in at {outputs.get("ApiUrl", "<ApiUrl>")} with the temporary password from the invitation mail.
  Run `make deploy-setup` again at any time: it checks everything and only creates what is missing."""
