"""Generated text made inert: markdown images and links, and URLs, shown as plain text, so
an injected prompt cannot make the page (or an exported file) load or offer an outside link."""

from __future__ import annotations

import re
from urllib.parse import urlparse

_IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)\s]*)[^)]*\)")
_LINK = re.compile(r"(?<!!)\[([^\]]+)\]\(([^)\s]*)[^)]*\)")
_URL = re.compile(r"\b(?:https?|ftp)://[^\s<>\"')\]]+|\bwww\.[^\s<>\"')\]]+", re.IGNORECASE)


def _host(url: str) -> str:
    return urlparse(url if "://" in url else f"http://{url}").hostname or "unknown host"


def defang(text: str) -> str:
    """``text`` with markdown images and links made inert and URLs shown as plain text."""
    text = _IMAGE.sub(lambda m: f"[image from {_host(m.group(2))} removed]", text)
    text = _LINK.sub(lambda m: f"{m.group(1)} (link to {_host(m.group(2))} removed)", text)
    return _URL.sub(lambda m: m.group(0).replace("://", "∶//").replace("www.", "www․"), text)
