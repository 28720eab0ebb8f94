"""helpdesk.domain.dataclass behaves as the standard library's @dataclass, and compiles less.

Each case defines the same class twice, once with each decorator, and compares what a caller sees:
equality, hashing, repr, frozenness, replace/asdict, the options recorded and the errors raised.
"""

from __future__ import annotations

import copy
import dataclasses
import pickle
import re
from collections.abc import Callable
from typing import Any, ClassVar

import pytest

from helpdesk.domain.dataclass import dataclass as fast


def both(**options: Any) -> Callable[[Callable[[Callable[..., Any]], type]], tuple[type, type]]:
    """Decorate a class factory: returns (standard class, fast class) built from the same body."""

    def build(factory: Callable[[Callable[..., Any]], type]) -> tuple[type, type]:
        return factory(dataclasses.dataclass(**options)), factory(fast(**options))

    return build


def point(decorator: Callable[..., Any]) -> type:
    @decorator
    class Point:
        x: int
        y: int = 0
        tags: list[str] = dataclasses.field(default_factory=list, compare=False)
        note: str = dataclasses.field(default="", repr=False)

    return Point


def single(decorator: Callable[..., Any]) -> type:
    @decorator
    class Single:
        value: float

    return Single


def empty(decorator: Callable[..., Any]) -> type:
    @decorator
    class Empty:
        pass

    return Empty


def own_methods(decorator: Callable[..., Any]) -> type:
    @decorator
    class Own:
        key: str
        other: int = 0

        def __eq__(self, other: object) -> bool:
            return isinstance(other, Own) and other.key == self.key

        def __hash__(self) -> int:
            return hash(self.key)

        def __repr__(self) -> str:
            return f"<Own {self.key}>"

    return Own


def post_init(decorator: Callable[..., Any]) -> type:
    @decorator
    class Derived:
        raw: str
        lowered: str = dataclasses.field(init=False, default="")

        def __post_init__(self) -> None:
            object.__setattr__(self, "lowered", self.raw.lower())

    return Derived


FACTORIES = [point, single, empty, own_methods, post_init]
ARGS: dict[str, tuple[tuple[Any, ...], tuple[Any, ...], tuple[Any, ...]]] = {
    # equal, equal again, different
    "point": ((1, 2, ["a"], "n"), (1, 2, ["b"], "m"), (1, 3)),
    "single": ((1.5,), (1.5,), (2.5,)),
    "empty": ((), (), ()),
    "own_methods": (("k", 1), ("k", 2), ("j", 1)),
    "post_init": (("ABC",), ("ABC",), ("abd",)),
}


@pytest.mark.parametrize("frozen", [False, True])
@pytest.mark.parametrize("factory", FACTORIES, ids=lambda f: f.__name__)
def test_the_fast_class_behaves_as_the_standard_one(factory: Callable[..., type], frozen: bool) -> None:
    standard, quick = factory(dataclasses.dataclass(frozen=frozen)), factory(fast(frozen=frozen))
    same, same_again, different = ARGS[factory.__name__]

    def observe(cls: type) -> dict[str, Any]:
        a, b, c = cls(*same), cls(*same_again), cls(*different)
        seen: dict[str, Any] = {
            "eq": (a == b, a == c, a != c, a == object(), a.__eq__(object())),
            "repr": repr(a).replace(cls.__qualname__, "C"),
            "asdict": dataclasses.asdict(a),
            "fields": [f.name for f in dataclasses.fields(cls)],
            "match_args": getattr(cls, "__match_args__", None),
            "params": {k: getattr(cls.__dataclass_params__, k) for k in ("init", "repr", "eq", "frozen")},  # type: ignore[attr-defined]
            "hashable": cls.__hash__ is not None,
            "copy": copy.copy(a) == a and copy.deepcopy(a) == a,
            "replace": dataclasses.asdict(dataclasses.replace(a)) == dataclasses.asdict(a),
        }
        if cls.__hash__ is not None:
            seen["hash_equal"] = hash(a) == hash(b)
        for name in [f.name for f in dataclasses.fields(cls)][:1]:
            try:
                setattr(a, name, getattr(c, name))
                seen["assign"] = "ok"
            except dataclasses.FrozenInstanceError as exc:
                seen["assign"] = str(exc)
            try:
                delattr(b, name)
                seen["delete"] = "ok"
            except dataclasses.FrozenInstanceError as exc:
                seen["delete"] = str(exc)
        return seen

    assert observe(quick) == observe(standard)


def test_an_instance_is_equal_only_to_its_own_class() -> None:
    standard, quick = point(dataclasses.dataclass), point(fast)
    assert quick(1) != standard(1)
    assert quick(1) == quick(1)


def test_nan_fields_compare_as_the_standard_library_compares_tuples() -> None:
    nan = float("nan")
    standard, quick = single(dataclasses.dataclass(frozen=True)), single(fast(frozen=True))
    for cls in (standard, quick):
        a = cls(nan)
        assert a == a  # the tuple comparison's identity shortcut
        assert a != cls(float("nan"))


