"""``fazhi-sim optimize``: the lever mix that does most for a yearly budget."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..engine.measures import LEVERS
from ..experiments.executors import LocalProcesses, default_jobs
from ..views.i18n import label
from ..views.tables import text_table
from .common import (
    COMMAND_LINE,
    InputError,
    Parents,
    add_region,
    model_spec,
    named_region,
    out_path,
    outcome_year,
    parse_count,
    parse_jobs,
    parse_number,
    parse_replicates,
    parse_seed,
    place,
    split_names,
)
from .compare import write_report

__all__ = ["add_parser", "handle", "print_result", "MAX_SAMPLES"]

MAX_SAMPLES = 10_000
"""Most random candidates: each runs --replicates times."""


def add_parser(subparsers: Any, parents: Parents) -> None:
    """Register ``optimize`` and its options on ``subparsers`` (from ``add_subparsers``)."""
    opt = subparsers.add_parser(
        "optimize", parents=[parents.seed, parents.lang, parents.jobs, parents.model],
        help=parents.say("h_optimize"))
    say = parents.say
    add_region(opt, "h_region_optimize", parents)
    opt.add_argument("--budget", required=True, metavar="YUAN", help=say("h_optimize_budget"))
    opt.add_argument("--staff", metavar="N", help=say("h_optimize_staff"))
    opt.add_argument("--levers", nargs="+", metavar="LEVER", help=say("h_optimize_levers"))
    opt.add_argument("--replicates", metavar="N", help=say("h_optimize_replicates"))
    opt.add_argument("--samples", metavar="N", help=say("h_optimize_samples", most=MAX_SAMPLES))
    opt.add_argument("--quantile", metavar="Q", help=say("h_optimize_quantile"))
    opt.add_argument("--year", help=say("h_optimize_year"))
    opt.add_argument("--report", metavar="FILE.html", help=say("h_optimize_report"))
    opt.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Search the lever mixes within the budget and print the best; the exit status."""
    from ..analysis.optimize import optimize_budget

    src = COMMAND_LINE
    budget = parse_number(args.budget, src, "--budget")
    staff = parse_number(args.staff, src, "--staff")
    seed = parse_seed(args.seed, src)
    region = named_region(args.region, src, region_file=args.region_file)
    reps = parse_replicates(args.replicates, src, 5)
    samples = parse_count(args.samples, src, "--samples", 48, MAX_SAMPLES)
    jobs = parse_jobs(args.jobs, src)
    year = outcome_year(args.year, src)
    quantile = parse_number(args.quantile, src, "--quantile") if args.quantile else 0.9
    if not 0 <= quantile <= 1:
        raise InputError(src, "--quantile", f"{args.quantile!r} is not allowed; give 0 to 1")
    levers = split_names(args.levers) or None
    unknown = [lid for lid in levers or [] if lid not in LEVERS]
    if unknown:
        raise InputError(src, "--levers", f"unknown lever {unknown[0]!r}; allowed: "
                         + ", ".join(LEVERS))
    spec = model_spec(args.model)
    report = out_path(args.report, "--report", "html")  # a bad path fails before the search
    with LocalProcesses(jobs or default_jobs()) as ex:
        res = optimize_budget(budget, staff_limit=staff, levers=levers, region=region,
                              quantile=quantile, year=year, replicates=reps, samples=samples,
                              executor=ex, progress=sys.stderr.isatty(), seed=seed, model=spec)
        if report is not None:
            ens = _mix_ensemble(res, region, year, reps, seed, spec, ex, args.lang)
    zh = args.lang == "zh"
    print(f"{'预算' if zh else 'Budget'}: {budget:,.0f} {'元/年' if zh else 'yuan a year'}"
          + (f"   {'编制上限' if zh else 'staff limit'}: {staff:g}" if staff is not None else "")
          + f"   {label('region', args.lang)}: {place(region, args.lang)}   "
          f"{label('year', args.lang)}: {year}   {label('replicates', args.lang)}: {reps}")
    print_result(res, quantile, args.lang)
    if report is not None:
        write_report(ens, report, region, year, args.lang, optimized=res)
    return 0


def _mix_ensemble(res: Any, region: Any, year: int, reps: int, seed: int, spec: Any,
                  executor: Any, lang: str) -> Any:
    """The best mix against the baseline, run as ``compare`` runs them, for the report."""
    from ..engine.scenario import baseline
    from ..experiments.ensemble import run_ensemble

    mix = res.scenario("optimised").model_copy(update={"title": label("optimised_title",
                                                                       lang)})
    return run_ensemble({"baseline": baseline(end_year=year), "optimised": mix},
                        replicates=reps, region=region, executor=executor, seed=seed,
                        model=spec, progress=sys.stderr.isatty())


