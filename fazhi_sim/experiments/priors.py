"""Prior distributions of the assumed mechanism parameters.

Each row of a priors file (the shipped one is ``data/priors.csv``) gives one float field of
:class:`~fazhi_sim.engine.params.Params` a distribution: ``uniform`` (a = low, b = high),
``normal`` (a = mean, b = sd), ``lognormal`` (a = median, b = sd of the natural log) or
``logitnormal`` (a = median in (0, 1), b = sd on the logit scale), each truncated to the
field's allowed range; a ``basis`` (source, analogy or wide) and a one-line justification.
The priors are independent.
"""

from __future__ import annotations

import csv
import functools
import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from scipy import special, stats

from ..engine.params import Params

__all__ = ["PRIORS_FILE", "PRIOR_COLUMNS", "SHAPES", "BASES", "Priors", "PriorsError",
           "load_priors"]

PRIORS_FILE = "data/priors.csv"
"""The shipped priors, inside the package."""

PRIOR_COLUMNS = ("param", "shape", "a", "b", "basis", "justification")
"""Columns of a priors file, exactly."""

SHAPES = ("uniform", "normal", "lognormal", "logitnormal")
BASES = ("source", "analogy", "wide")

_ALLOWED = {"param": "a float field of fazhi_sim.Params (e.g. b_wait)", "a": "a finite number",
            "shape": "one of " + ", ".join(SHAPES), "b": "a finite number above 0",
            "basis": "one of " + ", ".join(BASES), "justification": "a non-empty line"}


class PriorsError(ValueError):
    """A priors file that cannot be used; the message is one line: file, field, allowed."""

    def __init__(self, source: str, field: str, message: str):
        self.source, self.field, self.message = source, field, message
        super().__init__(" ".join(f"{source}: {field}: {message}".split()))

    def __reduce__(self) -> tuple[Any, ...]:
        # Rebuilt from its parts: the default, PriorsError(text), fails in a process pool.
        return (type(self), (self.source, self.field, self.message))


