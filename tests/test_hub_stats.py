"""ISO weeks, Wilson intervals and kiosk silence: the hub's pure statistics."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from kiosk.hub import stats


def test_weeks_are_read_as_iso_weeks():
    assert stats.parse_week("2026-w5") == "2026-W05"
    assert stats.weeks_between("2025-W52", "2026-W02") == ["2025-W52", "2026-W01", "2026-W02"]
    with pytest.raises(ValueError):
        stats.parse_week("2025-W53")  # 2025 has 52 ISO weeks
    assert stats.week_start("2026-W01").isoformat() == "2025-12-29"


def test_wilson_interval_matches_the_formula_and_stays_in_bounds():
    # Reference values: R, binom::binom.confint(x, n, methods = "wilson").
    low, high = stats.wilson(0, 20)
    assert low == 0 and round(high, 7) == 0.1611252  # not the zero-width interval at 0 %
    low, high = stats.wilson(50, 200)
    assert round(low, 7) == 0.1950817 and round(high, 7) == 0.3143410
    with pytest.raises(ValueError):
        stats.wilson(3, 0)


def test_a_kiosk_is_silent_after_the_given_days_or_if_it_never_synced():
    now = datetime(2026, 3, 10, 12, tzinfo=timezone.utc)
    assert stats.is_silent(None, now, 7)
    assert stats.is_silent((now - timedelta(days=7)).isoformat(), now, 7)
    assert not stats.is_silent((now - timedelta(days=6, hours=23)).isoformat(), now, 7)
    assert stats.days_since("2026-03-01T12:00:00", now) == 9  # naive times are UTC


def test_a_last_sync_ahead_of_the_hubs_clock_is_of_unknown_age():
    """Stamped before the hub's clock was set back: silent (checked) until the kiosk
    syncs again, unless it is within a day (a small correction changes no day count)."""
    now = datetime(2026, 3, 10, 12, tzinfo=timezone.utc)
    ahead = (now + timedelta(days=30)).isoformat()
    assert stats.days_since(ahead, now) is None and stats.is_silent(ahead, now, 7)
    slightly = (now + timedelta(hours=23)).isoformat()
    assert stats.days_since(slightly, now) == 0 and not stats.is_silent(slightly, now, 7)
