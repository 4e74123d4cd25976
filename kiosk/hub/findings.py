"""The one sentence under a chart's title that says what it shows, computed from the
figure's published cells only (what its table shows), for the charts where such a
sentence is simple and honest: several rivals (EPCI, age bands, needs…), every one of
them published, one clearly ahead. Nothing is said otherwise: a hidden row could be the
largest, two definitions of one indicator are not rivals, a tie has no winner.
"""
from __future__ import annotations

from typing import Callable

from .tables import N_, NOT_GIVEN_LABEL

HIGHEST = N_("La part la plus élevée est « %(label)s » (%(share)s).")
# Said when the runner-up's interval reaches the leader's: chance alone may explain it.
OVERLAP = N_("Son intervalle de confiance recoupe celui de « %(label)s » : l'écart peut "
             "venir du hasard.")
# Figures whose rows are definitions of one indicator, not rivals.
NOT_RIVALS = (N_("Définition"),)


def finding(figure, translate: Callable[..., str], percent: Callable[[float], str]) -> str | None:
    """The figure's finding in words (``translate``: the hub's gettext, with keywords;
    ``percent``: a share as the page writes it), or None."""
    if figure.chart is None or figure.population is None or figure.columns[:1] == NOT_RIVALS:
        return None
    if figure.table not in ("counts", "shares"):
        return None
    # Not rivals either: a reference, the mean.
    rows = [row for row in figure.rows if row.extra not in ("reference", "average")]
    if any(row.count is None for row in rows):  # a hidden row might be the largest
        return None
    rivals = sorted((row for row in rows if row.label != NOT_GIVEN_LABEL
                     and row.share is not None), key=lambda row: row.share, reverse=True)
    if len(rivals) < 2 or rivals[0].share == rivals[1].share:
        return None
    first, second = rivals[0], rivals[1]
    text = translate(HIGHEST, label=translate(first.label), share=percent(first.share))
    if first.interval and second.interval and second.interval.high >= first.interval.low:
        text += " " + translate(OVERLAP, label=translate(second.label))
    return text
