"""A Vietnamese news site on loopback, for the tests of adding articles by link.

The pages are written for the tests in the markup shapes of common Vietnamese news sites:
the body in nested divs, a lead ("sapo") in its own element, captions, related-article
boxes, share buttons, tags and comments around it. Routes can also misbehave: redirect in a
loop, answer slowly, drip bytes, send 50 MB.
"""

from __future__ import annotations

import contextlib
import gzip
import threading
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# --- The articles -------------------------------------------------------------------------


@dataclass(frozen=True)
class NewsArticle:
    title: str
    date: str  # as the bot shows it
    author: str
    lead: str
    body: tuple[str, ...]
    question: str  # a question the article answers
    answer: str  # words of the passage that answers it

    @property
    def paragraphs(self) -> tuple[str, ...]:
        return (self.lead, *self.body)


BRIDGE = NewsArticle(
    title="Khánh thành cầu Rạch Miễu 2 nối đôi bờ sông Tiền",
    date="15/03/2024 - 08:00",
    author="Minh Anh",
    lead=(
        "Sáng 15-3-2024, tỉnh Bến Tre khánh thành cầu Rạch Miễu 2 nối liền hai bờ sông Tiền, "
        "sau hơn ba năm thi công."
    ),
    body=(
        "Cây cầu dài 17 km, tổng vốn đầu tư hơn 6.800 tỷ đồng, do Bộ Giao thông vận tải làm chủ "
        "đầu tư. Công trình gồm cầu chính dây văng và hai cầu dẫn.",
        "Ông Trần Ngọc Tam, Chủ tịch UBND tỉnh Bến Tre, cắt băng khánh thành công trình. Ông cho "
        "biết cây cầu giúp giảm tải cho cầu Rạch Miễu cũ, vốn thường xuyên ùn tắc vào dịp lễ, Tết.",
        "Theo kế hoạch, từ ngày 16-3, các loại xe ô tô dưới 30 chỗ được lưu thông qua cầu mới. Xe "
        "tải nặng tiếp tục đi trên tuyến tránh để bảo đảm an toàn cho công trình trong thời gian "
        "đầu khai thác.",
        "Người dân hai bên bờ sông Tiền phấn khởi khi cây cầu đi vào hoạt động, thời gian đi từ "
        "thành phố Bến Tre đến Mỹ Tho rút ngắn còn khoảng 20 phút.",
    ),
    question="Ai cắt băng khánh thành cầu Rạch Miễu 2?",
    answer="Ông Trần Ngọc Tam",
)

BUSES = NewsArticle(
    title="Hà Nội mở thêm 5 tuyến buýt điện từ tháng 4",
    date="20/03/2024 - 06:30",
    author="Võ Hải",
    lead=(
        "Từ ngày 1-4, Hà Nội đưa vào khai thác 5 tuyến xe buýt điện mới, nâng tổng số tuyến buýt "
        "điện của thành phố lên 15."
    ),
    body=(
        "Theo Sở Giao thông vận tải Hà Nội, 5 tuyến mới nối trung tâm thành phố với các huyện "
        "Đông Anh, Gia Lâm và Hoài Đức. Mỗi tuyến có từ 10 đến 14 xe, tần suất 15-20 phút một "
        "chuyến.",
        "Giá vé lượt là 7.000 đồng, vé tháng 100.000 đồng, tương tự các tuyến buýt thông thường. "
        "Học sinh, sinh viên được giảm nửa giá vé tháng.",
        "Ông Nguyễn Phi Thường, Giám đốc Sở Giao thông vận tải, cho biết đến năm 2030, toàn bộ xe "
        "buýt của thành phố sẽ dùng điện hoặc năng lượng xanh.",
    ),
    question="Giá vé lượt xe buýt điện bao nhiêu?",
    answer="7.000 đồng",
)