def print_result(res: Any, quantile: float, lang: str) -> None:
    """Print what :func:`~fazhi_sim.analysis.optimize.optimize_budget` found.

    Parameters
    ----------
    res
        Its result.
    quantile
        The quantile across replicates the objective was judged at.
    lang
        ``"zh"`` or ``"en"``.
    """
    zh = lang == "zh"
    q = f"{round(100 * quantile)}%"
    objective = " + ".join(f"{w:g}×{label(m, lang)}" for m, w in res.weights.items())
    print(("目标(越低越好,取各次重复的 " if zh else "Objective (lower is better, at the ")
          + q + (" 分位): " if zh else " quantile across replicates): ") + objective)
    print()
    print(text_table(["措施" if zh else "Lever", "2020", "方案" if zh else "Mix"],
                     _mix_rows(res, lang) or [["-", "-", "-"]]))
    print(f"{'年成本' if zh else 'Cost a year'}: {res.cost['yuan']:,.0f} "
          f"{'元' if zh else 'yuan'}   {'新增编制' if zh else 'staff'}: {res.cost['staff']:.1f}"
          + ("   (单位成本均为假设值)" if zh and res.cost["assumed_share"] >= 1 else
             "   (unit costs are assumed)" if res.cost["assumed_share"] >= 1 else ""))
    print()
    print(label("band_note", lang))
    print(text_table(*_outcome_table(res, lang)))
    c = res.comparison
    print()
    print((f"同样的钱按规划结构投入(规划变化量乘以 {c['factor']:.2f}):目标值({q} 分位)"
           f" {c['objective']:,.2f},本方案 {c['best_objective']:,.2f},好 {c['gain']:,.2f};"
           f"配对差中位数 {c['gain_median']:,.2f} [{c['gain_q10']:,.2f}, {c['gain_q90']:,.2f}]")
          if zh else
          (f"The same money spent the plan's way (its changes times {c['factor']:.2f}): "
           f"objective at {q} {c['objective']:,.2f}, this mix {c['best_objective']:,.2f}, "
           f"better by {c['gain']:,.2f}; paired median {c['gain_median']:,.2f} "
           f"[{c['gain_q10']:,.2f}, {c['gain_q90']:,.2f}]"))
    print((f"候选方案 {len(res.candidates)} 个(超预算未模拟 {res.rejected} 个),"
           f"帕累托前沿 {len(res.pareto)} 个") if zh else
          (f"{len(res.candidates)} candidates ({res.rejected} over the limits, not simulated),"
           f" {len(res.pareto)} on the Pareto front"))
    # The front itself: what each extra yuan buys, cheapest first.
    front = [[f"{r.yuan:,.0f}", f"{r.staff:,.1f}", f"{r.objective:,.2f}"]
             for r in res.pareto.itertuples()]
    print()
    print(text_table(["年成本(元)", "新增编制", f"目标值({q} 分位)"] if zh else
                     ["Yuan a year", "Staff", f"Objective (at {q})"], front))


def _mix_rows(res: Any, lang: str) -> list[list[str]]:
    # Levers the mix leaves at their 2020 level are left out: the table shows what to raise.
    rows = []
    for lid in res.levers:
        lv = LEVERS[lid]
        level = res.mix[lid]
        if level - lv.baseline <= 1e-9:
            continue
        rows.append([label(lid, lang), f"{lv.baseline:g}", f"{level:.3g}"])
    return rows


def _outcome_table(res: Any, lang: str) -> tuple[list[str], list[list[str]]]:
    zh = lang == "zh"
    out = res.outcomes.set_index(["scenario", "metric"])
    names = {"baseline": "基准" if zh else "baseline", "best": "方案" if zh else "mix",
             "plan_scaled": "按规划结构同额投入" if zh else "plan-shaped, same cost"}
    header = [label("metric", lang)] + [names[n] for n in names]
    rows = []
    for m in [*res.weights, "objective"]:
        cells = [label(m, lang) if m != "objective" else ("目标值" if zh else "Objective")]
        for n in names:
            r = out.loc[(n, m)]
            cells.append(f"{r['median']:,.2f} [{r.q10:,.2f}, {r.q90:,.2f}]")
        rows.append(cells)
    return header, rows
