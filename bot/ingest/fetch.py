"""Downloading a page an admin linked to, without letting the link reach what it should not.

The rules, each enforced here and nowhere else:

- only http and https, no user name or password in the link;
- the host name is resolved and *every* address it resolves to must be public (not private,
  loopback, link-local, multicast, reserved ...), unless the settings allow private ones; the
  connection then goes to an address that was checked, so a name cannot resolve to a public
  address for the check and to a private one for the connection;
- redirects are followed by hand, each one checked like the first link, at most
  `max_redirects` of them, and a redirect back to a link already visited is a loop;
- one deadline covers the whole download (name lookups, redirects, a server that sends a
  byte a second), enforced by closing the socket when it passes;
- at most `max_bytes` are read (also after gzip decompression); a larger Content-Length is
  refused before the body is read.
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import socket
import ssl
import threading
import time
import zlib
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote, urljoin, urlsplit

from bot.ingest.model import IngestError

if TYPE_CHECKING:
    from bot.config import Settings

USER_AGENT = "Mozilla/5.0 (compatible; vn-news-qa-bot/0.1; +https://github.com/)"
ACCEPT = (
    "text/html,application/xhtml+xml,application/pdf,"
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document;q=0.9,*/*;q=0.5"
)
REDIRECTS = (301, 302, 303, 307, 308)
READ_CHUNK = 64 * 1024

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True, slots=True)
class FetchPolicy:
    allow_private: bool = False
    timeout: float = 20.0  # seconds, the whole download
    max_bytes: int = 10_000_000
    max_redirects: int = 5

    @classmethod
    def from_settings(cls, settings: Settings) -> FetchPolicy:
        return cls(
            allow_private=settings.fetch_allow_private,
            timeout=settings.fetch_timeout,
            max_bytes=settings.fetch_max_bytes,
            max_redirects=settings.fetch_max_redirects,
        )


@dataclass(frozen=True, slots=True)
class Fetched:
    url: str  # where the content came from, after redirects
    requested: str
    media_type: str  # lower case, without parameters: "text/html"
    charset: str | None  # as the server declared it
    data: bytes


# --- Addresses ---------------------------------------------------------------------------


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries (mapped, 6to4, Teredo, NAT64): it is where the
    packets really go."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in ipaddress.IPv6Network("64:ff9b::/96"):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def is_public_address(address: Address) -> bool:
    """A global unicast address: not private, loopback, link-local, shared (CGNAT),
    reserved, unspecified, documentation or multicast; nor an IPv6 form of one."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None and not is_public_address(embedded):
            return False
    return address.is_global and not address.is_multicast


def check_address(address: Address, policy: FetchPolicy) -> None:
    if address.is_multicast or address.is_unspecified:
        raise IngestError(f"địa chỉ {address} không phải máy chủ web")
    if not policy.allow_private and not is_public_address(address):
        raise IngestError(
            f"đường dẫn trỏ tới địa chỉ nội bộ {address} (mạng riêng, máy này hoặc mạng cục "
            "bộ); bot không tải trang từ những địa chỉ đó"
        )


