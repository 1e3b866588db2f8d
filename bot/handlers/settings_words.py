"""The words of typed /settings in each language: `/settings giờ 06:30` and `/settings times 06:30` are
one command.

A chat may type any language's words, with or without diacritics (they are compared by search_key):
a Vietnamese group whose admin reads English help still understands `/settings gio`. Usage lines and
examples show the words of the chat's language. The words live here, not in the catalogs: what the
bot understands must not change with a translator's choice of word.
"""

from __future__ import annotations

from functools import cache

from news.i18n import DEFAULT_LANGUAGE, normalize_language
from news.tones import search_key

# setting → its words by language; the first word of each language is the one shown. The longer
# Vietnamese ones are the labels of the /settings buttons, which users copy.
SETTING_WORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "times": {"en": ("times", "time"), "vi": ("giờ", "giờ nhận", "giờ nhận bản tin")},
    "tz": {"en": ("tz", "timezone", "zone"), "vi": ("múi giờ",)},
    "lang": {"en": ("lang", "language"), "vi": ("ngôn ngữ",)},
    "mode": {"en": ("mode",), "vi": ("chế độ", "cách nhận")},
    "include": {"en": ("include",), "vi": ("chỉ",)},
    "exclude": {"en": ("exclude",), "vi": ("bỏ qua", "bỏ")},
    "quiet": {"en": ("quiet",), "vi": ("không làm phiền", "giờ không làm phiền", "im lặng")},
    "nonews": {"en": ("nonews",), "vi": ("không có tin", "báo khi không có tin")},
}
# Values as usage lines show them; settings_input reads these and the English ones in every chat.
VALUE_WORDS: dict[str, dict[str, str]] = {
    "en": {"on": "on", "off": "off", "digest": "digest", "instant": "instant", "both": "both"},
    "vi": {"on": "bật", "off": "tắt", "digest": "bản tin", "instant": "ngay", "both": "cả hai"},
}


@cache
def _settings_by_key() -> dict[str, str]:
    return {
        search_key(word): setting
        for setting, by_language in SETTING_WORDS.items()
        for words in by_language.values()
        for word in words
    }


@cache
def _longest_name() -> int:
    return max(len(key.split()) for key in _settings_by_key())


def split_setting(argument: str) -> tuple[str | None, str]:
    """(the setting `argument` starts with, the value after its name); (None, argument) when it names
    none. The longest name wins: `không làm phiền 22:00 06:00` is quiet hours."""
    words = argument.split()
    for count in range(min(_longest_name(), len(words)), 0, -1):
        setting = _settings_by_key().get(search_key(" ".join(words[:count])))
        if setting is not None:
            return setting, " ".join(words[count:])
    return None, argument


def words_for(lang: str) -> dict[str, str]:
    """Each setting's and value's shown word in `lang`, to fill usage lines and examples."""
    lang = normalize_language(lang) or DEFAULT_LANGUAGE
    names = {setting: by_language[lang][0] for setting, by_language in SETTING_WORDS.items()}
    return names | VALUE_WORDS[lang]


def example(setting: str, value: str, lang: str) -> str:
    """A typed command as the chat's language writes it: `/settings giờ 06:30 18:00`."""
    return f"/settings {words_for(lang)[setting]} {value}"
