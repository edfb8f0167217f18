"""pyHanko's synchronous API calls ``asyncio.run()``, which refuses to run in a thread that
already runs an event loop (a test harness, an async server). Such calls go to a
short-lived worker thread instead; everywhere else they run in place."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


def outside_event_loop(fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return fn(*args, **kwargs)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(fn, *args, **kwargs).result()
