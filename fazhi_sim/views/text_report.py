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
}
