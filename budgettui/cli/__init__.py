"""The command line: argument parsing, the dashboard or a headless command, and the headless
output (table, CSV, JSON). The entry point is `budgettui.cli.main:main`."""

import sys

# httpx imports its own command line (click, rich, pygments: ~70 ms) whenever click is
# installed, as it is beside uvicorn. budgettui never uses it; marking it absent takes the path
# httpx itself takes without click (its `main` then says to install httpx[cli]).
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
