"""Words of the dashboard: key to (Chinese, English); merged into :data:`fazhi_sim.views.i18n.TEXT`.

Kept apart from i18n.py so that each view owns its words; a key used twice is an error at
import (:func:`fazhi_sim.views.i18n.label` would otherwise show one of them silently).
``tip_<lever>`` is what a measure's slider says on hover: how the model lets it act.
"""

from __future__ import annotations

TEXT: dict[str, tuple[str, str]] = {
    "dash_seconds_taken": ("更新用时 {s:.1f} 秒", "updated in {s:.1f} s"),
    "dash_ramp_note": ("滑块为各项措施的目标水平;原在2020年水平的措施被移动后,自起始年逐年线性"
                       "推进,2025年达到目标(与规划情景文件相同)。",
                       "Sliders set each measure's target; a measure moved from its 2020 level "
                       "ramps up linearly from the first year to reach it in 2025 (as in the "
                       "plan's scenario file)."),
    "dash_moved_title": ("{title}(看板调整)", "{title} (adjusted)"),
    "dash_saved_header": ("法治绍兴情景看板保存的情景", "Scenario saved from the dashboard"),
    "dash_tab_main": ("看板", "Dashboard"),
    "dash_tab_editor": ("情景编辑", "Scenario editor"),
    "dash_tab_costs": ("成本", "Costs"),
    "dash_open": ("打开情景文件(.toml)", "Open scenario file (.toml)"),
    "dash_save": ("保存为情景文件", "Save as scenario file"),
    "dash_save_link": ("下载 {name}", "Download {name}"),
    "dash_loaded": ("已打开 {name}", "opened {name}"),
    "dash_export": ("导出图片(PNG)", "Export view (PNG)"),
    "dash_export_link": ("下载图片 {name}", "Download image {name}"),
    "dash_error": ("无法打开:{error}", "cannot open: {error}"),
    "dash_counties_title": ("各区、县(市)对比 · {metric} · {year}年",
                            "Counties side by side · {metric} · {year}"),
    "dash_county_pick": ("查看区、县(市)", "Show county"),
    "dash_county_hint": ("点击图中区、县(市)或在下方选择,即切换到该地区。",
                         "Click a county in the chart, or pick one below, to switch to it."),
    "dash_editor_intro": ("逐项设置措施:2020年水平、目标值、起始年、达标年(线性推进到该年)、"
                          "规划条款。目标等于2020年水平的措施不写入文件。",
                          "Set each measure: 2020 level, target, start year, year the target "
                          "is reached (a linear ramp), plan article. Measures left at their "
                          "2020 level are not written."),
    "dash_editor_apply": ("应用到看板", "Apply to dashboard"),
    "dash_editor_title": ("情景名称", "Scenario title"),
    "dash_editor_head": ("措施|2020年水平|目标|起始年|达标年|规划条款",
                         "Measure|2020 level|Target|Start|Full by|Plan article"),
    "dash_editor_bad": ("{lever}:{error}", "{lever}: {error}"),
    "dash_costs_title": ("当前设置相对基线的成本效果({year}年)",
                         "Cost-effectiveness of this setting against the baseline ({year})"),
    "dash_costs_head": ("项目|每年成本(元)|少发生(中位数 [10%, 90%])|每少一件的成本(元)",
                        "Outcome|Yearly cost (yuan)|Avoided (median [10%, 90%])|"
                        "Yuan per avoided case"),
    "dash_costs_lawsuit": ("诉讼(法院收案)", "Lawsuits"),
    "dash_costs_petition": ("信访", "Petitions"),
    "dash_costs_none": ("未减少", "none avoided"),
    "dash_costs_free": ("不增加成本", "no added cost"),
    "dash_budget": ("年度预算(万元)", "Yearly budget (10,000 yuan)"),
    "dash_optimize": ("求最佳措施组合", "Find the best mix"),
    "dash_optimize_running": ("正在搜索… 已完成 {done} 次运行", "searching… {done} runs done"),
    "dash_optimize_done": ("预算 {budget} 万元的最佳组合(用时 {s:.0f} 秒):",
                           "Best mix for {budget} (10,000 yuan) ({s:.0f} s):"),
    "dash_optimize_apply": ("在看板中使用此组合", "Use this mix in the dashboard"),
    "dash_optimized_title": ("预算内最佳措施组合", "Best mix for the budget"),
    "dash_optimize_failed": ("搜索失败:{error}", "search failed: {error}"),
    "dash_optimize_row": ("{lever}:{level}(2020年 {base})", "{lever}: {level} (2020: {base})"),
    "dash_optimize_cost": ("每年成本 {yuan} 万元;目标值(越低越好){objective:.2f}",
                           "yearly cost {yuan} ten-thousand yuan; objective (lower is better) "
                           "{objective:.2f}"),
    "tip_mediation_coverage": ("有人民调解委员会的村社可就地调解,其余纠纷只能上行。",
                               "villages with an active committee offer village mediation; "
                               "others must go higher"),
    "tip_mediators_per_10k": ("村级调解能力;不足时排队、等待和放弃增加,当事人转向上级。",
                              "village mediation capacity; where short, queues, waits and "
                              "drop-outs grow and claimants go higher"),
    "tip_online_mediation_share": ("提高调解能力,降低选择调解的成本。",
                                   "raises mediation capacity and lowers the cost of mediation"),
    "tip_county_centre": ("矛调中心“只进一扇门”:信访超市窗口、法律服务和诉调对接参与分流,"
                          "联合调解更少被拒绝;在中心内部流转不算新的门。",
                          "the one-stop centre's petition desk, legal services and court window "
                          "join the triage; joint mediation is refused less"),
    "tip_petition_agency": ("信访部门化解更多,未化解的重复信访(缠访)减少。",
                            "petition offices settle more; fewer unresolved petitioners return"),
    "tip_petition_routing": ("信访诉求导入县级调解或诉讼,而不是在信访部门反复。",
                             "petitions go to county mediation or court instead of circling"),
    "tip_psychological_services": ("失败和等待带来的怨气积累更慢。",
                                   "grievance from failures and waiting builds up more slowly"),
    "tip_lawyers_per_village": ("与驻村时长一起决定每村每月可提供的法律咨询;接受咨询者更多协商、"
                                "调解,更少信访。",
                                "with hours a month, the advice a village can give; advised "
                                "claimants negotiate and mediate more, petition less"),
    "tip_lawyer_hours_per_month": ("同上:咨询能力 = 律师数 × 时长 × 每小时咨询数。",
                                   "advice capacity is lawyers x hours x consultations an hour"),
    "tip_legal_aid_coverage": ("降低诉讼成本,转向信访的人减少。",
                               "lowers the cost of going to court, so fewer petition"),
    "tip_legal_service_access": ("提高居民的实际法律意识。",
                                 "raises residents' working legal awareness"),
    "tip_legal_literacy_coverage": ("覆盖村中联系最广的居民成为法律明白人:其两层关系内的居民更懂法,"
                                    "倾向村调解、少信访;主张权利的人会增加。",
                                    "the best-connected residents become 法律明白人: those near "
                                    "them lean to mediation and away from petitions"),
    "tip_village_compact_strength": ("家庭、邻里和土地纠纷发生得更少。",
                                     "fewer family, neighbour and land disputes arise"),
    "tip_credit_enforcement": ("判决履行更多;失信被执行人更快移出名单。",
                               "judgments are performed more; defaulters leave the list sooner"),
    "tip_pre_filing_mediation_share": ("诉前调解成功的纠纷不计为诉讼。",
                                       "disputes settled before filing are not lawsuits"),
    "tip_small_claims_share": ("法官每月结案更多(排期缩短),小额案件两个月内审结。",
                               "judges conclude more cases; small claims close within two "
                               "months"),
    "tip_judicial_confirmation_share": ("经司法确认的调解协议可强制执行,很少反悔。",
                                        "confirmed agreements are enforceable, seldom broken"),
    "tip_online_court": ("起诉成本降低、法院更快;可能使万人成讼率上升。",
                         "suing costs less and courts work faster; can RAISE 万人成讼率"),
    "tip_abusive_litigation_screening": ("一部分虚假、恶意起诉不予受理。",
                                         "a share of abusive filings is refused"),
    "tip_voluntary_performance_rate": ("未履行的判决进入执行;执行不能产生失信和信访。",
                                       "unperformed judgments go to enforcement; failures make "
                                       "defaulters and petitions"),
    "tip_reconsideration_premediation": ("行政争议在复议或起诉前于县级化解:行政诉讼减少。",
                                         "administrative disputes settle before review or suit"),
    "tip_early_warning": ("调解失败过的纠纷被提前预警:信访相对法定途径的吸引力下降。",
                          "disputes that failed once are flagged: petitioning loses appeal"),
    "tip_fengqiao_units_coverage": ("乡镇层级的能力、吸引力和成功率提高。",
                                    "town layer capacity, appeal and success"),
    "tip_public_lawyer_coverage": ("行政争议较少升级为信访,更多在县级化解。",
                                   "administrative disputes escalate less and settle more at the "
                                   "county"),
    "tip_levels": ("2020年水平 {base};规划2025年 {plan}", "2020 level {base}; plan 2025 {plan}"),
}
