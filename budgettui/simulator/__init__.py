"""A LiteLLM-compatible proxy simulator (ASGI), written from LiteLLM 1.108.7's behaviour.

Same paths, query parameters, response fields, status codes and error envelopes as the real proxy
for the endpoints a budget dashboard uses, over a deterministic in-memory store, with injectable
faults. It never imports the dashboard's own client or domain code.
"""

from budgettui.simulator.app import create_app
from budgettui.simulator.faults import Faults
from budgettui.simulator.models import RecordedRequest
from budgettui.simulator.seed import DEMO_KEYS, Scale, demo_store
from budgettui.simulator.server import run_server, serve_in_thread
from budgettui.simulator.store import Store

__all__ = [
    "DEMO_KEYS",
    "Faults",
    "RecordedRequest",
    "Scale",
    "Store",
    "create_app",
    "demo_store",
    "run_server",
    "serve_in_thread",
]
