"""Every Vietnamese text the bot shows on Telegram (HTML where noted), and its command list."""

from __future__ import annotations

# --- Commands: (command, Vietnamese description, English description) ----------------------

COMMANDS: tuple[tuple[str, str, str], ...] = (
    ("start", "Bắt đầu và xem câu hỏi mẫu", "Start and see example questions"),
    ("help", "Cách dùng trong chat riêng, nhóm và inline", "How to use it: chats, groups, inline"),
    ("ask", "Hỏi về các bài báo: /ask câu hỏi", "Ask about the articles: /ask question"),
    ("sources", "Danh sách bài viết trong kho", "The list of articles"),
)
ADMIN_COMMANDS: tuple[tuple[str, str, str], ...] = (
    (
        "unanswered",
        "Câu hỏi chưa trả lời được: /unanswered [số ngày]",
        "Unanswered questions: /unanswered [days]",
    ),
    ("stats", "Thống kê câu hỏi: /stats [số ngày]", "Question statistics: /stats [days]"),
    (
        "export",
        "Tải nhật ký câu hỏi (CSV): /export [số ngày]",
        "Download the question log (CSV): /export [days]",
    ),
    ("them", "Thêm bài bằng đường dẫn: /them URL", "Add an article by link: /them URL"),
    ("xoa", "Xóa bài: /xoa số (theo /sources)", "Remove an article: /xoa number (see /sources)"),
    ("reload", "Nạp lại kho bài viết (quản trị)", "Reload the articles (admins)"),
)

# --- Answers (HTML) --------------------------------------------------------------------------

ORIGINAL_LINK = "đọc bài gốc"
NOT_FOUND_GROUP = "Các bài viết hiện có không nói về điều này."
NOT_FOUND_TIP = "Bạn thử hỏi cách khác, hoặc gõ /sources để xem kho có những bài nào."
SEE_SOURCES = "Gõ /sources để xem danh sách bài viết."
ASK_HINT_GROUP = "Hãy hỏi một câu cụ thể, ví dụ: <code>/ask Ai chủ trì hội nghị?</code>"
ASK_EMPTY = "Hãy viết câu hỏi sau lệnh, ví dụ: <code>/ask Ai chủ trì hội nghị?</code>"
FULL_PARAGRAPH_HEADING = "📄 <b>Cả đoạn văn:</b>\n"
NON_TEXT_PRIVATE = "Tôi chỉ đọc được câu hỏi bằng chữ. Bạn hãy gõ câu hỏi nhé."
UNKNOWN_COMMAND = "Tôi không biết lệnh này. Gõ /help để xem cách dùng."
GROUP_WELCOME = (
    "Chào cả nhóm! Tôi trả lời câu hỏi về các bài báo trong kho, kèm đoạn trích và nguồn.\n"
    "Hỏi tôi bằng <code>/ask câu hỏi</code>, nhắc tên @{username} hoặc trả lời tin nhắn "
    "của tôi."
)

# --- Buttons ----------------------------------------------------------------------------------

BUTTON_FULL_PARAGRAPH = "📄 Cả đoạn"
BUTTON_NEXT_PASSAGE = "🔎 Đoạn khác"
CALLBACK_GONE = "Đoạn này không còn trong kho (bài viết đã thay đổi). Bạn hãy hỏi lại nhé."
CALLBACK_NO_QUESTION = "Không tìm lại được câu hỏi này. Bạn hãy hỏi lại nhé."
CALLBACK_NO_MORE = "Không còn đoạn nào khác phù hợp với câu hỏi."
CALLBACK_UNKNOWN = "Nút này không còn dùng được."
BUTTON_VOTE_UP = "👍"
BUTTON_VOTE_DOWN = "👎"
VOTE_THANKS = "Cảm ơn góp ý của bạn! Đã ghi nhận {emoji}"
VOTE_CHANGED = "Đã đổi góp ý của bạn thành {emoji}"
VOTE_SAME = "Bạn đã chọn {emoji} cho câu trả lời này rồi."
VOTE_FAILED = "Chưa ghi nhận được góp ý lúc này. Bạn thử lại sau nhé."

# --- Inline mode -----------------------------------------------------------------------------

SLOW_DOWN = (
    "⏳ Bạn hỏi nhanh quá, bot xin phép nghỉ một chút: khoảng một phút nữa bạn hỏi tiếp "
    "nhé. Các câu gửi trong lúc này sẽ không được trả lời."
)
SLOW_DOWN_INLINE = "⏳ Bạn tìm nhanh quá, thử lại sau một phút nhé"
GROUP_BUSY = "⏱ Nhóm đang hỏi nhiều, bot trả lời gọn các câu vừa rồi:"
INLINE_NOTHING = "Không tìm thấy — mở chat với bot"
INLINE_PASSAGE_TITLE = "{title} · đoạn {paragraph}"

# --- Start, help, sources ---------------------------------------------------------------------

