"""Words of the cli: key to (Chinese, English); merged into :data:`fazhi_sim.views.i18n.TEXT`.

Kept apart from i18n.py so that each view owns its words; a key used twice is an error at
import (:func:`fazhi_sim.views.i18n.label` would otherwise show one of them silently).
"""

from __future__ import annotations

TEXT: dict[str, tuple[str, str]] = {
    # Columns and sheets of the files --out writes (table_files.py)
    "col_value": ("数值", "Value"),
    "col_month": ("月份", "Month"),
    "col_n": ("次数", "Runs"),
    "col_change_q10": ("变化 10% 分位", "Change, 10th percentile"),
    "col_change_q90": ("变化 90% 分位", "Change, 90th percentile"),
    "sheet_comparison": ("情景比较", "Comparison"),
    "sheet_yearly": ("逐年数值", "Yearly values"),
    "sheet_changes": ("逐年变化", "Yearly changes"),
    "sheet_key_metrics": ("主要指标", "Key metrics"),
    "sheet_monthly": ("逐月数值", "Monthly values"),
}

HELP: dict[str, tuple[str, str]] = {
    # argparse's own words
    "ap_usage": ("用法: ", "usage: "),
    "ap_positionals": ("位置参数", "positional arguments"),
    "ap_options": ("选项", "options"),
    "ap_help": ("显示本帮助并退出", "show this help message and exit"),
    "ap_version": ("显示版本号并退出", "show program's version number and exit"),
    "ap_error": ("错误", "error"),
    "ap_did_you_mean": ("是否要输入 {near}?", "did you mean {near}?"),
    "ap_see_help": ("见 {prog} --help", "see {prog} --help"),
    "ap_required": ("缺少必需的参数: {what}", "the following arguments are required: {what}"),
    "ap_invalid_choice": ("{value} 不是可选值 (可选: {choices})",
                          "invalid choice: {value} (choose from {choices})"),
    "ap_unrecognized": ("无法识别的参数: {what}", "unrecognized arguments: {what}"),
    "ap_expected_one": ("需要一个值", "expected one argument"),
    "ap_expected_some": ("至少需要一个值", "expected at least one argument"),
    "ap_not_allowed_with": ("不能与 {other} 同时使用", "not allowed with argument {other}"),
    "ap_ambiguous": ("选项 {option} 有歧义, 可能是 {matches}",
                     "ambiguous option: {option} could match {matches}"),
    "ap_argument": ("参数", "argument"),
    "ap_description": ("模拟法治绍兴建设规划(2021—2025年)下矛盾纠纷的化解",
                       "Simulate dispute resolution under 法治绍兴建设规划 (2021-2025)."),
    "ap_commands": ("命令", "commands"),
    # Options several commands share
    "h_seed": ("随机种子, 0 或更大的整数 (默认 1); 多次重复时为第一次的种子; 同一种子结果相同",
               "seed, a whole number 0 or more (default 1), of the first replicate where "
               "there are several; the same seed gives the same result"),
    "h_lang": ("表格与图表的语言: zh (中文, 默认) 或 en",
               "label language: zh (中文, default) or en"),
    "h_lang_ui": ("帮助和错误信息的语言: zh 或 en (默认: 按系统语言环境)",
                  "language of help and errors: zh or en (default: the locale's)"),
    "h_jobs": ("本机工作进程数, 每核最多四个 (默认: 全部核心)",
               "local worker processes, up to four per core (default: all cores)"),
    "h_model": ("要运行的模型, 写作 package.module:Name, 指向 ModelSpec 或 DisputeModel、"
                "Behaviour 的子类 (默认: 自带模型)",
                "the model to run, as package.module:Name naming a ModelSpec or a DisputeModel "
                "or Behaviour subclass (default: the shipped model)"),
    "h_region": ("地区: shaoxing (绍兴市)、区县 (zhuji 或 诸暨) 或 town (示范镇, 5 万人, 最快); "
                 "默认: {default}", "shaoxing, a county (zhuji or 诸暨) or town (50,000 "
                 "residents, fast); default: {default}"),
    "h_region_file": ("在自己的地区上运行: 每个区县一行的 CSV 文件 (county, population, towns, "
                      "villages; 见 docs/regions.md)", "run on your own region: a CSV file "
                      "with one row per county (county, population, towns, villages; see "
                      "docs/regions.md)"),
    "h_region_scenario": ("情景文件中的地区, 否则 shaoxing",
                          "the scenario's region, else shaoxing"),
    "h_region_scenarios": ("各情景文件中的地区, 否则 shaoxing",
                           "the scenarios' region, else shaoxing"),
    "h_region_town": ("town", "town"),
    "h_region_calibrate": ("town, 约几分钟", "town, a few minutes"),
    "h_region_optimize": ("town; 地区规模也决定成本", "town; its size also scales the costs"),
    "h_scenario": ("情景 .toml 文件, 或自带情景名如 plan-2025",
                   "a scenario .toml file, or a shipped name such as plan-2025"),
    "h_out_table": ("写出结果: .csv 为长表 CSV, .xlsx 为 Excel 工作簿 ({sheets})",
                    "write the results: .csv as tidy CSV, .xlsx as an Excel workbook ({sheets})"),
    "h_year_outcome": ("结果年份 (默认 2025)", "year of the outcomes (default 2025)"),
    # run
    "h_run": ("运行一个情景并列出主要指标", "run one scenario and print key metrics"),
    "h_run_sheets": ("主要指标, 然后全部数值", "key metrics, then every value"),
    "h_run_freq": ("CSV 的行: 每年一行 (默认) 或每月一行",
                   "rows of the CSV: one per year (default) or per month"),
    # compare
    "h_compare": ("用同一随机种子运行多个情景, 并与第一个比较",
                  "run scenarios with one seed and compare them to the first"),
    "h_compare_sheets": ("情景比较、逐年数值和逐年变化, 含区间",
                         "the comparison, the yearly values and the yearly changes with their "
                         "bands"),
    "h_compare_year": ("比较的年份 (默认: 各情景共有的最后一年)",
                       "year compared (default: the last year common to all)"),
    "h_compare_replicates": ("每个情景的运行次数, 最多 10,000 (默认 1); 多于一次时表中为中位数和 "
                             "10–90%% 区间, 变化为配对差 (同一随机数)",
                             "runs per scenario, up to 10,000 (default 1); with more, tables "
                             "show the median and the 10-90%% band, and changes are paired "
                             "(common random numbers)"),
    "h_compare_store": ("把每次完成的运行写入 DIR; 再次执行同一命令时读回, 只运行缺少的 (其他 "
                        "fazhi-sim 版本的运行不复用)", "write each finished run to DIR; a "
                        "repeated command reads them back and runs only what is missing (runs "
                        "of another fazhi-sim version are not reused)"),
    "h_compare_scheduler": ("在 Dask 集群上运行, 如 tcp://10.0.0.5:8786 (需要 [cluster] 附加包)",
                            "run on a Dask cluster, e.g. tcp://10.0.0.5:8786 (needs the "
                            "[cluster] extra)"),
    "h_compare_scheduler_timeout": ("连接 --scheduler 的最长等待秒数 (默认 {default:g})",
                                    "how long to try to reach --scheduler (default "
                                    "{default:g})"),
    "h_compare_report": ("另写一份自包含的 HTML 报告 (图表和表格, 语言同 --lang; 可离线打开)",
                         "also write a self-contained HTML report (charts and tables, labels "
                         "in --lang; opens offline)"),
    "h_compare_explain": ("另列出各情景的万人成讼率、万人起诉率和信访量为何变化: 按途径 (预防、"
                          "调解、诉前……) 分解, 各项相加等于总变化",
                          "also print why each scenario's 万人成讼率, 万人起诉率 and 信访量 "
                          "changed: the change split by pathway (prevented, mediation, "
                          "pre-filing, ...), adding up to it"),
    "h_compare_uncertainty": ("重复之间变化的是什么: posterior = 校准参数的后验抽样和随机种子 "
                              "(--replicates 大于 1 时的默认), noise = 只变随机种子 (单次运行的"
                              "默认, 用校准点估计)", "what the replicates vary: posterior = the "
                              "calibrated parameters' posterior draws and the seed (default "
                              "with --replicates above 1), noise = the seed only (default for "
                              "one replicate, which runs the calibrated point values)"),
    # validate, uncertainty
    "h_validate": ("检查情景文件", "check scenario files"),
    "h_uncertainty": ("校准数据约束了什么、规划效果的不确定性来自哪里、测量什么能收窄它 "
                      "(docs/calibration.md)", "what the calibration data pin down, what "
                      "drives the uncertainty of the plan's effects, and which measurement "
                      "would narrow it (docs/calibration.md)"),
    # present
    "h_present": ("用 Voilà 把演示笔记本作为网页打开, 不从外网加载任何内容 "
                  "(如 notebooks/03-presenter.ipynb)", "serve a notebook as a page with Voilà, "
                  "fetching nothing from outside the machine (e.g. notebooks/03-presenter.ipynb)"),
    "h_present_notebook": ("要打开的笔记本", "the notebook to serve"),
    "h_present_port": ("网页端口 (默认 8866)", "the page's port (default 8866)"),
    "h_present_no_browser": ("不自动打开浏览器", "do not open a browser"),
    "e_present_missing": ("没有这个笔记本文件", "no such notebook file"),
    # calibrate
    "h_calibrate": ("按校准目标拟合假定参数并列出拟合结果 (docs/calibration.md)",
                    "fit the assumed parameters to the calibration targets and print the fit "
                    "(docs/calibration.md)"),
    "h_calibrate_targets": ("校准目标 (默认: 自带的 fazhi_sim/data/calibration_targets.csv)",
                            "calibration targets (default: the shipped "
                            "fazhi_sim/data/calibration_targets.csv)"),
    "h_calibrate_replicates": ("每次评估的运行次数, 每次评估用相同的种子 (默认 8)",
                               "runs per evaluation, the same seeds at every evaluation "
                               "(default 8)"),
    "h_calibrate_parameters": ("要拟合的 Params 字段或组合, 逗号分隔 (默认: {default})",
                               "comma-separated Params fields or composites to fit (default: "
                               "{default})"),
    "h_calibrate_out": ("把校准后的参数写入新文件 (已有文件不覆盖, 除非 --force)",
                        "write the calibrated parameter set to a new file (an existing file "
                        "is kept unless --force)"),
    "h_calibrate_force": ("允许 --out 覆盖已有文件", "let --out overwrite a file"),
    "h_calibrate_chart": ("另写出拟合图", "also write the fit chart"),
    "h_calibrate_bayes_group": ("贝叶斯校准 (--bayes): 所有假定参数的后验分布",
                                "Bayesian calibration (--bayes): a posterior over every assumed "
                                "parameter"),
    "h_calibrate_bayes": ("运行试验设计、拟合模拟器并抽样后验; 此时 --out 为存放结果文件的文件夹 "
                          "(自带的在 fazhi_sim/data)", "run the design, fit emulators and "
                          "sample the posterior; --out is then a folder for its files (the "
                          "shipped ones are in fazhi_sim/data)"),
    "h_calibrate_design": ("试验设计的运行次数 (默认 1200, 两个空闲核心约十分钟)",
                           "design runs (default 1200, about ten minutes on two idle cores)"),
    "h_calibrate_draws": ("写出的后验抽样数 (默认 400)", "posterior draws to write (default 400)"),
    "h_calibrate_store": ("把完成的设计运行保存在此; 相同设置重新运行时接着算",
                          "keep finished design runs there; a rerun with the same settings "
                          "resumes"),
    "h_calibrate_priors": ("先验 (默认: 自带的 fazhi_sim/data/priors.csv)",
                           "priors (default: the shipped fazhi_sim/data/priors.csv)"),
    "h_calibrate_responses": ("响应目标 (默认: 自带的 fazhi_sim/data/response_targets.csv)",
                              "response targets (default: the shipped "
                              "fazhi_sim/data/response_targets.csv)"),
    # sensitivity
    "h_sensitivity": ("按对结果的影响给措施和参数排序 (Morris 或 Sobol; SALib)",
                      "rank levers and parameters by their effect on the outcomes (Morris or "
                      "Sobol; SALib)"),
    "h_sensitivity_method": ("morris (筛选, 默认) 或 sobol (一阶和总效应)",
                             "morris (screening, default) or sobol (first and total order)"),
    "h_sensitivity_levers": ("在全范围内变化的措施 (默认: 全部措施, 除非给了 --params)",
                             "levers varied over their full range (default: all levers, "
                             "unless --params is given)"),
    "h_sensitivity_params": ("在其取值 ±50%% 内变化的机制参数 (Params 字段)",
                             "mechanism parameters varied over their value ±50%% (Params "
                             "fields)"),
    "h_sensitivity_trajectories": ("Morris 轨迹数, 2 到 {most:,} (默认 10)",
                                   "Morris trajectories, 2 to {most:,} (default 10)"),
    "h_sensitivity_samples": ("Sobol 基础样本数, 2 的幂, 最多 {most:,} (默认 64)",
                              "Sobol base samples, a power of two up to {most:,} (default 64)"),
    "h_sensitivity_replicates": ("每个样本的运行次数, 取平均 (默认 1)",
                                 "runs per sample, averaged (default 1)"),
    # optimize
    "h_optimize": ("在每年预算内效果最好的措施组合 (按偏悲观的分位数评判), 并与规划自身的组合"
                   "比较", "the lever mix that does most for a yearly budget (judged at a "
                   "pessimistic quantile), against the plan's own mix"),
    "h_optimize_budget": ("比 2020 年基线每年多出的预算, 元 (单位成本: "
                          "fazhi_sim/data/unit_costs.csv)", "yuan a year above the 2020 "
                          "baseline (unit costs: fazhi_sim/data/unit_costs.csv)"),
    "h_optimize_staff": ("新增全职人员的上限", "limit on extra full-time staff"),
    "h_optimize_levers": ("组合可以提高的措施 (默认: 全部)",
                          "levers the mix may raise (default: all)"),
    "h_optimize_replicates": ("每个候选组合的运行次数, 最多 10,000 (默认 5)",
                              "runs per candidate, up to 10,000 (default 5)"),
    "h_optimize_samples": ("随机候选组合数, 最多 {most:,} (默认 48)",
                           "random candidates, up to {most:,} (default 48)"),
    "h_optimize_quantile": ("在各次重复的哪个分位数上评判目标 (默认 0.9, 偏悲观)",
                            "quantile across replicates the objective is judged at (default "
                            "0.9, pessimistic)"),
    "h_optimize_year": ("结果和成本的年份 (默认 2025)", "outcome and cost year (default 2025)"),
    "h_optimize_report": ("另写一份 HTML 报告: 最优组合与基准对比, 含成本和组合表 (可离线打开)",
                          "also write an HTML report of the best mix against the baseline, "
                          "with its costs and the mix (opens offline)"),
    "optimised_title": ("预算内最优组合", "Best mix within the budget"),
    # Our own error messages (cli/language.py translates the common ones)
    "err_out_of_range": ("{v} 超出范围; 允许 {lo} 到 {hi} ({unit}){x}",
                         "{v} is out of range; allowed {lo} to {hi} ({unit}){x}"),
    "err_pct_hint": ("; 是否应为 {x}? 100% 请写 1", "; did you mean {x}? write 1 for 100%"),
    "err_unit_share": ("比例", "share"),
    "err_unknown": ("未知的{what}{name}; {x}允许: {allowed}",
                    "unknown {what}{name}; {x}allowed: {allowed}"),
    "err_or_chinese": ("(或区县中文名, 如 诸暨)", "(or a county's Chinese name, e.g. 诸暨)"),
    "err_lever_ids": ("fazhi_sim.LEVERS 的 {n} 个 id 之一 (docs/model.md), 如",
                      "one of the {n} ids of fazhi_sim.LEVERS (docs/model.md), e.g."),
    "err_to": (" 到 ", " to "),
    "err_or_more": ("{n} 或以上", "{n} or more"),
    "err_no_units": ("不带单位 (122.92万 写作 1229200)", "without units (122.92万 is 1229200)"),
    "err_one_a_town": ("(每个镇街至少一个: {n})", "(at least one a town: {n})"),
    "err_what_lever": ("措施", "lever"),
    "err_what_field": ("字段", "field"),
    "err_what_region": ("地区", "region"),
    "err_no_file": ("文件不存在; 请给出 .toml 情景文件的路径",
                    "no such file; give the path of a .toml scenario"),
    "err_toml": ("TOML 格式错误: {detail}", "malformed TOML: {detail}"),
    "err_impossible": ("{v} 不可能; 允许 {range}", "{v} is impossible; allowed {range}"),
    "err_table_ext": ("{ext} 不是表格格式; 允许: {allowed} (.xlsx 为 Excel 工作簿)",
                      "{ext} is not a table format; allowed: {allowed} (.xlsx: an Excel "
                      "workbook)"),
    "err_whole": ("{v} 不允许; 请给出整数, {range}", "{v} is not allowed; give a whole number, "
                  "{range}"),
    "err_too_large": ("{v} 太大; 请给出整数, {range}", "{v} is too large; give a whole number "
                      "from {range}"),
}
"""Help of the ``fazhi-sim`` options and argparse's own words (merged into TEXT)."""

TEXT.update(HELP)
