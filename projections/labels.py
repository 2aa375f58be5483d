"""What people read instead of codes: Vietnamese labels (the default) and English ones."""

from __future__ import annotations

VI = {
    "registered": "đã đăng ký", "recognised": "đạt", "denied": "không đạt", "annulled": "bị hủy",
    "residential_area": "thôn, khu phố", "commune": "xã, phường, thị trấn",
    "organisation": "cơ quan, doanh nghiệp, cơ sở giáo dục", "agency": "cơ quan",
    "enterprise": "doanh nghiệp", "school": "cơ sở giáo dục",
    "commune_below_70_percent": "xã đạt chuẩn khi dưới 70% thôn, khu phố đạt",
    "yes": "có", "no": "không", "collective": "tập thể", "individual": "cá nhân",
    "prime_minister": "Thủ tướng Chính phủ", "ministry": "Bộ, ngành", "province": "cấp tỉnh",
    "district": "cấp huyện", "bang_khen": "Bằng khen", "giay_khen": "Giấy khen",
    "open": "đang giải quyết", "settled": "hòa giải thành", "failed": "hòa giải không thành",
    "referred": "chuyển cơ quan có thẩm quyền", "closed": "kết thúc",
    "renamed": "đổi tên", "merged": "sáp nhập", "dissolved": "giải thể",
}  # fmt: skip
EN = {
    "residential_area": "residential areas", "commune": "communes",
    "organisation": "agencies, enterprises and schools",
    "commune_below_70_percent": "commune recognised with under 70% of its areas recognised",
    "prime_minister": "Prime Minister", "ministry": "ministry", "province": "province",
    "district": "district", "bang_khen": "certificate of merit",
    "giay_khen": "certificate of commendation", "referred": "referred to an authority",
}  # fmt: skip
# Reported statistics (projections.statistics): which figure is which, and how exact it is.
VI |= {
    "reported": "số liệu báo cáo (không đếm từ sổ cái)", "counted": "đếm từ sổ cái",
    "corrected": "đã đính chính", "withdrawn": "đã rút",
    "exact": "chính xác", "about": "gần", "over": "trên", "under": "dưới",
    "thousands": "hàng nghìn",
}  # fmt: skip
EN |= {
    "reported": "reported (not counted from the ledger)", "counted": "counted from the ledger",
    "thousands": "thousands (a lower bound)",
}  # fmt: skip
# Movement classification (projections.classification): the grades of QĐ 510/QĐ-BCA-V05.
VI |= {
    "xuat_sac": "xuất sắc", "kha": "khá", "trung_binh": "trung bình", "yeu": "yếu",
    "late_self_assessment": "tự chấm điểm, phân loại nộp muộn",
}  # fmt: skip
EN |= {
    "xuat_sac": "excellent", "kha": "good", "trung_binh": "average", "yeu": "weak",
    "late_self_assessment": "self-assessment submitted late",
}  # fmt: skip
# Award levels read differently from the unit groups of the same code.
LEVELS_VI = {**VI, "commune": "cấp xã", "organisation": "cơ quan, đơn vị"}
LEVELS_EN = {**EN, "commune": "commune", "organisation": "organisation"}


def label(code: str, lang: str, table: dict[str, str] | None = None) -> str:
    """The label of ``code`` in ``lang``; the code itself when no label is known."""
    if table is not None:
        return table.get(code, code)
    return (VI if lang == "vi" else EN).get(code, code)


def level_label(level: str, lang: str) -> str:
    """An award level: "cấp xã", not the commune group's label."""
    return label(level, lang, LEVELS_VI if lang == "vi" else LEVELS_EN)
