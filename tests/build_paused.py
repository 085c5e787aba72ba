"""FOR TESTS: ``rag index --rebuild`` that stops at one point of the build, writes a marker
file and waits there, so a test can kill it exactly at that point.

Usage: python tests/build_paused.py POINT MARKER   (settings from the RAG_ environment variables)

POINT is ``staging`` (staging collections made, no passage written), ``passages`` (the first
of several steps written) or ``switch`` (every passage written, the manifest about to switch).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from rag.index import builder
from rag.index.store import MANIFEST_ID, Store
from rag.interfaces.cli import main

point, marker = sys.argv[1], Path(sys.argv[2])


def pause() -> None:
    marker.write_text(point)
    time.sleep(600)  # the test kills the process here


builder.PAPERS_PER_STEP = 8  # several steps, so a kill can land between them
original_init, original_write, original_manifest = (builder.Builder.__init__, builder.Builder._write_embedded,
                                                    Store.write_manifest)


def init(self, *args, **kwargs):
    original_init(self, *args, **kwargs)
    if point == "staging":
        pause()


def write_embedded(self, *args, **kwargs):
    original_write(self, *args, **kwargs)
    if point == "passages":
        pause()


def write_manifest(self, manifest, record_id=MANIFEST_ID):
    if point == "switch" and record_id == MANIFEST_ID:
        pause()
    original_manifest(self, manifest, record_id)


builder.Builder.__init__ = init
builder.Builder._write_embedded = write_embedded
Store.write_manifest = write_manifest
sys.exit(main(["index", "--rebuild"]))
