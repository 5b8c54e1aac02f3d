"""What the API functions' cold starts leave out stays out, and behaves the same: no function's init
imports pydantic.v1 (FastAPI's check for v1 models is answered without it), and a v1 model is still
refused once pydantic.v1 is loaded."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings

import pytest

from pybase.routegroups import GROUPS, build_app
from tests.lambda_events import ROOT

PROBE = """
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location("handler", f"functions/{sys.argv[1]}/handler.py")
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
print(json.dumps(sorted(name for name in sys.modules if name == "pydantic.v1" or name.startswith("pydantic.v1."))))
"""


@pytest.mark.parametrize("group", [*GROUPS, "docs"])
def test_no_api_function_imports_pydantic_v1(group: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "shared")}
    result = subprocess.run(
        [sys.executable, "-c", PROBE, group], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []


def test_a_pydantic_v1_model_is_still_refused() -> None:
    from fastapi import APIRouter
    from fastapi._compat import shared
    from fastapi.exceptions import FastAPIError

    build_app("health")  # the check is replaced while an app is built
    assert getattr(shared.is_pydantic_v1_model_class, "pybase_needs_v1_loaded", False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pydantic import v1

    class Old(v1.BaseModel):
        name: str

    assert shared.is_pydantic_v1_model_class(Old)
    router = APIRouter()
    with pytest.raises(FastAPIError, match=r"pydantic\.v1 models are no longer supported"):
        router.add_api_route("/old", lambda: None, response_model=Old)