START = (
    "Xin chào{name}! 👋\n"
    "Tôi trả lời câu hỏi về <b>{articles}</b> bài báo trong kho, kèm đoạn trích nguyên văn "
    "và nguồn (tên bài, ngày đăng, đoạn, tác giả).\n\n"
    "Bạn cứ gõ câu hỏi, có dấu hay không dấu đều được.{examples}\n\n"
    "Gõ /help để xem cách dùng trong nhóm và ở chế độ inline."
)
START_EXAMPLES = " Thử hỏi:\n{examples}"  # questions the bot was checked to answer
HELP = (
    "<b>Cách dùng</b>\n\n"
    "💬 <b>Chat riêng:</b> gõ câu hỏi bất kỳ về các bài báo, có dấu hay không dấu, "
    "ví dụ <i>Ai chủ trì hội nghị?</i> hoặc <i>ai chu tri hoi nghi</i>. "
    "<code>/ask câu hỏi</code> cũng được.\n\n"
    "👥 <b>Trong nhóm:</b> tôi chỉ trả lời khi được gọi: <code>/ask câu hỏi</code>, "
    "nhắc tên @{username} kèm câu hỏi, hoặc trả lời (reply) một tin nhắn của tôi.\n\n"
    "🔎 <b>Inline:</b> ở bất kỳ cuộc trò chuyện nào, gõ <code>@{username} câu hỏi</code> "
    "rồi chọn đoạn trích muốn gửi; để trống câu hỏi để xem danh sách bài.\n\n"
    "Dưới mỗi câu trả lời: «Cả đoạn» hiện nguyên đoạn văn, «Đoạn khác» đưa đoạn phù hợp "
    "tiếp theo; 👍/👎 cho biết câu trả lời có giúp ích không.\n\n"
    "/sources — danh sách bài viết\n"
    "/help — hướng dẫn này"
)
HELP_ADMIN = (
    "\n\n🔧 <b>Quản trị:</b> <code>/them đường-dẫn</code> thêm bài từ trang báo; gửi tệp "
    "<code>.html</code>, <code>.docx</code>, <code>.pdf</code>, <code>.txt</code> hoặc "
    "<code>.md</code> trong chat riêng để thêm bài; <code>/xoa số</code> xóa bài theo số "
    "trong /sources; /reload nạp lại kho bài viết.\n"
    "📊 <b>Báo cáo</b> (chat riêng, mặc định 30 ngày): /unanswered câu hỏi chưa trả lời "
    "được, /stats thống kê, /export tải nhật ký CSV; thêm số ngày, ví dụ "
    "<code>/stats 7</code>."
)
SOURCES_HEADING = "📚 Kho có <b>{count}</b> bài viết:"
SOURCES_MORE = "… và {count} bài khác."

# --- Admins ------------------------------------------------------------------------------------

ADMIN_ONLY = "Xin lỗi, chỉ quản trị viên của bot mới dùng được lệnh này."
UPLOAD_REFUSED = (
    "Cảm ơn bạn! Nhưng chỉ quản trị viên của bot mới thêm được bài viết, "
    "nên tệp này không được lưu."
)
RELOAD_STARTED = "⏳ Đang nạp lại kho bài viết…"
RELOAD_DONE = (
    "✅ Đã nạp lại kho: <b>{articles}</b> bài viết, <b>{passages}</b> đoạn ({seconds:.1f} giây)."
)
RELOAD_FAILED = (
    "⚠️ Nạp lại không thành công: {error}\n"
    "Bot vẫn trả lời bằng dữ liệu cũ ({articles} bài viết, {passages} đoạn)."
)
RELOAD_SKIPPED = "Bỏ qua {count} tệp:"
AND_MORE = "… và {count} tệp khác."
UPLOAD_CHECKING = "⏳ Đang kiểm tra tệp…"
UPLOAD_BAD_SUFFIX = (
    "Không nhận tệp này: chỉ nhận tệp <code>.txt</code>, <code>.md</code>, <code>.html</code>, "
    "<code>.docx</code> hoặc <code>.pdf</code>."
)
UPLOAD_TOO_BIG = "Không nhận tệp này: tệp lớn quá giới hạn {limit} byte."
UPLOAD_NOT_UTF8 = "Không nhận tệp này: tệp phải là văn bản UTF-8."
UPLOAD_BINARY = "Không nhận tệp này: đây là tệp nhị phân, không phải văn bản."
UPLOAD_BAD_ARTICLE = "Không nhận tệp <code>{name}</code>: {reason}."
UPLOAD_DOWNLOAD_FAILED = "Không tải được tệp từ Telegram. Bạn thử gửi lại nhé."
UPLOAD_SAVE_FAILED = (
    "❌ Không lưu được tệp vào kho bài viết: {reason}. Kho không thay đổi; bạn thử lại sau nhé."
)
UPLOAD_SAVED = "💾 Đã lưu bài «{title}» thành <code>{name}</code>."
UPLOAD_RENAMED = "(Đã có tệp trùng tên nên tệp mới được đặt tên khác.)"
UPLOAD_SKIPPED_AFTER = "⚠️ Tệp vừa lưu bị bỏ qua khi nạp: {reason}"

