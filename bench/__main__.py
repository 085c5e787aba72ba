"""python -m bench: seed-corpus latency figures (core) and chat page latency (ui)."""

import json

from . import core, ui

print(json.dumps({"core": core.run(), "ui": ui.run()}, indent=2))
