"""The start page and the API's description page load nothing from another site."""

from __future__ import annotations

import re

from tests.web.conftest import WebCity


def test_the_api_description_page_is_served_from_the_package(city: WebCity) -> None:
    client = city.anonymous()
    page = client.get("/api/docs")
    assert page.status_code == 200 and "swagger-ui" in page.text
    assert "https://" not in page.text and "http://" not in page.text
    assert '"validatorUrl": null' in page.text  # the viewer asks no validator elsewhere
    for src in re.findall(r'(?:src|href)="(/[^"]+)"', page.text):
        assert client.get(src).status_code == 200, src
    spec = client.get("/api/openapi.json").json()
    assert "/api/findings" in spec["paths"]


def test_the_start_page_names_the_api_and_loads_only_its_own_files(city: WebCity) -> None:
    page = city.anonymous().get("/")
    assert page.status_code == 200 and "/api/docs" in page.text
    assert "https://" not in page.text
    assert city.anonymous().get("/static/workbench.css").status_code == 200
