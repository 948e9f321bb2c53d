"""The pages: HTML rendered on the server from ``web/templates``.

Each page is a route that calls the same ``services`` use case as its API
twin, with the logged-in actor, and renders the answer with Jinja (every value
escaped). Everything a page loads (styles, the small script, charts drawn as
SVG on the server) comes from this package, never from another site. Forms
post back with the login's CSRF token; a page asked for without a login sends
the browser to the login page.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from web.pages import (
    access_log,
    accounts,
    cases,
    chain,
    credit,
    finding,
    frame,
    funds,
    home,
    imports,
    plan,
    queue,
    rules_lab,
    search,
    subjects,
)
from web.pages.render import HERE

ROUTERS = (frame.router, home.router, search.router)
ROUTERS += (queue.router, finding.router, cases.router)
ROUTERS += (funds.router, plan.router, credit.router)  # credit: institutions too
ROUTERS += (subjects.router, chain.router, access_log.router, rules_lab.router,
            imports.router, accounts.router)


def install(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    for router in ROUTERS:
        app.include_router(router)
