"""Outgoing requests that survive Telegram's transient faults.

python-telegram-bot's AIORateLimiter waits out a 429 (``retry_after``) and sends again, but a
5xx answer or a broken connection reaches the handler as a NetworkError and the answer is
lost. RetryingRateLimiter also retries those, with a short exponential backoff, for every
call except getUpdates (which the updater's own loop already retries).

What is retried, and what is not (a retried request that Telegram had already carried out
would show the user the same message twice, and the Bot API has no idempotency key):

- retried: HTTP 5xx (Telegram did not carry the request out); a connection that could not be
  made, or that died without any answer (``ConnectError``, ``RemoteProtocolError``,
  ``ReadError``/``WriteError``: reset or closed, in practice a stale keep-alive connection or
  a proxy restarting); a pool, connect or write time-out (the request was not fully sent);
- not retried: a *read* time-out: Telegram is up but slow, the request reached it and was
  most likely carried out, so a late answer is better than a duplicate (the error handler
  logs it without apologising); 4xx errors (BadRequest, Forbidden, InvalidToken, Conflict),
  which would fail again; a 429 is AIORateLimiter's job (it waits ``retry_after``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

import httpx
from telegram.error import NetworkError, TimedOut
from telegram.ext import AIORateLimiter

log = logging.getLogger(__name__)

NETWORK_RETRIES = 3  # a transient fault is retried this many times ...
BACKOFF_SECONDS = 0.5  # ... after 0.5, 1, 2 seconds

_SAFE_TIMEOUTS = (httpx.ConnectTimeout, httpx.PoolTimeout, httpx.WriteTimeout)
_SAFE_ERRORS = (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)


def is_transient(error: BaseException) -> bool:
    """True for a fault worth sending again (see the module's docstring)."""
    if isinstance(error, TimedOut):
        cause = error.__cause__
        # A pool time-out is raised with the httpx error as its cause too; without a cause
        # we cannot tell whether the request went out, so it is not retried.
        return isinstance(cause, _SAFE_TIMEOUTS)
    if type(error) is not NetworkError:  # BadRequest, Forbidden ... are NetworkError subclasses
        return False
    cause = error.__cause__
    if cause is None:
        return True  # an HTTP error status from the server: 5xx (4xx have their own classes)
    return isinstance(cause, _SAFE_ERRORS)


class RetryingRateLimiter(AIORateLimiter):
    """AIORateLimiter that also retries transient network faults and 5xx answers."""

    def __init__(
        self,
        *,
        network_retries: int | None = None,
        backoff: float | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self._network_retries = network_retries
        self._backoff = backoff

    @property
    def network_retries(self) -> int:
        return NETWORK_RETRIES if self._network_retries is None else self._network_retries

    @property
    def backoff(self) -> float:
        return BACKOFF_SECONDS if self._backoff is None else self._backoff

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        attempt = 0
        while True:
            try:
                return await super().process_request(
                    callback, args, kwargs, endpoint, data, rate_limit_args
                )
            except NetworkError as exc:
                if attempt >= self.network_retries or not is_transient(exc):
                    raise
                delay = self.backoff * 2**attempt
                attempt += 1
                log.warning(
                    "%s failed (%s: %s); retry %d of %d in %.1f s",
                    endpoint,
                    type(exc).__name__,
                    exc,
                    attempt,
                    self.network_retries,
                    delay,
                )
                await asyncio.sleep(delay)
