"""The command line: argument parsing, the dashboard or a headless command, and the headless
output (table, CSV, JSON). The entry point is `budgettui.cli.main:main`."""
