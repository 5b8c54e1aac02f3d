"""IFC extraction with ifcopenshell: elements with class, name, GlobalId, storey, type, property sets and
quantities, mapped into records like a BOM. Samples are written with ifcopenshell itself.

ifcopenshell is installed by `make test` (the `ifc` extra); where it is missing these tests skip with
the reason, and the extractor answers a clear error instead (tested without it too).
"""

from __future__ import annotations

import importlib.util

import pytest

from pybase.extraction import extract
from pybase.extraction.errors import ExtractionError
from pybase.extraction.results import IfcResult, result_from_dict
from pybase.jobs.mapping import get_source
from tests.fixtures import make_cad

HAS_IFC = importlib.util.find_spec("ifcopenshell") is not None
needs_ifc = pytest.mark.skipif(not HAS_IFC, reason="ifcopenshell is not installed (pip install -e '.[ifc]')")


@pytest.fixture(scope="module")
def result() -> IfcResult:
    if not HAS_IFC:
        pytest.skip("ifcopenshell is not installed (pip install -e '.[ifc]')")
    res = extract(make_cad.make_ifc("IFC4"), filename="building.ifc")
    assert isinstance(res, IfcResult)
    return res


@needs_ifc
def test_elements_with_storey_type_properties_quantities(result: IfcResult) -> None:
    assert result.schema_name == "IFC4" and result.project == "Test project"
    assert result.storeys == make_cad.IFC_STOREYS
    assert result.element_counts == {"IfcColumn": 1, "IfcDoor": 1, "IfcSlab": 1, "IfcWall": 2}
    by_name = {e.name: e for e in result.elements}
    for cls, name, storey, props, qtos in make_cad.IFC_ELEMENTS:
        element = by_name[name]
        assert element.type == cls and element.storey == make_cad.IFC_STOREYS[storey]
        assert len(element.global_id) == 22
        assert element.properties[f"Pset_{cls[3:]}Common"] == props
        assert element.quantities[f"Qto_{cls[3:]}BaseQuantities"] == qtos
    assert by_name["Wall W1"].type_name == "WT-200 concrete" and by_name["Door D1"].type_name is None
    assert result_from_dict(result.to_dict()) == result


@needs_ifc
def test_elements_map_into_records(result: IfcResult) -> None:
    data = result.to_dict()
    source = get_source("elements")
    rows = source.rows(data, source.default_options(data))
    assert len(rows) == 5
    wall = next(r for r in rows if r["Name"] == "Wall W1")
    assert wall["Storey"] == "Ground floor" and wall["Pset_WallCommon.FireRating"] == "REI60"
    assert wall["Qto_WallBaseQuantities.Length"] == 5.0 and wall["Pset_WallCommon.IsExternal"] is True
    columns = {c.name: c.type for c in source.columns(data, {})}
    assert columns["Qto_WallBaseQuantities.Length"] == "number"
    assert columns["Pset_WallCommon.IsExternal"] == "checkbox"
    assert len(source.rows(data, {"types": ["IfcWall"]})) == 2


@needs_ifc
def test_damaged_ifc_fails_cleanly() -> None:
    data = make_cad.make_ifc("IFC4")
    with pytest.raises(ExtractionError):
        extract(data[: len(data) // 3] + b"#99999=IFCWALL(garbage", filename="broken.ifc")


def test_without_ifcopenshell_the_error_says_why(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    real_import = builtins.__import__

    def no_ifc(name: str, *args, **kwargs):  # type: ignore[no-untyped-def]
        if name.startswith("ifcopenshell"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_ifc)
    head = b"ISO-10303-21;\nHEADER;\nFILE_SCHEMA(('IFC4'));\nENDSEC;\nDATA;\nENDSEC;\nEND-ISO-10303-21;\n"
    with pytest.raises(ExtractionError) as info:
        extract(head, filename="building.ifc")
    assert "ifcopenshell" in info.value.message and info.value.code == "unsupported_format"
