"""Deployed functions refuse to start without real secrets: on AWS Lambda (AWS_LAMBDA_FUNCTION_NAME set,
IS_OFFLINE not), whatever the stage is called, the development JWT secret is never used, a JWT secret
needs at least 32 bytes, and DATABASE_URL / REDIS_URL must be given. serverless offline and the tests
keep the local defaults."""

from __future__ import annotations

import os
import subprocess
import sys

import jwt
import pytest

from pybase.config import DEV_JWT_SECRET, get_settings
from tests.lambda_events import ROOT

HANDLERS = sorted(p.parent.name for p in (ROOT / "functions").glob("*/handler.py"))
REAL = {
    "PYBASE_JWT_SECRET": "k" * 48,
    "DATABASE_URL": "postgresql+psycopg://pybase:pw@db.invalid:5432/pybase",
    "REDIS_URL": "redis://cache.invalid:6379/0",
}
IMPORT = """
import importlib.util, sys
for group in sys.argv[1:]:
    spec = importlib.util.spec_from_file_location("h_" + group, f"functions/{group}/handler.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
from pybase.config import get_settings
print("started", get_settings().is_local)
"""


def _start(groups: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    """Import handlers the way Lambda's runtime does, in a fresh process with only `env` set."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("PYBASE_", "AWS_", "IS_OFFLINE"))}
    base.pop("DATABASE_URL", None), base.pop("REDIS_URL", None)
    base["PYTHONPATH"] = str(ROOT / "shared")
    return subprocess.run(
        [sys.executable, "-c", IMPORT, *groups], cwd=ROOT, env={**base, **env}, capture_output=True, text=True,
        timeout=120, check=False,
    )  # fmt: skip


LAMBDA = {"AWS_LAMBDA_FUNCTION_NAME": "pybase-local-auth", "PYBASE_STAGE": "local"}


@pytest.mark.parametrize("group", HANDLERS)
def test_every_function_refuses_to_start_on_lambda_without_a_secret(group: str) -> None:
    result = _start([group], **LAMBDA, DATABASE_URL=REAL["DATABASE_URL"], REDIS_URL=REAL["REDIS_URL"])
    assert result.returncode != 0, result.stdout
    assert "PYBASE_JWT_SECRET must be set on AWS Lambda" in result.stderr


@pytest.mark.parametrize(
    "override,message",
    [
        ({"PYBASE_JWT_SECRET": "s" * 31}, "at least 32 bytes"),
        ({"PYBASE_JWT_SECRET": DEV_JWT_SECRET}, "not the development one"),
        ({"PYBASE_STAGE": "dev", "PYBASE_JWT_SECRET": ""}, "PYBASE_JWT_SECRET must be set"),
        ({"DATABASE_URL": ""}, "DATABASE_URL must be set on AWS Lambda"),
        ({"REDIS_URL": ""}, "REDIS_URL must be set on AWS Lambda"),
    ],
)
def test_weak_or_missing_settings_on_lambda(override: dict[str, str], message: str) -> None:
    result = _start(["auth"], **{**LAMBDA, **REAL, **override})
    assert result.returncode != 0, result.stdout
    assert message in result.stderr


def test_real_settings_start_and_are_not_local() -> None:
    result = _start(["auth", "ws"], **LAMBDA, **REAL)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "started False"  # a stage named "local" on Lambda is not local


def test_serverless_offline_and_tests_keep_the_local_defaults() -> None:
    offline = _start(["auth"], **LAMBDA, IS_OFFLINE="true")
    assert offline.returncode == 0, offline.stderr
    assert offline.stdout.strip() == "started True"
    plain = _start(["auth"])
    assert plain.returncode == 0, plain.stderr


def test_outside_local_stages_a_real_secret_is_needed(monkeypatch: pytest.MonkeyPatch) -> None:
    for value in ("", "short", DEV_JWT_SECRET):
        monkeypatch.setenv("PYBASE_STAGE", "prod")
        monkeypatch.setenv("PYBASE_JWT_SECRET", value)
        get_settings.cache_clear()
        with pytest.raises(RuntimeError):
            get_settings()
    get_settings.cache_clear()


def test_tokens_signed_with_the_development_secret_fail_on_lambda(monkeypatch: pytest.MonkeyPatch) -> None:
    from pybase.auth.security import decode_access_token, issue_access_token
    from pybase.errors import Unauthorized

    forged, _ = issue_access_token("usrAAAAAAAAAAAAAA")  # the test run uses the development secret
    assert jwt.decode(forged, DEV_JWT_SECRET, algorithms=["HS256"], options={"verify_aud": False})
    for name, value in {**LAMBDA, **REAL}.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    try:
        with pytest.raises(Unauthorized):
            decode_access_token(forged)
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
