"""Reading typed settings: forgiving about form, strict about meaning."""

from __future__ import annotations

import pytest

from bot.handlers.callbacks import Callback, pack, unpack
from bot.handlers.context import clean_text
from bot.handlers.settings_input import (
    InputError,
    parse_keywords,
    parse_language,
    parse_mode,
    parse_quiet_hours,
    parse_switch,
    parse_time,
    parse_times,
    parse_timezone,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("06:30", "06:30"),
        ("6:30", "06:30"),
        ("6h30", "06:30"),
        ("18h", "18:00"),
        ("18", "18:00"),
        ("0:00", "00:00"),
        ("23.59", "23:59"),
        ("１２:00", "12:00"),
    ],
)
def test_parse_time(text: str, expected: str) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize("text", ["24:00", "12:60", "12:5", "noon", "", "-1", "1:2:3"])
def test_parse_time_rejects(text: str) -> None:
    with pytest.raises(InputError):
        parse_time(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("18:00 06:30", ["06:30", "18:00"]),
        ("7h, 7:00; 17h", ["07:00", "17:00"]),
        ("1 2 3 4 5 6", ["01:00", "02:00", "03:00", "04:00", "05:00", "06:00"]),
        # as Vietnamese write a time of day
        ("7 giờ", ["07:00"]),
        ("7 giờ 30 17 giờ", ["07:30", "17:00"]),
        ("6 giờ 30 phút, 18 Giờ", ["06:30", "18:00"]),
        ("7g30 18g", ["07:30", "18:00"]),
        ("7 gio 18 gio", ["07:00", "18:00"]),
    ],
)
def test_parse_times_sorts_and_dedupes(text: str, expected: list[str]) -> None:
    assert parse_times(text) == expected


@pytest.mark.parametrize("text", ["", "1 2 3 4 5 6 7", "07:00 later", "7 giờ tối", "25 giờ", "giờ"])
def test_parse_times_rejects(text: str) -> None:
    with pytest.raises(InputError):
        parse_times(text)


@pytest.mark.parametrize(
    ("text", "zone"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("europe/berlin", "Europe/Berlin"),
        ("Berlin", "Europe/Berlin"),
        ("ho chi minh", "Asia/Ho_Chi_Minh"),
        ("Hồ Chí Minh", "Asia/Ho_Chi_Minh"),  # the city as Vietnamese write it
        ("Ho\u0302\u0300 Chi\u0301 Minh", "Asia/Ho_Chi_Minh"),  # decomposed diacritics
        ("São Paulo", "America/Sao_Paulo"),
        ("UTC", "UTC"),
        ("America/Argentina/Buenos_Aires", "America/Argentina/Buenos_Aires"),
        ("UTC+7", "Etc/GMT-7"),  # POSIX names invert the sign: this is seven hours ahead of UTC
        ("gmt - 3", "Etc/GMT+3"),
        ("UTC+0", "UTC"),
        ("UTC+07:00", "Etc/GMT-7"),  # the offset as ISO 8601 writes it
        ("GMT-0300", "Etc/GMT+3"),
        # offsets off the hour: the zone that keeps it all year (no Etc/ zone has minutes)
        ("UTC+5:30", "Asia/Kolkata"),
        ("GMT+05:45", "Asia/Kathmandu"),
        ("UTC+6:30", "Asia/Yangon"),
        ("UTC-9:30", "Pacific/Marquesas"),
    ],
)
def test_parse_timezone(text: str, zone: str) -> None:
    assert parse_timezone(text) == zone


@pytest.mark.parametrize(
    "text", ["", "Mars/Olympus", "GMT+7:30", "UTC+15", "UTC+7:60", "UTC-13:00", "../../etc/passwd", "Europe"]
)
def test_parse_timezone_rejects(text: str) -> None:
    with pytest.raises(InputError):
        parse_timezone(text)


