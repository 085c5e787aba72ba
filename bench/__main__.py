import json

from .core import run

print(json.dumps(run(), indent=2))
