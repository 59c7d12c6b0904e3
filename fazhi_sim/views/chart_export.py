"""Export charts as SVG or PNG with Chinese text (vl-convert, with the installed fonts)."""

from __future__ import annotations

import os
import shutil
import subprocess
import warnings

import altair as alt

__all__ = ["save_svg", "save_png"]


def _no_cjk_font() -> bool:
    # True only where fontconfig says so; without fc-list (e.g. Windows) we cannot tell.
    exe = shutil.which("fc-list")
    try:
        return exe is not None and not subprocess.run(
            [exe, ":lang=zh", "family"], capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return False


def _register(font_dir: str | os.PathLike | None) -> None:
    if font_dir is not None:
        import vl_convert

        vl_convert.register_font_directory(str(font_dir))


def save_svg(chart: alt.TopLevelMixin, path: str | os.PathLike,
             font_dir: str | os.PathLike | None = None) -> None:
    """Write ``chart`` as SVG (text stays text, so any viewer with a CJK font shows it).

    Parameters
    ----------
    chart
        Any Altair chart.
    path
        The ``.svg`` file to write.
    font_dir
        A folder of font files to use as well (e.g. a copied ``NotoSansCJK``), for machines
        without a Chinese system font.
    """
    _register(font_dir)
    chart.save(os.fspath(path), format="svg")


def save_png(chart: alt.TopLevelMixin, path: str | os.PathLike, scale: float = 2.0,
             font_dir: str | os.PathLike | None = None) -> None:
    """Write ``chart`` as PNG, rendered by vl-convert with the installed fonts.

    Chinese needs a CJK font on this machine (e.g. ``apt-get install fonts-noto-cjk``) or in
    ``font_dir``; without one, a warning is given and Chinese characters show as boxes.

    Parameters
    ----------
    chart
        Any Altair chart.
    path
        The ``.png`` file to write.
    scale
        Pixels per chart unit (2 for sharp slides).
    font_dir
        A folder of font files to use as well.
    """
    _register(font_dir)
    if font_dir is None and _no_cjk_font():
        warnings.warn("no Chinese font is installed (fc-list :lang=zh is empty): Chinese text "
                      "will show as boxes; install fonts-noto-cjk or pass font_dir",
                      stacklevel=2)
    chart.save(os.fspath(path), format="png", scale_factor=scale)
