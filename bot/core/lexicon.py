"""The Vietnamese words the engine reads questions and passages by: data, not code.

Every list is written once, with its diacritics, the way a newspaper spells it. Code folds
them (``phrases``): a question typed without marks matches them on their letters, one typed
with marks matches them exactly (tone style aside). The answer types keep their own question
phrases beside their passage patterns (``answer_types.py``); everything else is here.
"""

from __future__ import annotations

from collections.abc import Mapping

# --- What a question asks with, not what it asks about --------------------------------

# Phrases that ask: removed from a question's content wherever they stand.
QUESTION_WORDS = (
    "như thế nào", "thế nào", "ra sao", "là gì", "là ai", "những ai", "những gì", "cái gì",
    "điều gì", "việc gì", "chuyện gì", "là những gì", "là bao nhiêu", "bao nhiêu", "bao lâu",
    "bao giờ", "khi nào", "lúc nào", "ở đâu", "tại đâu", "đi đâu", "về đâu", "từ đâu",
    "nơi nào", "chỗ nào", "tại sao", "vì sao", "vì đâu", "do đâu", "làm sao", "thế nào",
    "người nào", "ai", "gì", "nào", "đâu", "mấy", "ntn", "có phải", "hay không", "phải không",
    "đúng không", "có đúng", "hay chưa", "được không", "cho biết", "hãy cho biết",
    "cho tôi biết", "cho mình biết", "cho em biết", "xin hỏi", "cho hỏi", "tôi muốn biết",
    "muốn biết", "bạn có biết", "có biết", "nói về", "nói gì", "đề cập đến", "đề cập tới",
    "nhắc đến", "nhắc tới", "là như thế nào", "thì sao", "ra làm sao", "chức vụ",
    "giữ chức vụ", "giữ chức", "cương vị", "tên là gì", "tên gì", "họ tên", "bao lâu một lần",
    "bao lâu 1 lần", "mấy lần", "liên quan đến", "liên quan tới",
)
# Particles that end a question ("... không?", "... vậy ạ?"): removed only from its end,
# since inside a question "không" is a negation or a word ("không gian", "không quân").
QUESTION_END_PARTICLES = (
    "không", "chưa", "hả", "hở", "vậy", "thế", "nhỉ", "nhể", "ạ", "à", "ư", "nhé", "nha",
    "chứ", "sao", "hông", "vậy ạ", "thế ạ", "không ạ", "chưa ạ", "nhỉ", "đấy", "đó",
)
# Function words: they carry no content a passage must hold.
STOPWORDS = (
    "là", "của", "và", "các", "những", "có", "được", "bị", "cho", "với", "về", "trong",
    "tại", "ở", "đã", "đang", "sẽ", "thì", "mà", "này", "đó", "kia", "ấy", "một", "hay",
    "hoặc", "nhé", "ạ", "vào", "ra", "do", "để", "từ", "theo", "gồm", "như", "cũng", "rất",
    "nên", "cần", "phải", "bởi", "nhằm", "việc", "điều", "người", "cái", "vấn đề", "hãy",
    "tôi", "bạn", "mình", "xin", "muốn", "biết", "hỏi", "em", "anh", "chị", "ơi", "ông",
    "bà", "đồng chí", "ngoài việc", "ngoài ra", "còn", "khác", "sự", "cuộc", "nó", "họ",
    "chúng", "lại", "rằng", "nếu", "khi", "đến", "tới", "lên", "xuống", "đi", "khoảng",
    "chừng", "xấp xỉ", "tầm",
)
# A syllable typed without marks matches a one-syllable stopword or question word only when
# its letters cannot easily be a content word: "thi" may be "thị" (Chỉ thị), "ban" may be
# "Ban" (Ban Chỉ đạo), "hoi" may be "hội", so those stay in the question.
UNAMBIGUOUS_FOLDS = frozenset(
    {"la", "cua", "va", "cac", "nhung", "duoc", "voi", "mot", "nay", "kia", "ay", "hay",
     "hoac", "nhe", "a", "vao", "theo", "gom", "nhu", "rat", "nham", "viec", "dieu", "nguoi",
     "xin", "oi", "ai", "gi", "nao", "sao", "khong", "vay", "nhi", "ha", "ntn", "se", "ma",
     "khac", "rang", "nhe", "nha", "chu", "hong"}
)

