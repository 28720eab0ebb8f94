"""Read ``template.yaml`` (CloudFormation short-form tags included) and resolve what the local stack needs.

The local stack creates its resources *from the template*, so what runs locally is what deploys.
Intrinsics are resolved only as far as local names go: ``!Ref``/``!GetAtt`` of a resource become the
local physical name (``helpdesk-<logical-id-in-kebab-case>``), parameters take their defaults or
the values given.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[3]
TEMPLATE = ROOT / "template.yaml"


class _Loader(yaml.SafeLoader):
    pass


def _tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if suffix == "GetAtt" and isinstance(value, str):
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    return {name: value}


_Loader.add_multi_constructor("!", _tag)


def load_template(path: Path = TEMPLATE) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        data = yaml.load(handle, Loader=_Loader)  # noqa: S506 - SafeLoader subclass with intrinsic tags only
    if not isinstance(data, dict):
        raise ValueError(f"{path} is not a template")
    return data


@lru_cache(maxsize=1)
def template() -> dict[str, Any]:
    return load_template()


def kebab(logical_id: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "-", logical_id).lower()


def local_name(logical_id: str, prefix: str = "helpdesk") -> str:
    return f"{prefix}-{kebab(logical_id)}"


def resources(kind: str, tpl: dict[str, Any] | None = None) -> dict[str, dict[str, Any]]:
    tpl = tpl or template()
    return {lid: res for lid, res in tpl["Resources"].items() if res["Type"] == kind}


class Resolver:
    """Resolves intrinsics to local values: resource names, ARNs, parameters."""

    def __init__(
        self, tpl: dict[str, Any], parameters: dict[str, str], names: dict[str, str], attrs: dict[tuple[str, str], str]
    ) -> None:
        self.tpl = tpl
        self.parameters = {
            name: str(spec.get("Default", "")) for name, spec in tpl.get("Parameters", {}).items()
        } | parameters
        self.parameters.update(
            {
                "AWS::Region": parameters.get("AWS::Region", "eu-central-1"),
                "AWS::AccountId": "123456789012",
                "AWS::StackName": "helpdesk",
                "AWS::Partition": "aws",
            }
        )
        self.lists = {
            name for name, spec in tpl.get("Parameters", {}).items() if spec.get("Type") == "CommaDelimitedList"
        }
        self.names = names
        self.attrs = attrs

    def _list(self, value: Any) -> list[Any]:
        resolved = self(value)
        return resolved if isinstance(resolved, list) else [resolved]

    def present(self, resource: dict[str, Any]) -> bool:
        """Does the resource exist with these parameters (no ``Condition``, or a true one)?"""
        return "Condition" not in resource or self.condition(resource["Condition"])

    def __call__(self, value: Any) -> Any:
        if isinstance(value, dict) and len(value) == 1:
            ((key, arg),) = value.items()
            if key == "Ref":
                if arg in self.lists:  # a CommaDelimitedList is a list (its members trimmed, as CloudFormation does)
                    return [part.strip() for part in self.parameters[arg].split(",")]
                if arg in self.parameters:
                    return self.parameters[arg]
                return self.names.get(arg, arg)
            if key == "Fn::GetAtt":
                return self.attrs.get((arg[0], arg[1]), f"{self.names.get(arg[0], arg[0])}.{arg[1]}")
            if key == "Fn::Sub":
                text = arg if isinstance(arg, str) else arg[0]

                def sub(match: re.Match[str]) -> str:
                    token = match.group(1)
                    if "." in token:
                        lid, attr = token.split(".", 1)
                        return str(self({"Fn::GetAtt": [lid, attr]}))
                    return str(self({"Ref": token}))

                return re.sub(r"\$\{([^}]+)\}", sub, text)
            if key == "Fn::If":
                return self(arg[1] if self.condition(arg[0]) else arg[2])
            if key == "Fn::Join":
                return str(arg[0]).join(str(part) for part in self._list(arg[1]))
            if key == "Fn::Split":
                return str(self(arg[1])).split(str(arg[0]))
            if key == "Fn::Select":
                return self._list(arg[1])[int(self(arg[0]))]
        if isinstance(value, dict):
            return {k: self(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self(v) for v in value]
        return value

    def condition(self, name: str) -> bool:
        return bool(self._truth(self.tpl.get("Conditions", {})[name]))

    def _truth(self, expr: Any) -> Any:
        if isinstance(expr, dict) and len(expr) == 1:
            ((key, arg),) = expr.items()
            if key == "Fn::Not":
                return not self._truth(arg[0])
            if key == "Fn::Equals":
                return self(arg[0]) == self(arg[1])
            if key == "Fn::And":
                return all(self._truth(a) for a in arg)
            if key == "Fn::Or":
                return any(self._truth(a) for a in arg)
            if key == "Condition":
                return self.condition(arg)
        return self(expr)
