"""How the sender's connections reach the Bot API: TLS for https, a CONNECT tunnel through a proxy
(named or from the environment), over 127.0.0.1 only. A local relay in front of the stand-in plays
the TLS server and the proxy."""

from __future__ import annotations

import asyncio
import shutil
import ssl
import subprocess
from pathlib import Path

import pytest

from bot.api_sender import BotApiSender, bot_api_url
from bot.http_pool import proxy_from_environment
from jobs.send_errors import TransientError


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65_536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, ssl.SSLError):
        pass
    finally:
        writer.close()


class Relay:
    """Forwards each connection to the stand-in. As a proxy it first reads a CONNECT head (and records
    it); with `server_ssl` it is the TLS end."""

    def __init__(
        self, target_port: int, *, proxy: bool = False, refuse: bool = False, server_ssl=None
    ) -> None:
        self.target_port, self.proxy, self.refuse, self.server_ssl = target_port, proxy, refuse, server_ssl
        self.heads: list[str] = []
        self.port = 0
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task] = set()

    async def __aenter__(self) -> Relay:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0, ssl=self.server_ssl)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc_info) -> None:
        assert self._server is not None
        self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.proxy:
            head = await reader.readuntil(b"\r\n\r\n")
            self.heads.append(head.decode())
            if self.refuse:
                writer.write(b"HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n")
                writer.close()
                return
            writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        for task in (_pipe(reader, up_writer), _pipe(up_reader, writer)):
            running = asyncio.ensure_future(task)
            self._tasks.add(running)
            running.add_done_callback(self._tasks.discard)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[Path, Path]:
    """A self-signed certificate for localhost, made by the openssl command."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is not installed")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", str(key), "-out", str(cert), "-days", "1", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost"],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


@pytest.fixture
def tls_contexts(certificate) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    cert, key = certificate
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert, key)
    client = ssl.create_default_context(cafile=str(cert))
    return server, client


async def test_https_verifies_the_server_and_carries_sends(standin, tls_contexts):
    server_ssl, client_ssl = tls_contexts
    standin.add_private_chat(1001)
    async with Relay(standin.port, server_ssl=server_ssl) as tls_end:
        sender = BotApiSender.for_token(
            standin.token, f"https://localhost:{tls_end.port}/bot", ssl_context=client_ssl, timeout=5.0
        )
        try:
            ids = [await sender.send(1001, "Xin chào", None, True, False) for _ in range(2)]
        finally:
            await sender.aclose()
    assert [r["message_id"] for r in standin.messages_for(1001)] == ids
    assert sender.pool.connections_opened == 1


async def test_a_certificate_we_do_not_trust_is_a_send_that_never_left(standin, tls_contexts):
    server_ssl, _ = tls_contexts
    standin.add_private_chat(1001)
    async with Relay(standin.port, server_ssl=server_ssl) as tls_end:
        sender = BotApiSender.for_token(standin.token, f"https://localhost:{tls_end.port}/bot", timeout=5.0)
        try:
            with pytest.raises(TransientError) as caught:
                await sender.send(1001, "Xin chào", None, True, False)
        finally:
            await sender.aclose()
    assert not caught.value.ambiguous
    assert standin.messages_for(1001) == []


async def test_sends_go_through_the_proxy_tunnel_with_its_credentials(standin):
    standin.add_private_chat(1001)
    async with Relay(standin.port, proxy=True) as proxy:
        sender = BotApiSender(
            bot_api_url(standin.token, standin.base_url),
            proxy=f"http://bantin:m%E1%BA%ADt@127.0.0.1:{proxy.port}",
            timeout=5.0,
        )
        try:
            await sender.send(1001, "Xin chào", None, True, False)
            await sender.send(1001, "Lần hai", None, True, False)
        finally:
            await sender.aclose()
    assert len(standin.messages_for(1001)) == 2
    [head] = proxy.heads  # one tunnel, kept alive
    assert head.startswith(f"CONNECT 127.0.0.1:{standin.port} HTTP/1.1\r\n")
    assert "Proxy-Authorization: Basic YmFudGluOm3huq10\r\n" in head  # bantin:mật


async def test_the_proxy_from_the_environment_is_used(standin, monkeypatch):
    standin.add_private_chat(1001)
    async with Relay(standin.port, proxy=True) as proxy:
        monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{proxy.port}")
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        sender = BotApiSender.for_token(standin.token, standin.base_url, timeout=5.0)
        try:
            await sender.send(1001, "Xin chào", None, True, False)
        finally:
            await sender.aclose()
    assert len(proxy.heads) == 1 and len(standin.messages_for(1001)) == 1


async def test_a_proxy_refusing_the_tunnel_is_a_send_that_never_left(standin):
    standin.add_private_chat(1001)
    async with Relay(standin.port, proxy=True, refuse=True) as proxy:
        sender = BotApiSender(
            bot_api_url(standin.token, standin.base_url), proxy=f"http://127.0.0.1:{proxy.port}", timeout=5.0
        )
        try:
            with pytest.raises(TransientError) as caught:
                await sender.send(1001, "Xin chào", None, True, False)
        finally:
            await sender.aclose()
    assert not caught.value.ambiguous and "407" in str(caught.value)
    assert standin.token not in str(caught.value)


@pytest.mark.parametrize(
    "environment, origin, proxy",
    [
        ({}, "https://api.telegram.org", None),
        (
            {"HTTPS_PROXY": "http://proxy.example.vn:3128"},
            "https://api.telegram.org",
            "http://proxy.example.vn:3128",
        ),
        (
            {"https_proxy": "proxy.example.vn:3128"},
            "https://api.telegram.org",
            "http://proxy.example.vn:3128",
        ),
        ({"HTTPS_PROXY": "http://proxy.example.vn:3128"}, "http://127.0.0.1:8081", None),
        ({"HTTP_PROXY": "http://p:1", "NO_PROXY": "127.0.0.1,localhost"}, "http://127.0.0.1:8081", None),
        ({"ALL_PROXY": "http://p:1", "NO_PROXY": ".telegram.org"}, "https://api.telegram.org", None),
        ({"ALL_PROXY": "http://p:1"}, "https://api.telegram.org", "http://p:1"),
    ],
)
def test_the_environment_names_the_proxy_as_httpx_reads_it(monkeypatch, environment, origin, proxy):
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    assert proxy_from_environment(origin) == proxy


@pytest.mark.parametrize("proxy", ["socks5://127.0.0.1:1080", "http://"])
def test_a_proxy_we_cannot_tunnel_through_is_refused_at_once(proxy):
    with pytest.raises(ValueError):
        BotApiSender.for_token("123:ABC", proxy=proxy)
