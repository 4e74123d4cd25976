"""Growing waits between failed tries, shared by the hub's logins and the kiosk's
mediator codes. Pure."""
from __future__ import annotations

import math
from datetime import datetime, timedelta


def wait_seconds(failures: list[str], allowance: int, first: int, ceiling: int,
                 now: datetime) -> int:
    """Seconds to wait before the next try, given the ``failures`` (ISO times, ascending)
    of one key: none within the ``allowance``, then ``first`` seconds after the last
    failure, doubling with each further one, at most ``ceiling``."""
    over = len(failures) - allowance
    if over < 0:
        return 0
    wait = min(ceiling, first * 2 ** min(over, 20))
    ready = datetime.fromisoformat(failures[-1]) + timedelta(seconds=wait)
    return max(0, math.ceil((ready - now).total_seconds()))
