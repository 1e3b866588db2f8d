"""Bounds on what the webhook server reads from one request.

Telegram's updates are a few kilobytes. python-telegram-bot's webhook server (tornado) reads a body
of up to 100 MB before its handler checks the secret token, and waits up to an hour on a connection
that stalls, so anyone who can reach the port could hold the bot's memory and sockets. The library
builds its HTTPServer itself: the bounds are set as tornado's defaults for every HTTPServer of the
process (the health server's requests have no body, and are not slowed by them).
"""

from __future__ import annotations

import tornado.httpserver

MAX_UPDATE_BYTES = 1 << 20  # larger than any update; a longer Content-Length is answered 400 unread
BODY_TIMEOUT = 30.0  # seconds for a body to arrive once its headers have
IDLE_TIMEOUT = 300.0  # seconds a kept-alive connection may wait for its next request


def bound_webhook_requests() -> None:
    tornado.httpserver.HTTPServer.configure(
        None, max_body_size=MAX_UPDATE_BYTES, body_timeout=BODY_TIMEOUT, idle_connection_timeout=IDLE_TIMEOUT
    )
