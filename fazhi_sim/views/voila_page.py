"""The presenter's page: a notebook served by Voilà that fetches nothing from outside.

Voilà's own "lab" page links Font Awesome's stylesheets from a CDN. On an intranet with no
internet the browser waits for them (until the request fails or times out) before it draws
the page. fazhi-sim ships a page template, ``fazhi-sim``, that is Voilà's "lab" page without
those links (the icons come from Voilà's own bundle). Voilà looks for templates under each
folder of ``JUPYTER_PATH``, so :func:`voila_environment` puts the package's folder first;
``fazhi-sim present NOTEBOOK`` does both.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from importlib import resources
from pathlib import Path

__all__ = ["TEMPLATE", "template_root", "voila_environment", "voila_command"]

TEMPLATE = "fazhi-sim"
"""Name of the page template (``voila --template=fazhi-sim``)."""


def template_root() -> Path:
    """The folder holding ``voila/templates/fazhi-sim`` (a ``JUPYTER_PATH`` entry).

    Returns
    -------
    pathlib.Path
        ``fazhi_sim/data/jupyter`` in the installed package.
    """
    return Path(str(resources.files("fazhi_sim") / "data" / "jupyter"))


def voila_environment(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """``env`` (default: this process's) with the template's folder first on ``JUPYTER_PATH``.

    Parameters
    ----------
    env
        The environment to extend; not changed.

    Returns
    -------
    dict
        A copy, for the Voilà process.
    """
    out = dict(os.environ if env is None else env)
    rest = out.get("JUPYTER_PATH", "")
    out["JUPYTER_PATH"] = os.pathsep.join([str(template_root()), *([rest] if rest else [])])
    return out


def voila_command(notebook: str | os.PathLike, port: int = 8866, browser: bool = True,
                  extra: tuple[str, ...] = ()) -> list[str]:
    """The command that serves ``notebook`` with the offline template.

    Parameters
    ----------
    notebook
        The notebook file.
    port
        The page's port.
    browser
        Whether Voilà opens a browser.
    extra
        Further Voilà options.

    Returns
    -------
    list of str
        For ``subprocess`` with :func:`voila_environment`.
    """
    return [sys.executable, "-m", "voila", str(notebook), f"--template={TEMPLATE}",
            f"--port={int(port)}", *([] if browser else ["--no-browser"]), *extra]
