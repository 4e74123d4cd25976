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
# The least reached EPCI, per inhabitant, against the Allier's average.
LOWEST_RATE = N_("Le taux le plus bas est celui de « %(label)s » (%(rate)s), %(times)s fois "
                 "moins que la moyenne de l'Allier (%(average)s).")
LOWEST_RATE_NEAR = N_("Le taux le plus bas est celui de « %(label)s » (%(rate)s) ; la "
                      "moyenne de l'Allier est de %(average)s.")
NO_DIAGNOSTIC = N_("Aucun diagnostic sur la période pour : %(labels)s.")
# Figures whose rows are definitions of one indicator, not rivals.
NOT_RIVALS = (N_("Définition"),)


def finding(figure, translate: Callable[..., str], percent: Callable[[float], str]) -> str | None:
    """The figure's finding in words (``translate``: the hub's gettext, with keywords;
    ``percent``: a share as the page writes it), or None."""
    if figure.table == "reach":
        return lowest_rate(figure.reach, translate)
    if figure.table == "trend":  # a period against the one before (kiosk.hub.trends)
        from .trends import finding as trend
        return trend(figure, translate, percent)
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


def lowest_rate(reach, translate: Callable[..., str]) -> str | None:
    """The least reached EPCI per inhabitant, said only when every EPCI's rate is
    published (a hidden one could be lower) and the page has the Allier's average."""
    from .sections import rate_text

    rates = [row.rate for row in reach.ranked]
    if reach.average is None or reach.average.rate.rate is None or len(rates) < 2 \
            or any(rate.rate is None for rate in rates):
        return None
    lowest = min(rates, key=lambda rate: rate.rate)
    if lowest.rate == 0:
        return translate(NO_DIAGNOSTIC, labels=", ".join(
            f"« {translate(row.row.label)} »" for row in reach.ranked if row.rate.rate == 0))
    if sum(rate.rate == lowest.rate for rate in rates) > 1:
        return None  # a tie has no single least reached
    label = translate(next(row.row.label for row in reach.ranked if row.rate is lowest))
    average = reach.average.rate.rate
    times = average / lowest.rate
    if times < 2:
        return translate(LOWEST_RATE_NEAR, label=label, rate=rate_text(lowest.rate),
                         average=rate_text(average))
    return translate(LOWEST_RATE, label=label, rate=rate_text(lowest.rate),
                     times=f"{times:.0f}" if times >= 10 else f"{times:.1f}".replace(".", ","),
                     average=rate_text(average))
