"""Outbound WeChat API calls (customer-service messages, media) with one access token for all processes.

WeChat allows 2,000 token fetches a day and every fetch invalidates the tokens fetched before it
(after a short grace period), so the token lives in Redis and is refreshed under a Redis lock: only
one process fetches, the others wait for it and read the result.

Errors are turned into what the caller has to do next:

- ``OutsideWindowError`` (45015): the resident's 48-hour window is closed; keep the message until
  they write again.
- ``RetryableError`` (45009 rate limit, -1 system busy, HTTP 5xx, timeouts, connection errors, a
  token that keeps being refused): try again later.
- ``WeChatAPIError``: anything else (bad openid, content too long …); retrying will not help.

Both special errors subclass ``WeChatAPIError``, so catch them before it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import requests
from redis.exceptions import LockError, RedisError
from redis.lock import Lock
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException

from bot.redaction import redact

logger = logging.getLogger(__name__)

TOKEN_ERRCODES = frozenset({40001, 40014, 42001})
OUTSIDE_WINDOW_ERRCODE = 45015
RETRYABLE_ERRCODES = frozenset({-1, 45009})
# Stored a little shorter than WeChat's expires_in so no process ever uses a token in its last minutes.
TOKEN_EXPIRY_MARGIN_SECONDS = 300
MIN_TOKEN_TTL_SECONDS = 60


class WeChatAPIError(Exception):
    """WeChat refused a call with an errcode that retrying will not fix."""

    def __init__(self, errcode: int | None, errmsg: str | None) -> None:
        errmsg = redact(errmsg) if isinstance(errmsg, str) else errmsg
        super().__init__(f"WeChat API error {errcode}: {errmsg}")
        self.errcode = errcode
        self.errmsg = errmsg


class OutsideWindowError(WeChatAPIError):
    """45015: the resident has not interacted in 48 hours (or unsubscribed); wait for their next message."""


class RetryableError(WeChatAPIError):
    """Rate limit, busy server, timeout or network failure: the same call may succeed later."""


def normalise_api_base(api_base: str) -> str:
    """``https://host`` or ``https://host/cgi-bin/`` → ``https://host/cgi-bin/``."""
    base = api_base.strip().rstrip("/")
    if base.endswith("/cgi-bin"):
        base = base[: -len("/cgi-bin")]
    return f"{base}/cgi-bin/"


class _SharedTokenClient(WeChatClient):
    """wechatpy's client pointed at ``api_base``, taking its token from the shared Redis store."""

    def __init__(self, appid: str, secret: str, api_base: str, timeout: float, token_source: Callable[[], str]) -> None:
        # auto_retry off: WeChatAPI retries itself, invalidating only the token that failed.
        super().__init__(appid, secret, timeout=timeout, auto_retry=False)
        self.API_BASE_URL = api_base
        self._token_source = token_source

    @property
    def access_token(self) -> str:
        """The shared token (used when a wechatpy API is called without an explicit token)."""
        return self._token_source()

    def fetch_access_token(self) -> dict[str, Any]:
        """One GET /cgi-bin/token at api_base, with the timeout wechatpy would otherwise omit."""
        response = self._http.get(
            f"{self.API_BASE_URL}token",
            params={"grant_type": "client_credential", "appid": self.appid, "secret": self.secret},
            timeout=self.timeout,
        )
        response.raise_for_status()
        result = response.json()
        if result.get("errcode"):
            raise WeChatClientException(
                result["errcode"], result.get("errmsg"), client=self, request=response.request, response=response
            )
        return result