# --- Words people ask with that articles write differently -----------------------------

# Each group is one meaning: a question's phrase is matched by any phrase of its group.
SYNONYM_GROUPS = (
    ("hội nghị", "cuộc họp", "buổi họp", "phiên họp", "cuộc hội nghị"),
    ("tổ chức", "diễn ra", "được tổ chức", "khai mạc"),
    ("tham dự", "tham gia", "dự"),
    ("người dân", "nhân dân", "dân"),
    ("công chức", "cán bộ"),
    ("an ninh mạng", "an toàn thông tin mạng", "an ninh thông tin"),
    ("internet", "mạng"),
    ("tập huấn", "bồi dưỡng", "đào tạo"),
    ("gọi tắt", "viết tắt"),
    ("mục đích", "nhằm"),
    ("kéo dài", "diễn ra trong", "trong vòng"),
    ("yêu cầu", "đề nghị", "nhấn mạnh", "lưu ý"),
    ("xếp hạng", "xếp thứ", "đứng thứ", "xếp vị trí"),
    ("hằng tháng", "hàng tháng", "mỗi tháng", "thường kỳ"),
    ("chống", "phòng chống", "đấu tranh"),
    ("kết án", "tuyên phạt", "tuyên án", "xử phạt", "phạt tù", "lĩnh án"),
    ("tử vong", "thiệt mạng", "chết", "qua đời", "tử nạn", "từ trần"),
    ("bị thương", "trọng thương"),
    ("bắt giữ", "bắt", "tạm giữ", "bắt giam"),
    ("sinh năm", "sn"),
    ("sống", "ngụ", "trú", "cư trú"),
    ("khởi tố", "truy tố"),
    ("thành lập", "ra đời", "được lập"),
    ("giá trị", "trị giá"),
)

# --- People and positions ----------------------------------------------------------------

