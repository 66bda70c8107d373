"""A LiteLLM-compatible proxy simulator (ASGI), written from LiteLLM's own behaviour.

Same paths, query parameters, response fields, status codes and error envelopes as the real proxy
for the endpoints a budget dashboard uses, over a deterministic in-memory store, with injectable
faults. It never imports the dashboard's own client or domain code.

It reproduces LiteLLM 1.108.7 by default. ``create_app(store, *, litellm_version="1.84.10")``
(or ``"1.84"``) reproduces the oldest supported release instead: its missing routes answer 404,
its role gate, error messages and budget-update rules apply, and ``GET /openapi.json`` reports
that version. ``SUPPORTED_VERSIONS`` lists the accepted versions; see ``versions.py``.

Serving it over HTTP (``budgettui.simulator.server``) needs uvicorn, which comes with the
``server`` extra; ``--demo`` runs it in-process and needs only Starlette. So the package does not
import that submodule: ``from budgettui.simulator import server`` (or ``import
budgettui.simulator.server``) loads it when it is needed.
"""

from budgettui.simulator.app import create_app
from budgettui.simulator.faults import Faults
from budgettui.simulator.models import RecordedRequest
from budgettui.simulator.seed import DEMO_KEYS, Scale, demo_store
from budgettui.simulator.store import Store
from budgettui.simulator.versions import SUPPORTED_VERSIONS

__all__ = [
    "DEMO_KEYS",
    "SUPPORTED_VERSIONS",
    "Faults",
    "RecordedRequest",
    "Scale",
    "Store",
    "create_app",
    "demo_store",
]