def test_a_recursive_repr_does_not_recurse_forever() -> None:
    @fast
    class Node:
        children: list[Any] = dataclasses.field(default_factory=list)

    node = Node()
    node.children.append(node)
    assert repr(node) == "test_a_recursive_repr_does_not_recurse_forever.<locals>.Node(children=[...])"


def test_a_frozen_instance_refuses_new_attributes_and_keeps_its_fields() -> None:
    quick = point(fast(frozen=True))
    p = quick(1, 2)
    with pytest.raises(dataclasses.FrozenInstanceError, match="'z'"):
        p.z = 3
    with pytest.raises(dataclasses.FrozenInstanceError, match="'x'"):
        p.x = 5
    assert (p.x, p.y) == (1, 2)
    assert {p: "found"}[quick(1, 2, ["other"])] == "found"  # tags do not compare, so they do not hash


def test_frozen_instances_survive_pickling() -> None:
    p = Pickled(1, "a")
    assert pickle.loads(pickle.dumps(p)) == p


def test_inheritance_and_other_options_are_left_to_the_standard_library() -> None:
    @fast(frozen=True)
    class Base:
        a: int

    @fast(frozen=True)
    class Child(Base):
        b: int = 0

    with pytest.raises(TypeError, match="cannot inherit non-frozen dataclass from a frozen one"):

        @fast
        class Loose(Base):  # type: ignore[misc]
            c: int = 0

    assert Child(1, 2) == Child(1, 2)
    with pytest.raises(dataclasses.FrozenInstanceError):
        Child(1, 2).a = 3  # type: ignore[misc]
    assert Ordered(1) < Ordered(2)
    with pytest.raises(TypeError, match="Cannot overwrite attribute __setattr__"):

        @fast(frozen=True)
        class Refuses:
            a: int

            def __setattr__(self, name: str, value: Any) -> None:
                pass


def test_only_init_is_compiled_and_only_when_first_used(monkeypatch: pytest.MonkeyPatch) -> None:
    compiled: list[str] = []

    def counting(source: str, *args: Any) -> Any:
        compiled.extend(re.findall(r"def (__[a-z]+__)\(", source))
        return exec(source, *args)

    monkeypatch.setattr(dataclasses, "exec", counting, raising=False)  # shadows the builtin in that module
    frozen, plain = point(fast(frozen=True)), point(fast)
    assert compiled == []  # defining the classes compiles nothing
    frozen(1, 2), frozen(3), plain(1)
    assert compiled == ["__init__", "__init__"]  # once per class, on its first instance
    compiled.clear()
    point(dataclasses.dataclass(frozen=True))
    point(dataclasses.dataclass)
    assert sorted(compiled) == sorted(
        ["__init__", "__repr__", "__eq__", "__setattr__", "__delattr__", "__hash__", "__init__", "__repr__", "__eq__"]
    )


def test_the_init_made_on_first_use_is_the_standard_librarys() -> None:
    import inspect

    for factory in FACTORIES:
        for frozen in (False, True):
            standard, quick = factory(dataclasses.dataclass(frozen=frozen)), factory(fast(frozen=frozen))
            quick(*ARGS[factory.__name__][0])
            assert inspect.signature(quick) == inspect.signature(standard)
            assert quick.__dict__["__init__"].__qualname__ == standard.__dict__["__init__"].__qualname__
    with pytest.raises(TypeError, match="missing 1 required positional argument: 'x'"):
        point(fast(frozen=True))()  # the first call itself fails as the standard library's would


def test_a_subclass_instantiated_first_and_init_only_variables_work() -> None:
    @fast(frozen=True)
    class Base:
        a: int
        scale: dataclasses.InitVar[int] = 1
        kind: ClassVar[str] = "base"
        doubled: int = dataclasses.field(init=False, default=0)

        def __post_init__(self, scale: int) -> None:
            object.__setattr__(self, "doubled", self.a * 2 * scale)

    class Plain(Base):  # not a dataclass: inherits the __init__
        def __init__(self, a: int) -> None:
            super().__init__(a, scale=10)

    assert Plain(2).doubled == 40
    assert Base(2).doubled == 4
    assert Base.kind == "base" and "kind" not in [f.name for f in dataclasses.fields(Base)]


def test_a_class_without_a_docstring_is_documented_by_its_fields_without_asking_inspect(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import inspect

    asked: list[object] = []
    real = inspect.signature

    def counting(obj: Any, *args: Any, **kwargs: Any) -> inspect.Signature:
        asked.append(obj)
        return real(obj, *args, **kwargs)

    monkeypatch.setattr(inspect, "signature", counting)
    quick = point(fast(frozen=True))
    own = own_methods(fast)
    assert asked == []
    assert quick.__doc__ == "Point(x: 'int', y: 'int', tags: 'list[str]', note: 'str')"
    standard = point(dataclasses.dataclass(frozen=True))
    assert len(asked) == 1  # the standard library asks for the signature
    assert standard.__doc__ and standard.__doc__.startswith("Point(x: 'int', y: 'int' = 0")
    assert own.__doc__ == "Own(key: 'str', other: 'int')"

    @fast
    class Documented:
        """Kept as written."""

        a: int

    assert Documented.__doc__ == "Kept as written."


@fast(frozen=True)
class Pickled:
    a: int
    b: str


@fast(order=True)
class Ordered:
    n: int