# Positions people ask about; "Bí thư Tỉnh ủy" and "Phó Bí thư Thường trực Tỉnh ủy" differ.
TITLES = (
    "phó bí thư", "bí thư", "tổng bí thư", "phó giám đốc", "giám đốc", "tổng giám đốc",
    "phó chủ tịch", "chủ tịch", "phó trưởng ban", "trưởng ban", "phó trưởng phòng",
    "trưởng phòng", "bộ trưởng", "thứ trưởng", "chánh văn phòng", "chánh án", "viện trưởng",
    "hiệu trưởng", "đội trưởng", "tổng biên tập", "chỉ huy trưởng", "giám đốc sở",
    "thủ tướng", "phó thủ tướng", "tổng thống", "phó tổng thống", "chủ nhiệm", "trưởng đoàn",
    "thẩm phán", "kiểm sát viên", "đại sứ", "tư lệnh", "chính ủy", "tổng thư ký",
)
# Words that start a position after a name: "Nguyễn Quốc Bảo - Phó Bí thư ...".
POSITION_STARTS = (
    "phó", "ủy viên", "bí thư", "chủ tịch", "giám đốc", "trưởng", "tổng", "bộ trưởng",
    "thứ trưởng", "đại biểu", "chánh", "viện trưởng", "tỉnh ủy viên", "thiếu tướng",
    "trung tướng", "đại tướng", "thượng tướng", "đại tá", "thượng tá", "trung tá", "thiếu tá",
    "hiệu trưởng", "chỉ huy", "thủ tướng", "tổng thống", "chủ nhiệm", "nguyên",
)
# Family names that start a person's name ("Nguyễn Quốc Bảo"), to tell people from bodies.
SURNAMES = (
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ",
    "Hồ", "Ngô", "Dương", "Lý", "Thạch", "Trương", "Đinh", "Lâm", "Mai", "Cao", "Tô", "Đoàn",
    "Châu", "Lương", "Tạ", "Hà", "Kiều", "Quách", "Triệu", "Từ", "Đào", "La", "Thái", "Tăng",
    "Lưu", "Văn", "Trịnh", "Vương", "Chu", "Diệp", "Lạc", "Khưu", "Kim", "Sơn", "Thân", "Tống",
    "Giang", "Mạc", "Nghiêm", "Quan", "Âu", "Ông", "Hứa", "Lữ", "Danh", "Kha", "Đồng", "Phùng",
    "Khổng", "Tôn", "Lò", "Hầu", "Doãn", "Ninh", "Lã", "Đàm", "Vi", "Nông", "Mã", "Tiêu",
)
# Words that say the name after them is a person's: "ông Bảo", "bà Lan", "anh T.".
PERSON_MARKERS = (
    "ông", "bà", "anh", "chị", "em", "cô", "chú", "bác", "cụ", "cháu", "bé", "đồng chí",
    "nhà văn", "nhà thơ", "nhạc sĩ", "ca sĩ", "họa sĩ", "bác sĩ", "giáo sư", "tiến sĩ",
    "thạc sĩ", "luật sư", "vua", "hoàng đế", "hoàng hậu", "công chúa", "hoàng tử", "tướng",
    "thượng tá", "đại tá", "trung tá", "thiếu tá", "đại úy", "thượng úy", "trung úy",
    "bị cáo", "bị can", "nghi phạm", "đối tượng", "nạn nhân", "tài xế", "phóng viên",
)
# Bodies: what an "ai"/"cơ quan nào" answer names when it is not a person.
ORGANISATION_WORDS = (
    "Bộ", "Sở", "Ban", "Ủy ban", "Hội đồng", "Công ty", "Tập đoàn", "Tổng công ty", "Trường",
    "Bệnh viện", "Viện", "Hội", "Đảng", "Tòa án", "Viện kiểm sát", "Công an", "Cục", "Tổng cục",
    "Chi cục", "Phòng", "Trung tâm", "Quỹ", "Ngân hàng", "Liên đoàn", "Câu lạc bộ", "Tỉnh ủy",
    "Thành ủy", "Huyện ủy", "Quốc hội", "Chính phủ", "Bộ Chính trị", "Ban Bí thư", "Mặt trận",
    "Đoàn", "Quân đội", "Bộ tư lệnh", "Tổ chức", "Liên hợp quốc", "Nhà máy", "Hợp tác xã",
)
# Capitalized words that start sentences rather than names ("Trong 3 ngày ...").
SENTENCE_STARTERS = frozenset(
    {"trong", "theo", "co", "voi", "du", "nam", "sau", "tu", "den", "hon", "gan", "tren",
     "khoang", "tong", "hien", "nhu", "ca", "tai", "o", "da", "moi", "ngoai", "qua", "khi",
     "vao", "ngay", "thang", "luc", "nhung", "tuy", "vi", "do", "de", "cac", "mot", "nay",
     "day", "ong", "ba", "anh", "chi", "chieu", "sang", "toi", "hom", "dem", "truoc", "ve",
     "bi", "duoc", "neu", "con", "cung", "va", "thi", "ma", "la", "chinh", "ngoai", "dong"}
)

# --- Answers inside passages --------------------------------------------------------------

