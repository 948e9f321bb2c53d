"""Requests generated from the OpenAPI description find no server error (500).

Each operation is called as a role the matrix lets through (admin where it may,
else the one role that may), so the generated input reaches the use case rather
than stopping at a refusal. Logging out is left out: it would end the login the
other calls use. Bounded: a few examples per operation keep it within a minute
or two on two cores; every operation's failure is listed, not only the first.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings

from tests.web.conftest import WebCity
from tests.web.test_matrix import MATRIX, PUBLIC

EXAMPLES = 6
LEFT_OUT = {("POST", "/api/auth/logout")}


def role_for(method: str, path: str) -> str | None:
    allowed = MATRIX[(method, path)]
    if allowed == PUBLIC:
        return None
    return "admin" if "admin" in allowed else sorted(allowed)[0]


def check(operation: Any, headers: dict[str, str], cookies: dict[str, str]) -> None:
    """A few generated requests to one operation; raises on the first server error."""

    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
    def call(case: schemathesis.Case) -> None:
        response = case.call(headers=headers, cookies=cookies)
        case.validate_response(response, checks=[schemathesis.checks.not_a_server_error])

    call()


@pytest.mark.slow
def test_no_generated_request_is_a_server_error(city: WebCity) -> None:
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", city.app)
    failures: list[str] = []
    called = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        key = (operation.method.upper(), operation.path)
        if key in LEFT_OUT:
            continue
        role = role_for(*key)
        headers, cookies = {}, {}
        if role is not None:
            headers["X-CSRF-Token"] = city.csrf[role]
            cookies["skillaudit_login"] = city.as_role(role).cookies["skillaudit_login"]

        try:
            check(operation, headers, cookies)
            called += 1
        except Exception as exc:  # each operation's failure, to list them all
            failures.append(f"{key[0]} {key[1]} as {role}: {exc!r}"[:2000])
    assert called + len(failures) >= 40
    assert not failures, "\n\n".join(failures)
