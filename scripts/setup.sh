#!/usr/bin/env bash
# Create .venv and install the project with its pinned CPU-only torch. Re-runs are quick:
# nothing is reinstalled while pyproject.toml and constraints.txt are unchanged.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
stamp=".venv/.rag-install-$(cat pyproject.toml constraints.txt scripts/setup.sh | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -c constraints.txt -e ".[ui,dev,openai,eval,local]"
    rm -f .venv/.rag-install-*
    touch "$stamp"
fi