FESTIVAL = NewsArticle(
    title="Lễ hội Dừa Bến Tre lần thứ VI thu hút hơn 50.000 lượt khách",
    date="12/04/2024 - 19:45",
    author="Thanh Tâm",
    lead=(
        "Tối 12-4-2024, UBND tỉnh Bến Tre khai mạc Lễ hội Dừa lần thứ VI tại quảng trường Đồng "
        "Khởi với chủ đề “Bến Tre - Sắc màu xứ Dừa”."
    ),
    body=(
        "Lễ hội kéo dài bốn ngày, gồm hội chợ sản phẩm dừa, thi làm bánh xèo và đêm nhạc đờn ca "
        "tài tử. Ban tổ chức ước tính lễ hội đón hơn 50.000 lượt khách tham quan.",
        "Bà Nguyễn Thị Bé Mười, Phó Chủ tịch UBND tỉnh, cho biết tỉnh hiện có hơn 79.000 ha dừa, "
        "nhiều nhất cả nước, trong đó hơn 24.000 ha đạt chuẩn hữu cơ.",
        "Nhân dịp lễ hội, 25 doanh nghiệp ký kết hợp đồng tiêu thụ sản phẩm dừa với tổng giá trị "
        "hơn 300 tỷ đồng.",
    ),
    question="Tỉnh Bến Tre có bao nhiêu ha dừa?",
    answer="79.000 ha dừa",
)

_CHROME_TOP = """
<div id="header"><div class="logo"><a href="/">Báo Đồng Khởi</a></div>
<ul class="menu"><li><a href="/thoi-su">Thời sự</a></li><li><a href="/kinh-te">Kinh tế</a></li>
<li><a href="/xa-hoi">Xã hội</a></li><li><a href="/van-hoa">Văn hóa</a></li></ul></div>"""
_CHROME_BOTTOM = """
<div id="footer"><p>Cơ quan chủ quản: Tỉnh ủy Bến Tre. Giấy phép số 123/GP-BTTTT.</p>
<p>© Báo Đồng Khởi. Ghi rõ nguồn khi phát hành lại thông tin từ website này.</p></div>"""
RELATED = ("Thông xe kỹ thuật cầu Rạch Miễu 2", "Bến Tre đẩy nhanh các công trình giao thông")
COMMENTS = (
    "Cầu đẹp quá, mong sớm cho xe tải đi để hàng hóa lưu thông nhanh hơn.",
    "Cảm ơn báo đã đưa tin, người dân Chợ Lách rất vui mừng.",
)
CAPTION = "Cầu Rạch Miễu 2 nhìn từ trên cao. Ảnh: Minh Anh"


def provincial_page(article: NewsArticle, *, url: str | None = None) -> str:
    """A provincial paper's page: nested divs, the lead in div.detail-sapo, a figure with a
    caption and a related box inside the body, share buttons, tags and comments around."""
    day, time_of_day = article.date.split(" - ")
    canonical = f'<link rel="canonical" href="{url}">' if url else ""
    body = list(article.body)
    return f"""<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8">
<title>{article.title} - Báo Đồng Khởi</title>
<meta property="og:title" content="{article.title}">
{canonical}
<meta name="description" content="{article.lead[:60]}">
</head><body>{_CHROME_TOP}
<div class="wrapper"><div class="main-content"><div class="col-left"><div class="detail-news">
<div class="breadcrumb"><a href="/">Trang chủ</a> » <a href="/kinh-te">Kinh tế</a></div>
<h1 class="detail-title">{article.title}</h1>
<div class="detail-time">Thứ Sáu, {day} - {time_of_day}</div>
<div class="share-tools"><a href="#">Chia sẻ</a> <a href="#">Facebook</a> <a href="#">Zalo</a>
<a href="#">In bài</a></div>
<div class="detail-sapo"><strong>{article.lead}</strong></div>
<div class="detail-content"><div class="content-body"><div class="article-body">
<p>{body[0]}</p>
<figure class="image"><img src="/img/1.jpg" alt=""><figcaption>{CAPTION}</figcaption></figure>
<p>{body[1]}</p>
<div class="related-news"><h3>Tin liên quan</h3><ul>
<li><a href="/tin/1.html">{RELATED[0]}</a></li><li><a href="/tin/2.html">{RELATED[1]}</a></li>
</ul></div>
{"".join(f"<p>{p}</p>" for p in body[2:])}
<p style="text-align:right"><strong>{article.author}</strong></p>
</div></div></div>
<div class="tags">Từ khóa: <a href="#">Bến Tre</a> <a href="#">giao thông</a></div>
<div class="share-bottom">Chia sẻ bài viết: <a href="#">Facebook</a> <a href="#">Twitter</a></div>
<div class="comments"><h3>Bình luận (2)</h3>
<div class="comment-item"><span class="name">Nguyễn Văn Bình</span><p>{COMMENTS[0]}</p></div>
<div class="comment-item"><span class="name">Lê Thị Hoa</span><p>{COMMENTS[1]}</p></div>
<form><textarea></textarea><button>Gửi bình luận</button></form></div>
</div></div>
<div class="col-right"><div class="most-read"><h3>Đọc nhiều</h3><ul>
<li><a href="/tin/9.html">Giá lúa tăng mạnh đầu vụ</a></li>
<li><a href="/tin/10.html">Bến Tre: Hội thi tiếng hát người cao tuổi</a></li></ul></div></div>
</div></div>{_CHROME_BOTTOM}
</body></html>"""


