"""Words of the report: key to (Chinese, English); merged into :data:`fazhi_sim.views.i18n.TEXT`.

Kept apart from i18n.py so that each view owns its words; a key used twice is an error at
import (:func:`fazhi_sim.views.i18n.label` would otherwise show one of them silently).
"""

from __future__ import annotations

TEXT: dict[str, tuple[str, str]] = {
    # Counties side by side (county_charts.py)
    "county_name": ("区县", "County"),
    "vs_baseline_change": ("较基准的变化", "Change vs baseline"),
    "level_of": ("水平", "level"),
    "tile_subtitle": ("{year}年 · {scenario} · {what};方块示意各区县相对位置,非地图;点击选择区县,"
                      "双击取消", "{year} · {scenario} · {what}; tiles show where the counties "
                      "roughly lie, not a map; click to pick a county, double-click to clear"),
    # Historical actuals (report_actuals.py)
    "actual": ("实际数", "Actual"),
    "actual_point": ("实际数:{where}{year}年({kind})", "Actual: {where} {year} ({kind})"),
    "actual_county": ("绍兴所辖区县数据,非全市", "a Shaoxing county, not the city"),
    "actual_provincial": ("浙江省数据,非绍兴", "Zhejiang province, not Shaoxing"),
    "actual_national": ("全国数据,非绍兴", "China, not Shaoxing"),
    "actuals_note": ("黑色标记为实际数(来源见 fazhi_sim/data/actuals.csv 及提示框),仅为量级参照:"
                     "均非绍兴全市逐年数据,口径与模型指标不完全一致;信访量尚未找到公开的绝对数,"
                     "故无实际数。", "Black marks are actual figures (sources in "
                     "fazhi_sim/data/actuals.csv and the tooltips), for the level only: none is "
                     "a Shaoxing city-wide series, and definitions differ somewhat from the "
                     "model's; no published petition volume has been found, so petitions have "
                     "none."),
    "counties_note": ("左:各区县{scenario}较基准的变化(中位数,末年),方块为示意位置,非地图;点击"
                      "方块选中区县,右侧对应小图突出显示,双击取消。"
                      "右:各区县逐年变化及 10%–90% 区间。",
                      "Left: each county's change under {scenario} against the baseline "
                      "(median, last year); tiles show roughly where counties lie, not a map; "
                      "click one to pick it and its panel on the right stands out, double-click "
                      "to clear. Right: each county's change year by year with its 10–90% "
                      "band."),
    "counties_note_level": ("左:各区县末年水平;方块为示意位置,非地图;点击方块选中区县,双击取消。"
                            "右:各区县逐年走势。", "Left: each county's level in the last "
                            "year; tiles show roughly where counties lie, not a map; click one "
                            "to pick it, double-click to clear. Right: each county year by "
                            "year."),
    # What each scenario contains (report_scenarios.py)
    "contents_title": ("各情景包含的措施", "What each scenario contains"),
    "measure_name": ("措施", "Measure"),
    "level_2020": ("2020年水平", "2020 level"),
    "level_target": ("目标水平", "Target"),
    "ramp_years": ("起始–达标年份", "Start–full by"),
    "plan_article": ("规划条款", "Plan article"),
    "no_measures": ("全部措施保持2020年水平", "every measure stays at its 2020 level"),
    "params_changed": ("另调整了 {n} 个机制参数", "{n} mechanism parameters changed"),
    "contents_note": ("目标水平在起始年份1月开始线性推进,至达标年份1月达到;括号内箭头为恢复"
                      "2020年水平的年份。", "Each measure ramps linearly from January of the "
                      "start year to its target in January of the full-by year; an arrow gives "
                      "the year it returns to its 2020 level."),
    # Costs (report_costs.py)
    "costs_title": ("成本与成效", "Costs and what they buy"),
    "cost_yuan": ("年成本(元)", "Yuan a year"),
    "cost_staff": ("新增编制", "Extra staff"),
    "avoided_lawsuit": ("少发诉讼案件(件/年)", "Lawsuits avoided a year"),
    "per_avoided_lawsuit": ("每少一件诉讼的成本(元)", "Yuan per lawsuit avoided"),
    "avoided_petition": ("少发信访(件/年)", "Petitions avoided a year"),
    "per_avoided_petition": ("每少一件信访的成本(元)", "Yuan per petition avoided"),
    "cost_note": ("成本按每项措施高于2020年水平的部分逐年计价:单位成本 × 地区规模(人口、村数或"
                  "镇数)。{total} 项单位成本中 {assumed} 项是假设值(见 fazhi_sim/data/"
                  "unit_costs.csv 中的理由),只用于比较措施之间的量级,不是预算数。少发的件数为与"
                  "基准情景逐次配对相减的中位数 [10%, 90%]。",
                  "Each measure is costed for how far it sits above its 2020 level: unit cost "
                  "times the region's size (residents, villages or towns). {assumed} of the "
                  "{total} unit costs are assumptions (reasons in fazhi_sim/data/"
                  "unit_costs.csv): orders of magnitude to compare measures, not budget "
                  "figures. Avoided cases are paired against the baseline, median "
                  "[10%, 90%]."),
    "cost_inf_note": ("“∞”表示在该分位上没有少发(成本无穷大);“-”表示不花钱也无变化。",
                      "∞: nothing avoided at that quantile (infinite cost per case); -: no "
                      "cost and no change."),
    "mix_title": ("预算优化的最佳组合", "The budget optimizer's best mix"),
    "mix_note": ("预算 {budget:,.0f} 元/年,{year}年:最佳组合年成本 {yuan:,.0f} 元,新增编制 "
                 "{staff:.1f} 人;下表为提高到2020年水平以上的措施。",
                 "Budget {budget:,.0f} yuan a year, {year}: the best mix costs {yuan:,.0f} "
                 "yuan and {staff:.1f} staff a year; the measures it raises above 2020:"),
    "mix_level": ("组合水平", "Level in the mix"),
    # The opening summary (summary.py)
    "sum_title": ("要点", "Summary"),
    "sum_lead": ("与{base}相比,{scenario}在{year}年:", "Against {base}, {scenario} in {year}:"),
    "sum_falls": ("降至", "falls to"),
    "sum_rises": ("升至", "rises to"),
    "sum_same": ("{metric}保持在 {value}(变化 {delta},{pct})", "{metric} stays at {value} "
                 "(change {delta}, {pct})"),
    "sum_outcome": ("{metric}从 {base} {word} {value}(变化 {delta},{pct})",
                    "{metric} {word} {value} from {base} (change {delta}, {pct})"),
    "sum_band": (";10%–90% 区间为 [{q10}, {q90}]", "; 10–90% band [{q10}, {q90}]"),
    "sum_sure": (",区间不含零,方向较为确定({count})。", ", a band that excludes zero: the "
                 "direction is fairly sure ({count})."),
    "sum_unsure": (",区间包含零,方向尚不确定({count})。", ", a band that includes zero: the "
                   "direction is not yet sure ({count})."),
    "sum_thin": (",区间不含零,但仅{count},方向有待更多重复确认。", ", a band that excludes zero, "
                 "but only {count}: more runs are needed to be sure."),
    "sum_targets": ("规划目标({first}–{year}年):覆盖目标 {n} 项中达到 {k} 项;逐年下降的概率:"
                    "{falls}。", "Plan targets ({first}–{year}): {k} of {n} coverage targets "
                    "reached; probability of falling every year: {falls}."),
    "sum_costs": ("成本(单位成本为假设值,见下文):每年 {yuan} 元、新增编制 {staff} 人;{per}"
                  "(中位数)。", "Cost (assumed unit costs, see below): {yuan} yuan and {staff} "
                  "staff a year; {per} (median)."),
    "sum_per": ("每少一件{what}约 {yuan} 元", "about {yuan} yuan per {what} avoided"),
    "sum_per_none": ("{what}未减少,无每件成本", "no {what} avoided, so no cost per case"),
    "sum_lawsuit": ("诉讼", "lawsuit"),
    "sum_petition": ("信访", "petition"),
    "sum_list": ("、", ", "),
    "sum_count": ("{n} 次配对重复中 {k} 次{dir}", "{dir} in {k} of {n} paired runs"),
    "sum_down": ("下降", "falls"),
    "sum_up": ("上升", "rises"),
    "sum_single": (";仅一次运行,无区间。", "; one run only, no band."),
    "sum_drivers": ("{metric}的变化主要来自{parts}。", "The change in {metric} comes mostly "
                    "from {parts}."),
    "sum_and": ("和", " and "),
    "sum_split": ("{metric}变化区间的 {param} 来自参数不确定性,{noise} 来自随机噪声。",
                  "{param} of the band of the change in {metric} comes from the parameters, "
                  "{noise} from noise."),
    "sum_measure": ("要收窄{metric}的区间,最值得测量的是:{what}(区间可收窄 {by})。",
                    "To narrow the band of {metric}, measure first: {what} (band narrower "
                    "by {by})."),
    "sum_basis": ("以上为模拟结果的中位数和 10%–90% 区间,依据下文各表;不是对实际数值的预测。",
                  "Medians and 10–90% bands of the simulation, from the tables below; not a "
                  "forecast of actual figures."),
}
