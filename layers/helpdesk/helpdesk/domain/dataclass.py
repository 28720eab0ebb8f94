"""``@dataclass`` as the standard library's, at a fraction of the cost of defining a class (a cold start).

Every Lambda imports about a hundred of the helpdesk's dataclasses (the API 144). Python 3.12's
``dataclasses`` writes the source of each generated method (``__init__``, ``__repr__``, ``__eq__``, and for a
frozen class ``__setattr__``, ``__delattr__`` and ``__hash__``) and compiles it with ``exec``: about six
compilations per frozen class, the largest single part of importing a handler after boto3 (bench/package.py).
Here ``__init__`` is compiled when the class is first instantiated (by the standard library, on a copy of the
class's fields: the same code), so a cold start compiles only the ``__init__`` of the classes its events use;
the other methods are shared functions reading a per-class tuple of field names, with the standard
library's behaviour:

- ``__eq__`` compares the fields with ``compare=True`` as a tuple, only with an instance of the same class
  (else ``NotImplemented``); ``__hash__`` hashes that tuple for ``frozen=True`` and is ``None`` for a class
  that is not frozen (unhashable), unless the class defines its own;
- ``__repr__`` is ``Name(field=value, …)`` over the fields with ``repr=True``, safe against recursion;
- a frozen instance refuses assignment and deletion of its fields with ``FrozenInstanceError``
  (``__init__`` and ``__post_init__`` set each field once, through ``object.__setattr__`` as before);
- a method the class defines itself is kept; ``__dataclass_params__`` tells the options asked for;
- a class without a docstring gets ``Name(field: type, …)`` (the standard library's, without the
  defaults: it asks ``inspect.signature``, the costliest step left for such a class).

Anything else (``order``, ``unsafe_hash``, ``slots``, a dataclass base class) is left to the standard
library as it is. Type checkers see ``dataclasses.dataclass`` itself, so ``replace``, ``fields`` and
``asdict`` work and are checked as ever. Pure: no I/O.
"""

from __future__ import annotations

import dataclasses
import inspect
from operator import attrgetter
from reprlib import recursive_repr
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dataclasses import dataclass as dataclass
else:

    def dataclass(
        cls: type | None = None,
        /,
        *,
        init: bool = True,
        repr: bool = True,
        eq: bool = True,
        order: bool = False,
        unsafe_hash: bool = False,
        frozen: bool = False,
        **options: Any,
    ) -> Any:
        def wrap(klass: type) -> type:
            standard = (
                order
                or unsafe_hash
                or options.get("slots")
                or any(hasattr(base, "__dataclass_fields__") for base in klass.__mro__[1:])
                or (frozen and ("__setattr__" in klass.__dict__ or "__delattr__" in klass.__dict__))
            )
            if standard:
                return dataclasses.dataclass(
                    klass, init=init, repr=repr, eq=eq, order=order, unsafe_hash=unsafe_hash, frozen=frozen, **options
                )
            documented = bool(klass.__dict__.get("__doc__"))
            if not documented:  # else the standard library writes one from inspect.signature: slow
                klass.__doc__ = klass.__qualname__
            later = init and "__init__" not in klass.__dict__
            made = dataclasses.dataclass(klass, init=init and not later, repr=False, eq=False, frozen=False, **options)
            _add_methods(made, init=init, repr=repr, eq=eq, frozen=frozen)
            if later:
                made.__init__ = _init_on_first_use(made, options)  # type: ignore[misc]
            if not documented:
                made.__doc__ = _signature_doc(made)
            return made

        return wrap if cls is None else wrap(cls)


def _signature_doc(cls: type) -> str:
    """``Name(field: type, …)``, as the standard library documents a class without a docstring (its
    annotations as written, without the defaults)."""
    shown = [
        f"{f.name}: {f.type!r}" if isinstance(f.type, str) else f"{f.name}: {getattr(f.type, '__name__', f.type)}"
        for f in dataclasses.fields(cls)
        if f.init
    ]
    return f"{cls.__name__}({', '.join(shown)})"