class _Row(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    param: str = Field(min_length=1)
    shape: Literal["uniform", "normal", "lognormal", "logitnormal"]  # as SHAPES
    a: float
    b: float = Field(gt=0)
    basis: Literal["source", "analogy", "wide"]
    justification: str = Field(pattern=r"^[^\r\n]+$")


_ID = (lambda x: x, lambda z: z, lambda x: 0.0, (-math.inf, math.inf))
_SCALES: dict[str, tuple[Any, Any, Any, tuple[float, float]]] = {
    # shape: to the base (uniform or normal) scale, back, log |dz/dx|, the shape's own range
    "uniform": _ID, "normal": _ID,
    "lognormal": (np.log, np.exp, lambda x: -np.log(x), (0.0, math.inf)),
    "logitnormal": (special.logit, special.expit, lambda x: -np.log(x * (1 - x)), (0.0, 1.0)),
}


@dataclass(frozen=True)
class _Prior:
    """One truncated prior; ``flo``, ``shi``: untruncated mass below ``lo``, above ``hi``."""

    shape: str
    a: float
    b: float
    lo: float = -math.inf
    hi: float = math.inf
    flo: float = 0.0
    shi: float = 0.0

    @functools.cached_property  # a frozen scipy distribution is slow to make; make it once
    def base(self) -> Any:
        if self.shape == "uniform":
            return stats.uniform(self.a, self.b - self.a)
        return stats.norm(float(_SCALES[self.shape][0](self.a)), self.b)

    def ppf(self, u: np.ndarray) -> np.ndarray:
        base, mass = self.base, 1.0 - self.flo - self.shi
        # The upper half from the survival side: 1 - tiny rounds away the upper tail's detail.
        z = np.where(u <= 0.5, base.ppf(self.flo + u * mass), base.isf(self.shi + (1 - u) * mass))
        return np.clip(_SCALES[self.shape][1](z), self.lo, self.hi)

    def cdf(self, x: np.ndarray) -> np.ndarray:
        x = np.clip(np.asarray(x, float), self.lo, self.hi)
        with np.errstate(divide="ignore"):
            f = self.base.cdf(_SCALES[self.shape][0](x))
        return np.clip((f - self.flo) / (1.0 - self.flo - self.shi), 0.0, 1.0)

    def logpdf(self, x: np.ndarray) -> np.ndarray:
        to, _, logjac, (nlo, nhi) = _SCALES[self.shape]
        x = np.asarray(x, float)
        # The shape's own ends are open (zero density at 0 and 1), the field's are closed.
        ok = (x >= self.lo) & (x <= self.hi) & (x > nlo) & (x < nhi)
        out = np.full(x.shape, -np.inf)
        out[ok] = self.base.logpdf(to(x[ok])) + logjac(x[ok]) - math.log1p(-self.flo - self.shi)
        return out


def _make(shape: str, a: float, b: float, lo: float, hi: float) -> _Prior:
    nlo, nhi = (a, b) if shape == "uniform" else _SCALES[shape][3]
    lo, hi = max(lo, nlo), min(hi, nhi)
    with np.errstate(divide="ignore"):  # log(0) and logit(0 or 1) are the infinite ends
        base, (zlo, zhi) = _Prior(shape, a, b).base, _SCALES[shape][0](np.array([lo, hi]))
    return _Prior(shape, a, b, lo, hi, float(base.cdf(zlo)), float(base.sf(zhi)))


def _parse(data: bytes, source: str) -> tuple[pd.DataFrame, dict[str, _Prior]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PriorsError(source, "(file)", "not UTF-8 text; save the file as UTF-8") from None
    # csv, not pandas: pandas takes surplus leading fields of a long row as an index.
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        lines = [(reader.line_num, r) for r in reader if any(c.strip() for c in r)]
    except csv.Error as err:
        raise PriorsError(source, "(syntax)", f"malformed CSV: {err}") from None
    head = [c.strip() for c in lines[0][1]] if lines else []
    for col in (*PRIOR_COLUMNS, *head):
        if (n := head.count(col)) != (col in PRIOR_COLUMNS):
            what = "repeated" if n > 1 else "missing" if n == 0 else "unknown"
            raise PriorsError(source, col, f"{what} column; the columns must be: "
                              + ", ".join(PRIOR_COLUMNS))
    if len(lines) < 2:
        raise PriorsError(source, "(rows)", "no priors; give at least one row")
    rows, specs = [], {}
    for num, fields in lines[1:]:
        raw = dict(zip(head, (f.strip() for f in fields), strict=False))
        where = f"row {num}" + (f" ({raw['param'][:60]})" if raw.get("param") else "")
        if len(fields) != len(head):
            raise PriorsError(source, f"{where}.(fields)", f"{len(fields)} fields; give "
                              f"{len(head)}, and quote a field that holds a comma")
        try:
            row = _Row(**raw)
        except ValidationError as err:
            col = str(err.errors()[0]["loc"][0])
            raise PriorsError(source, f"{where}.{col}", f"{raw.get(col, '')[:60]!r} is not "
                              f"allowed; allowed: {_ALLOWED[col]}") from None
        name = row.param
        field = Params.model_fields.get(name)
        if field is None or field.annotation is not float:
            raise PriorsError(source, f"{where}.param", f"unknown or not a float field; "
                              f"allowed: {_ALLOWED['param']}")
        if name in specs:
            raise PriorsError(source, f"{where}.param", "repeated; give each field one row")
        col, bad, need = {
            "uniform": ("b", row.a >= row.b, "a uniform needs low a < high b"),
            "lognormal": ("a", row.a <= 0, "a lognormal median must be above 0"),
            "logitnormal": ("a", not 0 < row.a < 1, "a logitnormal median must lie in (0, 1)"),
        }.get(row.shape, ("a", False, ""))
        if bad:
            raise PriorsError(source, f"{where}.{col}", f"{raw[col]!r} is not allowed; {need}")
        lo = float(next((m.ge for m in field.metadata if hasattr(m, "ge")), -math.inf))
        hi = float(next((m.le for m in field.metadata if hasattr(m, "le")), math.inf))
        spec = _make(row.shape, row.a, row.b, lo, hi)
        if not (spec.lo < spec.hi and 1 - spec.flo - spec.shi > 1e-12):
            raise PriorsError(source, f"{where}.a", f"the prior puts no mass inside the "
                              f"field's bounds [{lo:g}, {hi:g}]; move or widen it")
        if not np.isfinite(spec.logpdf(np.array([float(field.default)]))[0]):
            raise PriorsError(source, f"{where}.a", f"the field's default {field.default:g} is "
                              f"outside the prior's support [{spec.lo:g}, {spec.hi:g}]; "
                              "the prior must allow the default")
        specs[name] = spec
        rows.append(row.model_dump())
    return pd.DataFrame(rows, columns=list(PRIOR_COLUMNS)), specs


def load_priors(path: str | Path | None = None) -> Priors:
    """Read and check a priors file.

    Parameters
    ----------
    path
        A CSV file with exactly the columns in :data:`PRIOR_COLUMNS`; the shipped priors if
        None.

    Returns
    -------
    Priors
        The priors in file order.

    Raises
    ------
    PriorsError
        One line naming the file, the row and field, and what is allowed: a missing or
        malformed file or column, an unknown, integer or repeated ``param``, a bad ``shape``,
        ``basis``, ``a`` or ``b`` (finite; b > 0; uniform a < b; lognormal median > 0;
        logitnormal median in (0, 1)), an empty justification, or a prior without the default.
    """
    if path is None:
        source = f"fazhi_sim/{PRIORS_FILE}"
        data = resources.files("fazhi_sim").joinpath(PRIORS_FILE).read_bytes()
    else:
        source, p = str(path), Path(path)
        if not p.is_file():
            raise PriorsError(source, "(file)", "no such file; give the path of a priors .csv")
        data = p.read_bytes()
    table, specs = _parse(data, source)
    return Priors(tuple(table["param"]), table, source, specs)


@dataclass(frozen=True, eq=False)
class Priors:
    """Independent truncated priors of Params fields (made by :func:`load_priors`).

    Attributes
    ----------
    names : tuple of str
        Parameter names, in file order; the columns of :meth:`ppf` and :meth:`sample`.
    table : pandas.DataFrame
        The file's rows (``a`` and ``b`` as floats).
    source : str
        The file the priors came from.
    """

    names: tuple[str, ...]
    table: pd.DataFrame
    source: str
    _specs: Mapping[str, _Prior]

    def bounds(self, name: str) -> tuple[float, float]:
        """Support of ``name``'s prior: the field's bounds within the shape's own range."""
        return self._spec(name).lo, self._spec(name).hi

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """Map an (n, k) array of uniforms in [0, 1] to values, column j to ``names[j]``."""
        u = np.asarray(u, float)
        if u.ndim != 2 or u.shape[1] != len(self.names) or not np.all((u >= 0) & (u <= 1)):
            raise ValueError(f"u: shape {u.shape} is not allowed; give (n, {len(self.names)}) "
                             "values in [0, 1]")
        out = np.empty(u.shape)
        for j, n in enumerate(self.names):
            out[:, j] = self._specs[n].ppf(u[:, j])
        return out

    def cdf(self, x: np.ndarray) -> np.ndarray:
        """Each value's prior quantile in [0, 1]: the inverse of :meth:`ppf`, same shapes."""
        x = np.asarray(x, float)
        if x.ndim != 2 or x.shape[1] != len(self.names):
            raise ValueError(f"x: shape {x.shape} is not allowed; give (n, {len(self.names)})")
        return np.column_stack([self._specs[n].cdf(x[:, j]) for j, n in enumerate(self.names)])

    def sample(self, n: int, rng: np.random.Generator) -> pd.DataFrame:
        """``n`` independent draws, one column per name."""
        if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 0:
            raise ValueError(f"n: {n!r} is not allowed; give a whole number >= 0")
        return pd.DataFrame(self.ppf(rng.random((int(n), len(self.names)))), columns=self.names)

    def logpdf(self, values: Mapping[str, float] | pd.DataFrame) -> float | np.ndarray:
        """Joint log density of ``values`` (-inf outside the support).

        Parameters
        ----------
        values
            A value for every name: a mapping (other keys are ignored, so a whole
            ``Params.model_dump()`` will do) or a DataFrame with a column per name.

        Returns
        -------
        float or numpy.ndarray
            A float for a mapping, one value per row for a DataFrame.
        """
        missing = [n for n in self.names if n not in values]
        if missing:
            raise ValueError(f"values: {missing[0]} missing; give a value for every prior")
        frame = isinstance(values, pd.DataFrame)
        total = np.zeros(len(values) if frame else 1)
        for n in self.names:
            total += self._specs[n].logpdf(np.atleast_1d(np.asarray(values[n], float)))
        return total if frame else float(total[0])

    def subset(self, names: Sequence[str]) -> Priors:
        """The priors of ``names`` only, in the order given."""
        names = tuple(names)
        specs = {n: self._spec(n) for n in names}
        if len(specs) != len(names):
            raise ValueError("names: repeated; give each name once")
        table = self.table.set_index("param").loc[list(names)].reset_index()
        return Priors(names, table[list(PRIOR_COLUMNS)], self.source, specs)

    def describe(self) -> pd.DataFrame:
        """One row per prior: shape, a, b, its 5%, 50% and 95% points, the default, basis."""
        q = self.ppf(np.tile([[0.05], [0.5], [0.95]], (1, len(self.names))))
        out = self.table[["param", "shape", "a", "b"]].copy()
        out["5%"], out["50%"], out["95%"] = q[0], q[1], q[2]
        out["default"] = [float(Params.model_fields[n].default) for n in self.names]
        out[["basis", "justification"]] = self.table[["basis", "justification"]]
        return out

    def _spec(self, name: str) -> _Prior:
        if name not in self._specs:
            raise ValueError(f"names: {name!r} has no prior; allowed: one of Priors.names")
        return self._specs[name]