class WeChatAPI:
    """Customer-service messages and media downloads through one Redis-shared access token."""

    def __init__(
        self,
        redis: Any,
        appid: str,
        secret: str,
        api_base: str = "https://api.weixin.qq.com",
        timeout: float = 5.0,
        key_prefix: str = "",
        send_timeout: float | None = None,
    ) -> None:
        self.redis = redis
        self.timeout = timeout
        # Sends run in jobs, not in the 5-second reply: waiting out a slow WeChat there costs
        # nothing, while giving up early and sending again would show the resident a copy.
        self.send_timeout = max(timeout, send_timeout or timeout)
        self.token_key = f"{key_prefix}wechat:access_token"
        self.lock_key = f"{key_prefix}wechat:access_token:lock"
        self.client = _SharedTokenClient(appid, secret, normalise_api_base(api_base), timeout, self.access_token)

    # --- token -------------------------------------------------------------------------------

    def access_token(self) -> str:
        """The shared token, fetching one (under the lock) only when Redis has none."""
        cached = self._cached_token()
        return cached if cached else self._refresh_token(stale_token=None)

    def invalidate_token(self, failed_token: str) -> str:
        """Replace the shared token if it is still ``failed_token``; return the token to use now."""
        return self._refresh_token(stale_token=failed_token)

    def _cached_token(self) -> str | None:
        try:
            value = self.redis.get(self.token_key)
        except RedisError as error:
            # Without the shared store, fetching our own token would knock out every other process.
            raise RetryableError(None, f"Redis unavailable for the access token: {error}") from error
        if value is None:
            return None
        return value.decode() if isinstance(value, bytes) else str(value)

    def _refresh_token(self, stale_token: str | None) -> str:
        """Fetch a new token unless another process already replaced the one we have (or lack)."""
        # Lock long enough for one slow fetch; waiters give up after about the same time.
        lock = self.redis.lock(
            self.lock_key, timeout=self.timeout * 2 + 5, blocking_timeout=self.timeout * 2 + 5, sleep=0.05
        )
        try:
            acquired = lock.acquire()
        except (LockError, RedisError) as error:
            raise RetryableError(None, f"could not take the access-token lock: {error}") from error
        if not acquired:
            raise RetryableError(None, "timed out waiting for another process to refresh the access token")
        try:
            current = self._cached_token()
            if current and current != stale_token:
                return current
            return self._fetch_and_store_token()
        finally:
            self._release(lock)

    def _fetch_and_store_token(self) -> str:
        try:
            result = self._translate_errors(self.client.fetch_access_token)
        except _TokenRejected as error:
            # 40001 from /token itself means a wrong secret (older servers), not a stale token.
            raise WeChatAPIError(error.errcode, f"{error.errmsg} (check WECHAT_APPID / WECHAT_SECRET)") from error
        token = result["access_token"]
        expires_in = int(result.get("expires_in", 7200))
        ttl = max(MIN_TOKEN_TTL_SECONDS, expires_in - TOKEN_EXPIRY_MARGIN_SECONDS)
        try:
            self.redis.set(self.token_key, token, ex=ttl)
        except RedisError as error:
            raise RetryableError(None, f"Redis unavailable for the access token: {error}") from error
        logger.info("fetched a new WeChat access token (stored for %s s)", ttl)
        return token

    @staticmethod
    def _release(lock: Lock) -> None:
        try:
            lock.release()
        except LockError:
            # The lock expired during a very slow fetch; the token we stored is still good.
            logger.warning("access-token lock expired before release")

    # --- calls -------------------------------------------------------------------------------

    def send_text(self, openid: str, text: str) -> dict[str, Any]:
        """Send a customer-service text message to one resident."""
        payload = {"touser": openid, "msgtype": "text", "text": {"content": text}}
        return self.send_custom_message(payload)

    def send_custom_message(self, payload: dict[str, Any]) -> dict[str, Any]:
        """POST any customer-service message body (text, image, news …) as WeChat documents it."""
        return self._call_with_token(
            lambda token: self.client.post(
                "message/custom/send", params={"access_token": token}, data=dict(payload), timeout=self.send_timeout
            ),
            timeout=self.send_timeout,
        )

    def download_media(self, media_id: str) -> bytes:
        """The bytes of a resident's photo or voice note (temporary media, kept 3 days by WeChat)."""
        response = self._call_with_token(
            lambda token: self.client.get("media/get", params={"access_token": token, "media_id": media_id})
        )
        if isinstance(response, dict):
            # A JSON body without an errcode is not media (video media answers with a URL instead).
            raise WeChatAPIError(None, f"media/get returned JSON instead of bytes: {response}")
        return response.content

    def _call_with_token(self, call: Callable[[str], Any], timeout: float | None = None) -> Any:
        """Run ``call(token)``; on a token error replace that token and retry exactly once."""
        token = self.access_token()
        try:
            return self._translate_errors(lambda: call(token), timeout)
        except _TokenRejected:
            logger.info("WeChat refused the access token; refreshing and retrying once")
        fresh_token = self.invalidate_token(token)
        try:
            return self._translate_errors(lambda: call(fresh_token), timeout)
        except _TokenRejected as error:
            # Refused twice in a row: someone else is churning tokens; let the caller retry later.
            raise RetryableError(error.errcode, error.errmsg) from error

    def _translate_errors(self, call: Callable[[], Any], timeout: float | None = None) -> Any:
        """Map requests/wechatpy failures to this module's exceptions (messages redacted: a
        requests error quotes the URL, with its access_token or secret)."""
        try:
            return call()
        except requests.Timeout as error:
            # The message may still have been delivered; a retry can duplicate it, never lose it.
            raise RetryableError(None, f"WeChat API timed out after {timeout or self.timeout} s") from error
        except requests.ConnectionError as error:
            raise RetryableError(None, redact(f"cannot reach the WeChat API: {error}")) from error
        except requests.HTTPError as error:
            raise _http_error(error.response) from error
        except WeChatClientException as error:
            raise _api_error(error) from error


class _TokenRejected(WeChatAPIError):
    """Internal: the token used was invalid or expired (40001/40014/42001)."""


def _http_error(response: requests.Response | None) -> WeChatAPIError:
    status = response.status_code if response is not None else None
    if status is None or status >= 500 or status == 429:
        return RetryableError(None, f"HTTP {status} from the WeChat API")
    return WeChatAPIError(None, f"HTTP {status} from the WeChat API")


def _api_error(error: WeChatClientException) -> WeChatAPIError:
    errcode = error.errcode
    if errcode is None:
        # wechatpy's own raise_for_status wrapper: an HTTP-level failure.
        return _http_error(error.response)
    if errcode in TOKEN_ERRCODES:
        return _TokenRejected(errcode, error.errmsg)
    if errcode == OUTSIDE_WINDOW_ERRCODE:
        return OutsideWindowError(errcode, error.errmsg)
    if errcode in RETRYABLE_ERRCODES:
        return RetryableError(errcode, error.errmsg)
    return WeChatAPIError(errcode, error.errmsg)