def _values(names: tuple[str, ...]) -> Any:
    """A function of an instance giving the tuple of these fields' values."""
    if len(names) > 1:
        return attrgetter(*names)
    if names:
        name = names[0]
        return lambda instance: (getattr(instance, name),)
    return lambda _instance: ()


def _init_on_first_use(cls: type, options: dict[str, Any]) -> Any:
    """An ``__init__`` that, called first, puts the standard library's in its place and runs that."""

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        if cls.__dict__.get("__init__") is __init__:
            cls.__init__ = _standard_init(cls, options)  # type: ignore[misc]
        cls.__init__(self, *args, **kwargs)  # type: ignore[misc]

    __init__.__qualname__ = f"{cls.__qualname__}.__init__"
    return __init__


def _standard_init(cls: type, options: dict[str, Any]) -> Any:
    """The ``__init__`` the standard library writes for ``cls`` (a class without dataclass bases), made on a
    copy: the class's annotations, a new ``field()`` per field as it was declared, the values of its class
    variables and init-only variables' defaults, its ``__post_init__``. Frozen or not, it is the plain one:
    ``cls``'s ``__setattr__`` lets each field be set once."""
    declared = {f.name: f for f in dataclasses.fields(cls)}
    namespace: dict[str, Any] = {
        "__module__": cls.__module__,
        "__qualname__": cls.__qualname__,
        "__doc__": cls.__doc__ or cls.__qualname__,  # else the standard library asks inspect.signature
        "__annotations__": dict(inspect.get_annotations(cls)),
    }
    for name in namespace["__annotations__"]:
        field = declared.get(name)
        if field is not None:
            namespace[name] = dataclasses.field(
                default=field.default,
                default_factory=field.default_factory,
                init=field.init,
                kw_only=field.kw_only,
            )
        elif hasattr(cls, name):  # a class variable, or an init-only variable's default
            namespace[name] = getattr(cls, name)
    if hasattr(cls, "__post_init__"):
        namespace["__post_init__"] = cls.__post_init__
    copied: type = dataclasses.dataclass(type(cls.__name__, (), namespace), repr=False, eq=False, **options)
    return copied.__dict__["__init__"]


def _add_methods(cls: type, *, init: bool, repr: bool, eq: bool, frozen: bool) -> None:
    fields = dataclasses.fields(cls)
    own = cls.__dict__
    methods: dict[str, Any] = {}
    params = own["__dataclass_params__"]
    params.init, params.repr, params.eq, params.frozen = init, repr, eq, frozen
    if repr and "__repr__" not in own:
        shown = tuple(f.name for f in fields if f.repr)

        @recursive_repr()
        def __repr__(self: Any) -> str:
            inner = ", ".join(f"{name}={getattr(self, name)!r}" for name in shown)
            return f"{type(self).__qualname__}({inner})"

        methods["__repr__"] = __repr__
    if eq:
        if "__eq__" not in own:
            compared = _values(tuple(f.name for f in fields if f.compare))

            def __eq__(self: Any, other: object) -> Any:
                if other.__class__ is self.__class__:
                    return compared(self) == compared(other)
                return NotImplemented

            methods["__eq__"] = __eq__
        own_hash = own.get("__hash__", dataclasses.MISSING)
        explicit_hash = not (own_hash is dataclasses.MISSING or (own_hash is None and "__eq__" in own))
        if not explicit_hash:
            if frozen:
                hashed = _values(tuple(f.name for f in fields if (f.compare if f.hash is None else f.hash)))

                def __hash__(self: Any) -> int:
                    return hash(hashed(self))

                methods["__hash__"] = __hash__
            else:
                methods["__hash__"] = None
    if frozen:
        names = frozenset(f.name for f in fields)

        def __setattr__(self: Any, name: str, value: Any) -> None:
            # __init__ sets each field once; afterwards every field is in the instance and refuses.
            if name in names and name not in self.__dict__:
                object.__setattr__(self, name, value)
                return
            raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")

        def __delattr__(_self: Any, name: str) -> None:
            raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")

        methods["__setattr__"] = __setattr__
        methods["__delattr__"] = __delattr__
    for name, method in methods.items():
        if method is not None:
            method.__qualname__ = f"{cls.__qualname__}.{name}"
        setattr(cls, name, method)
