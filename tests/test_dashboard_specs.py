"""The dashboard's chart rows are exactly those Altair would embed."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from altair.utils import sanitize_pandas_dataframe

import fazhi_sim as fs
from fazhi_sim.views.dashboard_specs import records
from fazhi_sim.views.time_charts import difference_data, trajectory_data


def _altair(df: pd.DataFrame) -> list[dict]:
    return sanitize_pandas_dataframe(df).to_dict(orient="records")


def _typed(rows: list[dict]) -> list[list[tuple[str, type]]]:
    return [[(k, type(v)) for k, v in row.items()] for row in rows]


def test_records_equal_altairs_for_every_column_type_used():
    df = pd.DataFrame({
        "float": [1.0, np.nan, np.inf, -2.5],
        "float32": np.array([1.5, 2.0, np.nan, -np.inf], dtype=np.float32),
        "int": np.array([1, 2, 3, 4], dtype=np.int32),
        "bool": [True, False, True, True],
        "category": pd.Categorical(["万人成讼率", "x", None, "x"]),
        "string": pd.array(["s", None, "t", "u"], dtype="str"),
        "object": ["o", None, 3, np.nan],
    })
    ours = records(df)
    assert ours == _altair(df)
    assert _typed(ours) == _typed(_altair(df))  # Python types, not numpy ones
    assert json.dumps(ours, allow_nan=False)  # no NaN or inf reaches the page


def test_records_leave_other_types_to_altair():
    df = pd.DataFrame({"when": pd.to_datetime(["2021-01-01", None]), "v": [1.0, 2.0]})
    assert records(df) == _altair(df)


@pytest.fixture(scope="module")
def ensemble():
    b = fs.baseline(end_year=2022)
    more = b.with_levers(pre_filing_mediation_share=0.9, petition_routing=0.9)
    return fs.run_ensemble({"baseline": b, "scenario": more}, 3, "town", uncertainty="noise",
                           jobs=1, progress=False)


@pytest.mark.parametrize("metric", ["lawsuits_per_10k", "petitions"])
def test_records_of_the_dashboards_own_rows_equal_altairs(ensemble, metric):
    whole = ensemble.whole_region()
    for rows in (trajectory_data(ensemble.summary(), metric, whole),
                 difference_data(ensemble.compare("baseline"), metric, whole)):
        assert len(rows) > 0
        ours = records(rows)
        assert ours == _altair(rows)
        assert _typed(ours) == _typed(_altair(rows))