def national_page(article: NewsArticle) -> str:
    """A national site's page: metadata dates and author, the lead in p.description, the
    body in article.fck_detail with a captioned figure and a related box, comments below."""
    day, time_of_day = article.date.split(" - ")
    d, m, y = day.split("/")
    iso = f"{y}-{m}-{d}T{time_of_day}:00+07:00"
    body = list(article.body)
    return f"""<!DOCTYPE html><html lang="vi"><head><meta charset="UTF-8">
<title>{article.title} - VnExpress</title>
<meta name="pubdate" content="{iso}">
<meta property="article:published_time" content="{iso}">
<meta name="author" content="{article.author}">
</head><body>
<header class="section page-header"><nav class="main-nav"><ul><li><a href="/thoi-su">Thời sự</a>
</li><li><a href="/goc-nhin">Góc nhìn</a></li></ul></nav></header>
<section class="section page-detail top-detail"><div class="container"><div class="sidebar-1">
<div class="header-content width_common"><ul class="breadcrumb"><li><a href="/thoi-su">Thời sự</a>
</li></ul><span class="date">Thứ tư, {int(d)}/{int(m)}/{y}, {time_of_day} (GMT+7)</span></div>
<h1 class="title-detail">{article.title}</h1>
<p class="description">{article.lead}</p>
<article class="fck_detail">
<p class="Normal">{body[0]}</p>
<figure class="tplCaption"><div class="fig-picture"><picture><img alt="" src="/a.jpg"></picture>
</div><figcaption itemprop="description"><p class="Image">{CAPTION}</p></figcaption></figure>
<p class="Normal">{body[1]}</p>
<div class="box-tinlienquanv2"><article class="item-news"><h4 class="title-news">
<a href="/a.html">{RELATED[0]}</a></h4><p class="description">{RELATED[1]}, người dân phấn khởi
khi các công trình sớm hoàn thành và đi vào sử dụng.</p></article></div>
{"".join(f'<p class="Normal">{p}</p>' for p in body[2:])}
<p class="Normal" style="text-align:right;"><strong>{article.author}</strong></p>
</article>
<div class="footer-content"><div class="social_pin"><a class="btn_facebook" href="#">Facebook</a>
<a class="btn_twitter" href="#">Twitter</a><a href="#">Sao chép liên kết</a></div></div>
<div id="box_comment_vne" class="box_comment_vne"><h3 class="title_box_category">Ý kiến (2)</h3>
<div class="comment_item"><p class="full_content"><b>Trần Nam</b> {COMMENTS[0]}</p></div>
<div class="comment_item"><p class="full_content"><b>Hoa</b> {COMMENTS[1]}</p></div></div>
</div></div></section>
<footer><p>Báo tiếng Việt nhiều người xem nhất. Số giấy phép: 548/GP-BTTTT</p></footer>
</body></html>"""


def old_table_page(article: NewsArticle, *, charset: str | None, font: str | None = None) -> str:
    """An old provincial portal: a table layout, a <font> per paragraph (VNI-Times or
    .VnTime on pages typed in those encodings), the charset in a <meta> or nowhere."""
    meta = (
        f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">'
        if charset
        else ""
    )
    face = f' face="{font}"' if font else ""
    paragraphs = "".join(
        f'<p align="justify"><font{face} size="2">{p}</font></p>' for p in article.body
    )
    return f"""<html><head>{meta}<title>{article.title}</title></head>
<body><table width="780" border="0"><tr><td colspan="2"><img src="/banner.gif"></td></tr>
<tr><td width="180" valign="top"><font{face}><a href="/">Trang chủ</a><br><a href="/tin">Tin tức
</a><br><a href="/lh">Liên hệ</a></font></td>
<td valign="top"><font{face} size="4"><b>{article.title}</b></font><br>
<font{face} size="1">Ngày {article.date.split(" - ")[0]}</font>
<p><font{face} size="2"><b>{article.lead}</b></font></p>
{paragraphs}
<p align="right"><font{face} size="2"><b>{article.author}</b></font></p></td></tr>
<tr><td colspan="2"><font{face} size="1">Cổng thông tin điện tử tỉnh Bến Tre. Địa chỉ: 7
Cách Mạng Tháng Tám, phường 3, thành phố Bến Tre. Điện thoại: 0275.3822.211</font></td></tr>
</table></body></html>"""


