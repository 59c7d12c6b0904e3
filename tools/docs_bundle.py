"""Zip the built documentation site so that it opens from disk with no network.

.venv/bin/python tools/docs_bundle.py docs/_build/html docs/_build/fazhi-sim-docs-0.1.0.zip

The zip holds one folder, ``fazhi-sim-docs-<version>/``; a planner unpacks it and opens
``index.html``. Before zipping, every page is checked for a script, style sheet or image
loaded from outside the site: the build must not depend on a CDN, and this fails loudly if a
theme or extension starts to.
"""

from __future__ import annotations

import re
import sys
import zipfile
from pathlib import Path

# src/href of elements the browser fetches on its own (not <a> links a reader may follow).
_FETCHED = re.compile(r'<(?:script|link|img|iframe|source)\b[^>]*?\b(?:src|href)="'
                      r'((?:https?:)?//[^"]+)"', re.IGNORECASE)


def outside_requests(site: Path) -> list[str]:
    """Each ``page: url`` where a page would fetch something from outside the site."""
    found = []
    for page in sorted(site.rglob("*.html")):
        for url in _FETCHED.findall(page.read_text("utf-8", errors="replace")):
            found.append(f"{page.relative_to(site)}: {url}")
    return found


def bundle(site: Path, out: Path) -> Path:
    """Write ``out`` (a zip of ``site`` under one versioned folder); return its path."""
    if not (site / "index.html").is_file():
        raise SystemExit(f"{site}: no index.html; build the site first (make docs)")
    outside = outside_requests(site)
    if outside:
        raise SystemExit("pages load from outside the site:\n  " + "\n  ".join(outside[:20]))
    top = out.stem
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in sorted(site.rglob("*")):
            if f.is_file() and ".jupyter_cache" not in f.parts and f.name != ".buildinfo":
                zf.write(f, f"{top}/{f.relative_to(site).as_posix()}")
    return out


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__.split("\n\n")[1])
    path = bundle(Path(sys.argv[1]), Path(sys.argv[2]))
    print(f"{path} ({path.stat().st_size / 1e6:.1f} MB): unzip it and open "
          f"{path.stem}/index.html")
