#!/usr/bin/env bash
# make lint: ruff (style, imports, bugs) over everything, pylint-odoo over the addons.
. "$(dirname "$0")/lib.sh"
cd "$ROOT"
"$PY" -m ruff check .
"$PY" -m ruff format --check .
mapfile -t addons < <(find addons -mindepth 1 -maxdepth 1 -type d -exec test -f '{}/__manifest__.py' \; -print | sort)
if [ ${#addons[@]} -gt 0 ]; then
  "$PY" -m pylint --rcfile=.pylintrc "${addons[@]}"
fi
echo "lint: clean"
