"""fazhi-sim: agent-based simulation of dispute resolution under 法治绍兴建设规划 (2021–2025).

Ensembles run posterior draws of the parameters by default (docs/calibration.md); pass
``uncertainty="noise"`` for seed noise alone. The examples below are checked by
``tests/test_doctests.py``; they run on the 50,000-resident town and shorten the horizon to
2021 so that they finish in seconds.

Examples
--------
A scenario says which of the plan's measures (levers) move, when and how far:

>>> import numpy as np
>>> import fazhi_sim as fs
>>> plan = fs.load_scenario("plan-2025")                  # or a path to a .toml file
>>> plan.name, plan.start_year, plan.end_year, len(plan.levers) > 0
('plan-2025', 2021, 2025, True)
>>> lever = fs.LEVERS["pre_filing_mediation_share"]      # 诉前调解分流比例 (第十七条)
>>> lever.baseline, lever.plan_2025, lever.moves
(0.3, 0.6, (('lawsuits_per_10k', -1),))
>>> short = fs.Scenario(name="more-prefiling", end_year=2021)
>>> more = short.with_levers(pre_filing_mediation_share=0.6)   # held from January 2021
>>> levels = more.lever_values(np.array([2020.0, 2021.0, 2021.5]))  # decimal years
>>> levels["pre_filing_mediation_share"]
array([0.3, 0.6, 0.6])
>>> levels["mediators_per_10k"]                           # unmoved: its 2020 level
array([13.1, 13.1, 13.1])

Regions: Shaoxing, its six counties (by pinyin or Chinese name) and a test town:

>>> town = fs.get_region("town")
>>> town.population, len(town.village_population), town.county_ids
(50000, 20, ('town',))
>>> fs.get_region("诸暨").id
'zhuji'

Mechanism parameters and a researcher's own model:

>>> fs.Params(trust_mean=0.7).trust_mean
0.7
>>> spec = fs.as_spec(None)                               # the shipped model
>>> spec.label
'fazhi_sim.engine.model:DisputeModel'

One run, and an ensemble of paired replicates with bands:

>>> df = fs.simulate(more, region="town", seed=1)
>>> sorted(df.columns), df.year.unique().tolist()
(['metric', 'region', 'value', 'year'], [2021])
>>> ens = fs.run_ensemble({"baseline": short, "more": more}, replicates=3, region="town",
...                       uncertainty="noise", jobs=1, progress=False)
>>> s = ens.summary().query("metric == 'lawsuits_per_10k'")
>>> s.scenario.tolist(), s.n.tolist()
(['baseline', 'more'], [3, 3])
>>> c = ens.compare("baseline").query("metric == 'lawsuits_per_10k'").set_index("scenario")
>>> float(c.at["baseline", "median"]), bool(c.at["more", "q90"] < 0)   # fewer lawsuits
(0.0, True)
"""
import os

# numpy asks the kernel for huge pages for every array of 4 MB or more, and where the kernel
# compacts memory to find them at the first touch (transparent_hugepage/defrag "madvise", its
# default) that costs more than it saves: setting up all of Shaoxing took 0.5-0.8 s longer, all
# of it system time, on the 2-core machines we measure on, with no gain in the months after.
# numpy reads the variable when it is imported: it holds for the command line and for every
# worker process (they inherit it), and in a notebook that imports fazhi_sim before numpy.
# NUMPY_MADVISE_HUGEPAGE=1 in the environment keeps numpy's default.
os.environ.setdefault("NUMPY_MADVISE_HUGEPAGE", "0")

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
