"""Links as the bot compares and stores them."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

# Query parameters that only say where a click came from: the same article, shared from
# Facebook or Zalo, must be recognised as the same link.
_TRACKING_RE = re.compile(
    r"^(?:utm_\w+|fbclid|gclid|gclsrc|dclid|msclkid|zarsrc|gidzl|_gl|mc_cid|mc_eid|igshid|"
    r"ref_src|share_source)$",
    re.IGNORECASE,
)
_DEFAULT_PORTS = {"http": 80, "https": 443}


def is_http_url(text: str) -> bool:
    """Something typed as a link: http:// or https:// and a host (not yet a safe one)."""
    try:
        parts = urlsplit(text.strip())
    except ValueError:
        return False
    return parts.scheme.lower() in _DEFAULT_PORTS and bool(parts.netloc)


def normalize_url(url: str) -> str:
    """The form links are compared and stored in: lower-case scheme and host, no default
    port, no fragment, no tracking parameters, non-ASCII in the path percent-encoded.
    Raises ValueError for something that is not a link."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if scheme not in _DEFAULT_PORTS or not host:
        raise ValueError(f"not an http(s) link: {url!r}")
    host = host.encode("idna").decode("ascii") if not host.isascii() else host.lower()
    if ":" in host:  # an IPv6 literal
        host = f"[{host}]"
    port = parts.port
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    path = quote(parts.path or "/", safe="/%:@!$&'()*+,;=-._~")
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not _TRACKING_RE.match(k)
    ]
    return urlunsplit((scheme, netloc, path, urlencode(query, safe="/%:@!$'()*+,;-._~"), ""))


def same_article_keys(*urls: str | None) -> tuple[str, ...]:
    """The normalised forms of the links given, skipping any that is not a link or is a
    site's front page (some sites give every page the home page as its canonical link)."""
    keys: list[str] = []
    for url in urls:
        if not url or not is_http_url(url):
            continue
        try:
            key = normalize_url(url)
        except ValueError:
            continue
        if urlsplit(key).path in ("", "/") and not urlsplit(key).query:
            continue
        if key not in keys:
            keys.append(key)
    return tuple(keys)
