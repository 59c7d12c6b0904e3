"""fazhi-sim: agent-based simulation of dispute resolution under 法治绍兴建设规划 (2021–2025).

Quick start::

    import fazhi_sim as fs
    df = fs.simulate("plan-2025", region="town", seed=1)   # tidy DataFrame
    model = fs.DisputeModel(fs.load_scenario("scenarios/baseline.toml"), region="zhuji")
"""

from .disputes import Layer, Option, State
from .ensemble import Ensemble, RunStore, run_ensemble
from .executors import DaskCluster, LocalProcesses, Serial
from .institutions import (
    CountyCentre,
    Court,
    Institution,
    PetitionOffice,
    TownJusticeOffice,
    VillageMediationCommittee,
)
from .measures import LEVERS, Lever
from .metrics import METRICS
from .model import DisputeModel
from .params import Params
from .region import Region, RegionError, get_region, region_names
from .scenario import LeverSchedule, Scenario, ScenarioError, baseline, load_scenario
from .simulate import simulate

__version__ = "0.1.0"

__all__ = [
    "DisputeModel", "simulate", "run_ensemble", "Ensemble", "RunStore", "LocalProcesses",
    "DaskCluster", "Serial", "load_scenario", "baseline", "Scenario", "LeverSchedule",
    "ScenarioError", "Params", "LEVERS", "Lever", "METRICS", "Region", "RegionError",
    "get_region", "region_names", "State", "Layer", "Option", "Institution",
    "VillageMediationCommittee", "TownJusticeOffice", "CountyCentre", "Court", "PetitionOffice",
]


def __getattr__(name: str):
    # The interactive layer pulls in ipywidgets and Altair: load it only when asked for, so
    # the engine and the command line start fast.
    if name == "dashboard":
        from .dashboard import dashboard

        return dashboard
    if name == "calibrate":
        from .calibration import calibrate

        return calibrate
    if name in ("charts", "report", "calibration"):
        import importlib

        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'fazhi_sim' has no attribute {name!r}")
