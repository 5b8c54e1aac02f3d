"""IFC extractor (ifcopenshell): building elements with type, name, GlobalId, storey, property sets and
quantities. ifcopenshell is large (about 200 MB unpacked with its geometry kernels), so IFC runs in the
extract function's container image (see serverless.yml); where it is not installed, IFC files fail
with a clear `renderer_unavailable`-style message instead of a traceback.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from pybase.extraction.errors import CorruptFile, UnsupportedFormat
from pybase.extraction.extractors.base import Extractor
from pybase.extraction.results import IfcElement, IfcResult

# Elements that are not things to list: voids, virtual boundaries, and spatial structure (kept apart).
SKIPPED = ("IfcFeatureElement", "IfcVirtualElement", "IfcSpatialElement", "IfcSpatialStructureElement")


def _value(value: Any) -> Any:
    if isinstance(value, bool | int | float | str) or value is None:
        return value
    if isinstance(value, list | tuple):
        return [_value(v) for v in value[:50]]
    return str(value)[:500]


class IfcExtractor(Extractor):
    name = "ifc"

    def _extract(self, data: bytes, *, path: Path | None, filename: str | None) -> IfcResult:
        try:
            import ifcopenshell
            import ifcopenshell.util.element as element_util
        except ImportError:
            raise UnsupportedFormat(
                "IFC extraction needs ifcopenshell, which is not installed in this function.",
                details={"format": "ifc", "missing": "ifcopenshell"},
            ) from None
        model = self._open(ifcopenshell, data, path)
        result = IfcResult(**self._common(data, filename))  # type: ignore[arg-type]
        result.schema_name = str(model.schema)
        projects = model.by_type("IfcProject")
        result.project = projects[0].Name if projects else None
        result.metadata = self._header(model)
        result.storeys = [s.Name or s.GlobalId for s in model.by_type("IfcBuildingStorey")][:1000]
        counts: Counter[str] = Counter()
        limit = self.limits.max_elements
        for element in model.by_type("IfcElement"):
            if any(element.is_a(kind) for kind in SKIPPED):
                continue
            kind = element.is_a()
            counts[kind] += 1
            if len(result.elements) >= limit:
                result.note_truncated("elements")
                continue
            container = element_util.get_container(element)
            type_object = element_util.get_type(element)
            psets = element_util.get_psets(element, psets_only=True)
            qtos = element_util.get_psets(element, qtos_only=True)
            result.elements.append(
                IfcElement(
                    type=kind,
                    global_id=element.GlobalId,
                    name=element.Name,
                    object_type=getattr(element, "ObjectType", None),
                    predefined_type=_value(getattr(element, "PredefinedType", None)),
                    type_name=type_object.Name if type_object is not None else None,
                    storey=(container.Name or container.GlobalId) if container is not None else None,
                    properties=self._sets(psets, result),
                    quantities=self._sets(qtos, result),
                )
            )
        result.element_counts = dict(sorted(counts.items()))
        if not counts:
            result.warnings.append("The IFC model has no building elements.")
        return result

    @staticmethod
    def _open(ifcopenshell: Any, data: bytes, path: Path | None) -> Any:
        try:
            if path is not None:
                return ifcopenshell.open(str(path))
            # ifcopenshell parses from a path (its own reader handles encodings and large files).
            with tempfile.NamedTemporaryFile(suffix=".ifc") as tmp:
                tmp.write(data)
                tmp.flush()
                return ifcopenshell.open(tmp.name)
        except Exception as exc:
            raise CorruptFile(f"The IFC file cannot be read: {exc}"[:500], details={"format": "ifc"}) from None

    def _sets(self, sets: dict[str, dict[str, Any]], result: IfcResult) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        budget = self.limits.max_properties_per_element
        for set_name, values in sets.items():
            kept = {k: _value(v) for k, v in values.items() if k != "id"}
            if len(kept) > budget:
                result.note_truncated("properties", len(kept) - budget)
                kept = dict(list(kept.items())[: max(budget, 0)])
            budget -= len(kept)
            out[set_name] = kept
        return out

    @staticmethod
    def _header(model: Any) -> dict[str, Any]:
        meta: dict[str, Any] = {}
        try:
            name = model.header.file_name
            for attr in ("name", "time_stamp", "originating_system", "preprocessor_version"):
                value = getattr(name, attr, None)
                if value:
                    meta[attr] = str(value)[:500]
            authors = [a for a in (getattr(name, "author", None) or ()) if a]
            if authors:
                meta["author"] = ", ".join(authors)[:500]
        except Exception:  # header fields are optional and often malformed: metadata is best effort
            pass
        return meta
