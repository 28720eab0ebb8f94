"""Validated records on msgspec: the base of the team's configuration (``domain/config.py``) and of the API's
request and response models (``api/schemas.py``).

Why not pydantic: every Lambda reads the configuration, and the API validates every request. Importing
pydantic and creating the configuration's models cost each cold start about 0.1 s of CPU, and the API's
models as much again: the API's cold import was 2.2 times bare boto3's instructions, 1.6 times without
(``bench/package.py``). msgspec's import and these classes cost a few milliseconds; msgspec makes a class's
decoder at its first use. A :class:`Record` answers the calls the routes make of a model, in pydantic's
names: ``model_validate``, ``model_validate_json``, ``model_dump``, ``model_copy``.

A record behaves as the pydantic models it replaced:

- unknown fields are refused; in the configuration's records, whitespace around every string is stripped
  before any check (the API's models take strings as sent: ``__strip__ = False``);
- ``model_validate`` (Python values, lax: ``"3"`` is 3) and ``model_validate_json`` (a request body,
  strict: ``"3"`` is not 3, ``0`` is not false) check every constraint (``Meta``), the fields' checks
  (:class:`Check`, at any depth) and the record's :meth:`Record.check`; a direct constructor call runs the
  fields' checks and :meth:`Record.check` only: code builds records from values it has checked already;
- an invalid record raises :class:`RecordError`, a ``ValueError`` whose ``errors()`` name the fields as
  pydantic's do (``loc``, ``msg``, ``type``): msgspec's first error, then every other field that is invalid,
  unknown or missing (the first error inside each);
- a field whose JSON name differs from its own (``from``) is ``msgspec.field(name=...)``: it is read and
  written under that name; a field a patch may leave out defaults to ``msgspec.UNSET`` and is then left out
  of :meth:`Record.model_dump` (so absent, "leave it", and ``null``, "clear it", differ).
"""

import copy
import re
from collections.abc import Callable, Collection, Mapping
from types import UnionType
from typing import Annotated, Any, ClassVar, Self, Union, get_args, get_origin, get_type_hints

import msgspec

__all__ = ["Check", "FieldError", "Record", "RecordError"]


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
_STEP = re.compile(r"\.([^.\[\]]+)|\[(\d+)\]")  # "$[...]" (somewhere in untyped JSON) names no step
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


class Check:
    """``Annotated[str, Check(function)]``: a record runs ``function`` on every value of that type in its fields,
    also inside lists, dicts and optional fields (``list[Tag]``, ``Email | None``), and keeps what it returns
    (a trimmed address); a ``ValueError`` it raises names the field. msgspec itself ignores this metadata."""

    __slots__ = ("run",)

    def __init__(self, run: Callable[[Any], Any]) -> None:
        self.run = run


Checker = Callable[[Any], Any]
TOO_DEEP = "nested too deeply"


def _checker(hint: Any) -> Checker | None:
    """What checks a value of type ``hint`` (its :class:`Check` functions, at any depth) and returns it as kept;
    None: nothing to check."""
    origin, args = get_origin(hint), get_args(hint)
    if origin is Annotated:
        inner = _checker(args[0])
        runs = [*(meta.run for meta in hint.__metadata__ if isinstance(meta, Check)), *([inner] if inner else [])]
        if not runs:
            return None

        def each(value: Any) -> Any:
            for run in runs:
                value = run(value)
            return value

        return each
    if origin in (Union, UnionType):
        arms = [found for found in (_checker(arg) for arg in args) if found is not None]
        if len(arms) > 1:
            raise TypeError(f"{hint}: a union may hold one checked type")
        if not arms:
            return None
        arm = arms[0]
        return lambda value: value if value is None or value is msgspec.UNSET else arm(value)
    if origin in (list, tuple, set, frozenset) and args:
        item = _checker(args[0])
        return None if item is None else lambda value: type(value)(item(element) for element in value)
    if origin is dict and len(args) == 2:
        entry = _checker(args[1])
        return None if entry is None else lambda value: {key: entry(element) for key, element in value.items()}
    return None


def _plain(value: Any, strip: bool) -> Any:
    """Input as msgspec converts it: structs as their fields; with ``strip``, every string stripped
    (pydantic's ``str_strip_whitespace``)."""
    if isinstance(value, msgspec.Struct):
        value = msgspec.to_builtins(value)
    if not strip:
        return value
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, dict):
        return {key: _plain(item, strip) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item, strip) for item in value]
    return value


