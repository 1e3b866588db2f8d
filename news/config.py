"""The configuration: a typed schema, loaded from TOML, validated key by key.

The schema is a tree of dataclasses; the TOML file may only contain keys the schema has.
Every error names the file, the dotted key and the reason, so an admin can fix it without
reading a traceback.
"""

from __future__ import annotations

import dataclasses
import math
import os
import re
import tomllib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from news.config_feeds import FeedConfig, feeds_problem
from news.config_places import unknown_key_reason
from news.config_ranges import NUMBER_RANGES, range_problem
from news.config_values import env_name_problem, header_text_problem, http_address_problem, llm_problems
from news.schedule import digest_times_problem
from news.webhook_settings import WebhookConfig, listen_problem, webhook_problems
from news.zone_names import zone_name_problem

ENV_CONFIG = "BANTIN_CONFIG"
ENV_TOKEN = "BANTIN_TELEGRAM_TOKEN"
ENV_DATABASE_URL = "BANTIN_DATABASE_URL"

DEFAULT_BASE_URL = "https://api.telegram.org/bot"
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///bantin.db"
# The database URL schemes storage.db can open, each with the async driver's scheme it is given.
DATABASE_DRIVERS = {
    "sqlite+aiosqlite://": "sqlite+aiosqlite://",
    "sqlite://": "sqlite+aiosqlite://",
    "postgresql+asyncpg://": "postgresql+asyncpg://",
    "postgresql://": "postgresql+asyncpg://",
    "postgres://": "postgresql+asyncpg://",
}
DATABASE_SCHEMES = tuple(DATABASE_DRIVERS)
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class ConfigError(Exception):
    """A configuration problem, located by file and dotted key."""

    def __init__(self, file: str | None, key: str | None, reason: str) -> None:
        self.file, self.key, self.reason = file, key, reason
        where = file or "<config>"
        super().__init__(f"{where}: {key}: {reason}" if key else f"{where}: {reason}")


@dataclass
class TelegramConfig:
    token: str = ""
    base_url: str = DEFAULT_BASE_URL
    admins: list[int] = field(default_factory=list)
    mode: str = "polling"
    webhook: WebhookConfig = field(default_factory=WebhookConfig)


@dataclass
class StorageConfig:
    url: str = DEFAULT_DATABASE_URL
    auto_upgrade: bool = False


@dataclass
class ScheduleConfig:
    timezone: str = "Asia/Ho_Chi_Minh"
    digest_times: list[str] = field(default_factory=lambda: ["07:00", "17:00"])
    poll_interval: int = 900
    digest_check_interval: int = 60


@dataclass
class FetchConfig:
    concurrency: int = 20
    per_host: int = 2
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    max_body_bytes: int = 10_000_000
    max_redirects: int = 5
    max_interval: int = 21_600
    max_backoff: int = 21_600
    user_agent: str = ""
    parse_workers: int = 1
    allow_private_addresses: bool = False


@dataclass
class DigestConfig:
    max_stories: int = 10
    summary_words: int = 50
    no_news_notice: bool = False


@dataclass
class DeliveryConfig:
    messages_per_second: float = 30.0
    allow_paid_broadcast: bool = False
    paid_messages_per_second: float = 1000.0
    per_chat_interval: float = 1.0
    group_messages_per_minute: int = 20
    max_attempts: int = 8
    send_timeout: float = 20.0


@dataclass
class SummariesConfig:
    words: int = 50
    llm_base_url: str = ""
    llm_model: str = ""
    llm_api_key_env: str = "BANTIN_LLM_API_KEY"
    llm_timeout: float = 20.0
    llm_daily_requests: int = 500


@dataclass
class HealthConfig:
    enabled: bool = True
    listen: str = "127.0.0.1"
    port: int = 9321


@dataclass
class LoggingConfig:
    level: str = "INFO"
    format: str = "plain"


