"""Vietnamese place names that a closing line may hold in parentheses (`(Hà Nội)`), where a reporter's
name looks the same (`(Thanh Anh)`): provinces and cities, old and merged, and the words that open
any other place's name."""

from __future__ import annotations

import re

PROVINCES = frozenset(
    n.casefold()
    for n in (
        "An Giang, Bà Rịa - Vũng Tàu, Bà Rịa Vũng Tàu, Bắc Giang, Bắc Kạn, Bạc Liêu, Bắc Ninh, Bến Tre, Bình Định, "
        "Bình Dương, Bình Phước, Bình Thuận, Cà Mau, Cần Thơ, Cao Bằng, Đà Nẵng, Đắk Lắk, Đắk Nông, Điện Biên, "
        "Đồng Nai, Đồng Tháp, Gia Lai, Hà Giang, Hà Nam, Hà Nội, Hà Tĩnh, Hải Dương, Hải Phòng, Hậu Giang, "
        "Hòa Bình, Hưng Yên, Khánh Hòa, Kiên Giang, Kon Tum, Lai Châu, Lâm Đồng, Lạng Sơn, Lào Cai, Long An, "
        "Nam Định, Nghệ An, Ninh Bình, Ninh Thuận, Phú Thọ, Phú Yên, Quảng Bình, Quảng Nam, Quảng Ngãi, "
        "Quảng Ninh, Quảng Trị, Sóc Trăng, Sơn La, Tây Ninh, Thái Bình, Thái Nguyên, Thanh Hóa, Thừa Thiên Huế, "
        "Thừa Thiên - Huế, Huế, Tiền Giang, Trà Vinh, Tuyên Quang, Vĩnh Long, Vĩnh Phúc, Yên Bái, "
        "Hồ Chí Minh, TP.HCM, TP HCM, TPHCM, TP. HCM, Sài Gòn, Hà Thành, Tây Nguyên, Đồng bằng sông Cửu Long"
    ).split(", ")
)
# Tỉnh (province), Thành phố/TP (city), Huyện/Quận/Thị xã (district), Xã/Phường/Thị trấn (commune).
_PLACE_WORD = re.compile(
    r"^(?:tỉnh|thành\s+phố|tp\.?|huyện|quận|thị\s+xã|thị\s+trấn|xã|phường)(?:\s|$)", re.I
)


def is_place_name(text: str) -> bool:
    """`Hà Nội`, `TP.HCM`, `Tỉnh Kiên Giang`, `Huyện Phú Quốc`: a place, not a person."""
    name = " ".join(text.split()).strip(" .,")
    return name.casefold() in PROVINCES or bool(_PLACE_WORD.match(name))
