"""Priors of the assumed mechanism parameters: the shipped file, the loader, the maths."""

from __future__ import annotations

import math
import pickle
from importlib import resources

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, special, stats

from fazhi_sim.engine.params import PRIORS, Params
from fazhi_sim.experiments.priors import (
    PRIOR_COLUMNS,
    PRIORS_FILE,
    Priors,
    PriorsError,
    load_priors,
)

HEADER = ",".join(PRIOR_COLUMNS)


@pytest.fixture(scope="module")
def priors() -> Priors:
    return load_priors()


def _field_bounds(name: str) -> tuple[float, float]:
    meta = Params.model_fields[name].metadata
    return (float(next(m.ge for m in meta if hasattr(m, "ge"))),
            float(next(m.le for m in meta if hasattr(m, "le"))))


def _default(name: str) -> float:
    return float(Params.model_fields[name].default)


def _write(tmp_path, body: str | bytes, name: str = "p.csv"):
    path = tmp_path / name
    if isinstance(body, str):
        path.write_text(body, encoding="utf-8")
    else:
        path.write_bytes(body)
    return path


# -- The shipped file ---------------------------------------------------------------------


def test_shipped_file_loads(priors):
    raw = resources.files("fazhi_sim").joinpath(PRIORS_FILE).read_text("utf-8")
    assert raw.splitlines()[0] == HEADER
    assert len(priors.names) == len(priors.table) == len(set(priors.names))
    assert tuple(priors.table["param"]) == priors.names
    assert list(priors.table.columns) == list(PRIOR_COLUMNS)
    assert priors.source.endswith(PRIORS_FILE)


def _expected_names() -> set[str]:
    # Float fields resting on an assumption: source starts "assumed", a calibrated field
    # (its hand-set prior is an assumption) or a derivation that says part is assumed.
    out = set()
    for name, field in Params.model_fields.items():
        source = field.json_schema_extra["source"]
        if field.annotation is not float or name == "initial_defaulters_per_10k":
            continue
        if (source.startswith("assumed") or name in PRIORS
                or (source.startswith("derived") and "assumed" in source)):
            out.add(name)
    return out


def test_every_assumed_float_field_has_a_prior(priors):
    assumed = {n for n, f in Params.model_fields.items()
               if f.annotation is float and f.json_schema_extra["source"].startswith("assumed")}
    assert assumed - set(priors.names) == set(), "add a row to data/priors.csv"
    assert set(PRIORS) - {"initial_defaulters_per_10k"} <= set(priors.names)
    assert {"town_staff_per_10k", "centre_staff_per_10k"} <= set(priors.names)


def test_no_prior_for_firm_or_excluded_fields(priors):
    assert set(priors.names) == _expected_names()
    for name in ("initial_defaulters_per_10k", "limit_days_simple", "prefiling_success",
                 "tie_kin_weight", "warmup_months"):
        assert name not in priors.names


def test_default_inside_central_90_percent(priors):
    d = priors.describe()
    assert list(d.columns) == ["param", "shape", "a", "b", "5%", "50%", "95%", "default",
                               "basis", "justification"]
    outside = d[(d["default"] < d["5%"]) | (d["default"] > d["95%"])]
    assert outside.empty, outside[["param", "5%", "default", "95%"]].to_string()


def test_calibrated_priors_centre_on_hand_set_value(priors):
    for name, prior in PRIORS.items():
        if name in priors.names:
            assert priors.table.set_index("param").loc[name, "a"] == pytest.approx(prior)


def test_basis_and_justification(priors):
    t = priors.table
    assert set(t["basis"]) <= {"source", "analogy", "wide"}
    assert t["justification"].str.len().gt(0).all()
    assert not t["justification"].str.contains("\n").any()
    wide = t[t["basis"] == "wide"]
    assert wide["justification"].str.startswith("wide: nothing known").all()


# -- The distributions --------------------------------------------------------------------


def _untruncated_mass_outside(row, lo: float, hi: float) -> float:
    a, b = row["a"], row["b"]
    if row["shape"] == "normal":
        dist, x = stats.norm(a, b), (lo, hi)
    elif row["shape"] == "lognormal":
        dist, x = stats.lognorm(s=b, scale=a), (lo, hi)
    elif row["shape"] == "logitnormal":
        dist = stats.norm(special.logit(a), b)
        x = (special.logit(lo) if lo > 0 else -np.inf, special.logit(hi) if hi < 1 else np.inf)
    else:
        return 0.0 if lo <= a and b <= hi else 1.0
    return float(dist.cdf(x[0]) + dist.sf(x[1]))


