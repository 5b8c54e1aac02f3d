"""IFC's library does not fit the zip extract function on AWS: its messages are forwarded to the
container image's queue, only when the library is missing here and a queue is configured."""

from __future__ import annotations

import pytest

from pybase.config import get_settings
from pybase.extraction.extractors import FormatSpec
from pybase.jobs import worker
from pybase.jobs.worker import ObjectEvent, forward_queue

EXTRACT_ARN = "arn:aws:sqs:us-east-1:000000000000:pybase-extract-prod"
IMAGE = "pybase-extract-prod-image"


def _event(key: str) -> ObjectEvent:
    return ObjectEvent(bucket="b", key=f"base/table/att/{key}", etag="e", size=10)


@pytest.fixture
def image_queue(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = get_settings().model_copy(update={"extract_image_queue_name": IMAGE})
    monkeypatch.setattr(worker, "get_settings", lambda: settings)


@pytest.fixture
def without_ifcopenshell(monkeypatch: pytest.MonkeyPatch) -> None:
    real = FormatSpec.missing
    monkeypatch.setattr(FormatSpec, "missing", lambda self: list(self.requires) or real(self))


def test_ifc_goes_to_the_image_when_the_library_is_missing(image_queue: None, without_ifcopenshell: None) -> None:
    assert forward_queue([_event("building.ifc")], from_queue_arn=EXTRACT_ARN) == IMAGE


def test_nothing_else_is_forwarded(image_queue: None, without_ifcopenshell: None) -> None:
    for key in ("part.dxf", "sheet.pdf", "gearbox.stp", "notes.txt"):
        assert forward_queue([_event(key)], from_queue_arn=EXTRACT_ARN) is None, key
    # A message that also holds a drawing is extracted here (the IFC part then fails with a clear reason).
    assert forward_queue([_event("building.ifc"), _event("part.dxf")], from_queue_arn=EXTRACT_ARN) is None


def test_no_forwarding_loop_from_the_image_queue(image_queue: None, without_ifcopenshell: None) -> None:
    arn = f"arn:aws:sqs:us-east-1:000000000000:{IMAGE}"
    assert forward_queue([_event("building.ifc")], from_queue_arn=arn) is None


def test_extracted_here_when_installed_or_no_image_queue(monkeypatch: pytest.MonkeyPatch) -> None:
    # No image queue configured (local stages): extract here.
    monkeypatch.setattr(FormatSpec, "missing", lambda self: list(self.requires))
    assert forward_queue([_event("building.ifc")], from_queue_arn=EXTRACT_ARN) is None
    # Image queue configured but the library is installed here: extract here.
    settings = get_settings().model_copy(update={"extract_image_queue_name": IMAGE})
    monkeypatch.setattr(worker, "get_settings", lambda: settings)
    monkeypatch.setattr(FormatSpec, "missing", lambda self: [])
    assert forward_queue([_event("building.ifc")], from_queue_arn=EXTRACT_ARN) is None
