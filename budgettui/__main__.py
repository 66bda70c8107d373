"""`python -m budgettui`."""

from budgettui.cli.main import main

raise SystemExit(main())