@dataclass
class Config:
    telegram: TelegramConfig = field(default_factory=TelegramConfig)
    storage: StorageConfig = field(default_factory=StorageConfig)
    schedule: ScheduleConfig = field(default_factory=ScheduleConfig)
    fetch: FetchConfig = field(default_factory=FetchConfig)
    digest: DigestConfig = field(default_factory=DigestConfig)
    delivery: DeliveryConfig = field(default_factory=DeliveryConfig)
    summaries: SummariesConfig = field(default_factory=SummariesConfig)
    health: HealthConfig = field(default_factory=HealthConfig)
    logging: LoggingConfig = field(default_factory=LoggingConfig)
    feeds: list[FeedConfig] = field(default_factory=list)
    path: str | None = field(default=None, metadata={"internal": True})

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.schedule.timezone)


# ---- building a dataclass tree from a TOML mapping --------------------------------------


def _public_fields(cls: type) -> list[dataclasses.Field]:
    return [f for f in dataclasses.fields(cls) if not f.metadata.get("internal")]


def _type_name(tp: Any) -> str:
    origin = typing.get_origin(tp)
    if origin is list:
        (arg,) = typing.get_args(tp)
        return f"a list of {_type_name(arg)}"
    if dataclasses.is_dataclass(tp):
        return "a table"
    return {str: "a string", int: "an integer", float: "a number", bool: "true or false"}.get(tp, str(tp))


def _coerce(value: Any, tp: Any, key: str, file: str | None) -> Any:
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        tp = next(a for a in typing.get_args(tp) if a is not type(None))
        origin = typing.get_origin(tp)
    if dataclasses.is_dataclass(tp):
        if not isinstance(value, dict):
            raise ConfigError(file, key, f"expected a table, got {type(value).__name__}")
        return _build(tp, value, key, file)
    if origin is list:
        (arg,) = typing.get_args(tp)
        if isinstance(value, dict) and dataclasses.is_dataclass(arg):  # [feeds] for [[feeds]]
            raise ConfigError(
                file, key, f"a table: write each entry as [[{key}]], with two pairs of brackets"
            )
        if not isinstance(value, list):
            raise ConfigError(file, key, f"expected {_type_name(tp)}, got {type(value).__name__}")
        return [_coerce(v, arg, f"{key}[{i}]", file) for i, v in enumerate(value)]
    if tp is bool:
        ok = isinstance(value, bool)
    elif tp is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif tp is float:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        value = float(value) if ok else value
        if ok and not math.isfinite(value):  # TOML has nan and inf; no setting means either
            raise ConfigError(file, key, f"expected a finite number, got {value}")
    else:
        ok = isinstance(value, tp)
    if not ok:
        raise ConfigError(file, key, f"expected {_type_name(tp)}, got {type(value).__name__} {value!r}")
    return value


def _build(cls: type, data: dict, prefix: str, file: str | None) -> Any:
    hints = typing.get_type_hints(cls)
    known = {f.name for f in _public_fields(cls)}
    for k in data:
        if k not in known:
            reason = unknown_key_reason(
                k, isinstance(data[k], dict), re.sub(r"\[\d+\]", "", prefix), known, Config
            )
            raise ConfigError(file, f"{prefix}.{k}" if prefix else k, reason)
    kwargs = {}
    for f in _public_fields(cls):
        if f.name in data:
            key = f"{prefix}.{f.name}" if prefix else f.name
            kwargs[f.name] = _coerce(data[f.name], hints[f.name], key, file)
    return cls(**kwargs)


def schema_keys(cls: type = Config, prefix: str = "") -> set[str]:
    """Every dotted key the schema accepts (`feeds.url` for the array of tables)."""
    keys: set[str] = set()
    hints = typing.get_type_hints(cls)
    for f in _public_fields(cls):
        key = f"{prefix}{f.name}"
        tp = hints[f.name]
        inner = typing.get_args(tp)[0] if typing.get_origin(tp) is list else tp
        if dataclasses.is_dataclass(inner):
            keys |= schema_keys(inner, key + ".")
        else:
            keys.add(key)
    return keys


