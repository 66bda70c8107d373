"""`python -m budgettui`."""

from budgettui.cli import main

raise SystemExit(main())