class Record(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A validated record (see the module's text)."""

    # False: strings are taken as sent (the API's models: a reply's text keeps its indentation)
    __strip__: ClassVar[bool] = True

    def __post_init__(self) -> None:
        for name, check in _checks_of(type(self)):
            try:
                msgspec.structs.force_setattr(self, name, check(getattr(self, name)))
            except ValueError as exc:
                raise FieldError(name, str(exc)) from None
        self.check()

    def check(self) -> None:
        """Normalize fields and check what spans them; raise :class:`FieldError` (or ``ValueError``)."""

    # -- the calls the API makes of its models ------------------------------------------------------------

    @classmethod
    def model_validate(cls, data: Any) -> Self:
        try:
            plain = _plain(data, cls.__strip__)
            return msgspec.convert(plain, cls, strict=False)
        except msgspec.ValidationError as exc:
            raise _every_error(cls, plain, exc, strict=False) from exc
        except RecursionError as exc:
            raise RecordError([{"loc": (), "msg": TOO_DEEP, "type": "value_error"}]) from exc

    @classmethod
    def model_validate_json(cls, raw: str | bytes, *, strict: bool = True) -> Self:
        try:
            if not cls.__strip__:  # one pass: decoded straight into the record
                return msgspec.json.decode(raw, type=cls, strict=strict)
            data = msgspec.json.decode(raw)
            return msgspec.convert(_plain(data, strip=True), cls, strict=strict)
        except msgspec.ValidationError as exc:  # the JSON's values, or the record
            raise _every_error_of_json(cls, raw, exc, strict) from exc
        except msgspec.DecodeError as exc:
            raise RecordError([{"loc": (), "msg": f"Invalid JSON: {exc}", "type": "json_invalid"}]) from exc
        except RecursionError as exc:  # "[[[[…": msgspec's decoder ends at Python's recursion limit
            raise RecordError([{"loc": (), "msg": f"Invalid JSON: {TOO_DEEP}", "type": "json_invalid"}]) from exc

    def model_dump(
        self,
        *,
        mode: str = "json",
        exclude_defaults: bool = False,
        exclude_none: bool = False,
        exclude_unset: bool = False,
        exclude: Collection[str] = (),
        by_alias: bool = True,
    ) -> dict[str, Any]:
        """The record as JSON values (dates as ISO text, enums as their values), in any ``mode``, each field
        under its JSON name (``msgspec.field(name=...)``: pydantic's alias). A field left ``UNSET`` is never in it
        (``exclude_unset``: a patch names only what it changes)."""
        del mode, by_alias, exclude_unset  # JSON values, JSON names, no UNSET: always
        data: dict[str, Any] = msgspec.to_builtins(self)
        for name in exclude:
            data.pop(name, None)
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


_FIELD_CHECKS: dict[type[Record], tuple[tuple[str, Checker], ...]] = {}


def _checks_of(cls: type[Record]) -> tuple[tuple[str, Checker], ...]:
    """A record's fields that hold :class:`Check` types, with their checkers: found at its first instance
    (annotations written as text, and types defined further down, can be read by then), then kept."""
    checks = _FIELD_CHECKS.get(cls)
    if checks is None:
        hints = get_type_hints(cls, include_extras=True)
        found = ((name, _checker(hints[name])) for name in cls.__struct_fields__)
        checks = _FIELD_CHECKS[cls] = tuple((name, check) for name, check in found if check is not None)
    return checks


def _every_error_of_json(
    cls: type[Record], raw: str | bytes, first: msgspec.ValidationError, strict: bool
) -> RecordError:
    """:func:`_every_error` for a body whose JSON msgspec read: a value it cannot hold (a number out of range)
    fails the plain reading too, and then msgspec's first error is all there is."""
    try:
        data = _plain(msgspec.json.decode(raw), cls.__strip__)
    except (msgspec.DecodeError, RecursionError):
        return record_error(first)
    return _every_error(cls, data, first, strict)


def _every_error(cls: type[Record], data: Any, first: msgspec.ValidationError, strict: bool) -> RecordError:
    """msgspec's first error, then every other field of ``data`` invalid on its own, unknown or missing:
    msgspec stops at the first, a request's answer names them all (as pydantic's did). Inside one field only
    its first error is named; checks across fields (:meth:`Record.check`) run on a whole record, so they show
    once nothing else is wrong."""
    found = record_error(first).errors()
    if not isinstance(data, dict):
        return RecordError(found)
    named = {error["loc"][:1] for error in found}
    hints = get_type_hints(cls, include_extras=True)
    checks = dict(_checks_of(cls))
    fields = {field.encode_name: field for field in msgspec.structs.fields(cls)}
    more = [
        _field_error(key, value, hints[fields[key].name], checks.get(fields[key].name), strict)
        if key in fields
        else {"loc": (key,), "msg": "unknown field", "type": "extra_forbidden"}
        for key, value in data.items()
    ]
    more += [
        {"loc": (key,), "msg": "field required", "type": "missing"}
        for key, field in fields.items()
        if field.required and key not in data
    ]
    for error in more:
        if error is not None and error["loc"][:1] not in named:
            found.append(error)
            named.add(error["loc"][:1])
    return RecordError(found)


def _field_error(key: str, value: Any, hint: Any, check: Checker | None, strict: bool) -> dict[str, Any] | None:
    """The first error of one field's value (of type ``hint``, checked by ``check``), its path starting with the
    field; None: the value is valid."""
    try:
        converted = msgspec.convert(value, hint, strict=strict)
        if check is not None:
            check(converted)
    except msgspec.ValidationError as exc:
        error = record_error(exc).errors()[0]
        return {**error, "loc": (key, *error["loc"])}
    except ValueError as exc:  # a Check of the field's own type
        return {"loc": (key,), "msg": str(exc), "type": "value_error"}
    return None