LISTING_PAGE = """<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">
<title>Thời sự - Báo Đồng Khởi</title></head><body>
<div id="header"><ul class="menu"><li><a href="/thoi-su">Thời sự</a></li></ul></div>
<div class="category"><h1>Thời sự</h1><ul class="list-news">
<li><a href="/tin/1.html">Khánh thành cầu Rạch Miễu 2</a><span>15/03/2024</span></li>
<li><a href="/tin/2.html">Bến Tre đẩy nhanh công trình giao thông</a><span>14/03/2024</span></li>
<li><a href="/tin/3.html">Hội nghị triển khai nhiệm vụ năm 2024</a><span>13/03/2024</span></li>
<li><a href="/tin/4.html">Giá lúa tăng mạnh đầu vụ</a><span>12/03/2024</span></li>
</ul><div class="paging"><a href="?p=2">Trang sau</a></div></div>
<div id="footer"><p>© Báo Đồng Khởi</p></div></body></html>"""


# --- Legacy Vietnamese encodings, written the way old editors wrote them ---------------------

_TONES = "\u0300\u0301\u0303\u0309\u0323"
_VNI_TONE = {"\u0301": "ù", "\u0300": "ø", "\u0309": "û", "\u0303": "õ", "\u0323": "ï"}
_VNI_CIRCUMFLEX = {
    "": "â",
    "\u0301": "á",
    "\u0300": "à",
    "\u0309": "å",
    "\u0303": "ã",
    "\u0323": "ä",
}
_VNI_BREVE = {"": "ê", "\u0301": "é", "\u0300": "è", "\u0309": "ú", "\u0303": "ü", "\u0323": "ë"}
_VNI_I = {"\u0301": "í", "\u0300": "ì", "\u0309": "æ", "\u0303": "ó", "\u0323": "ò"}


def to_vni(text: str) -> str:
    """Unicode to VNI-Windows (as typed with a VNI font, read as Windows-1252)."""
    out = []
    for char in text:
        decomposed = unicodedata.normalize("NFD", char)
        base, marks = decomposed[0], decomposed[1:]
        upper = base.isupper()
        tone = "".join(m for m in marks if m in _TONES)
        quality = "".join(m for m in marks if m not in _TONES)
        case: Callable[[str], str] = str.upper if upper else str.lower
        if char in "đĐ":
            out.append(case("ñ"))
        elif not marks:
            out.append(char)
        elif base.lower() == "i":
            out.append(case(_VNI_I[tone]))
        elif base.lower() == "y" and tone == "\u0323":
            out.append(case("î"))
        elif quality == "\u031b":  # horn: ơ, ư are letters of their own
            out.append(case("ô" if base.lower() == "o" else "ö") + case(_VNI_TONE.get(tone, "")))
        elif quality == "\u0302":
            out.append(base + case(_VNI_CIRCUMFLEX[tone]))
        elif quality == "\u0306":
            out.append(base + case(_VNI_BREVE[tone]))
        else:
            out.append(base + case(_VNI_TONE[tone]))
    return "".join(out)


_TCVN3_LOWER = dict(
    zip(
        "áàảãạăắằẳẵặâấầẩẫậđéèẻẽẹêếềểễệíìỉĩịóòỏõọôốồổỗộơớờởỡợúùủũụưứừửữựýỳỷỹỵ",
        "¸µ¶·¹¨¾»¼½Æ©ÊÇÈÉË®ÐÌÎÏÑªÕÒÓÔÖÝ×ØÜÞãßáâä«èåæçé¬íêëìîóïñòô\xadøõö÷ùýúûüþ",
        strict=True,
    )
)
_TCVN3_UPPER = dict(zip("ĂÂĐÊÔƠƯ", "¡¢§£¤¥¦", strict=True))


