"""Validated records on msgspec: the base of the team's configuration (``domain/config.py``).

Why not pydantic: every Lambda reads the configuration, and importing pydantic and creating the
configuration's models cost each cold start about 0.1 s of CPU, half of all it imports beyond boto3
(``bench/package.py`` measured it as "pydantic + config"). msgspec's import and these classes cost a few
milliseconds (its line "config records"). The API keeps pydantic for its own request and response models
(``api/schemas.py``); it treats both alike because a :class:`Record` answers the calls the API makes of a
pydantic model: ``model_validate``, ``model_validate_json``, ``model_dump``, ``model_copy``.

A record behaves as the configuration's pydantic models did:

- unknown fields are refused, and whitespace around every string is stripped before any check;
- ``model_validate`` (Python values, lax: ``"3"`` is 3) and ``model_validate_json`` (a request body,
  strict: ``"3"`` is not 3, ``0`` is not false) check every constraint (``Meta``) and run the record's
  :meth:`Record.check`; a direct constructor call runs :meth:`Record.check` and the fields' checks
  (:func:`checked`) only: code builds records from values it has checked already;
- an invalid record raises :class:`RecordError`, a ``ValueError`` whose ``errors()`` name the field as
  pydantic's do (``loc``, ``msg``, ``type``). msgspec stops at the first error, so there is one.
"""

# No "from __future__ import annotations": checked() finds fields by their annotation objects.
import copy
import inspect
import re
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, Self

import msgspec

__all__ = ["FieldError", "Record", "RecordError", "checked"]


class RecordError(ValueError):
    """Input that is not a valid record; ``errors()`` as ``[{"loc": (...), "msg": ..., "type": ...}]``."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        self._errors = errors
        super().__init__("; ".join(_line(e) for e in errors))

    def errors(self) -> list[dict[str, Any]]:
        return [dict(e) for e in self._errors]


class FieldError(ValueError):
    """What a record's :meth:`Record.check` raises for one field: the error names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _line(error: Mapping[str, Any]) -> str:
    where = ".".join(str(part) for part in error["loc"])
    return f"{where}: {error['msg']}" if where else str(error["msg"])


# msgspec's messages: "Expected `int`, got `str` - at `$.rules[0].order`", "Invalid enum value 'x' - at `key`
# in `$.targets`", "Object missing required field `id`", "Object contains unknown field `zz` - at `$.a`".
_MESSAGE = re.compile(r"^(?P<msg>.*?)(?: - at `(?:key` in `)?(?P<path>\$[^`]*)`)?$", re.S)
_STEP = re.compile(r"\.([^.\[]+)|\[(\d+)\]")
_NAMED = re.compile(r"^Object (?P<what>missing required|contains unknown) field `(?P<name>[^`]+)`$")


def record_error(exc: msgspec.ValidationError) -> RecordError:
    """msgspec's error as a :class:`RecordError` naming the field (``("rules", 0, "order")``)."""
    found = _MESSAGE.match(str(exc))
    message = found["msg"] if found else str(exc)
    path = (found["path"] if found else None) or "$"
    loc: list[str | int] = [name or int(index) for name, index in _STEP.findall(path)]
    kind = "value_error"
    named = _NAMED.match(message)
    cause = exc.__cause__
    if named:
        loc.append(named["name"])
        kind, message = (
            ("missing", "field required")
            if named["what"] == "missing required"
            else ("extra_forbidden", "unknown field")
        )
    elif isinstance(cause, FieldError):
        loc.append(cause.field)
        message = str(cause)
    elif isinstance(cause, ValueError):
        message = str(cause)
    return RecordError([{"loc": tuple(loc), "msg": message, "type": kind}])


_CHECKS: dict[int, Callable[[Any], object]] = {}


def checked(annotation: Any, check: Callable[[Any], object]) -> Any:
    """``annotation`` (an ``Annotated`` type kept in a module constant) whose values ``check`` checks: a
    record runs it on every field annotated with it, and a ``ValueError`` it raises names that field."""
    _CHECKS[id(annotation)] = check
    return annotation


def _plain(value: Any) -> Any:
    """Input as msgspec converts it, every string stripped (pydantic's ``str_strip_whitespace``)."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, msgspec.Struct):
        return _plain(msgspec.to_builtins(value))
    return value


class Record(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A validated record (see the module's text)."""

    # the fields annotated with a checked() type, and their checks: found once, when the class is made
    __checked__: ClassVar[tuple[tuple[str, Callable[[Any], object]], ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        hints = inspect.get_annotations(cls)
        own = tuple((name, _CHECKS[id(hint)]) for name, hint in hints.items() if id(hint) in _CHECKS)
        cls.__checked__ = (*cls.__checked__, *own)

    def __post_init__(self) -> None:
        for name, check in self.__checked__:
            try:
                check(getattr(self, name))
            except ValueError as exc:
                raise FieldError(name, str(exc)) from None
        self.check()

    def check(self) -> None:
        """Normalize fields and check what spans them; raise :class:`FieldError` (or ``ValueError``)."""

    # -- the calls the API makes of its models ------------------------------------------------------------

    @classmethod
    def model_validate(cls, data: Any) -> Self:
        try:
            return msgspec.convert(_plain(data), cls, strict=False)
        except msgspec.ValidationError as exc:
            raise record_error(exc) from exc

    @classmethod
    def model_validate_json(cls, raw: str | bytes, *, strict: bool = True) -> Self:
        try:
            data = msgspec.json.decode(raw)
        except msgspec.DecodeError as exc:
            raise RecordError([{"loc": (), "msg": f"Invalid JSON: {exc}", "type": "json_invalid"}]) from exc
        try:
            return msgspec.convert(_plain(data), cls, strict=strict)
        except msgspec.ValidationError as exc:
            raise record_error(exc) from exc

    def model_dump(
        self, *, mode: str = "json", exclude_defaults: bool = False, exclude_none: bool = False, by_alias: bool = False
    ) -> dict[str, Any]:
        """The record as JSON values (dates as ISO text, enums as their values), in any ``mode``."""
        del mode, by_alias  # JSON values in every mode; records have no aliases
        data: dict[str, Any] = msgspec.to_builtins(self)
        if exclude_defaults:
            for field in msgspec.structs.fields(self):
                default = field.default if field.default_factory is msgspec.NODEFAULT else field.default_factory()
                if default is not msgspec.NODEFAULT and getattr(self, field.name) == default:
                    del data[field.name]
        if exclude_none:
            data = {key: value for key, value in data.items() if value is not None}
        return data

    def model_dump_json(self) -> str:
        return msgspec.json.encode(self).decode()

    def model_copy(self, *, update: Mapping[str, Any] | None = None) -> Self:
        """A copy with ``update`` applied, unchecked (as pydantic's: the caller's values are its own)."""
        copied = copy.copy(self)
        for name, value in (update or {}).items():
            msgspec.structs.force_setattr(copied, name, value)
        return copied

    @classmethod
    def model_json_schema(cls) -> dict[str, Any]:
        schema: dict[str, Any] = msgspec.json.schema(cls)
        return schema