def resolve_host(host: str, port: int) -> list[str]:
    """The addresses of a host name (a seam for tests)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def open_connection(address: str, port: int, timeout: float) -> socket.socket:
    """A TCP connection to one checked address (a seam for tests)."""
    return socket.create_connection((address, port), timeout=timeout)


_RESOLVER = ThreadPoolExecutor(max_workers=2, thread_name_prefix="fetch-dns")


def _checked_addresses(host: str, port: int, policy: FetchPolicy, deadline: float) -> list[str]:
    try:
        literal = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        literal = None
    if literal is not None:
        addresses = [str(literal)]
    else:
        lookup = _RESOLVER.submit(resolve_host, host, port)
        try:
            addresses = lookup.result(timeout=max(0.0, deadline - time.monotonic()))
        except FutureTimeout:
            raise IngestError(f"không tra được địa chỉ của {host} kịp thời gian") from None
        except (OSError, UnicodeError):
            raise IngestError(f"không tìm thấy máy chủ {host} (tên miền sai?)") from None
    if not addresses:
        raise IngestError(f"không tìm thấy máy chủ {host}")
    for address in addresses:  # every one: a name with one private address is refused
        check_address(ipaddress.ip_address(address.split("%", 1)[0]), policy)
    return addresses


# --- Requests ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Target:
    url: str
    scheme: str
    host: str  # ASCII (IDNA) host name or address literal
    port: int
    path: str  # path and query, percent-encoded


def _target(url: str) -> _Target:
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise IngestError("đường dẫn không hợp lệ") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise IngestError("chỉ tải được đường dẫn http:// hoặc https://")
    if parts.username is not None or parts.password is not None:
        raise IngestError("đường dẫn có tên đăng nhập hoặc mật khẩu; hãy gửi đường dẫn công khai")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise IngestError("đường dẫn thiếu tên máy chủ")
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        raise IngestError(f"tên miền không hợp lệ: {host}") from None
    path = quote(parts.path or "/", safe="/%:@!$&'()*+,;=-._~")
    if parts.query:
        path += "?" + quote(parts.query, safe="/%:@!$&'()*+,;=-._~?")
    default = 443 if scheme == "https" else 80
    return _Target(url.strip(), scheme, host, port or default, path)


def _tls_context() -> ssl.SSLContext:
    try:
        import certifi  # the CA bundle python-telegram-bot's HTTP client already trusts
    except ImportError:
        return ssl.create_default_context()
    return ssl.create_default_context(cafile=certifi.where())


class _Watchdog:
    """Closes the socket when the deadline passes: no read can outlive it, however slowly
    the server drips its bytes."""

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        self.fired = False
        self._sock = sock
        self._timer = threading.Timer(max(0.0, deadline - time.monotonic()), self._fire)
        self._timer.daemon = True
        self._timer.start()

    def _fire(self) -> None:
        self.fired = True
        with contextlib.suppress(OSError):  # already closed
            self._sock.shutdown(socket.SHUT_RDWR)

    def cancel(self) -> None:
        self._timer.cancel()


def _connect(
    target: _Target, addresses: list[str], policy: FetchPolicy, deadline: float
) -> socket.socket:
    last_error: OSError | None = None
    for address in addresses:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        try:
            sock = open_connection(address, target.port, remaining)
        except OSError as exc:
            last_error = exc
            continue
        if target.scheme == "https":
            try:
                sock.settimeout(max(0.01, deadline - time.monotonic()))
                sock = _tls_context().wrap_socket(sock, server_hostname=target.host)
            except ssl.SSLCertVerificationError:
                sock.close()
                raise IngestError(
                    f"chứng chỉ bảo mật (HTTPS) của {target.host} không hợp lệ"
                ) from None
            except OSError as exc:
                sock.close()
                last_error = exc
                continue
        return sock
    if time.monotonic() >= deadline or isinstance(last_error, TimeoutError):
        raise _timed_out(policy.timeout)
    raise IngestError(f"không kết nối được tới {target.host}")


def _timed_out(seconds: float) -> IngestError:
    return IngestError(f"máy chủ trả lời quá chậm (quá {seconds:g} giây)")


def _read_body(response: http.client.HTTPResponse, policy: FetchPolicy) -> bytes:
    too_big = IngestError(
        f"trang hoặc tệp lớn quá giới hạn {policy.max_bytes:,} byte".replace(",", ".")
    )
    length = response.getheader("Content-Length")
    if length and length.strip().isdigit() and int(length) > policy.max_bytes:
        raise too_big
    encoding = (response.getheader("Content-Encoding") or "identity").strip().lower()
    if encoding not in ("identity", "gzip", "x-gzip", "deflate"):
        raise IngestError(f"máy chủ nén trang theo kiểu không hỗ trợ ({encoding})")
    inflate = None
    if encoding != "identity":
        inflate = zlib.decompressobj(zlib.MAX_WBITS | (16 if "gzip" in encoding else 0))
    body = bytearray()
    while True:
        chunk = response.read1(READ_CHUNK)
        if not chunk:
            break
        if inflate is not None:
            # Never more than the cap, whatever the compression ratio (a "zip bomb").
            chunk = inflate.decompress(chunk, policy.max_bytes + 1 - len(body))
        body += chunk
        if len(body) > policy.max_bytes:
            raise too_big
    if inflate is not None:
        body += inflate.flush()
        if len(body) > policy.max_bytes:
            raise too_big
    return bytes(body)


_STATUS_REASONS = {
    401: "trang cần đăng nhập",
    403: "máy chủ không cho tải trang này",
    404: "không tìm thấy trang (lỗi 404)",
    410: "trang đã bị gỡ",
    429: "máy chủ đang từ chối vì có quá nhiều yêu cầu; thử lại sau",
}


def _request(
    target: _Target, addresses: list[str], policy: FetchPolicy, deadline: float
) -> tuple[int, str | None, str, str | None, bytes]:
    """(status, Location, media type, charset, body); the body only for a 2xx answer."""
    sock = _connect(target, addresses, policy, deadline)
    watchdog = _Watchdog(sock, deadline)
    connection = http.client.HTTPConnection(target.host, target.port)
    connection.sock = sock  # already connected to a checked address (and TLS-wrapped)
    try:
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        connection.putrequest("GET", target.path, skip_accept_encoding=True)
        for name, value in (
            ("User-Agent", USER_AGENT),
            ("Accept", ACCEPT),
            ("Accept-Language", "vi,en;q=0.5"),
            ("Accept-Encoding", "gzip"),
            ("Connection", "close"),
        ):
            connection.putheader(name, value)
        connection.endheaders()
        response = connection.getresponse()
        status = response.status
        location = response.getheader("Location")
        content_type = response.getheader("Content-Type") or ""
        media_type, _, parameters = content_type.partition(";")
        charset = None
        for parameter in parameters.split(";"):
            key, _, value = parameter.partition("=")
            if key.strip().lower() == "charset" and value.strip():
                charset = value.strip().strip("\"'")
        body = _read_body(response, policy) if 200 <= status < 300 else b""
        if watchdog.fired:  # the socket was shut at the deadline: what came is incomplete
            raise _timed_out(policy.timeout)
        return status, location, media_type.strip().lower(), charset, body
    except (TimeoutError, OSError, http.client.HTTPException, zlib.error) as exc:
        if watchdog.fired or isinstance(exc, TimeoutError) or time.monotonic() >= deadline:
            raise _timed_out(policy.timeout) from None
        if isinstance(exc, zlib.error):
            raise IngestError("máy chủ gửi dữ liệu nén bị hỏng") from None
        raise IngestError(f"kết nối tới {target.host} bị ngắt giữa chừng") from None
    finally:
        watchdog.cancel()
        connection.close()


def fetch(url: str, policy: FetchPolicy) -> Fetched:
    """Download a link under the policy's rules; IngestError with the reason otherwise."""
    deadline = time.monotonic() + policy.timeout
    visited: list[str] = []
    current = url.strip()
    for _ in range(policy.max_redirects + 1):
        target = _target(current)
        addresses = _checked_addresses(target.host, target.port, policy, deadline)
        status, location, media_type, charset, body = _request(target, addresses, policy, deadline)
        if status in REDIRECTS:
            if not location:
                raise IngestError(f"máy chủ chuyển hướng (mã {status}) mà không nói tới đâu")
            visited.append(current.split("#", 1)[0])
            current = urljoin(current, location.strip())
            if current.split("#", 1)[0] in visited:
                raise IngestError("trang chuyển hướng vòng quanh, không dẫn tới bài viết nào")
            continue
        if not 200 <= status < 300:
            reason = _STATUS_REASONS.get(status)
            if reason is None:
                reason = (
                    f"máy chủ đang gặp lỗi (mã {status}); thử lại sau"
                    if status >= 500
                    else f"máy chủ trả lời mã {status}, không phải trang"
                )
            raise IngestError(reason)
        if not body.strip():
            raise IngestError("trang trống, không có nội dung")
        return Fetched(current, url.strip(), media_type, charset, body)
    raise IngestError(f"trang chuyển hướng quá {policy.max_redirects} lần")
