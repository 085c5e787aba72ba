#!/usr/bin/env bash
# Set everything up, build the index if it is missing, and serve the chat page on
# http://127.0.0.1:7860/ (RAG_PORT and RAG_HOST change where).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/rag index
exec .venv/bin/rag serve --host "${RAG_HOST:-127.0.0.1}" --port "${RAG_PORT:-7860}"
