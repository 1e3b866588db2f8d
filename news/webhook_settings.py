"""[telegram.webhook]: its settings, and what makes a listen address or a webhook setting one that
cannot work, said before `bantin run` fails on it (a traceback at bind time, or a webhook server
that answers every update 404)."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

# What Telegram's own Bot API accepts in setWebhook (https://core.telegram.org/bots/api#setwebhook);
# a local Bot API server (another [telegram] base_url) also takes http:// and any port.
TELEGRAM_WEBHOOK_PORTS = (443, 80, 88, 8443)
_HOST_NAME = re.compile(
    r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*"
)
# Characters a request carries in its path as they are: anything else arrives %-encoded, and the
# webhook server (which matches the raw path) would answer every update 404.
_URL_PATH = re.compile(r"[A-Za-z0-9._~/-]*")
# What setWebhook takes as secret_token, and every update then carries in a header.
_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")
# Telegram takes a single character, but the secret is all that keeps anyone who reaches the port
# from posting updates: a short one is guessed.
MIN_SECRET_CHARS = 16
_MAKE_ONE = ' (make one with: python3 -c "import secrets; print(secrets.token_urlsafe(32))")'


@dataclass
class WebhookConfig:
    listen: str = "127.0.0.1"
    port: int = 8443
    url: str = ""
    path: str = "/telegram"
    secret_token: str = ""


def webhook_problems(webhook: WebhookConfig, webhook_mode: bool, telegram_api: bool) -> dict[str, str]:
    """Why [telegram.webhook] cannot work, by key (the first is reported); the port always, the rest
    in webhook mode only. `telegram_api`: updates come from the official Bot API."""
    if not 0 < webhook.port < 65536:
        return {"port": "must be a TCP port (1-65535)"}
    if not webhook_mode:
        return {}
    problems = {
        "url": webhook_url_problem(webhook.url, telegram_api),
        "path": webhook_path_problem(webhook.path),
        "listen": listen_problem(webhook.listen),
        "secret_token": secret_token_problem(webhook.secret_token),
    }
    return {key: problem for key, problem in problems.items() if problem}


def secret_token_problem(secret: str) -> str | None:
    if not _SECRET_TOKEN.fullmatch(secret):
        return "webhook mode needs 1-256 characters of A-Z a-z 0-9 _ -" + _MAKE_ONE
    if len(secret) < MIN_SECRET_CHARS:
        return f"{len(secret)} characters: use at least {MIN_SECRET_CHARS}" + _MAKE_ONE
    return None


def listen_problem(address: str) -> str | None:
    """Why `address` cannot be listened on, or None ("" means every interface, as in tornado)."""
    if address == "":
        return None
    try:
        ipaddress.ip_address(address)
        return None
    except ValueError:
        pass
    if len(address) <= 253 and _HOST_NAME.fullmatch(address):
        return None
    return "must be an IP address or a host name (0.0.0.0 for every interface; the port is a key of its own)"


def webhook_path_problem(path: str) -> str | None:
    if _URL_PATH.fullmatch(path):
        return None
    return (
        "must be a URL path of letters, digits and - . _ ~ / only (requests carry other characters %-encoded)"
    )


def webhook_url_problem(url: str, telegram_api: bool) -> str | None:
    """Why Telegram (`telegram_api`: the official Bot API) cannot post updates to `url`, or None."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "not a valid URL"
    if not parts.hostname or any(char.isspace() for char in url):
        return "webhook mode needs the public https:// URL (with a host name and no spaces)"
    if not telegram_api:
        return None if parts.scheme in ("http", "https") else "must be an http:// or https:// URL"
    if parts.scheme != "https":
        return "webhook mode needs the public https:// URL (Telegram posts to no other)"
    if port is not None and port not in TELEGRAM_WEBHOOK_PORTS:
        return f"Telegram posts only to the ports {', '.join(map(str, TELEGRAM_WEBHOOK_PORTS))}, not {port}"
    return None