# ---- semantic checks ---------------------------------------------------------------------


def _check_zone(name: str, key: str, file: str | None) -> None:
    if problem := zone_name_problem(name):
        raise ConfigError(file, key, problem)


def _check_digest_times(times: list[str], file: str | None) -> None:
    for i, hhmm in enumerate(times):
        if not _HHMM.match(hhmm):
            reason = f"expected HH:MM, 24-hour with two digits each (07:00, 17:30), got {hhmm!r}"
            raise ConfigError(file, f"schedule.digest_times[{i}]", reason)
    if problem := digest_times_problem(times):
        index, reason = problem
        raise ConfigError(file, "schedule.digest_times" + (f"[{index}]" if index is not None else ""), reason)


def validate(config: Config) -> Config:
    file = config.path
    t = config.telegram
    if t.mode not in ("polling", "webhook"):
        raise ConfigError(file, "telegram.mode", f"must be 'polling' or 'webhook', not {t.mode!r}")
    if problem := http_address_problem(t.base_url):
        raise ConfigError(file, "telegram.base_url", problem)
    # A token pasted with its line end (an env file saved on Windows ends it with \r) or a space
    # around it: the Bot API would answer "Not Found", which reads as a wrong token or URL.
    t.token = t.token.strip()
    if any(char.isspace() or not char.isprintable() for char in t.token):
        raise ConfigError(
            file,
            "telegram.token",
            f"has spaces or control characters inside (here or in {ENV_TOKEN}); a bot token is one word, "
            '"123456:ABC-DEF..." as @BotFather gives it',
        )
    for i, admin in enumerate(t.admins):
        if admin <= 0:  # a group's or channel's id: no user sends commands with it
            reason = f"{admin}: a Telegram user id is a positive number (the user's, not a group's)"
            raise ConfigError(file, f"telegram.admins[{i}]", reason)
    for key, problem in webhook_problems(
        t.webhook, t.mode == "webhook", t.base_url == DEFAULT_BASE_URL
    ).items():
        raise ConfigError(file, f"telegram.webhook.{key}", problem)
    if not config.storage.url.startswith(DATABASE_SCHEMES):
        scheme = config.storage.url.partition("://")[0] if "://" in config.storage.url else ""
        raise ConfigError(  # the scheme only: the rest of the URL may hold a password
            file,
            "storage.url",
            f"{'a ' + scheme + ':// URL' if scheme else 'not a URL'}; bantin needs sqlite+aiosqlite:///FILE "
            f"or postgresql+asyncpg://USER:PASSWORD@HOST/DATABASE (here or in {ENV_DATABASE_URL})",
        )
    _check_zone(config.schedule.timezone, "schedule.timezone", file)
    _check_digest_times(config.schedule.digest_times, file)
    for key, allowed in NUMBER_RANGES.items():
        section, name = key.split(".")
        if problem := range_problem(getattr(getattr(config, section), name), allowed):
            raise ConfigError(file, key, problem)
    if problem := header_text_problem(config.fetch.user_agent):
        raise ConfigError(file, "fetch.user_agent", problem)
    for key, problem in llm_problems(config.summaries.llm_base_url, config.summaries.llm_model).items():
        raise ConfigError(file, key, problem)
    if problem := env_name_problem(config.summaries.llm_api_key_env.strip()):
        raise ConfigError(file, "summaries.llm_api_key_env", problem)
    if not 0 <= config.fetch.parse_workers <= 64:
        raise ConfigError(file, "fetch.parse_workers", "must be between 0 and 64")
    if not 0 <= config.fetch.max_redirects <= 20:
        raise ConfigError(file, "fetch.max_redirects", "must be between 0 and 20")
    if config.logging.format not in ("plain", "json"):
        raise ConfigError(file, "logging.format", "must be 'plain' or 'json'")
    if config.logging.level.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise ConfigError(file, "logging.level", "must be DEBUG, INFO, WARNING or ERROR")
    if not 0 < config.health.port < 65536:
        raise ConfigError(file, "health.port", "must be a TCP port (1-65535)")
    if config.health.enabled and (problem := listen_problem(config.health.listen)):
        raise ConfigError(file, "health.listen", problem)
    if problem := feeds_problem(config.feeds):
        raise ConfigError(file, *problem)
    return config


