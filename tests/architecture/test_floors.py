"""The floors hold: a module imports only from its own floor or the floors below it.

Read from the source with ``ast`` (lazy imports inside functions count too), so a
shortcut that reaches up a floor fails here, naming the module and what it imports.
"""

from __future__ import annotations

from tests.architecture.imports import cycles, graph

# what each package may import, besides itself (design: engine → projections → detectors
# → services → adapters); synth, the generator, stands beside the product and uses the engine
MAY_IMPORT = {
    "engine": set(),
    "projections": {"engine"},
    "detectors": {"engine", "projections"},  # the floor below; frames, never SQL (the hook)
    "findings": {"engine", "projections", "detectors"},
    "casework": {"engine", "projections", "detectors", "findings"},
    "credit": {"engine", "projections", "detectors", "findings", "casework"},
    "evidence": {"engine", "projections", "findings"},
    "reports": {"engine", "projections", "detectors", "findings", "casework", "credit"},
    "services": {"engine", "projections", "detectors", "findings", "casework", "credit",
                 "evidence", "reports", "imports"},
    "streams": {"engine", "projections", "detectors", "findings", "services"},
    "synth": {"engine"},
    "imports": {"engine"},  # spreadsheets to events: an application service on the engine alone
    "skillaudit": {"engine", "projections", "detectors", "findings", "casework", "credit",
                   "evidence", "reports", "services", "streams", "synth", "imports", "web"},
    "web": {"engine", "projections", "detectors", "findings", "casework", "credit", "evidence",
            "reports", "services"},
}


def test_every_package_imports_only_its_own_floor_and_below() -> None:
    edges = graph()
    assert len(edges) > 150, "the import graph looks empty: are the packages where it looks?"
    wrong = sorted(f"{module} imports {target}" for module, targets in edges.items()
                   for target in targets
                   if target.split(".")[0] != module.split(".")[0]
                   and target.split(".")[0] not in MAY_IMPORT[module.split(".")[0]])
    assert not wrong, "a floor reaches up:\n" + "\n".join(wrong)


def test_the_engine_knows_no_other_package() -> None:
    edges = graph()
    up = sorted(f"{m} imports {t}" for m, ts in edges.items() if m.startswith("engine")
                for t in ts if not t.startswith("engine"))
    assert not up, "\n".join(up)


def test_no_module_imports_itself_through_others() -> None:
    """No import cycle, lazy ones included: each would make one module's meaning
    depend on another's import order, and hide which floor a helper belongs to."""
    found = cycles(graph())
    assert not found, "import cycles:\n" + "\n".join(" ↔ ".join(c) for c in found)


# what only the application layer calls: reading the log, as-of points, the rules file, the
# use cases of each package. The command line and the stream reach them through `services`.
USE_CASE_INTERNALS = (
    "engine.ingest", "engine.store.base", "projections.asof", "projections.projector",
    "projections.views", "projections.queries", "projections.timeline", "detectors.rules",
    "findings.detection", "findings.runs", "casework.commands", "casework.listing",
    "credit.service", "evidence.pack", "evidence.verify", "reports.funds",
)


def test_the_adapters_are_thin() -> None:
    """The CLI, the stream follower and the web call use cases, not what the use cases call."""
    edges = graph()
    adapters = [m for m in edges if m.startswith(("skillaudit.cli", "skillaudit.demo",
                                                  "streams.follow", "web"))]
    assert len(adapters) >= 20, adapters
    assert any(m.startswith("web.api.") for m in adapters), adapters
    reach = sorted(f"{m} imports {t}" for m in adapters for t in edges[m]
                   if t.startswith(USE_CASE_INTERNALS))
    assert not reach, "an adapter does a use case's work itself:\n" + "\n".join(reach)