# Places: the nouns that name a kind of place before its name ("tỉnh Bến Tre").
PLACE_NOUNS = (
    "tỉnh", "huyện", "xã", "phường", "quận", "thành phố", "thị xã", "thị trấn", "ấp", "thôn",
    "làng", "bản", "buôn", "khu phố", "tổ dân phố", "đường", "phố", "quốc lộ", "tỉnh lộ",
    "cầu", "sông", "núi", "đèo", "đảo", "biển", "vịnh", "vùng", "miền", "nước", "quốc gia",
    "châu", "khu", "khu vực", "bang", "thủ đô", "trụ sở", "hội trường", "sân", "chợ",
    "bệnh viện", "trường", "cảng", "sân bay", "nhà máy", "công viên", "TP",
)
# Words before a place: "tại Hà Nội", "ở quận 1", "đến Đà Nẵng".
PLACE_PREPOSITIONS = ("tại", "ở", "đến", "tới", "từ", "về", "qua", "trên", "dưới", "gần")
# Units a count goes with: "12 năm tù", "3,2 tỷ đồng", "208 giáo viên".
COUNT_UNITS = (
    "người", "lần", "ngày", "tháng", "năm", "tuần", "giờ", "phút", "giây", "buổi", "lớp",
    "khóa", "đợt", "ca", "cái", "chiếc", "con", "căn", "hộ", "gia đình", "đồng", "triệu",
    "tỷ", "nghìn", "ngàn", "trăm", "vạn", "USD", "đô la", "euro", "km", "m", "cm", "mm", "kg",
    "tấn", "ha", "hecta", "lít", "độ", "phần trăm", "%", "điểm", "vòng", "bàn", "huy chương",
    "học sinh", "giáo viên", "trường", "xã", "huyện", "tỉnh", "nước", "quốc gia", "đơn vị",
    "dự án", "vụ", "trường hợp", "bệnh nhân", "ca bệnh", "cấp", "mét", "cây số", "bản",
)
# Words of time that take a number or a name after them: "ngày 26", "năm 2014", "thế kỷ
# XV", "thời Lý", "sáng 26-2".
TIME_NOUNS = (
    "ngày", "tháng", "năm", "quý", "tuần", "thế kỷ", "thập niên", "thập kỷ", "giờ", "lúc",
    "sáng", "trưa", "chiều", "tối", "đêm", "rạng sáng", "hôm", "thời", "thời kỳ", "đời",
    "triều", "triều đại", "niên hiệu", "mùa", "kỳ", "khóa", "nhiệm kỳ", "giai đoạn", "dịp",
)
# Whole expressions of time: "hôm qua", "thứ Hai", "năm ngoái".
TIME_EXPRESSIONS = (
    "hôm nay", "hôm qua", "hôm kia", "ngày mai", "sáng nay", "chiều nay", "tối nay",
    "đêm qua", "tối qua", "sáng qua", "chiều qua", "thứ hai", "thứ ba", "thứ tư", "thứ năm",
    "thứ sáu", "thứ bảy", "chủ nhật", "đầu năm", "cuối năm", "giữa năm", "đầu tháng",
    "cuối tháng", "năm ngoái", "năm nay", "năm sau", "năm tới", "tháng trước", "tháng tới",
    "tuần trước", "tuần tới", "gần đây", "hiện nay", "mùa xuân", "mùa hè", "mùa thu",
    "mùa đông", "trước đó", "sau đó", "cùng năm", "cùng ngày",
)
# Numbers written as words: "hai người", "hàng trăm hộ".
NUMBER_WORDS = (
    "một", "hai", "ba", "bốn", "tư", "năm", "sáu", "bảy", "tám", "chín", "mười", "mươi",
    "trăm", "nghìn", "ngàn", "vạn", "triệu", "tỷ", "tỉ", "chục", "hàng chục", "hàng trăm",
    "hàng nghìn", "hàng ngàn", "hàng vạn", "hàng triệu", "vài", "mấy chục", "mấy trăm",
    "hàng loạt", "nửa", "rưỡi",
)
# Words that give a cause ("vì mưa lớn") or a purpose ("nhằm bảo đảm").
CAUSE_WORDS = (
    "vì", "do", "bởi", "bởi vì", "tại vì", "nhờ", "nhờ vào", "nguyên nhân", "lý do", "nên",
    "vì vậy", "do đó", "vì thế", "cho nên", "khiến", "dẫn đến", "dẫn tới", "gây ra", "làm cho",
    "để", "nhằm", "với mục đích", "mục đích", "sau khi", "vì lẽ",
)
# Words that define: "VNCERT là ...", "gọi tắt là", "tức là".
DEFINING_WORDS = (
    "là", "gọi tắt là", "viết tắt là", "còn gọi là", "tức là", "nghĩa là", "được hiểu là",
    "được gọi là", "có nghĩa là", "được định nghĩa là", "hay còn gọi là",
)
# Words of frequency: "hằng tháng", "định kỳ", "3 lần".
FREQUENCY_WORDS = (
    "hằng ngày", "hàng ngày", "hằng tuần", "hàng tuần", "hằng tháng", "hàng tháng", "hằng quý",
    "hàng quý", "hằng năm", "hàng năm", "mỗi ngày", "mỗi tuần", "mỗi tháng", "mỗi quý",
    "mỗi năm", "định kỳ", "thường kỳ", "thường xuyên", "lần", "mỗi lần",
)
# Words that share out a whole without a figure: "hầu hết", "tất cả".
SHARE_WORDS = ("hầu hết", "tất cả", "đa số", "phần lớn", "toàn bộ", "một nửa", "số đông")
# Words before a number that name rather than count: "Chỉ thị số 28", "khóa XI", "năm 2014".
NAMING_BEFORE_NUMBER = ("số", "ngày", "tháng", "năm", "khóa", "thứ", "lần thứ", "điều", "khoản")

