"""Words of the cli: key to (Chinese, English); merged into :data:`fazhi_sim.views.i18n.TEXT`.

Kept apart from i18n.py so that each view owns its words; a key used twice is an error at
import (:func:`fazhi_sim.views.i18n.label` would otherwise show one of them silently).
"""

from __future__ import annotations

TEXT: dict[str, tuple[str, str]] = {
}
