"""Render docs/mechanism-tests.md: which test checks each mechanism and each lever's direction.

Two blocks of ``docs/mechanism-tests.md`` are generated, never edited by hand:

* the mechanism table, from :data:`MECHANISMS` below (the submodels of docs/model.md, §7),
  between ``<!-- mechanisms:begin -->`` and ``<!-- mechanisms:end -->``;
* the lever table, one row per documented direction (``Lever.moves`` in
  :data:`fazhi_sim.engine.measures.LEVERS`), between ``<!-- directions:begin -->`` and
  ``<!-- directions:end -->``. Every direction is checked by one case of
  ``tests/test_model.py::test_lever_effect_at_calibrated_parameters`` (its band worked out in
  ``tests/lever_expectations.py``); :data:`ALSO` adds the other tests that check a direction.

Run it after changing the lever catalogue or the tests named here::

    .venv/bin/python tools/docs_mechanisms.py           # rewrite docs/mechanism-tests.md
    .venv/bin/python tools/docs_mechanisms.py --check   # exit 1 if the page is out of date

``tests/test_docs_mechanisms.py`` fails when the page is out of date or names a test that
pytest does not collect.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from docs_tables import current, replace  # noqa: E402  (the same markers as model.md)

from fazhi_sim.engine.measures import LEVERS
from fazhi_sim.views.i18n import label

__all__ = ["DOC", "MECHANISMS", "ALSO", "LEVER_CASE", "lever_case", "render_mechanisms",
           "render_directions", "BLOCKS", "current", "replace", "update", "named_tests", "main"]

DOC = Path(__file__).resolve().parent.parent / "docs" / "mechanism-tests.md"
"""The page whose tables are generated."""

_M = "tests/test_model.py::"
_S = "tests/test_social.py::"
_X = "tests/test_metrics.py::"

MECHANISMS: tuple[tuple[str, str, str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("7.1", "Lever levels and coverage", "scenario.py", (
        "tests/test_scenario.py::test_step_change_and_defaults",
        "tests/test_scenario.py::test_ramp_start_full_by_end_values",
        "tests/test_scenario.py::test_target_is_held_exactly_from_full_by",
        "tests/test_scenario.py::test_plan_2025_reaches_the_catalogue_levels_by_2025",
    ), ()),
    ("7.2", "Capacities", "institutions.py, service.py", (
        "tests/test_institutions.py::test_serve_in_order_takes_the_oldest_up_to_capacity",
    ), ("mediators_per_10k",)),
    ("7.3", "Arising of grievances and village compacts", "flow.py, behaviour.py", (),
     ("village_compact_strength",)),
    ("7.4", "Claiming (naming, blaming, claiming)", "behaviour.py", (
        _M + "test_closed_form_counts_all_to_court",
    ), ("legal_service_access", "legal_literacy_coverage")),
    ("7.5", "Legal advice", "behaviour.py", (),
     ("lawyers_per_village", "lawyer_hours_per_month")),
    ("7.8–7.9", "Channel utilities and logit choice", "behaviour.py", (
        "tests/test_streams.py::test_gumbel_has_the_gumbel_mean",
        _M + "test_subclass_changes_one_behaviour",
    ), ("online_mediation_share", "legal_aid_coverage", "online_court", "early_warning")),
    ("7.10a", "The county centre: intake and triage", "institutions.py", (),
     ("county_centre",)),
    ("7.12", "Mediation settlement (village, town, county)", "institutions.py", (),
     ("fengqiao_units_coverage",)),
    ("7.13", "Relapse and judicial confirmation", "institutions.py", (),
     ("judicial_confirmation_share",)),
    ("7.14", "The court: pre-filing mediation, filing, trial, enforcement",
     "institutions.py, service.py", (
        _M + "test_closed_form_counts_all_to_court",
        _X + "test_filings_gap_is_prefiling_settlements_and_refusals",
        _X + "test_plan_moves_filings_and_lawsuits_differently",
        _M + "test_online_court_can_raise_lawsuits",
    ), ("pre_filing_mediation_share", "abusive_litigation_screening", "credit_enforcement",
        "voluntary_performance_rate")),
    ("7.15", "Petitions (信访)", "institutions.py", (
        _M + "test_closed_form_petition_repeats",
    ), ("petition_agency", "petition_routing", "public_lawyer_coverage")),
    ("7.16", "Failure and grievance", "behaviour.py", (), ("psychological_services",)),
    ("7.17", "Doors and hand-offs (只进一扇门)", "flow.py, metrics.py", (
        _X + "test_local_shares_are_nested",
    ), ("judicial_confirmation_share",)),
    ("7.18", "Time to resolution (accounting, not queueing)", "handling.py", (
        _X + "test_handling_times_respect_statutory_limits",
        _X + "test_handling_time_is_accounting_only",
        _X + "test_first_try_mediation_resolutions_respect_the_30_day_limit",
        _X + "test_months_metrics_move_with_the_plan_and_are_not_constant",
    ), ("small_claims_share",)),
    ("7.19a", "Ties", "ties.py", (
        _S + "test_ties_are_a_sparse_small_world_over_residents",
        _S + "test_ties_are_drawn_from_the_seed_and_shared_by_scenarios",
        "tests/test_ties_identity.py::test_ties_are_drawn_as_before",
    ), ()),
    ("7.19b", "Word of mouth", "behaviour.py, social.py", (
        _S + "test_residents_stay_different_through_the_plan",
        _S + "test_an_override_of_the_influence_rule_changes_outcomes",
    ), ()),
    ("7.19c", "法律明白人 as people", "social.py", (
        _S + "test_literate_persons_are_the_best_connected_and_keep_the_role",
        _S + "test_literacy_acts_through_ties",
    ), ("legal_literacy_coverage",)),
    ("7.19d", "Reputation of mediation units", "institutions.py", (
        _S + "test_a_failing_committee_loses_its_reputation_and_its_residents_go_elsewhere",
        _S + "test_a_units_step_is_the_vectorised_update_for_that_unit",
    ), ()),
    ("7.20", "Stocks recorded at month end; every claim counted once", "disputes.py, metrics.py", (
        _M + "test_mass_balance_every_month",
        "tests/test_reference.py::test_every_claim_is_open_or_closed_once",
    ), ("credit_enforcement", "voluntary_performance_rate")),
    ("—", "Common random numbers (paired scenarios)", "streams.py", (
        "tests/test_streams.py::test_same_dispute_same_draw_whatever_else_is_drawn",
        "tests/test_ensemble.py::test_common_random_numbers_cut_the_variance_of_differences",
        "tests/test_batches.py::test_common_random_numbers_hold_across_batches",
    ), ()),
    ("—", "The vectorised engine against the per-agent reference model", "reference.py", (
        "tests/test_reference.py::test_reference_matches_engine_in_expected_yearly_counts",
        "tests/test_reference.py::test_overrides_change_both_models_alike",
    ), ()),
)
"""Submodels of docs/model.md §7: (section, title, engine modules, tests, levers whose
direction cases also exercise it). A submodel with no test of its own says so on the page."""

LEVER_CASE = _M + "test_lever_effect_at_calibrated_parameters"
"""The test with one case per documented lever direction (id ``<lever>-<metric>``)."""

_MORRIS = "tests/test_sensitivity.py::test_morris_ranks_the_plan_steps_on_lawsuits"

ALSO: dict[tuple[str, str], tuple[str, ...]] = {
    (lid, "lawsuits_per_10k"): (_MORRIS,)
    for lid in ("pre_filing_mediation_share", "online_court", "legal_aid_coverage",
                "abusive_litigation_screening")
}
"""Other tests that check a lever's direction: the Morris screening asserts the sign of the
mean elementary effect of the four court-side levers on 万人成讼率."""

_ARROW = {1: "↑ up", -1: "↓ down"}


def lever_case(lever_id: str, metric: str) -> str:
    """The node id of the lever-effect case for one documented direction.

    Parameters
    ----------
    lever_id, metric : str
        A lever id and one of the metrics in its ``moves``.

    Returns
    -------
    str
        ``tests/test_model.py::test_lever_effect_at_calibrated_parameters[<lever>-<metric>]``.
    """
    return f"{LEVER_CASE}[{lever_id}-{metric}]"


def _tests(names: tuple[str, ...]) -> str:
    return "; ".join(f"`{n}`" for n in names)


def render_mechanisms() -> str:
    """The mechanism table: each submodel, its engine module and the tests that check it.

    Returns
    -------
    str
        A Markdown table without a trailing newline.
    """
    rows = ["| § (docs/model.md) | mechanism | engine modules | checked by |",
            "|---|---|---|---|"]
    for section, title, modules, tests, levers in MECHANISMS:
        parts = [f"`{t}`" for t in tests]
        if levers:
            cases = ", ".join(f"`{lid}`" for lid in levers)
            parts.append(f"{'' if tests else 'only '}the direction cases of {cases} (below)")
        checked = "; ".join(parts) or "no test of its own"
        where = ", ".join(f"`fazhi_sim/engine/{m}`" for m in modules.split(", "))
        rows.append(f"| {section} | {title} | {where} | {checked} |")
    return "\n".join(rows)


def render_directions() -> str:
    """The lever table: one row per documented direction, with the tests that check it.

    Returns
    -------
    str
        A Markdown table without a trailing newline, in the catalogue's order.
    """
    rows = ["| measure | outcome | direction when raised | how it acts | checked by |",
            "|---|---|---|---|---|"]
    for lid, lv in LEVERS.items():
        for metric, sign in lv.moves:
            tests = (lever_case(lid, metric), *ALSO.get((lid, metric), ()))
            rows.append(f"| {lv.name_zh} `{lid}` | {label(metric, 'zh')} `{metric}` | "
                        f"{_ARROW[sign]} | {lv.mechanism} | {_tests(tests)} |")
    return "\n".join(rows)


BLOCKS = {"mechanisms": render_mechanisms, "directions": render_directions}
"""Generated blocks by marker name."""


def update(text: str) -> str:
    """Every generated block of ``text`` rendered afresh.

    Parameters
    ----------
    text : str
        The whole page.

    Returns
    -------
    str
        The page with every block replaced.
    """
    for name, render in BLOCKS.items():
        text = replace(text, name, render())
    return text


def named_tests(text: str) -> list[str]:
    """Every test node id the page names (in backticks, ``tests/...py::name[...]``).

    Parameters
    ----------
    text : str
        The whole page.

    Returns
    -------
    list of str
        Node ids in page order, repeats kept.
    """
    return re.findall(r"`(tests/[\w/]+\.py::\w+(?:\[[^\]`]+\])?)`", text)


def main(argv: list[str] | None = None) -> int:
    """Rewrite the page, or with ``--check`` report whether it is up to date.

    Parameters
    ----------
    argv : list of str, optional
        Command-line arguments; ``sys.argv[1:]`` if None.

    Returns
    -------
    int
        Exit status: 0, or 1 when ``--check`` finds the page out of date.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if out of date")
    args = parser.parse_args(argv)
    text = DOC.read_text("utf-8")
    new = update(text)
    if args.check:
        if new != text:
            print(f"{DOC} is out of date: run .venv/bin/python tools/docs_mechanisms.py")
            return 1
        return 0
    if new != text:
        DOC.write_text(new, "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
