"""Posterior draws of the mechanism parameters, and scenarios run at one draw.

The shipped draws (``data/posterior_draws.csv``, written by ``fazhi-sim calibrate --bayes``,
see docs/calibration.md) are full sets of the parameters that have a prior: the ones the
data inform come from the calibrated posterior, the rest from their priors. An ensemble run
with ``uncertainty="posterior"`` gives replicate ``k`` (seed ``seed + k``) draw
``(seed + k) mod n``: the same pair in every scenario, so paired differences stay paired.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping
from functools import lru_cache
from importlib import resources
from pathlib import Path

import pandas as pd

from ..engine.params import Params
from ..engine.scenario import Scenario

__all__ = ["POSTERIOR_FILE", "SUMMARY_FILE", "UNCERTAINTIES", "PosteriorError",
           "load_posterior", "posterior_summary", "with_draw", "draw_for"]

POSTERIOR_FILE = "data/posterior_draws.csv"
"""The shipped posterior draws, inside the package."""

SUMMARY_FILE = "data/posterior_summary.csv"
"""Per parameter: prior and posterior quantiles, shrinkage, effective sample size."""

UNCERTAINTIES = ("posterior", "noise")
"""What an ensemble's replicates vary: parameters and seeds, or seeds alone."""


class PosteriorError(ValueError):
    """A draws file that cannot be used; the message is one line: file, field, allowed."""

    def __init__(self, source: str, field: str, message: str):
        self.source, self.field, self.message = source, field, message
        super().__init__(f"{source}: {field}: {message}")

    def __reduce__(self) -> tuple:
        return (type(self), (self.source, self.field, self.message))


def load_posterior(path: str | Path | None = None) -> pd.DataFrame:
    """Read and check a file of posterior draws.

    Parameters
    ----------
    path
        A CSV with a ``draw`` column and one column per Params field; the shipped draws if
        None.

    Returns
    -------
    pandas.DataFrame
        Index ``draw`` (0, 1, ...), one float column per parameter.

    Raises
    ------
    PosteriorError
        For a missing file, an unknown or integer parameter, a value that is not a number
        or lies outside the field's bounds.

    Examples
    --------
    >>> import fazhi_sim as fs
    >>> draws = fs.load_posterior()
    >>> draws.index.name, "village_success" in draws.columns, len(draws) > 100
    ('draw', True, True)
    >>> low, high = fs.Params.model_fields["village_success"].metadata  # every draw in bounds
    >>> bool(draws.village_success.between(low.ge, high.le).all())
    True
    """
    if path is None:
        return _shipped().copy()
    p = Path(path)
    if not p.is_file():
        raise PosteriorError(str(path), "(file)", "no such file; give a posterior draws .csv")
    return _parse(p.read_bytes(), str(path))


@lru_cache(maxsize=1)
def _shipped() -> pd.DataFrame:
    res = resources.files("fazhi_sim").joinpath(POSTERIOR_FILE)
    return _parse(res.read_bytes(), f"fazhi_sim/{POSTERIOR_FILE}")


def posterior_summary() -> pd.DataFrame:
    """The shipped calibration's summary: what the data pinned down and what kept its prior.

    Returns
    -------
    pandas.DataFrame
        One row per prior parameter: ``param``, ``calibrated``, ``prior_5``/``50``/``95``,
        ``post_5``/``50``/``95``, ``shrinkage`` (how much narrower the 90% interval became)
        and ``ess`` (effective sample size of the calibrated ones).

    Examples
    --------
    >>> import fazhi_sim as fs
    >>> s = fs.posterior_summary().set_index("param")
    >>> bool(s.at["village_success", "calibrated"])
    True
    >>> bool((s.post_5 <= s.post_95).all())
    True
    """
    with resources.files("fazhi_sim").joinpath(SUMMARY_FILE).open("rb") as f:
        return pd.read_csv(f)


def _parse(data: bytes, source: str) -> pd.DataFrame:
    try:
        df = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    except (ValueError, pd.errors.ParserError) as err:
        raise PosteriorError(source, "(syntax)", " ".join(str(err).split())) from None
    if "draw" not in df.columns or df.empty:
        raise PosteriorError(source, "draw", "missing column or no rows; give one row per "
                             "draw with a draw column")
    df = df.set_index("draw")
    fields = Params.model_fields
    for col in df.columns:
        if col not in fields or fields[col].annotation is not float:
            raise PosteriorError(source, col, "not a float field of Params")
        lo, hi = _bounds(col)
        bad = df[col][~df[col].between(lo, hi)] if df[col].dtype.kind == "f" else df[col]
        if len(bad):
            raise PosteriorError(source, f"draw {bad.index[0]}: {col}",
                                 f"{bad.iloc[0]!r} is not allowed; give a number from {lo:g} "
                                 f"to {hi:g}")
    return df.astype(float)


def _bounds(name: str) -> tuple[float, float]:
    lo, hi = -math.inf, math.inf
    for m in Params.model_fields[name].metadata:
        lo = getattr(m, "ge", lo) if getattr(m, "ge", None) is not None else lo
        hi = getattr(m, "le", hi) if getattr(m, "le", None) is not None else hi
    return lo, hi


def draw_for(draws: pd.DataFrame, seed: int) -> Mapping[str, float]:
    """The draw a replicate with ``seed`` uses: row ``seed mod n``."""
    return draws.iloc[seed % len(draws)].to_dict()


def with_draw(scenario: Scenario, draw: Mapping[str, float]) -> Scenario:
    """``scenario`` at a posterior draw; parameters the scenario sets itself keep its values.

    Parameters
    ----------
    scenario
        What to run.
    draw
        Params field -> value (a row of :func:`load_posterior`).

    Returns
    -------
    Scenario
        A copy with the draw's values in ``params``, except where the scenario's own
        ``[params]`` table set a field.
    """
    p = scenario.params
    own = p.model_fields_set
    values = {**p.model_dump(), **{k: float(v) for k, v in draw.items() if k not in own}}
    params = Params.model_construct(_fields_set=set(own), **Params(**values).model_dump())
    return scenario.model_copy(update={"params": params})
