#!/usr/bin/env bash
# CI: what a user installs works on its own. Build the wheel, install it in a fresh virtual
# environment outside the repository (as pipx does; its dependencies come from the package
# index), then run it from outside the repository, where the checkout cannot stand in for
# anything missing from the wheel.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO="$(pwd)"
PYTHON="$REPO/.venv/bin/python"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/budgettui-wheel.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

# Built from a copy of what the package is made of: setuptools builds in the source tree
# (build/, *.egg-info), which would litter the checkout and race with a concurrent run.
echo "wheel: building"
mkdir "$WORK/src"
cp -R pyproject.toml README.md LICENSE budgettui "$WORK/src/"
"$PYTHON" -m pip wheel --quiet --disable-pip-version-check --no-deps \
  --wheel-dir "$WORK/dist" "$WORK/src"
WHEEL="$(ls "$WORK"/dist/budgettui-*.whl)"
echo "wheel: $(basename "$WHEEL")"

echo "wheel: installing in a fresh virtual environment"
"$PYTHON" -m venv "$WORK/venv"
"$WORK/venv/bin/python" -m pip install --quiet --disable-pip-version-check "$WHEEL"

VERSION="$("$PYTHON" -c 'import sys, tomllib
print(tomllib.load(open(sys.argv[1], "rb"))["project"]["version"])' pyproject.toml)"
EXPECTED="budgettui $VERSION"

cd "$WORK"
ACTUAL="$("$WORK/venv/bin/budgettui" --version)"
if [ "$ACTUAL" != "$EXPECTED" ]; then
  echo "wheel: FAIL: budgettui --version printed '$ACTUAL', expected '$EXPECTED'"
  exit 1
fi
echo "wheel: $ACTUAL"

"$WORK/venv/bin/budgettui" --demo tenants --json >"$WORK/tenants.json"
"$WORK/venv/bin/python" - "$WORK/tenants.json" <<'EOF'
import json
import sys

with open(sys.argv[1], encoding="utf-8") as output:
    tenants = json.load(output)
if not isinstance(tenants, list) or not tenants:
    sys.exit("wheel: FAIL: budgettui --demo tenants --json listed no tenants")
print(f"wheel: budgettui --demo tenants --json listed {len(tenants)} tenants")
EOF

# What the dashboard and PEP 639 metadata need from the wheel itself, not from the checkout.
"$WORK/venv/bin/python" - <<'EOF'
import sys
from importlib import metadata, resources

package = resources.files("budgettui")
missing = [name for name in ("py.typed", "ui/styles/app.tcss") if not package.joinpath(name).is_file()]
info = metadata.metadata("budgettui")
if info.get("License-Expression") != "MIT":
    missing.append("License-Expression: MIT")
if not any(path.name == "LICENSE" for path in metadata.files("budgettui") or []):
    missing.append("LICENSE")
if missing:
    sys.exit(f"wheel: FAIL: the wheel lacks {', '.join(missing)}")
print("wheel: py.typed, app.tcss, LICENSE and License-Expression present")
EOF
echo "wheel: PASS"
