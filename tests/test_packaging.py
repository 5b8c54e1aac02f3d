"""`serverless package` works offline and produces deployable artifacts; serverless.yml matches the apps.

Runs the real Serverless Framework v3 from node_modules (skipped only when node or node_modules is
missing; CI has both). Layers are built first by layers/build.py for Lambda's platform.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from pybase import apidocs, routegroups
from tests.lambda_events import ROOT, load_function

SERVERLESS = ROOT / "node_modules" / "serverless" / "bin" / "serverless.js"
API_GROUPS = ("health", "docs", "auth", "workspaces", "tables", "records", "files", "airtable")

needs_node = pytest.mark.skipif(
    shutil.which("node") is None or not SERVERLESS.exists(), reason="node or node_modules missing (run npm ci)"
)


def _env() -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("PYBASE_") and k not in ("DATABASE_URL", "REDIS_URL")
    }
    # No retries of AWS calls: SSM is unreachable here, and the framework's retries of it (seconds apart)
    # made a package without secrets take about 50 s to fail instead of 2.
    env.update(SLS_TELEMETRY_DISABLED="1", SLS_NOTIFICATIONS_MODE="off", SLS_AWS_REQUEST_MAX_RETRIES="0")
    return env


@pytest.fixture(scope="module")
def config() -> dict[str, Any]:
    if shutil.which("node") is None or not SERVERLESS.exists():
        pytest.skip("node or node_modules missing")
    result = subprocess.run(
        ["node", str(SERVERLESS), "print", "--stage", "local", "--format", "json"],
        cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def packaged(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("node") is None or not SERVERLESS.exists():
        pytest.skip("node or node_modules missing")
    subprocess.run([sys.executable, str(ROOT / "layers" / "build.py")], cwd=ROOT, check=True, timeout=600)
    out = tmp_path_factory.mktemp("sls-package")
    # An explicitly local package: no secrets needed (its functions refuse to start on Lambda).
    result = subprocess.run(
        ["node", str(SERVERLESS), "package", "--stage", "local", "--package", str(out)],
        cwd=ROOT, env={**_env(), "PYBASE_LOCAL_PACKAGE": "1"}, capture_output=True, text=True, timeout=300,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    return out


@needs_node
def test_package_has_a_zip_per_function_and_the_layers(packaged: Path, config: dict[str, Any]) -> None:
    functions = set(config["functions"])
    assert {"health", "docs", "auth", "workspaces", "tables", "records", "files", "airtable", "extract", "ws",
            "purge"} <= functions  # fmt: skip
    for name in functions:
        if "image" in config["functions"][name]:
            continue  # a container image (extractimage): no zip
        archive = packaged / f"{name}.zip"
        assert archive.exists(), f"missing {archive.name}"
        names = zipfile.ZipFile(archive).namelist()
        assert "shared/pybase/__init__.py" in names
        # Lambda cannot write bytecode caches: the package carries them (infra/serverless-bytecode.js).
        assert "shared/pybase/__pycache__/app.cpython-311.pyc" in names
        assert not [n for n in names if n.endswith(".pyc") and ".cpython-311." not in n]
        # The docs function alone ships Swagger UI's files (from the swagger-ui-dist npm package).
        shipped_assets = ("node_modules/swagger-ui-dist/",) if name == "docs" else ()
        stray = ("node_modules/", ".venv/", "tests/", ".pybase/", "layers/")
        assert not [n for n in names if n.startswith(stray) and not n.startswith(shipped_assets)]
        if (ROOT / "functions" / name / "handler.py").exists():
            assert f"functions/{name}/handler.py" in names
        others = {n.split("/")[1] for n in names if n.startswith("functions/")} - {name}
        assert not others, f"{name}.zip carries other functions: {others}"
        if name == "docs":
            assert {"node_modules/swagger-ui-dist/swagger-ui-bundle.js", "node_modules/swagger-ui-dist/swagger-ui.css",
                    "node_modules/swagger-ui-dist/LICENSE"} <= set(names)  # fmt: skip
    for layer in ("deps", "extraction"):
        names = zipfile.ZipFile(packaged / f"{layer}.zip").namelist()
        assert names and all(n.startswith("python/") for n in names), f"{layer}.zip needs python/ at its root"
    deps = zipfile.ZipFile(packaged / "deps.zip").namelist()
    assert any(n.startswith("python/fastapi/") for n in deps)
    assert "python/fastapi/__pycache__/applications.cpython-311.pyc" in deps, "the deps layer ships bytecode"
    archive = zipfile.ZipFile(packaged / "deps.zip")
    wheel = next(n for n in deps if re.match(r"python/pydantic_core-[^/]+\.dist-info/WHEEL$", n))
    tags = archive.read(wheel).decode()
    assert "manylinux" in tags and "x86_64" in tags and "cp311" in tags, "pydantic-core must be Lambda's build"
    assert not any(n.startswith(("python/ezdxf/", "python/pypdf/")) for n in deps)
    extraction = zipfile.ZipFile(packaged / "extraction.zip").namelist()
    assert any(n.startswith("python/ezdxf/") for n in extraction)
    assert any(n.startswith("python/pypdf/") for n in extraction)


@needs_node
def test_cloudformation_template_declares_everything(packaged: Path, config: dict[str, Any]) -> None:
    template = json.loads((packaged / "cloudformation-template-update-stack.json").read_text())
    resources = template["Resources"]
    by_type: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for logical_id, resource in resources.items():
        by_type.setdefault(resource["Type"], []).append((logical_id, resource))
    lambdas = {r["Properties"]["FunctionName"]: r for _, r in by_type["AWS::Lambda::Function"]}
    for name, function in config["functions"].items():
        assert function["name"] in lambdas, f"{name} missing from the template"
        props = lambdas[function["name"]]["Properties"]
        if "image" in function:
            # IFC's libraries exceed the 250 MB of a zip function with layers: a container image, no layers.
            assert props["PackageType"] == "Image" and "@sha256:" in props["Code"]["ImageUri"], name
            assert not props.get("Layers") and props["MemorySize"] >= 3008
            continue
        assert props["Runtime"] == "python3.11"
        assert props["Environment"]["Variables"]["PYTHONPATH"] == "shared"
        layer_refs = json.dumps(props.get("Layers", []))
        assert "DepsLambdaLayer" in layer_refs
        assert ("ExtractionLambdaLayer" in layer_refs) == (name == "extract"), name
    assert len(by_type["AWS::Lambda::LayerVersion"]) == 2
    # SQS -> extract with partial batch failures; queue with a DLQ; bucket notifies the queue.
    (_, mapping), *_ = by_type["AWS::Lambda::EventSourceMapping"]
    assert mapping["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    queue = resources["ExtractQueue"]["Properties"]
    assert queue["RedrivePolicy"]["maxReceiveCount"] == 3
    assert int(queue["VisibilityTimeout"]) > int(lambdas["pybase-local-extract"]["Properties"]["Timeout"])
    bucket = resources["FilesBucket"]["Properties"]
    suffixes = {
        q["Filter"]["S3Key"]["Rules"][0]["Value"] for q in bucket["NotificationConfiguration"]["QueueConfigurations"]
    }
    assert suffixes == {".dxf", ".DXF", ".pdf", ".PDF", ".step", ".STEP", ".stp", ".STP", ".ifc", ".IFC"}
    # IFC goes from the zip extract function to the image's own queue (same dead-letter queue).
    image_queue = resources["ExtractImageQueue"]["Properties"]
    assert image_queue["RedrivePolicy"]["deadLetterTargetArn"] == {"Fn::GetAtt": ["ExtractDeadLetterQueue", "Arn"]}
    extract_env = lambdas["pybase-local-extract"]["Properties"]["Environment"]["Variables"]
    assert extract_env["PYBASE_EXTRACT_IMAGE_QUEUE"] == "pybase-extract-local-image"
    assert "PUT" in bucket["CorsConfiguration"]["CorsRules"][0]["AllowedMethods"]
    # HTTP API, WebSocket API, the daily purge, the realtime relay, the search indexer feeder and the webhook
    # feeder (a run every minute each), the index builds' sweep (every 5 minutes).
    route_keys = {r["Properties"]["RouteKey"] for _, r in by_type["AWS::ApiGatewayV2::Route"]}
    assert {"GET /health", "GET /openapi.json", "POST /auth/login", "$connect", "$disconnect", "$default"} <= route_keys
    schedules = [r["Properties"]["ScheduleExpression"] for _, r in by_type["AWS::Events::Rule"]]
    assert sorted(s for s in schedules if s != "rate(5 minutes)") == [
        "rate(1 day)", "rate(1 minute)", "rate(1 minute)", "rate(1 minute)"
    ]  # fmt: skip
    sweeps = {
        r["Properties"]["Targets"][0]["Arn"]["Fn::GetAtt"][0]
        for _, r in by_type["AWS::Events::Rule"]
        if r["Properties"]["ScheduleExpression"] == "rate(5 minutes)"
    }
    assert "IndexbuildLambdaFunction" in sweeps
    # The index build queue feeds the indexbuild function one index at a time, with its own dead-letter queue.
    build_queue = resources["IndexBuildQueue"]["Properties"]
    assert build_queue["RedrivePolicy"]["deadLetterTargetArn"] == {"Fn::GetAtt": ["IndexBuildDeadLetterQueue", "Arn"]}
    assert int(build_queue["VisibilityTimeout"]) > int(lambdas["pybase-local-indexbuild"]["Properties"]["Timeout"])
    # The search index queue feeds the index function, with its own dead-letter queue.
    index_queue = resources["IndexQueue"]["Properties"]
    assert index_queue["RedrivePolicy"]["maxReceiveCount"] == 3
    assert int(index_queue["VisibilityTimeout"]) > int(lambdas["pybase-local-index"]["Properties"]["Timeout"])
    assert "IndexDeadLetterQueue" in resources
    # Webhook pings feed the webhooks function; a retry's delay is set on the message, so it may change
    # visibility; the queue's receive limit is the number of delivery attempts.
    webhook_queue = resources["WebhookQueue"]["Properties"]
    assert webhook_queue["RedrivePolicy"]["deadLetterTargetArn"] == {"Fn::GetAtt": ["WebhookDeadLetterQueue", "Arn"]}
    assert int(webhook_queue["VisibilityTimeout"]) > int(lambdas["pybase-local-webhooks"]["Properties"]["Timeout"])
    webhooks_env = lambdas["pybase-local-webhooks"]["Properties"]["Environment"]["Variables"]
    assert str(webhook_queue["RedrivePolicy"]["maxReceiveCount"]) == str(webhooks_env["PYBASE_WEBHOOK_MAX_ATTEMPTS"])
    assert "sqs:ChangeMessageVisibility" in json.dumps(resources["IamRoleLambdaExecution"])


def _route_regex(path: str) -> re.Pattern[str]:
    pattern = re.sub(r"\{[^}/]+\+\}", ".+", path)
    pattern = re.sub(r"\{[^}/]+\}", "[^/]+", pattern)
    return re.compile(f"^{pattern}$")


@needs_node
@pytest.mark.parametrize("group", API_GROUPS)
def test_every_fastapi_route_has_a_serverless_route(group: str, config: dict[str, Any]) -> None:
    """A route an API function serves but serverless.yml does not send to it would 404 on AWS."""
    if not (ROOT / "functions" / group / "handler.py").exists():
        pytest.skip(f"functions/{group}/handler.py does not exist yet")
    declared: list[tuple[str, re.Pattern[str]]] = []
    for event in config["functions"][group]["events"]:
        spec = event.get("httpApi")
        if spec is None:
            continue
        if spec == "*":
            continue  # the catch-all only serves the 404 envelope
        method, path = spec.split(" ", 1) if isinstance(spec, str) else (spec["method"], spec["path"])
        declared.append((method.upper(), _route_regex(path)))
    load_function(group)  # the handler imports, as on Lambda
    # The routes of the group's routers (FastAPI's app.routes nests included routers, so walk those).
    routers = [apidocs.router] if group == "docs" else routegroups.routers_of(group)
    missing = []
    for route in [route for router in routers for route in router.routes]:
        methods = getattr(route, "methods", None) or set()
        path = getattr(route, "path", "")
        if not getattr(route, "include_in_schema", True) and group != "docs":
            continue
        concrete = re.sub(r"\{([^}:]+)(:path)?\}", "x", path)
        for method in methods - {"HEAD"}:
            if not any(m in (method, "ANY", "*") and rx.match(concrete) for m, rx in declared):
                missing.append(f"{method} {path}")
    assert not missing, f"serverless.yml has no httpApi route for {group}: {missing}"


def _serverless(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["node", str(SERVERLESS), *args], cwd=ROOT, env={**_env(), **env}, capture_output=True, text=True,
        timeout=300, check=False,
    )  # fmt: skip


@needs_node
@pytest.mark.parametrize("stage", ["local", "prod"])
def test_package_without_secrets_fails(stage: str, tmp_path: Path) -> None:
    """A package for AWS never carries an empty JWT secret, whatever the stage is called."""
    result = _serverless("package", "--stage", stage, "--package", str(tmp_path))
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert f"/pybase/{stage}/jwt-secret" in output and "PYBASE_JWT_SECRET" in output
    assert not list(tmp_path.glob("*.zip"))


SECRETS = {
    "PYBASE_JWT_SECRET": "x" * 40,
    "DATABASE_URL": "postgresql://pybase:pw@db.internal:5432/pybase",
    "REDIS_URL": "rediss://cache.internal:6379/0",
}


# The extract container image (IFC) is named like a secret: environment or SSM, with its digest.
IMAGE = {"PYBASE_EXTRACT_IMAGE_URI": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/pybase-extract@sha256:" + "a" * 64}


@needs_node
def test_secrets_come_from_the_environment_and_must_be_long() -> None:
    result = _serverless("print", "--stage", "prod", "--format", "json", **SECRETS, **IMAGE)
    assert result.returncode == 0, result.stdout + result.stderr
    environment = json.loads(result.stdout)["provider"]["environment"]
    assert {k: environment[k] for k in SECRETS} == SECRETS
    short = _serverless(
        "print", "--stage", "prod", "--format", "json", **{**SECRETS, **IMAGE, "PYBASE_JWT_SECRET": "x" * 31}
    )
    assert short.returncode != 0 and "at least 32 bytes" in short.stdout + short.stderr


def test_serverless_yml_reads_secrets_through_the_resolver() -> None:
    text = (ROOT / "serverless.yml").read_text()
    for name, key in (("PYBASE_JWT_SECRET", "jwtSecret"), ("DATABASE_URL", "databaseUrl"), ("REDIS_URL", "redisUrl")):
        assert f"{name}: ${{file(./infra/serverless-secrets.js):{key}}}" in text
    resolver = (ROOT / "infra" / "serverless-secrets.js").read_text()
    assert "ssm:${path}" in resolver and "/pybase/${stage}/${parameter}" in resolver


@needs_node
def test_web_app_hosting_in_the_template(packaged: Path) -> None:
    """The web app: a private bucket, CloudFront reading it through an origin access control, deep links
    answered with index.html, and the distribution's URL as an output."""
    template = json.loads((packaged / "cloudformation-template-update-stack.json").read_text())
    resources = template["Resources"]
    bucket = resources["WebBucket"]
    assert bucket["Type"] == "AWS::S3::Bucket"
    assert set(bucket["Properties"]["PublicAccessBlockConfiguration"].values()) == {True}
    assert len(bucket["Properties"]["PublicAccessBlockConfiguration"]) == 4
    assert "WebsiteConfiguration" not in bucket["Properties"]  # no public website endpoint

    oac = resources["WebOriginAccessControl"]
    assert oac["Type"] == "AWS::CloudFront::OriginAccessControl"
    oac_config = oac["Properties"]["OriginAccessControlConfig"]
    assert (oac_config["OriginAccessControlOriginType"], oac_config["SigningBehavior"]) == ("s3", "always")

    distribution = resources["WebDistribution"]
    assert distribution["Type"] == "AWS::CloudFront::Distribution"
    dist = distribution["Properties"]["DistributionConfig"]
    assert dist["DefaultRootObject"] == "index.html"
    (origin,) = dist["Origins"]
    assert origin["DomainName"] == {"Fn::GetAtt": ["WebBucket", "RegionalDomainName"]}
    assert origin["OriginAccessControlId"] == {"Fn::GetAtt": ["WebOriginAccessControl", "Id"]}
    assert origin["S3OriginConfig"]["OriginAccessIdentity"] == ""  # OAC, not the legacy OAI
    assert dist["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "redirect-to-https"
    fallbacks = {e["ErrorCode"]: (e["ResponseCode"], e["ResponsePagePath"]) for e in dist["CustomErrorResponses"]}
    assert fallbacks == {403: (200, "/index.html"), 404: (200, "/index.html")}

    policy = resources["WebBucketPolicy"]["Properties"]
    assert policy["Bucket"] == {"Ref": "WebBucket"}
    (statement,) = policy["PolicyDocument"]["Statement"]
    assert statement["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert statement["Action"] == "s3:GetObject"
    assert "WebDistribution" in json.dumps(statement["Condition"]["StringEquals"]["AWS:SourceArn"])

    outputs = template["Outputs"]
    assert "WebDistribution" in json.dumps(outputs["WebUrl"]["Value"])
    assert outputs["WebBucketName"]["Value"] == {"Ref": "WebBucket"}
    assert outputs["WebDistributionId"]["Value"] == {"Ref": "WebDistribution"}


@needs_node
def test_http_api_stage_is_throttled(packaged: Path) -> None:
    """A stage-wide API Gateway throttle, stricter on the routes that check passwords or mint tokens."""
    template = json.loads((packaged / "cloudformation-template-update-stack.json").read_text())
    stage = template["Resources"]["HttpApiStage"]["Properties"]
    default = stage["DefaultRouteSettings"]
    assert default["ThrottlingRateLimit"] > 0 and default["ThrottlingBurstLimit"] >= default["ThrottlingRateLimit"]
    routes = stage["RouteSettings"]
    for route in ("POST /auth/login", "POST /auth/refresh", "POST /api-tokens"):
        assert 0 < routes[route]["ThrottlingRateLimit"] < default["ThrottlingRateLimit"], route
    keys = {
        r["Properties"]["RouteKey"] for r in template["Resources"].values() if r["Type"] == "AWS::ApiGatewayV2::Route"
    }
    assert set(routes) <= keys  # route settings must name existing routes
