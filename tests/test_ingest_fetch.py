"""Fetching a link: only public http(s) addresses, bounded in time, size and redirects."""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Iterator

import pytest

from bot.ingest import fetch as fetching
from bot.ingest.fetch import FetchPolicy, fetch, is_public_address
from bot.ingest.model import IngestError
from tests.news_site import BRIDGE, NewsSite, provincial_page

LOOPBACK = FetchPolicy(allow_private=True, timeout=3, max_bytes=1_000_000, max_redirects=5)
PUBLIC_ONLY = FetchPolicy(allow_private=False, timeout=3, max_bytes=1_000_000)
PUBLIC_ADDRESS = "93.184.216.34"  # what the fake public host names resolve to


@pytest.fixture
def site() -> Iterator[NewsSite]:
    with NewsSite() as news:
        yield news


@pytest.fixture
def no_connections(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Fails any connection attempt; the refusal must come before one is made."""
    attempts: list[str] = []

    def refuse(address: str, port: int, timeout: float) -> socket.socket:
        attempts.append(address)
        raise AssertionError(f"connected to {address}")

    monkeypatch.setattr(fetching, "open_connection", refuse)
    return attempts


@pytest.fixture
def public_names(monkeypatch: pytest.MonkeyPatch, site: NewsSite) -> None:
    """Host names ending in .example resolve to a public address, and connections to it
    reach the loopback site: a stand-in for a real news site on the internet."""
    real_resolve, real_open = fetching.resolve_host, fetching.open_connection

    def resolve(host: str, port: int) -> list[str]:
        if host == "mixed.example":
            return [PUBLIC_ADDRESS, "10.0.0.7"]
        return [PUBLIC_ADDRESS] if host.endswith(".example") else real_resolve(host, port)

    def connect(address: str, port: int, timeout: float) -> socket.socket:
        if address == PUBLIC_ADDRESS:
            return real_open("127.0.0.1", site.port, timeout)
        return real_open(address, port, timeout)

    monkeypatch.setattr(fetching, "resolve_host", resolve)
    monkeypatch.setattr(fetching, "open_connection", connect)


def test_a_page_is_fetched_with_its_charset_after_a_redirect(site: NewsSite) -> None:
    page = provincial_page(BRIDGE)
    site.page("/tin/cau.html", page, content_type="text/html; charset=UTF-8")
    short = site.redirect("/r/1", "/tin/cau.html", status=301)
    fetched = fetch(short, LOOPBACK)
    assert fetched.url == site.url("/tin/cau.html")
    assert fetched.requested == short
    assert (fetched.media_type, fetched.charset) == ("text/html", "UTF-8")
    assert fetched.data == page.encode()


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.8.9.10",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "255.255.255.255",
        "224.0.0.1",
        "::1",
        "fe80::1",
        "fc00::1",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "64:ff9b::a00:1",
        "2002:c0a8:101::1",
        "2001:db8::1",
    ],
)
def test_private_loopback_link_local_and_multicast_addresses_are_not_public(address: str) -> None:
    assert not is_public_address(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700::1111"])
def test_public_addresses_are_public(address: str) -> None:
    assert is_public_address(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://localhost:8080/admin",
        "http://[::1]/",
        "http://10.0.0.5/x",
        "http://192.168.1.1/cgi-bin/",
        "http://169.254.169.254/latest/meta-data/",
        "http://2130706433/",
        "http://0x7f000001/",
        "http://[::ffff:127.0.0.1]/",
        "http://0.0.0.0/",
    ],
)
def test_links_to_the_bots_own_network_are_refused_before_connecting(
    url: str, no_connections: list[str]
) -> None:
    with pytest.raises(IngestError) as refused:
        fetch(url, PUBLIC_ONLY)
    reason = str(refused.value)
    assert "nội bộ" in reason or "không phải máy chủ web" in reason, reason
    assert no_connections == []


def test_a_name_with_one_private_address_among_public_ones_is_refused(
    public_names: None, site: NewsSite
) -> None:
    with pytest.raises(IngestError, match=r"nội bộ 10\.0\.0\.7"):
        fetch("http://mixed.example/tin.html", PUBLIC_ONLY)
    assert site.requests == []


def test_a_redirect_to_a_private_address_is_checked_like_the_first_link(
    public_names: None, site: NewsSite
) -> None:
    site.page("/tin/cau.html", provincial_page(BRIDGE))
    site.redirect("/chuyen", site.url("/noi-bo"))  # to 127.0.0.1
    site.redirect("/chuyen-ten", f"http://localhost:{site.port}/noi-bo")
    assert fetch("http://baodongkhoi.example/tin/cau.html", PUBLIC_ONLY).data  # public: fine
    for path in ("/chuyen", "/chuyen-ten"):
        with pytest.raises(IngestError, match="nội bộ"):
            fetch(f"http://baodongkhoi.example{path}", PUBLIC_ONLY)
    assert "/noi-bo" not in site.requests


@pytest.mark.parametrize(
    "url, reason",
    [
        ("ftp://example.org/bai.html", "http:// hoặc https://"),
        ("file:///etc/passwd", "http:// hoặc https://"),
        ("javascript:alert(1)", "http:// hoặc https://"),
        ("http://admin:matkhau@example.org/", "mật khẩu"),
        ("http:///khong-co-may-chu", "thiếu tên máy chủ"),
        ("http://example.org:99999/", "không hợp lệ"),
    ],
)
def test_only_plain_http_and_https_links(url: str, reason: str, no_connections: list[str]) -> None:
    with pytest.raises(IngestError, match=reason):
        fetch(url, PUBLIC_ONLY)


def test_a_redirect_loop_is_refused(site: NewsSite) -> None:
    site.redirect("/a", "/b")
    site.redirect("/b", "/a")
    with pytest.raises(IngestError, match="vòng quanh"):
        fetch(site.url("/a"), LOOPBACK)
    assert site.requests == ["/a", "/b"]


def test_too_many_redirects_are_refused(site: NewsSite) -> None:
    for number in range(8):
        site.redirect(f"/r{number}", f"/r{number + 1}")
    with pytest.raises(IngestError, match="quá 5 lần"):
        fetch(site.url("/r0"), LOOPBACK)
    assert len(site.requests) == 6


def test_a_50_mb_download_is_refused_without_reading_it(site: NewsSite) -> None:
    url = site.huge("/video.html", 50_000_000, declare_length=True)
    started = time.monotonic()
    with pytest.raises(IngestError, match=r"lớn quá giới hạn 1\.000\.000 byte"):
        fetch(url, LOOPBACK)
    assert time.monotonic() - started < 2


def test_a_download_without_a_length_stops_at_the_limit(site: NewsSite) -> None:
    url = site.huge("/stream.html", 50_000_000, declare_length=False)
    with pytest.raises(IngestError, match="lớn quá giới hạn"):
        fetch(url, LOOPBACK)


def test_a_compressed_page_is_limited_after_decompression(site: NewsSite) -> None:
    url = site.huge("/bomb.html", 50_000_000, declare_length=True, gzipped=True)
    with pytest.raises(IngestError, match="lớn quá giới hạn"):
        fetch(url, LOOPBACK)


def test_a_server_that_does_not_answer_is_given_up_on_time(site: NewsSite) -> None:
    url = site.silent("/cham.html", 30)
    started = time.monotonic()
    with pytest.raises(IngestError, match=r"quá chậm \(quá 1 giây\)"):
        fetch(url, FetchPolicy(allow_private=True, timeout=1))
    assert time.monotonic() - started < 2.5


def test_a_server_that_drips_bytes_is_given_up_on_time(site: NewsSite) -> None:
    url = site.drip("/nho-giot.html", every=0.05)
    started = time.monotonic()
    with pytest.raises(IngestError, match="quá chậm"):
        fetch(url, FetchPolicy(allow_private=True, timeout=1))
    assert time.monotonic() - started < 2.5


@pytest.mark.parametrize(
    "status, reason",
    [
        (404, "không tìm thấy trang"),
        (403, "không cho tải"),
        (500, "đang gặp lỗi"),
        (204, "trang trống"),
    ],
)
def test_error_answers_say_what_happened(site: NewsSite, status: int, reason: str) -> None:
    url = site.page("/loi.html", "" if status == 204 else "<p>lỗi</p>", status=status)
    with pytest.raises(IngestError, match=reason):
        fetch(url, LOOPBACK)


def test_an_unknown_host_name_is_a_clear_refusal(
    no_connections: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def unknown(host: str, port: int) -> list[str]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    def hanging(host: str, port: int) -> list[str]:
        time.sleep(5)
        return [PUBLIC_ADDRESS]

    monkeypatch.setattr(fetching, "resolve_host", unknown)
    with pytest.raises(IngestError, match=r"không tìm thấy máy chủ khong-ton-tai\.vn"):
        fetch("http://khong-ton-tai.vn/bai.html", PUBLIC_ONLY)
    monkeypatch.setattr(fetching, "resolve_host", hanging)
    started = time.monotonic()
    with pytest.raises(IngestError, match=r"không tra được địa chỉ của cham\.vn kịp thời gian"):
        fetch("http://cham.vn/bai.html", FetchPolicy(timeout=1))
    assert time.monotonic() - started < 2


def test_settings_make_the_policy() -> None:
    from bot.config import load_settings

    settings = load_settings(
        environ={
            "BOT_FETCH_ALLOW_PRIVATE": "1",
            "BOT_FETCH_TIMEOUT": "2.5",
            "BOT_FETCH_MAX_BYTES": "12345",
            "BOT_FETCH_MAX_REDIRECTS": "0",
        }
    )
    assert FetchPolicy.from_settings(settings) == FetchPolicy(True, 2.5, 12345, 0)
    assert FetchPolicy.from_settings(load_settings(environ={})) == FetchPolicy()
