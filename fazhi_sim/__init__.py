"""fazhi-sim: agent-based simulation of dispute resolution under 法治绍兴建设规划 (2021–2025).

Quick start::

    import fazhi_sim as fs
    df = fs.simulate("plan-2025", region="town", seed=1)   # tidy DataFrame
    model = fs.DisputeModel(fs.load_scenario("scenarios/baseline.toml"), region="zhuji")
    ens = fs.run_ensemble(["baseline", "plan-2025"], model=fs.ModelSpec(behaviour=MyResidents))
    ens = fs.run_ensemble(["baseline", "plan-2025"], uncertainty="noise")  # seeds only

Ensembles run posterior draws of the parameters by default (docs/calibration.md).
"""

from .engine.behaviour import Behaviour
from .engine.disputes import Layer, Option, State
from .engine.institutions import (
    Cases,
    CountyCentre,
    Court,
    Institution,
    PetitionOffice,
    TownJusticeOffice,
    VillageMediationCommittee,
)
from .engine.measures import LEVERS, Lever
from .engine.metrics import METRICS
from .engine.model import DisputeModel
from .engine.params import Params
from .engine.region import Region, RegionError, get_region, load_region, region_names
from .engine.scenario import LeverSchedule, Scenario, ScenarioError, baseline, load_scenario
from .engine.scenario_toml import save_scenario, scenario_to_toml
from .experiments.ensemble import Ensemble, RunStore, run_ensemble
from .experiments.executors import DaskCluster, LocalProcesses, Serial
from .experiments.posterior import load_posterior, posterior_summary
from .experiments.simulate import simulate, simulate_batch
from .experiments.spec import ModelSpec, SpecError, as_spec
from .version import __version__

__all__ = [
    "__version__",
    "DisputeModel", "simulate", "simulate_batch", "run_ensemble", "Ensemble", "RunStore",
    "LocalProcesses", "DaskCluster", "Serial", "load_scenario", "save_scenario",
    "scenario_to_toml", "baseline", "Scenario",
    "LeverSchedule", "ScenarioError", "Params", "LEVERS", "Lever", "METRICS", "Region",
    "RegionError", "get_region", "load_region", "region_names", "State", "Layer", "Option",
    "Institution",
    "VillageMediationCommittee", "TownJusticeOffice", "CountyCentre", "Court", "PetitionOffice",
    "ModelSpec", "as_spec", "SpecError", "Behaviour", "Cases", "load_posterior",
    "posterior_summary",
]


_LAZY_MODULES = {"charts": "views.charts", "report": "views.report",
                 "calibration": "analysis.calibration"}


def __getattr__(name: str):
    # The interactive layer pulls in ipywidgets and Altair: load it only when asked for, so
    # the engine and the command line start fast.
    if name == "dashboard":
        from .views.dashboard import dashboard

        return dashboard
    if name == "use_offline_charts":
        from .views.offline import use_offline_charts

        return use_offline_charts
    if name == "calibrate":
        from .analysis.calibration import calibrate

        return calibrate
    if name == "load_priors":  # scipy.stats: only when asked for
        from .experiments.priors import load_priors

        return load_priors
    if name == "run_bayes":  # scikit-learn and emcee: only when asked for
        from .analysis.bayes_run import run_bayes

        return run_bayes
    if name in _LAZY_MODULES:
        import importlib

        return importlib.import_module(f".{_LAZY_MODULES[name]}", __name__)
    raise AttributeError(f"module 'fazhi_sim' has no attribute {name!r}")
