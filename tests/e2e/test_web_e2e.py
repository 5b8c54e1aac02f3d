"""The web app in a real browser, against the e2e stack (serverless offline, LocalStack, the relay).

The app is built once (or a given build is served: PYBASE_WEB_DIST, which `make test` points at the
build its web-check just made),
served by `vite preview` on a free port with /api and /ws proxied to this session's serverless offline,
and each scenario file under frontend/e2e/ runs in Vitest with playwright-core driving the headless
Chromium of the npm package @sparticuz/chromium (nothing is downloaded at run time). A scenario fails
this test with its whole output. Screenshots go to .pybase/test-artifacts/screenshots;
PYBASE_UPDATE_SCREENSHOTS=1 also refreshes docs/screenshots (the README's copies).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.e2e.conftest import load_stack_module
from tests.lambda_events import ROOT

pytestmark = pytest.mark.e2e

FRONTEND = ROOT / "frontend"
VITEST = FRONTEND / "node_modules" / "vitest" / "vitest.mjs"
SCENARIOS = sorted(path.name for path in (FRONTEND / "e2e").glob("*.e2e.ts"))
ARTIFACTS = ROOT / ".pybase" / "test-artifacts"
SCENARIO_TIMEOUT = 240


@dataclass
class WebApp:
    url: str
    api_url: str
    state: Path

    def logs(self) -> str:
        mod = load_stack_module()
        return "\n".join(mod.tail(self.state / name, 40) for name in ("relay.log", "vite-preview.log"))


def _build(out: Path) -> Path:
    """PYBASE_WEB_DIST when it holds a build, else a fresh build in `out` (never touching frontend/dist,
    which a developer's own build may be using)."""
    given = os.environ.get("PYBASE_WEB_DIST")
    if given and (Path(given) / "index.html").exists():
        return Path(given)
    started = time.monotonic()
    result = subprocess.run(
        ["node", str(FRONTEND / "node_modules" / "vite" / "bin" / "vite.js"), "build", "--outDir", str(out),
         "--emptyOutDir", "--logLevel", "warn"],
        cwd=FRONTEND, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, f"the web app does not build:\n{result.stdout}\n{result.stderr}"
    print(f"web app built in {time.monotonic() - started:.1f}s")
    return out


@pytest.fixture(scope="module")
def web(stack: Any, database: str, redis_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebApp]:
    if not VITEST.exists():
        pytest.skip("frontend/node_modules missing (make web)")
    mod = load_stack_module()
    state = tmp_path_factory.mktemp("web-e2e")
    dist = _build(state / "dist")
    http_port = urlsplit(stack.http_url).port
    ws_port = urlsplit(stack.ws_url).port
    assert http_port and ws_port
    services = mod.Stack()
    try:
        # The relay delivers committed changes to WebSocket subscribers (what `make dev` runs next to the APIs).
        relay_env = {
            **os.environ,
            "DATABASE_URL": database,
            "REDIS_URL": redis_server,
            "PYBASE_STAGE": "test",
            "PYBASE_WS_ENDPOINT": stack.ws_url.replace("ws://", "http://", 1),
        }
        mod.start_relay(services, env=relay_env, logfile=state / "relay.log")
        port = mod.free_port()
        mod.start_web(services, port=port, http_port=http_port, ws_port=ws_port, preview=True,
                      logfile=state / "vite-preview.log", args=["--outDir", str(dist)])  # fmt: skip
        yield WebApp(url=f"http://127.0.0.1:{port}", api_url=stack.http_url, state=state)
    finally:
        services.stop()


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_browser_scenario(web: WebApp, scenario: str, stack: Any) -> None:
    env = {
        **os.environ,
        "PYBASE_E2E_WEB_URL": web.url,
        "PYBASE_E2E_API_URL": web.api_url,
        "PYBASE_E2E_ARTIFACTS": str(ARTIFACTS),
        "NO_COLOR": "1",
    }
    started = time.monotonic()
    result = subprocess.run(
        ["node", str(VITEST), "run", "--config", "vitest.e2e.config.ts", f"e2e/{scenario}"],
        cwd=FRONTEND, env=env, capture_output=True, text=True, timeout=SCENARIO_TIMEOUT, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        print(f"--- the stack's logs ---\n{stack.logs()}\n--- relay.log, vite-preview.log ---\n{web.logs()}\n")
    # Printed last, so the scenario's own report ends the captured output pytest shows on a failure.
    print(f"--- {scenario}: {time.monotonic() - started:.1f}s ---\n{result.stdout}\n{result.stderr}")
    assert result.returncode == 0, f"browser scenario {scenario} failed (its report is in the captured stdout)"


def test_scenarios_exist() -> None:
    """The parametrization above silently runs nothing if the scenario files move."""
    assert SCENARIOS, "no frontend/e2e/*.e2e.ts scenarios found"
    assert shutil.which("node"), "node is not on PATH"
