#!/usr/bin/env bash
# Set everything up, build the index if needed and answer a question with citations.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/rag index
.venv/bin/rag ask "${1:-What did the Chinchilla paper find about compute-optimal training?}"
