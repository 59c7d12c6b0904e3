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