# --- Questions about an article itself ---------------------------------------------------

# "bài" alone is too loose ("bài phát biểu"): it counts only at the start of the question.
DOCUMENT_WORDS = (
    "bài viết", "bài báo", "bài này", "tin này", "tin bài", "bản tin", "bài đăng", "tác phẩm"
)
DOCUMENT_STARTS = ("bài", "tin")
AUTHOR_STRONG = ("tác giả", "ai viết", "người viết", "viết bởi", "bút danh", "ký tên")
AUTHOR_WEAK = ("do ai", "của ai", "phóng viên", "ai")
PUBLICATION_WORDS = (
    "đăng", "đăng tải", "xuất bản", "phát hành", "công bố", "ngày đăng", "đăng ngày",
)
TITLE_WORDS = ("tiêu đề", "tựa đề", "tên bài", "tít", "tựa bài", "tên bài viết")
LINK_WORDS = ("đường dẫn", "link", "liên kết", "url", "địa chỉ bài", "nguồn bài")
TOPIC_WORDS = ("nói về", "nội dung chính", "tóm tắt", "chủ đề", "đề cập")

# Whole messages that greet or ask for help rather than ask a question (folded).
GREETING_WORDS = frozenset(
    {"xin", "chao", "hello", "hi", "hey", "alo", "oi", "bot", "ban", "ad", "admin", "cam", "on",
     "thanks", "thank", "you", "ok", "oke", "okay", "help", "giup", "tro", "huong", "dan",
     "start", "a", "nhe", "nha", "em", "anh", "chi", "minh"}
)

# --- Abbreviations ---------------------------------------------------------------------

# Short forms news articles use without defining them; an article's own definitions
# ("Ban Chỉ đạo 94 (gọi tắt là BCĐ 94)") are added per article.
ABBREVIATIONS: Mapping[str, str] = {
    "BCĐ": "Ban Chỉ đạo",
    "BCH": "Ban Chấp hành",
    "BTV": "Ban Thường vụ",
    "BTG": "Ban Tuyên giáo",
    "UBND": "Ủy ban nhân dân",
    "HĐND": "Hội đồng nhân dân",
    "MTTQ": "Mặt trận Tổ quốc",
    "TƯ": "Trung ương",
    "TW": "Trung ương",
    "CNTT": "công nghệ thông tin",
    "ATTT": "an toàn thông tin",
    "ANTT": "an ninh trật tự",
    "CSVC": "cơ sở vật chất",
    "ĐBQH": "đại biểu Quốc hội",
    "QĐND": "Quân đội nhân dân",
    "CAND": "Công an nhân dân",
    "CA": "công an",
    "TP": "thành phố",
    "TX": "thị xã",
    "KT-XH": "kinh tế - xã hội",
    "KTXH": "kinh tế - xã hội",
    "THPT": "trung học phổ thông",
    "THCS": "trung học cơ sở",
    "GD-ĐT": "giáo dục và đào tạo",
    "GDĐT": "giáo dục và đào tạo",
    "NN-PTNT": "nông nghiệp và phát triển nông thôn",
    "TT-TT": "thông tin và truyền thông",
    "TTTT": "thông tin và truyền thông",
    "VH-TT-DL": "văn hóa, thể thao và du lịch",
    "VN": "Việt Nam",
    "PCCC": "phòng cháy chữa cháy",
    "BHXH": "bảo hiểm xã hội",
    "BHYT": "bảo hiểm y tế",
    "DN": "doanh nghiệp",
    "HTX": "hợp tác xã",
    "NQ": "Nghị quyết",
    "CT": "Chỉ thị",
    "QĐ": "Quyết định",
    "BCT": "Bộ Chính trị",
    "BBT": "Ban Bí thư",
    "TAND": "Tòa án nhân dân",
    "VKSND": "Viện kiểm sát nhân dân",
    "LĐ-TBXH": "Lao động - Thương binh và Xã hội",
    "SN": "sinh năm",
}
