"""Sphinx configuration: the documentation site, built by ``make docs`` (warnings are errors).

The site must open from disk on an intranet (``make docs-offline``): nothing here may load
from a CDN. So MathJax is not used, myst-nb's ipywidgets scripts are switched off, and charts
in executed pages are Vega-Lite specs drawn by one Vega bundle copied from the installed
vl-convert into ``_static`` (see ``fazhi_sim.views.offline.use_offline_charts``).
"""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path

import altair as alt
import vl_convert

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import fazhi_sim  # noqa: E402

DATA = ROOT / "fazhi_sim" / "data"


def _calibration_stamp() -> str:
    """When and how the shipped parameters were calibrated, from the shipped files."""
    import tomllib

    point = next(line.removeprefix("# Date (UTC): ")[:10]
                 for line in (DATA / "calibrated_params.toml").read_text("utf-8").splitlines()
                 if line.startswith("# Date (UTC):"))
    bayes = tomllib.loads((DATA / "posterior.toml").read_text("utf-8"))["provenance"]
    return (f"point calibration {point}; posterior {bayes['date'][:10]} "
            f"({bayes['design_points']} design runs on the {bayes['region']}, "
            f"{bayes['walkers']} walkers x {bayes['steps']} steps)")


CALIBRATION = _calibration_stamp()

# Chinese search: Sphinx splits Chinese text into words with jieba; without the plan's terms
# in its dictionary it would cut 万人成讼率 into pieces and a search for it would find nothing.
PLAN_TERMS = ("万人成讼率", "万人起诉率", "信访量", "矛调中心", "法律明白人", "枫桥经验", "诉前调解",
              "人民调解", "人民调解员", "只进一扇门", "小事不出村", "大事不出镇", "矛盾不上交",
              "司法确认", "信访代办", "网格员", "司法所", "法治绍兴建设规划", "万人失信率")


def _search_dictionary() -> str:
    from fazhi_sim.engine.measures import LEVERS
    from fazhi_sim.views.i18n import METRIC_LABELS

    words = set(PLAN_TERMS) | {zh for zh, _ in METRIC_LABELS.values()}
    words |= {lv.name_zh for lv in LEVERS.values()}
    words = {w for w in words if w and " " not in w}
    path = ROOT / "docs" / "_build" / "search-words.txt"
    path.parent.mkdir(exist_ok=True)
    path.write_text("".join(f"{w} 100000 n\n" for w in sorted(words)), "utf-8")
    return str(path)

# The notebooks live in notebooks/ (where planners open them); Sphinx reads only its own
# folder, so the build works on a copy (docs/notebooks is ignored by git).
_NOTEBOOKS = ROOT / "docs" / "notebooks"
_NOTEBOOKS.mkdir(exist_ok=True)
for _nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
    _copy = _NOTEBOOKS / _nb.name
    if not _copy.exists() or _copy.read_bytes() != _nb.read_bytes():
        _copy.write_bytes(_nb.read_bytes())

# Executed notebooks draw charts as static Vega-Lite for this site (read by the kernels
# myst-nb starts, which inherit this process's environment).
os.environ["FAZHI_SIM_CHARTS"] = "docs"

project = "fazhi-sim"
author = "fazhi-sim developers"
copyright = f"2021–{date.today().year}, {author}"
version = release = fazhi_sim.__version__
language = "zh_CN"

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.viewcode",
    "sphinx.ext.intersphinx",
    "numpydoc",
    "sphinxcontrib.autodoc_pydantic",
]
source_suffix = {".md": "myst-nb", ".ipynb": "myst-nb"}
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store", "**.ipynb_checkpoints",
                    "jupyter_execute"]
root_doc = "index"
suppress_warnings = ["mystnb.unknown_mime_type"]

# -- Markdown and notebooks ------------------------------------------------------------------
myst_enable_extensions = ["colon_fence", "deflist", "tasklist"]
myst_heading_anchors = 4
nb_execution_mode = "cache"
nb_execution_cache_path = str(ROOT / "docs" / "_build" / ".jupyter_cache")
nb_execution_raise_on_error = True
nb_execution_timeout = 900
nb_ipywidgets_js = {}  # the default loads require.js and the widget manager from a CDN

# -- API pages ---------------------------------------------------------------------------------
autodoc_typehints = "none"  # numpydoc shows the documented types
autodoc_member_order = "bysource"
numpydoc_show_class_members = False
numpydoc_xref_param_type = False
numpydoc_validation_checks = {"PR01", "PR02", "RT01"}
autodoc_pydantic_model_show_json = False
autodoc_pydantic_model_show_config_summary = False
autodoc_pydantic_model_show_validator_summary = False
autodoc_pydantic_model_show_validator_members = False
autodoc_pydantic_field_list_validators = False
autodoc_pydantic_model_member_order = "bysource"
intersphinx_mapping = {}  # an intranet build cannot fetch other projects' inventories

# -- HTML ----------------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"fazhi-sim {release}"
html_static_path = ["_static"]
html_js_files = ["vega-bundle.js", "fazhi-charts.js"]
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "footer_start": ["copyright"],
    "footer_end": ["last-updated"],
}
html_last_updated_fmt = "%Y-%m-%d"
html_search_language = "zh"
html_search_options = {"dict": _search_dictionary()}
myst_substitutions = {"version": release, "calibration": CALIBRATION}
myst_enable_extensions.append("substitution")
html_theme_options["footer_center"] = ["stamp"]
html_context = {"calibration": CALIBRATION}
templates_path = ["_templates"]


def _vega_bundle(app) -> None:  # noqa: ANN001 - Sphinx's hook signature
    """Copy vl-convert's Vega bundle into _static, matched to Altair's Vega-Lite version."""
    out = Path(app.srcdir) / "_static" / "vega-bundle.js"
    vl = "_".join(alt.SCHEMA_VERSION.split(".")[:2])
    try:
        js = vl_convert.javascript_bundle(vl_version=vl)
    except ValueError:
        js = vl_convert.javascript_bundle()
    # In a function: the bundle declares top-level names (such as `_`) that Sphinx's own
    # scripts declare too, and classic scripts share one global scope. It sets
    # window.vegaEmbed itself.
    js = f"(function () {{\n{js}\n}})();\n"
    if not out.exists() or out.read_text("utf-8") != js:
        out.write_text(js, "utf-8")


def setup(app) -> None:  # noqa: ANN001
    """Register the build hooks."""
    app.connect("builder-inited", _vega_bundle)