# ---- loading -----------------------------------------------------------------------------


def parse_config(text: str, file: str | None = None, env: dict[str, str] | None = None) -> Config:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(file, None, f"not valid TOML: {exc}") from None
    config = _build(Config, data, "", file)
    config.path = file
    _apply_env(config, os.environ if env is None else env)
    return validate(config)


def _apply_env(config: Config, env: typing.Mapping[str, str]) -> None:
    if env.get(ENV_TOKEN):
        config.telegram.token = env[ENV_TOKEN]
    if env.get(ENV_DATABASE_URL):
        config.storage.url = env[ENV_DATABASE_URL]


def load_config(path: str | os.PathLike | None = None, env: dict[str, str] | None = None) -> Config:
    """Load the config: an explicit path, else $BANTIN_CONFIG, else ./config.toml, else defaults.

    With no file at all the embedded defaults are used, with the bundled sample sources.
    """
    env_map = os.environ if env is None else env
    named_by = ""
    if path is None and env_map.get(ENV_CONFIG):
        path, named_by = env_map[ENV_CONFIG], f" (named by {ENV_CONFIG})"
    if path is None:
        path = "config.toml" if Path("config.toml").exists() else None
    if path is None:
        config = Config(feeds=bundled_sample_feeds())
        _apply_env(config, env_map)
        return validate(config)
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise ConfigError(str(p), None, "file not found" + named_by) from None
    except IsADirectoryError:
        example = p / "config.toml"
        reason = f"a directory, not a file{named_by}: give the config file itself (e.g. {example})"
        raise ConfigError(str(p), None, reason) from None
    except OSError as exc:
        raise ConfigError(str(p), None, f"cannot read: {exc}") from None
    data = data.removeprefix(b"\xef\xbb\xbf")  # the byte order mark Notepad puts before "UTF-8" text
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:  # TOML is UTF-8; an old editor may have saved a code page
        line = data[: exc.start].count(b"\n") + 1
        where = f"byte 0x{data[exc.start]:02x} on line {line}"
        raise ConfigError(str(p), None, f"not UTF-8 text ({where}): save the file as UTF-8") from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # line ends as text mode read them
    return parse_config(text, str(p), dict(env_map))


def bundled_sample_feeds() -> list[FeedConfig]:
    """The sample sources shipped inside the package (news/samples/sources.toml), as file:// URLs."""
    samples = Path(__file__).resolve().parent / "samples"
    manifest = tomllib.loads((samples / "sources.toml").read_text(encoding="utf-8"))
    return [
        FeedConfig(name=f["name"], url=(samples / f["file"]).as_uri(), kind=f.get("kind", "auto"))
        for f in manifest["feeds"]
    ]


def masked(config: Config) -> dict[str, Any]:
    """The effective config as a plain dict, secrets replaced by a mask (for `config check`)."""
    data = dataclasses.asdict(config)
    data.pop("path", None)

    def mask(s: str) -> str:
        return "****" + s[-4:] if len(s) > 8 else ("****" if s else "")

    data["telegram"]["token"] = mask(config.telegram.token)
    data["telegram"]["webhook"]["secret_token"] = mask(config.telegram.webhook.secret_token)
    data["storage"]["url"] = re.sub(r"(://[^:/@]+:)[^@]*@", r"\1****@", config.storage.url)
    return data