def to_tcvn3(text: str) -> str:
    """Unicode to TCVN3 (ABC) as Windows-1252 text; capitals with tones come out lower case,
    as in the .VnTime fonts."""
    return "".join(_TCVN3_UPPER.get(c) or _TCVN3_LOWER.get(c.lower(), c) for c in text)


def to_cp1258(text: str) -> bytes:
    """Unicode to Windows-1258 bytes (base letters and tone marks apart, as it stores them)."""
    out = []
    for char in text:
        decomposed = unicodedata.normalize("NFD", char)
        tone = "".join(c for c in decomposed if c in _TONES)
        base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONES))
        out.append(base + tone)
    return "".join(out).encode("cp1258")


# --- The server ----------------------------------------------------------------------------

Handler = Callable[[BaseHTTPRequestHandler], None]


class NewsSite:
    """An HTTP server on 127.0.0.1 serving routes; records the paths asked for."""

    def __init__(self) -> None:
        self.routes: dict[str, Handler] = {}
        self.requests: list[str] = []
        self.stopping = threading.Event()
        site = self

        class RequestHandler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                site.requests.append(self.path)
                route = site.routes.get(self.path.split("?", 1)[0])
                if route is None:
                    self.send_page(
                        b"<html><body>Trang kh\xc3\xb4ng t\xe1\xbb\x93n t\xe1\xba"
                        b"\xa1i</body></html>",
                        status=404,
                    )
                    return
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # client gave up
                    route(self)

            def send_page(
                self,
                body: bytes,
                *,
                status: int = 200,
                content_type: str = "text/html; charset=utf-8",
                headers: dict[str, str] | None = None,
            ) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), RequestHandler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> NewsSite:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    # --- routes ---------------------------------------------------------------------

    def page(
        self,
        path: str,
        body: str | bytes,
        *,
        content_type: str = "text/html; charset=utf-8",
        status: int = 200,
    ) -> str:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.routes[path] = lambda h: h.send_page(  # type: ignore[attr-defined]
            data, status=status, content_type=content_type
        )
        return self.url(path)

    def redirect(self, path: str, to: str, status: int = 302) -> str:
        self.routes[path] = lambda h: h.send_page(  # type: ignore[attr-defined]
            b"", status=status, headers={"Location": to}
        )
        return self.url(path)

    def silent(self, path: str, seconds: float) -> str:
        """Accepts the request, then says nothing for `seconds`."""

        def route(handler: BaseHTTPRequestHandler) -> None:
            self.stopping.wait(seconds)

        self.routes[path] = route
        return self.url(path)

    def drip(self, path: str, every: float = 0.1) -> str:
        """Sends its headers at once, then one byte of page every `every` seconds, forever."""

        def route(handler: BaseHTTPRequestHandler) -> None:
            handler.send_response(200)
            handler.send_header("Content-Type", "text/html; charset=utf-8")
            handler.end_headers()
            handler.wfile.write(b"<html><body><p>")
            while not self.stopping.wait(every):
                handler.wfile.write(b"a")
                handler.wfile.flush()

        self.routes[path] = route
        return self.url(path)

    def huge(self, path: str, size: int, *, declare_length: bool, gzipped: bool = False) -> str:
        """A page of `size` bytes; without a Content-Length it streams until closed."""
        block = b"<p>" + "Tin tức ".encode() * 1000 + b"</p>\n"

        def route(handler: BaseHTTPRequestHandler) -> None:
            handler.send_response(200)
            handler.send_header("Content-Type", "text/html; charset=utf-8")
            if gzipped:
                data = gzip.compress(b"\0" * size)
                handler.send_header("Content-Encoding", "gzip")
                handler.send_header("Content-Length", str(len(data)))
                handler.end_headers()
                handler.wfile.write(data)
                return
            if declare_length:
                handler.send_header("Content-Length", str(size))
            else:
                handler.send_header("Connection", "close")
            handler.end_headers()
            sent = 0
            while sent < size and not self.stopping.is_set():
                handler.wfile.write(block)
                sent += len(block)

        self.routes[path] = route
        return self.url(path)


def wait_until(check: Callable[[], bool], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.01)
    return check()
