"""What the calibration optimiser moves: working scales and calibrated quantities (knobs).

The optimiser works on unbounded-looking scales inside the :class:`~fazhi_sim.Params`
bounds: log for positive scales, logit for probabilities, identity for utilities
(:class:`Scale`). A calibrated quantity is a Params field or a composite shift of several
fields (:data:`COMPOSITES`, :class:`Knob`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ..engine.params import Params

__all__ = ["CalibrationError", "COMPOSITES", "Scale", "Knob", "knobs_for", "logit"]


class CalibrationError(ValueError):
    """A calibration request that cannot be carried out (bad parameter, existing file)."""


_EPS = 1e-4


def logit(p: float) -> float:
    """Log-odds of ``p``, clipped away from 0 and 1 so it stays finite."""
    p = min(max(p, 1e-12), 1 - 1e-12)
    return math.log(p / (1 - p))


@dataclass(frozen=True)
class Scale:
    """Map between a parameter's natural value and the working scale the optimiser sees."""

    kind: str  # "identity", "log" or "logit"
    lo: float
    hi: float

    @classmethod
    def for_field(cls, name: str) -> Scale:
        """The scale of a real-valued Params field, from its bounds.

        Raises
        ------
        CalibrationError
            If ``name`` is not a real-valued field of Params.
        """
        f = Params.model_fields.get(name)
        if f is None or f.annotation is not float:
            raise CalibrationError(f"{name!r} is not a real-valued field of Params; allowed: "
                                   + ", ".join(n for n, g in Params.model_fields.items()
                                               if g.annotation is float))
        lo = hi = None
        for m in f.metadata:
            lo = getattr(m, "ge", lo)
            hi = getattr(m, "le", hi)
        lo, hi = float(lo), float(hi)
        if lo >= 0 and hi <= 1:
            return cls("logit", lo, hi)
        if lo >= 0:
            return cls("log", lo, hi)
        return cls("identity", lo, hi)

    def bounds(self) -> tuple[float, float]:
        """The field's bounds on the working scale (kept a little inside 0 and 1)."""
        if self.kind == "logit":
            return logit(max(self.lo, _EPS)), logit(min(self.hi, 1 - _EPS))
        if self.kind == "log":
            return math.log(max(self.lo, _EPS)), math.log(self.hi)
        return self.lo, self.hi

    def work(self, x: float) -> float:
        """Working value of the natural value ``x``, inside the bounds."""
        lo, hi = self.bounds()
        z = logit(x) if self.kind == "logit" else math.log(x) if self.kind == "log" else x
        return float(np.clip(z, lo, hi))

    def natural(self, z: float) -> float:
        """Natural value of the working value ``z``."""
        if self.kind == "logit":
            return 1 / (1 + math.exp(-z))
        if self.kind == "log":
            return math.exp(z)
        return float(z)

    def slope(self, z: float) -> float:
        """Derivative of the natural value by the working one (delta method)."""
        if self.kind == "logit":
            p = self.natural(z)
            return p * (1 - p)
        if self.kind == "log":
            return math.exp(z)
        return 1.0


COMPOSITES: dict[str, tuple[tuple[str, ...], str]] = {
    "mediation_asc_shift": (
        ("asc_village", "asc_town", "asc_county"),
        "one shift added to the constants of village, town and county mediation, keeping "
        "the hand-set differences between the layers"),
    "mediation_success_shift": (
        ("village_success", "town_success", "county_success"),
        "one shift added to the logits of the village, town and county settlement chances, "
        "keeping the hand-set differences between the layers"),
}
"""Composite calibration parameters: one number moving several Params fields together.

Used where a target cannot tell the fields apart (a count or a success rate over all three
mediation layers); each field moves on its own working scale, so it stays inside its bounds.
"""


@dataclass(frozen=True)
class Knob:
    """One calibrated quantity: a Params field, or a shift of several (a composite)."""

    name: str
    fields: tuple[str, ...]
    scales: tuple[Scale, ...]
    composite: bool

    @classmethod
    def get(cls, name: str) -> Knob:
        """The knob called ``name``: a composite (:data:`COMPOSITES`) or a Params field."""
        if name in COMPOSITES:
            fields = COMPOSITES[name][0]
            return cls(name, fields, tuple(Scale.for_field(f) for f in fields), True)
        return cls(name, (name,), (Scale.for_field(name),), False)

    @property
    def kind(self) -> str:
        """Working scale: that of the field, or "shift on <scale>" for a composite."""
        return f"shift ({self.scales[0].kind})" if self.composite else self.scales[0].kind

    def start(self, base: Mapping[str, float]) -> float:
        """Working value at ``base`` (a composite starts at a shift of 0)."""
        return 0.0 if self.composite else self.scales[0].work(base[self.name])

    def bounds(self, base: Mapping[str, float]) -> tuple[float, float]:
        """Working bounds keeping every field inside its Params range."""
        if not self.composite:
            return self.scales[0].bounds()
        lo, hi = -math.inf, math.inf
        for f, sc in zip(self.fields, self.scales, strict=True):
            z, (zl, zh) = sc.work(base[f]), sc.bounds()
            lo, hi = max(lo, zl - z), min(hi, zh - z)
        return lo, hi

    def values(self, z: float, base: Mapping[str, float]) -> dict[str, float]:
        """Params field values at working value ``z``."""
        if not self.composite:
            return {self.name: self.scales[0].natural(z)}
        return {f: sc.natural(sc.work(base[f]) + z)
                for f, sc in zip(self.fields, self.scales, strict=True)}

    def display(self, z: float) -> float:
        """The value reported for the knob: natural for a field, the shift for a composite."""
        return float(z) if self.composite else self.scales[0].natural(z)

    def slopes(self, z: float, base: Mapping[str, float]) -> dict[str, float]:
        """Derivative of each field by the working value (delta method)."""
        if not self.composite:
            return {self.name: self.scales[0].slope(z)}
        return {f: sc.slope(sc.work(base[f]) + z)
                for f, sc in zip(self.fields, self.scales, strict=True)}


def knobs_for(names: Sequence[str]) -> list[Knob]:
    """The knobs for parameter names, repeats dropped; use it to check names up front.

    Raises
    ------
    CalibrationError
        For a name that is neither a composite nor a real-valued Params field, or two knobs
        that move the same field (e.g. ``asc_village`` and ``mediation_asc_shift``).
    """
    knobs = [Knob.get(n) for n in dict.fromkeys(names)]
    seen: dict[str, str] = {}
    for k in knobs:
        for f in k.fields:
            if f in seen:
                raise CalibrationError(f"{k.name!r} and {seen[f]!r} both move {f!r}; fit one")
            seen[f] = k.name
    return knobs
