from tests.conftest import Api


def test_health_reports_each_dependency(api: Api) -> None:
    response = api.call("health", "GET", "/health")
    body = response.json()
    assert set(body["dependencies"]) == {"database", "redis", "s3", "sqs"}
    assert body["dependencies"]["database"]["status"] == "ok"
    assert body["dependencies"]["redis"]["status"] == "ok"
    assert "x-request-id" in response.headers


def test_unknown_route_gives_json_404(api: Api) -> None:
    response = api.call("health", "GET", "/nope")
    assert response.status == 404
    assert response.json()["error"]["code"] == "not_found"
