"""One registry behaviour for field types, view types, file formats, formula functions and search
backends: a name registered twice raises, an unknown name raises an error naming what exists."""

from __future__ import annotations

from dataclasses import replace

import pytest

from pybase.errors import NotFound, ServiceUnavailable, ValidationFailed
from pybase.extraction.errors import UnsupportedFormat
from pybase.registry import DuplicateName, Registry, UnknownName


def test_registry_basics() -> None:
    loaded: list[str] = []
    registry: Registry[int] = Registry("widget", load=lambda: loaded.append("x") or registry.add("One", 1))
    assert registry.names() == ["One"] and loaded == ["x"]  # loaded once, on first lookup
    registry.add("two", 2)
    assert registry.get("two") == 2 and "two" in registry and registry.find("three") is None
    assert registry.values() == [1, 2] and len(registry) == 2  # registration order
    with pytest.raises(DuplicateName, match="widget 'two' registered twice"):
        registry.add("two", 22)
    assert registry.get("two") == 2
    with pytest.raises(UnknownName, match=r"Unknown widget 'three'; known: One, two\.") as e:
        registry.get("three")
    assert e.value.known == ["One", "two"]
    upper: Registry[int] = Registry("function", normalize=str.upper)
    upper.add("SUM", 1)
    assert upper.get("sum") == 1
    with pytest.raises(DuplicateName):
        upper.add("Sum", 2)
    assert loaded == ["x"]


def test_field_types() -> None:
    from pybase.fields.registry import FIELD_TYPES, get_field_type, register

    number = get_field_type("number")
    with pytest.raises(DuplicateName):
        register(type(number))
    assert FIELD_TYPES.get("number") is number
    with pytest.raises(ValidationFailed) as e:
        get_field_type("no_such_type")
    assert "number" in e.value.details["known"]


def test_view_types() -> None:
    from pybase.views.registry import VIEW_TYPES, get_view_type, known_view, register

    grid = get_view_type("grid")
    with pytest.raises(DuplicateName):  # used to replace the registered grid silently
        register(type(grid))
    assert VIEW_TYPES.get("grid") is grid
    with pytest.raises(ValidationFailed):
        get_view_type("no_such_view")
    with pytest.raises(NotFound):
        known_view("no_such_view")


def test_file_formats() -> None:
    from pybase.extraction.extractors import FORMATS, get_extractor, register

    dxf = FORMATS.get("dxf")
    with pytest.raises(DuplicateName):  # used to replace the DXF extractor silently
        register(replace(dxf, target="elsewhere:Nothing"))
    assert FORMATS.get("DXF") is dxf
    with pytest.raises(UnsupportedFormat) as e:
        get_extractor("no_such_format")
    assert "dxf" in e.value.details["supported"]


def test_formula_functions() -> None:
    from pybase.formulas.registry import get_function, register

    assert get_function("sum") is get_function("SUM") is not None
    with pytest.raises(DuplicateName):  # used to replace SUM silently
        register("SUM", 0, None)(lambda *args: 0)
    assert get_function("no_such_function") is None  # the parser reports it where it stands


def test_search_backends() -> None:
    from pybase.search.backends import BACKENDS, make_backend

    with pytest.raises(DuplicateName):
        BACKENDS.add("postgres", "elsewhere")
    with pytest.raises(ServiceUnavailable) as e:
        make_backend("no_such_backend")
    assert e.value.details["backends"] == ["meilisearch", "postgres"]