def test_ppf_half_is_the_median_when_untruncated(priors):
    checked = 0
    for row in priors.table.to_dict("records"):
        if _untruncated_mass_outside(row, *_field_bounds(row["param"])) > 1e-12:
            continue
        one = priors.subset([row["param"]])
        median = (row["a"] + row["b"]) / 2 if row["shape"] == "uniform" else row["a"]
        assert one.ppf(np.array([[0.5]]))[0, 0] == pytest.approx(median, rel=1e-9, abs=1e-12)
        checked += 1
    assert checked >= 40


def test_bounds_are_field_bounds_within_uniform_range(priors, tmp_path):
    assert priors.bounds("town_staff_per_10k") == (0.25, 1.26)
    assert priors.bounds("asc_court") == (-10.0, 10.0)
    assert priors.bounds("awareness_mean") == (0.01, 0.99)
    wide = load_priors(_write(tmp_path, f"{HEADER}\nasc_court,uniform,-50,3,wide,x\n"))
    assert wide.bounds("asc_court") == (-10.0, 3.0)
    with pytest.raises(ValueError, match="no prior"):
        priors.bounds("tie_kin_weight")


def test_samples_respect_bounds(priors):
    draws = priors.sample(3000, np.random.default_rng(1))
    assert list(draws.columns) == list(priors.names) and len(draws) == 3000
    for name in priors.names:
        lo, hi = priors.bounds(name)
        flo, fhi = _field_bounds(name)
        assert draws[name].between(lo, hi).all() and draws[name].between(flo, fhi).all()
    assert np.isfinite(priors.logpdf(draws)).all()


def test_samples_reproducible_and_ppf_ends(priors):
    a = priors.sample(10, np.random.default_rng(7))
    pd.testing.assert_frame_equal(a, priors.sample(10, np.random.default_rng(7)))
    k = len(priors.names)
    ends = priors.ppf(np.vstack([np.zeros(k), np.ones(k)]))
    assert ends[0] == pytest.approx([priors.bounds(n)[0] for n in priors.names])
    assert ends[1] == pytest.approx([priors.bounds(n)[1] for n in priors.names])
    u = np.random.default_rng(2).random((200, k))
    assert (np.diff(priors.ppf(np.sort(u, axis=0)), axis=0) >= 0).all()


def test_normal_sample_mean_and_sd():
    # asc_negotiate: normal(0.4, 1) in [-10, 10], truncation negligible. Standard error of
    # the mean over 20,000 draws is 1 / sqrt(20,000) = 0.0071; 0.03 is above four of them.
    one = load_priors().subset(["asc_negotiate"])
    x = one.sample(20_000, np.random.default_rng(3))["asc_negotiate"]
    assert abs(x.mean() - 0.4) < 0.03
    assert abs(x.std() - 1.0) < 0.03


def test_logpdf_outside_support_and_inside(priors):
    base = Params().model_dump()
    assert np.isfinite(priors.logpdf(base))
    for name in priors.names:
        lo, hi = priors.bounds(name)
        for bad in (lo - 1e-6, hi + 1e-6):
            assert priors.logpdf({**base, name: bad}) == -np.inf, name
        assert np.isfinite(priors.logpdf({**base, name: (lo + hi) / 2})), name
    frame = pd.DataFrame([base, {**base, "b_wait": -1.0}])
    out = priors.logpdf(frame)
    assert out.shape == (2,) and np.isfinite(out[0]) and out[1] == -np.inf
    with pytest.raises(ValueError, match="missing"):
        priors.logpdf({"b_wait": 0.5})


@pytest.mark.parametrize("name", ["awareness_mean", "town_staff_per_10k", "b_reputation",
                                  "village_success", "asc_court"])
def test_truncated_density_integrates_to_one(priors, name):
    one = priors.subset([name])
    lo, hi = one.bounds(name)
    total, _ = integrate.quad(lambda x: math.exp(one.logpdf({name: x})), lo, hi, limit=200)
    assert total == pytest.approx(1.0, abs=1e-6)


def test_subset_and_describe(priors):
    sub = priors.subset(["b_wait", "asc_court"])
    assert sub.names == ("b_wait", "asc_court")
    assert list(sub.table["param"]) == ["b_wait", "asc_court"]
    assert list(sub.describe()["param"]) == ["b_wait", "asc_court"]
    with pytest.raises(ValueError):
        priors.subset(["b_wait", "b_wait"])
    with pytest.raises(ValueError):
        priors.ppf(np.full((3, 2), 0.5))
    with pytest.raises(ValueError):
        sub.ppf(np.array([[0.5, 1.5]]))


