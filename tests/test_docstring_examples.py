"""Every public callable documents itself with an Examples section that runs.

The public API is what a user can reach from the docs: every name in
``uxlens.__all__`` plus every ``::: target`` on the API reference pages; for a
class, its own public methods, properties and cached properties (and those it
inherits from uxlens base classes, never from the standard library); for a
module, the names in its ``__all__``. Each must carry a numpydoc ``Examples``
section with at least one ``>>>`` line; ``pytest --doctest-modules`` runs those
examples (cached properties included).
"""

from __future__ import annotations

import functools
import importlib
import inspect
import re
import types
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

import uxlens

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
REFERENCE = DOCS / "reference"

_SECTION = re.compile(r"^[ \t]*([A-Z][A-Za-z ]+)\n[ \t]*-{3,}[ \t]*$", re.MULTILINE)
_MEMBER_KINDS = (property, functools.cached_property, staticmethod, classmethod)


def examples_of(doc: str | None) -> str:
    """Text of the numpydoc ``Examples`` section of ``doc`` ('' when absent)."""
    if not doc:
        return ""
    doc = inspect.cleandoc(doc)
    headers = list(_SECTION.finditer(doc))
    for i, match in enumerate(headers):
        if match.group(1).strip() == "Examples":
            end = headers[i + 1].start() if i + 1 < len(headers) else len(doc)
            return doc[match.end() : end]
    return ""


def has_examples(doc: str | None) -> bool:
    """Whether ``doc`` has an ``Examples`` section with at least one ``>>>`` line."""
    return any(line.lstrip().startswith(">>>") for line in examples_of(doc).splitlines())


def _own_doc(member: object) -> str | None:
    if isinstance(member, (staticmethod, classmethod)):
        member = member.__func__
    if isinstance(member, property):
        return member.__doc__ or (member.fget.__doc__ if member.fget else None)
    if isinstance(member, functools.cached_property):
        return member.__doc__ or member.func.__doc__
    return getattr(member, "__doc__", None)


def _is_member(member: object) -> bool:
    return isinstance(member, _MEMBER_KINDS) or inspect.isfunction(member)


def _class_members(cls: type, package: str) -> Iterator[tuple[str, object]]:
    """``(qualified name, member)`` for public members of ``cls`` and its ``package`` bases.

    A member inherited from another class of the package is named after the class
    that defines it, so a mixin's method is listed (and fixed) once.
    """
    seen: set[str] = set()
    for klass in cls.__mro__:
        if not klass.__module__.split(".")[0] == package:
            continue  # object, ValueError, ...: documented elsewhere
        for name, member in vars(klass).items():
            if name.startswith("_") or name in seen or not _is_member(member):
                continue
            seen.add(name)
            yield f"{klass.__module__}.{klass.__qualname__}.{name}", member


def public_callables(
    module: types.ModuleType, extra: Iterable[object] = ()
) -> dict[str, object]:
    """``{qualified name: docstring owner}`` for every public callable of ``module``."""
    package = module.__name__.split(".")[0]
    found: dict[str, object] = {}
    visited: set[str] = {module.__name__}

    def visit(obj: object) -> None:
        label = f"{getattr(obj, '__module__', '')}.{getattr(obj, '__qualname__', '')}"
        if label in found:
            return
        if inspect.ismodule(obj):
            if obj.__name__ in visited:
                return
            visited.add(obj.__name__)
            for name in getattr(obj, "__all__", ()):
                visit(getattr(obj, name))
        elif inspect.isclass(obj):
            found[label] = obj
            for name, member in _class_members(obj, package):
                found.setdefault(name, member)
        elif inspect.isfunction(obj) or inspect.isbuiltin(obj):
            found[label] = obj
        # constants (PRESETS, __version__) have no docstring of their own

    for name in getattr(module, "__all__", ()):
        visit(getattr(module, name))
    for obj in extra:
        visit(obj)
    return found


def missing_examples(api: dict[str, object]) -> list[str]:
    """Names in ``api`` whose own docstring lacks a runnable Examples section."""
    return sorted(name for name, obj in api.items() if not has_examples(_own_doc(obj)))


def reference_targets(folder: Path = REFERENCE) -> list[object]:
    """Objects named by ``::: dotted.path`` lines on the API reference pages."""
    targets = []
    for page in sorted(folder.glob("*.md")):
        for dotted in re.findall(r"^:::\s*([\w.]+)", page.read_text(encoding="utf-8"), re.M):
            targets.append(_resolve(dotted))
    return targets


def prose_modules(folder: Path = DOCS) -> list[object]:
    """Submodules the documentation names in its text (``uxlens.events.validate``...)."""
    found: dict[str, object] = {}
    for page in sorted(folder.rglob("*.md")):
        for dotted in re.findall(r"\buxlens(?:\.[a-z_]+)+", page.read_text(encoding="utf-8")):
            parts = dotted.split(".")
            for cut in range(2, len(parts) + 1):
                try:
                    obj = _resolve(".".join(parts[:cut]))
                except (ImportError, AttributeError):
                    break
                if inspect.ismodule(obj):
                    found.setdefault(obj.__name__, obj)
    return list(found.values())


