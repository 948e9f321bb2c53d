"""Errors leave as JSON with a bilingual message: never a traceback, never HTML."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.web.conftest import WebCity


def test_a_defect_is_a_500_with_a_message_and_no_traceback(city: WebCity) -> None:
    app = city.app

    @app.get("/api/broken-for-this-test")  # type: ignore[attr-defined]
    def broken() -> None:
        raise RuntimeError("secret detail /work/path")

    try:
        client = TestClient(app, raise_server_exceptions=False)  # type: ignore[arg-type]
        r = client.get("/api/broken-for-this-test")
    finally:
        app.router.routes.pop()  # type: ignore[attr-defined]
        app.openapi_schema = None  # type: ignore[attr-defined]
    assert r.status_code == 500
    assert r.headers["content-type"].startswith("application/json")
    message = r.json()["error"]["message"]
    assert "内部错误" in message and "internal error" in message
    assert "Traceback" not in r.text and "secret detail" not in r.text


def test_wrong_input_is_a_4xx_in_json_in_both_languages(city: WebCity) -> None:
    c = city.as_role("investigator")
    for path, status in (("/api/findings?limit=0", 422), ("/api/findings?severity=huge", 422),
                         ("/api/findings?as_of=yesterday", 400),
                         ("/api/findings?detected_from=2023-13-45", 400),
                         ("/api/timelines/planet/x", 422), ("/api/nowhere", 404)):
        r = c.get(path)
        assert r.status_code == status, (path, r.status_code, r.text)
        body = r.json()["error"]
        assert body["message"] and body["code"], (path, body)
    r = c.post("/api/cases", content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 422 and "请求参数无效" in r.json()["error"]["message"]
    r = c.put("/api/findings")
    assert r.status_code == 405 and "不支持" in r.json()["error"]["message"]