@pytest.mark.parametrize(
    ("text", "keywords"),
    [
        ("lúa, giá", ["lúa", "giá"]),
        ("  lúa   gạo ;giá\n", ["lúa gạo", "giá"]),
        ("Giá, giá, gia", ["Giá"]),  # the same word with or without accents is kept once, as first written
        ("off", []),
        ("tắt", []),
    ],
)
def test_parse_keywords(text: str, keywords: list[str]) -> None:
    assert parse_keywords(text) == keywords


@pytest.mark.parametrize("text", ["", ", ,", "x" * 51, ", ".join(f"w{i}" for i in range(21))])
def test_parse_keywords_rejects(text: str) -> None:
    with pytest.raises(InputError):
        parse_keywords(text)


@pytest.mark.parametrize(
    ("text", "hours"),
    [
        ("22:00 06:00", ("22:00", "06:00")),
        ("22h-6h", ("22:00", "06:00")),
        ("23:00–07:00", ("23:00", "07:00")),
        ("22 giờ - 6 giờ 30", ("22:00", "06:30")),
        ("off", None),
    ],
)
def test_parse_quiet_hours(text: str, hours) -> None:
    assert parse_quiet_hours(text) == hours


@pytest.mark.parametrize("text", ["22:00", "22:00 22:00", "22:00 06:00 07:00", ""])
def test_parse_quiet_hours_rejects(text: str) -> None:
    with pytest.raises(InputError):
        parse_quiet_hours(text)


@pytest.mark.parametrize(
    ("parse", "text", "value"),
    [
        (parse_switch, "on", True),
        (parse_switch, "Bật", True),
        (parse_switch, "tắt", False),
        (parse_language, "EN", "en"),
        (parse_language, "Tiếng Việt", "vi"),
        (parse_mode, "Both", "both"),
    ],
)
def test_words(parse, text: str, value) -> None:
    assert parse(text) == value


@pytest.mark.parametrize(
    ("parse", "text"), [(parse_switch, "maybe"), (parse_language, "fr"), (parse_mode, "loud")]
)
def test_words_reject(parse, text: str) -> None:
    with pytest.raises(InputError):
        parse(text)


@pytest.mark.parametrize(
    ("text", "cleaned"),
    [
        ("  a\x00b\tc  ", "ab c"),
        ("Hoa\u0300", "Hoà"),
        ("x" * 2000, "x" * 1000),
        ("\ue000private", "private"),
        ("Sông\u200bXanh\u200b", "Sông Xanh"),
        ("\ufeff\u202ebáo\u00ad chí\u2069", "báo chí"),
        ("👨\u200d👩\u200d👧 \u0645\u200cی", "👨\u200d👩\u200d👧 \u0645\u200cی"),  # joiners stay
    ],
)
def test_clean_text(text: str, cleaned: str) -> None:
    assert clean_text(text) == cleaned


@pytest.mark.parametrize(
    ("area", "action", "args", "data"),
    [("s", "t", (12, 0), "1s:t:12:0"), ("c", "v", ("m",), "1c:v:m"), ("s", "del", (), "1s:del")],
)
def test_callback_data_round_trips(area, action, args, data) -> None:
    assert pack(area, action, *args) == data
    assert unpack(data, area) == Callback(area, action, tuple(str(a) for a in args))


@pytest.mark.parametrize(
    ("data", "area"),
    [
        ("1s:t:1", "c"),
        ("0s:t:1", "s"),
        ("1s", "s"),
        ("1s:", "s"),
        ("1s:t:a b", "s"),
        ("1s:" + "x" * 70, "s"),
        (None, "s"),
        ("", "s"),
    ],
)
def test_callback_data_that_is_not_ours_is_none(data, area) -> None:
    assert unpack(data, area) is None


def test_callback_data_too_long_to_pack() -> None:
    with pytest.raises(ValueError):
        pack("s", "t", "x" * 70)


@pytest.mark.parametrize(("arg", "value"), [("12", 12), ("x", None), ("-1", None), ("9" * 13, None)])
def test_callback_int_arg(arg: str, value) -> None:
    assert Callback("s", "t", (arg,)).int_arg(0) == value
