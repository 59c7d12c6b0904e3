"""ModelSpec: which model to build, so a researcher's extension travels everywhere.

Mesa's ``batch_run`` takes the model class, so a user's subclass goes wherever the runs go.
``ModelSpec`` does the same for the rest of fazhi-sim: it names the model class, the
resident behaviour class and any replacement institution classes, and it is the one thing
:func:`~fazhi_sim.simulate`, :func:`~fazhi_sim.run_ensemble`, ``compare`` and the report, the
dashboard, calibration, sensitivity, the budget optimizer, the EMA adapter and the per-agent
reference model accept to build a model. It holds classes, not instances, so it pickles by
reference and crosses process pools and Dask workers (the classes must live in an importable
module; Dask, which uses cloudpickle, also takes classes defined in a notebook).

Examples
--------
>>> import fazhi_sim as fs
>>> spec = fs.ModelSpec()                      # the shipped model
>>> spec.label
'fazhi_sim.engine.model:DisputeModel'
>>> fs.as_spec("fazhi_sim.engine.model:DisputeModel") == spec
True
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..engine.behaviour import Behaviour
from ..engine.institutions import Institution
from ..engine.model import DisputeModel
from ..engine.reference import ReferenceModel

__all__ = ["ModelSpec", "SpecError", "as_spec", "load_spec"]

_TARGET = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$")


class SpecError(ValueError):
    """A model specification that cannot be used; the message is one line."""

    def __reduce__(self):  # picklable with its message, across process pools
        return (type(self), self.args)


def _qualname(cls: type) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"


def _check_subclass(what: str, cls: Any, base: type) -> None:
    if not (isinstance(cls, type) and issubclass(cls, base)):
        raise SpecError(f"{what}: {cls!r} is not a subclass of {base.__name__}")


@dataclass(frozen=True)
class ModelSpec:
    """The model to build: model class, resident behaviour and institution overrides.

    Parameters
    ----------
    model : type
        :class:`~fazhi_sim.DisputeModel` or a subclass.
    behaviour : type or None
        A :class:`~fazhi_sim.Behaviour` subclass for the residents, or None for the model
        class's own.
    institutions : mapping or sequence of (type, type)
        Replacement institution classes keyed by the class they replace, e.g.
        ``{VillageMediationCommittee: MyCommittee}``; a mapping or (old, new) pairs.

    Raises
    ------
    SpecError
        If a class is not a subclass of what it stands for (one line naming it).

    Examples
    --------
    A researcher's residents who never trust mediation, run through everything:

    >>> import fazhi_sim as fs
    >>> class Sceptics(fs.Behaviour):
    ...     def utilities(self, s):
    ...         u = super().utilities(s)
    ...         u[:, fs.Option.VILLAGE] -= 5.0    # the village committee is shunned
    ...         return u
    >>> spec = fs.ModelSpec(behaviour=Sceptics)
    >>> spec.label
    'fazhi_sim.engine.model:DisputeModel+behaviour=...:Sceptics'
    >>> short = fs.baseline(end_year=2021)
    >>> def village(df):
    ...     return df.set_index("metric").at["village_share_of_resolved", "value"]
    >>> shipped = village(fs.simulate(short, region="town", seed=1))
    >>> bool(village(fs.simulate(short, region="town", seed=1, model=spec)) < shipped)
    True
    """

    model: type[DisputeModel] = DisputeModel
    behaviour: type[Behaviour] | None = None
    institutions: tuple[tuple[type[Institution], type[Institution]], ...] = field(
        default_factory=tuple)

    def __post_init__(self) -> None:
        _check_subclass("model", self.model, DisputeModel)
        if self.behaviour is not None:
            _check_subclass("behaviour", self.behaviour, Behaviour)
        pairs = self.institutions
        if isinstance(pairs, Mapping):
            pairs = tuple(pairs.items())
        pairs = tuple((old, new) for old, new in pairs)
        for old, new in pairs:
            _check_subclass("institutions", old, Institution)
            _check_subclass(f"institutions[{old.__name__}]", new, old)
        object.__setattr__(self, "institutions", pairs)

    @property
    def default(self) -> bool:
        """True for the shipped model with no override."""
        return self.model is DisputeModel and self.behaviour is None and not self.institutions

    @property
    def batchable(self) -> bool:
        """True if the model runs several seeds as one batch (:func:`simulate_batch`).

        The shipped model does; a subclass must say so itself (``batchable = True`` in its
        class body), since a researcher's set-up may not lay out stacked replicates.
        """
        return self.model is DisputeModel or bool(vars(self.model).get("batchable", False))

    @property
    def label(self) -> str:
        """A stable text naming every class (used in store keys and report footers)."""
        parts = [_qualname(self.model)]
        if self.behaviour is not None:
            parts.append(f"behaviour={_qualname(self.behaviour)}")
        parts += [f"{old.__name__}={_qualname(new)}" for old, new in self.institutions]
        return "+".join(parts)

    def _overrides(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.institutions:
            out["institutions"] = dict(self.institutions)
        if self.behaviour is not None:
            out["behaviour"] = self.behaviour
        return out

    def build(self, scenario: Any = None, region: Any = None, seed: int = 0,
              **levers_and_params: Any) -> DisputeModel:
        """A new model, not yet run.

        Parameters
        ----------
        scenario : Scenario, str, path or None
            As for :class:`~fazhi_sim.DisputeModel`: a scenario, a file, a shipped name.
        region : str, Region or None
            Region name or object; the scenario's own, else ``"town"``, if None.
        seed : int or list of int
            Run seed; several seeds stack replicates into one batched model.
        **levers_and_params
            Lever levels and parameter values that override the scenario's.

        Returns
        -------
        DisputeModel
            An instance of ``model`` with this spec's behaviour and institutions.
        """
        return self.model(scenario, region=region, seed=seed, **self._overrides(),
                          **levers_and_params)

    def build_reference(self, scenario: Any = None, region: Any = "town",
                        seed: int = 0) -> ReferenceModel:
        """The per-agent reference model with the same behaviour and institutions.

        Parameters
        ----------
        scenario : Scenario, str, path or None
            As for :meth:`build`.
        region : str or Region
            Region name or object (the reference model is meant for the town).
        seed : int
            Run seed.

        Returns
        -------
        fazhi_sim.engine.reference.ReferenceModel
            A Mesa model with one agent per resident, not yet run.
        """
        return ReferenceModel(scenario, region=region, seed=seed, **self._overrides())


def load_spec(target: str) -> ModelSpec:
    """A ModelSpec from ``"package.module:Name"`` (as uvicorn's ``app:app``).

    ``Name`` may be a :class:`ModelSpec`, a :class:`~fazhi_sim.DisputeModel` subclass or a
    :class:`~fazhi_sim.Behaviour` subclass.

    Raises
    ------
    SpecError
        One line naming what could not be imported or used.
    """
    if not isinstance(target, str) or not _TARGET.match(target):
        raise SpecError(f"--model {target!r}: give package.module:Name, e.g. "
                        "fazhi_sim.examples.grid_workers:spec")
    module_name, attr = target.split(":")
    try:
        module = importlib.import_module(module_name)
    except Exception as err:  # noqa: BLE001 -- a researcher's module may fail in any way
        raise SpecError(f"--model {target}: cannot import {module_name} "
                        f"({type(err).__name__}: {err})") from None
    if not hasattr(module, attr):
        raise SpecError(f"--model {target}: {module_name} has no {attr}")
    return as_spec(getattr(module, attr))


def as_spec(model: Any = None) -> ModelSpec:
    """A ModelSpec from None (the shipped model), a ModelSpec, a class or ``"module:Name"``.

    Parameters
    ----------
    model : ModelSpec, type, str or None
        A :class:`ModelSpec`; a :class:`~fazhi_sim.DisputeModel` or
        :class:`~fazhi_sim.Behaviour` subclass; ``"package.module:Name"`` naming one of
        those; or None for the shipped model.

    Returns
    -------
    ModelSpec
        The spec every entry point builds its models from.

    Raises
    ------
    SpecError
        If ``model`` is none of these or cannot be imported (one line).

    Examples
    --------
    >>> import fazhi_sim as fs
    >>> fs.as_spec(None) == fs.ModelSpec()
    True
    >>> fs.as_spec("fazhi_sim.engine.model:DisputeModel").label
    'fazhi_sim.engine.model:DisputeModel'
    >>> fs.as_spec(42)
    Traceback (most recent call last):
    ...
    fazhi_sim.experiments.spec.SpecError: model: 42: give a ModelSpec, a DisputeModel or \
Behaviour subclass, or 'package.module:Name'
    """
    if model is None:
        return ModelSpec()
    if isinstance(model, ModelSpec):
        return model
    if isinstance(model, str):
        return load_spec(model)
    if isinstance(model, type) and issubclass(model, DisputeModel):
        return ModelSpec(model=model)
    if isinstance(model, type) and issubclass(model, Behaviour):
        return ModelSpec(behaviour=model)
    raise SpecError(f"model: {model!r}: give a ModelSpec, a DisputeModel or Behaviour "
                    "subclass, or 'package.module:Name'")