def documented() -> list[object]:
    """Everything the docs point at, besides ``uxlens.__all__``."""
    return reference_targets() + prose_modules()


def _resolve(dotted: str) -> object:
    """What ``dotted`` names the way mkdocstrings reads it: attributes before submodules."""
    head, *rest = dotted.split(".")
    obj: object = importlib.import_module(head)
    for i, attr in enumerate(rest):
        if hasattr(obj, attr):
            obj = getattr(obj, attr)
        else:
            obj = importlib.import_module(".".join([head, *rest[: i + 1]]))
    return obj


# --------------------------------------------------------------------------- the checker


def _fake_module() -> types.ModuleType:
    mod = types.ModuleType("fakepkg")
    source = '''
def documented():
    """Do a thing.

    Examples
    --------
    >>> documented()
    1
    """
    return 1

def no_section():
    """Do a thing; ``>>> no_section()`` in prose is not an example."""

def section_without_prompt():
    """Do a thing.

    Examples
    --------
    Call it and look.

    Notes
    -----
    >>> section_without_prompt()  # under Notes, not Examples
    """

class Thing(ValueError):
    """A thing.

    Examples
    --------
    >>> Thing().size
    2
    """

    def __repr__(self):
        return "Thing()"

    def _private(self):
        pass

    def _repr_html_(self):
        return ""

    @property
    def size(self):
        """Size.

        Examples
        --------
        >>> Thing().size
        2
        """
        return 2

    @property
    def bare(self):
        """No example."""
        return 1

    def method(self):
        """No example either."""

class Child(Thing):
    """A child.

    Examples
    --------
    >>> Child().extra()
    """

    def extra(self):
        """Example.

        Examples
        --------
        >>> Child().extra()
        """

CONSTANT = {"a": 1}
'''
    exec(compile(source, "fakepkg.py", "exec"), mod.__dict__)
    for obj in vars(mod).values():
        if inspect.isclass(obj) or inspect.isfunction(obj):
            obj.__module__ = "fakepkg"
    mod.__all__ = ["documented", "no_section", "section_without_prompt", "Thing", "Child",
                   "CONSTANT"]
    return mod


def test_checker_on_a_fake_module() -> None:
    fake = _fake_module()
    api = public_callables(fake)
    # dunders, _private and _repr_html_ are skipped, ValueError's members too; the
    # members Child inherits from Thing are listed once, under Thing
    assert sorted(api) == [
        "fakepkg.Child", "fakepkg.Child.extra", "fakepkg.Thing", "fakepkg.Thing.bare",
        "fakepkg.Thing.method", "fakepkg.Thing.size", "fakepkg.documented",
        "fakepkg.no_section", "fakepkg.section_without_prompt",
    ]
    assert missing_examples(api) == [
        "fakepkg.Thing.bare", "fakepkg.Thing.method", "fakepkg.no_section",
        "fakepkg.section_without_prompt",
    ]


def test_checker_notices_a_removed_example() -> None:
    fake = _fake_module()
    assert "fakepkg.documented" not in missing_examples(public_callables(fake))
    fake.documented.__doc__ = fake.documented.__doc__.split("Examples")[0]
    assert "fakepkg.documented" in missing_examples(public_callables(fake))


def test_checker_walks_the_real_api() -> None:
    api = public_callables(uxlens, documented())
    # a function, a class, a method, a property and a module's function are all walked
    for name in ("uxlens.datasets.demo", "uxlens.funnel.Funnel", "uxlens.funnel.Funnel.table",
                 "uxlens.export.to_pptx", "uxlens.eventlog.EventLog.counts",
                 "uxlens.events.validate", "uxlens.engine.sessions.session_summary_expr"):
        assert name in api, name
    assert not any(part.startswith("_") for name in api for part in name.split(".")[1:])


def test_checker_notices_a_removed_example_in_the_real_api(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from uxlens.funnel import Funnel

    assert "uxlens.funnel.Funnel.table" not in missing_examples(
        public_callables(uxlens, documented()))
    monkeypatch.setattr(Funnel.table, "__doc__", Funnel.table.__doc__.split("Examples")[0])
    assert "uxlens.funnel.Funnel.table" in missing_examples(
        public_callables(uxlens, documented()))


# --------------------------------------------------------------------------- the real API

#: Callables whose Examples are still to be written (uxlens/journeys.py, being edited
#: by the lead). Remove a name when its example lands (a test below insists).
PENDING = frozenset({
})


def test_every_public_callable_has_an_example() -> None:
    missing = [n for n in missing_examples(public_callables(uxlens, documented()))
               if n not in PENDING]
    assert not missing, (
        f"{len(missing)} public callables lack a numpydoc Examples section with a >>> line:\n  "
        + "\n  ".join(missing)
    )


def test_pending_list_is_current() -> None:
    api = public_callables(uxlens, documented())
    done = sorted(PENDING - set(missing_examples(api)))
    assert not done, f"these have examples (or are gone) now; remove them from PENDING: {done}"