# -- Bad files ----------------------------------------------------------------------------

BAD = {  # name: (file body after the header, text the error's field must contain)
    "unknown_param": ("not_a_param,normal,0,1,wide,x\n", "(not_a_param).param"),
    "integer_field": ("tie_kin_weight,normal,2,1,wide,x\n", "(tie_kin_weight).param"),
    "bad_shape": ("b_wait,gamma,0.5,1,wide,x\n", "(b_wait).shape"),
    "b_zero": ("b_wait,lognormal,0.5,0,wide,x\n", "(b_wait).b"),
    "b_negative": ("b_wait,normal,0.5,-1,wide,x\n", "(b_wait).b"),
    "duplicate": ("b_wait,lognormal,0.5,0.6,wide,x\nb_wait,lognormal,0.5,0.6,wide,x\n",
                  "row 3 (b_wait).param"),
    "default_outside": ("b_wait,uniform,1,2,wide,x\n", "(b_wait).a"),
    "not_a_number": ("b_wait,lognormal,abc,0.6,wide,x\n", "(b_wait).a"),
    "nan": ("b_wait,lognormal,nan,0.6,wide,x\n", "(b_wait).a"),
    "uniform_reversed": ("b_wait,uniform,2,1,wide,x\n", "(b_wait).b"),
    "logit_median": ("b_wait,logitnormal,1.5,0.6,wide,x\n", "(b_wait).a"),
    "lognormal_median": ("asc_court,lognormal,-1,0.6,wide,x\n", "(asc_court).a"),
    "no_mass": ("asc_court,normal,500,1,wide,x\n", "(asc_court).a"),
    "bad_basis": ("b_wait,lognormal,0.5,0.6,guess,x\n", "(b_wait).basis"),
    "empty_justification": ("b_wait,lognormal,0.5,0.6,wide,\n", "(b_wait).justification"),
    "two_line_justification": ('b_wait,lognormal,0.5,0.6,wide,"one\ntwo"\n',
                               "(b_wait).justification"),
    "long_row": ("b_wait,lognormal,0.5,0.6,wide,x,y\n", "(b_wait).(fields)"),
    "no_rows": ("", "(rows)"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_file_raises_one_line(tmp_path, case):
    body, field = BAD[case]
    path = _write(tmp_path, f"{HEADER}\n{body}")
    with pytest.raises(PriorsError) as info:
        load_priors(path)
    text = str(info.value)
    assert "\n" not in text
    assert text.startswith(f"{path}: ") and field in info.value.field, text
    back = pickle.loads(pickle.dumps(info.value))
    assert str(back) == text and back.field == info.value.field


@pytest.mark.parametrize(("body", "field"), [
    ("param,shape,a,b,basis\nb_wait,lognormal,0.5,0.6,wide\n", "justification"),
    (f"{HEADER},extra\nb_wait,lognormal,0.5,0.6,wide,x,1\n", "extra"),
    ("param,shape,a,a,b,basis,justification\nb_wait,lognormal,1,1,1,wide,x\n", "a"),
    (b"param,shape,a,b,basis,justification\nb_wait,lognormal,0.5,0.6,wide,\xff\n", "(file)"),
])
def test_bad_columns_and_encoding(tmp_path, body, field):
    path = _write(tmp_path, body)
    with pytest.raises(PriorsError) as info:
        load_priors(path)
    assert info.value.field == field and "\n" not in str(info.value)


def test_missing_file(tmp_path):
    with pytest.raises(PriorsError, match=r"\(file\): no such file"):
        load_priors(tmp_path / "none.csv")


def test_accepts_bom_crlf_blank_lines_and_quoted_commas(tmp_path):
    body = (b"\xef\xbb\xbf" + HEADER.encode() + b"\r\n\r\n"
            + 'b_wait,lognormal,0.5,0.6,wide,"wide: nothing known, 法律明白人"\r\n'.encode())
    pr = load_priors(_write(tmp_path, body))
    assert pr.names == ("b_wait",)
    assert pr.table.loc[0, "justification"] == "wide: nothing known, 法律明白人"
    assert pr.describe().loc[0, "50%"] == pytest.approx(0.5)
    assert _default("b_wait") == 0.5