# Adding articles by link or file, removing them (articles.py, removal.py)
ADMIN_PRIVATE_ONLY = "Lệnh này chỉ dùng trong chat riêng với bot."
ADD_USAGE = (
    "Gửi kèm đường dẫn của bài báo, ví dụ:\n<code>/them https://baodongkhoi.vn/bai-viet.html"
    "</code>\nHoặc gửi tệp <code>.html</code> (trang đã lưu), <code>.docx</code> hay "
    "<code>.pdf</code> vào đây."
)
ADD_NOT_A_LINK = "Đây không phải đường dẫn http:// hoặc https://. " + ADD_USAGE
ADD_FETCHING = "⏳ Đang tải và đọc bài từ {url}…"
ADD_CONVERTING = "⏳ Đang đọc tệp <code>{name}</code>…"
ADD_REFUSED = "❌ Không thêm được bài: {reason}.\nKho bài viết không thay đổi."
ADDED = "✅ Đã thêm bài <b>«{title}»</b>"
ADDED_AGAIN = "🔄 Đã cập nhật bài <b>«{title}»</b> (cùng đường dẫn, không thêm bản sao)"
ADDED_DETAILS = "📅 {date} · {paragraphs} đoạn{author}"
ADDED_NO_DATE = "không rõ ngày đăng"
ADDED_NOTE = "ℹ️ {note}."
ADDED_SAVED_AS = "💾 Lưu thành <code>{name}</code>"
ADDED_TRY_ASKING = "💡 Thử hỏi: <i>{question}</i>"
ADDED_NO_EXAMPLE = "💡 Hãy thử hỏi về nội dung bài."
REMOVE_USAGE = "Gửi kèm số thứ tự của bài trong /sources, ví dụ: <code>/xoa 3</code>"
REMOVE_NO_SUCH = "Không có bài số {number}: kho có {count} bài (xem /sources)."
REMOVE_CONFIRM = (
    "Xóa bài số {number}: <b>«{title}»</b> (tệp <code>{file}</code>)?\n"
    "Bot sẽ không dùng bài này để trả lời nữa; tệp được chuyển vào thư mục "
    "<code>.trash</code> của kho, có thể khôi phục."
)
BUTTON_REMOVE = "🗑 Xóa bài"
BUTTON_CANCEL = "Hủy"
REMOVE_CANCELLED = "Đã hủy, không xóa bài nào."
REMOVE_GONE = "Bài này đã thay đổi hoặc không còn trong kho. Gõ /sources để xem lại."
REMOVE_LAST = "Không xóa được bài cuối cùng: kho phải còn ít nhất một bài viết."
REMOVING = "⏳ Đang xóa bài «{title}»…"
REMOVED = "🗑 Đã xóa bài <b>«{title}»</b> (tệp cất ở <code>{kept}</code>)."
REMOVE_FAILED = "❌ Không xóa được bài: {reason}."

DISK_CACHE_FAILED = (
    "⚠️ Không ghi được chỉ mục vào đĩa ({reason}): bot vẫn trả lời bằng chỉ mục đang có "
    "và sẽ tự thử lại."
)
DISK_LOG_FAILED = (
    "⚠️ Không ghi được nhật ký câu hỏi ({reason}): bot vẫn trả lời; {waiting} câu hỏi đang chờ "
    "ghi, bot sẽ tự thử lại."
)
DISK_WRITTEN_AGAIN = {
    "cache": "✅ Đã ghi được chỉ mục vào đĩa.",
    "log": "✅ Đã ghi lại được nhật ký câu hỏi.",
}

REPORT_PRIVATE_ONLY = "Báo cáo chỉ xem được trong chat riêng với bot."
REPORT_LOG_OFF = (
    "Nhật ký câu hỏi đang tắt hoặc không mở được, nên chưa có báo cáo "
    "(xem <code>[log]</code> trong config/bot.toml)."
)
REPORT_BAD_DAYS = "Số ngày phải là số nguyên từ 1 đến {max_days}, ví dụ: <code>/{command} 7</code>"
REPORT_FAILED = "Không đọc được nhật ký câu hỏi lúc này. Bạn thử lại sau nhé."
STATS_CHART_CAPTION = "📈 Câu hỏi theo ngày và tỉ lệ trả lời được, {days} ngày qua."
STATS_CHART_FILE_NAME = "thong-ke-cau-hoi.png"
EXPORT_CAPTION = "📄 Nhật ký câu hỏi {days} ngày qua: {count} dòng."
EXPORT_FILE_NAME = "nhat-ky-cau-hoi-{date}.csv"

# --- Errors --------------------------------------------------------------------------------------

SOMETHING_WENT_WRONG = "Xin lỗi, đã có lỗi khi xử lý yêu cầu này. Bạn thử lại sau ít phút nhé."
ANSWER_LABEL = "Trả lời"  # the short answer's heading when the engine names none
