"""A small asyncio HTTP client for sending many requests to the demo at once.

One connection per request, as a burst of visitors would open them, on raw asyncio
streams: a thread pool would have only a few requests in flight at a time. Every
request is bounded by `REQUEST_TIMEOUT`, and goes to 127.0.0.1 only.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import io
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlencode

if TYPE_CHECKING:
    from email.message import Message

HOST = "127.0.0.1"
REQUEST_TIMEOUT = 60.0
# The status recorded for a request that got no response: refused, reset or timed out.
NO_RESPONSE = 0

_CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Response:
    """A response read to its end; status `NO_RESPONSE` when there was none."""

    status: int
    headers: Message
    body: bytes

    @property
    def text(self) -> str:
        """The body, decoded."""
        return self.body.decode(errors="replace")

    def form(self) -> Form:
        """The CSRF cookie that came with this page, and the token of its first form."""
        cookie = self.headers["Set-Cookie"].split(";", 1)[0]
        match = _CSRF_FIELD.search(self.text)
        assert match is not None, "no CSRF token on the page"
        return Form(cookie, match[1])


@dataclass(frozen=True)
class Form:
    """What a browser holds after loading a form: its CSRF cookie and form token."""

    cookie: str
    token: str

    def post(self, path: str, fields: dict[str, str]) -> Request:
        """The POST that submits `fields` through this form."""
        body = urlencode({"csrfmiddlewaretoken": self.token, **fields}).encode()
        headers = {
            "Cookie": self.cookie,
            "Content-Type": "application/x-www-form-urlencoded",
            "Content-Length": str(len(body)),
        }
        return Request("POST", path, headers, body)


@dataclass(frozen=True)
class Request:
    """One HTTP request, sent on a connection of its own."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes = b""

    def encode(self, port: int) -> bytes:
        """The request as it goes on the wire, asking the server to close afterwards."""
        lines = [f"{self.method} {self.path} HTTP/1.1", f"Host: {HOST}:{port}"]
        lines += [f"{name}: {value}" for name, value in self.headers.items()]
        lines.append("Connection: close")
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + self.body


def get(path: str) -> Request:
    """A GET of `path`."""
    return Request("GET", path, {})


def parse_response(raw: bytes) -> Response:
    """A whole HTTP/1.1 response, as read until the server closed the connection."""
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line, _, header_lines = head.partition(b"\r\n")
    headers = http.client.parse_headers(io.BytesIO(header_lines + b"\r\n\r\n"))
    if headers.get("Transfer-Encoding", "").lower() == "chunked":
        body = dechunk(body)
    return Response(int(status_line.split()[1]), headers, body)


def dechunk(body: bytes) -> bytes:
    """The payload of a chunked body."""
    payload = bytearray()
    while body:
        size_line, _, body = body.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        payload += body[:size]
        body = body[size + 2 :]
    return bytes(payload)


def no_response() -> Response:
    """The stand-in for a request that got no response."""
    return Response(NO_RESPONSE, http.client.HTTPMessage(), b"")


async def connect(port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A new connection to the demo."""
    return await asyncio.open_connection(HOST, port)


async def exchange(
    streams: tuple[asyncio.StreamReader, asyncio.StreamWriter], request: Request, port: int
) -> Response:
    """Send `request` on an open connection, read the response, close the connection."""
    reader, writer = streams
    try:
        writer.write(request.encode(port))
        await writer.drain()
        return parse_response(await reader.read())
    finally:
        writer.close()
        await writer.wait_closed()


async def send(port: int, request: Request) -> Response:
    """Send one request on a new connection; `no_response()` if none comes in time."""
    try:
        async with asyncio.timeout(REQUEST_TIMEOUT):
            return await exchange(await connect(port), request, port)
    except (OSError, TimeoutError):
        return no_response()


async def send_bounded(port: int, requests: list[Request], concurrency: int) -> list[Response]:
    """Send `requests` with at most `concurrency` of them in flight; responses in order."""
    slots = asyncio.Semaphore(concurrency)

    async def send_one(request: Request) -> Response:
        async with slots:
            return await send(port, request)

    return list(await asyncio.gather(*(send_one(request) for request in requests)))


async def send_at_once(port: int, requests: list[Request]) -> list[Response]:
    """Open one connection per request first, then send every request at the same time.

    So all of them are in flight together, rather than as fast as connections open.
    """
    start = asyncio.Event()
    all_connected = asyncio.Event()
    waiting = len(requests)

    async def send_on_signal(request: Request) -> Response:
        nonlocal waiting
        try:
            async with asyncio.timeout(REQUEST_TIMEOUT):
                try:
                    streams = await connect(port)
                finally:
                    waiting -= 1
                    if waiting == 0:
                        all_connected.set()
                await start.wait()
                return await exchange(streams, request, port)
        except (OSError, TimeoutError):
            return no_response()

    tasks = [asyncio.create_task(send_on_signal(request)) for request in requests]
    with contextlib.suppress(TimeoutError):  # then the late ones send when they can
        await asyncio.wait_for(all_connected.wait(), REQUEST_TIMEOUT)
    start.set()
    return list(await asyncio.gather(*tasks))
