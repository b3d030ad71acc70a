"""Fetching a subscribed calendar over HTTP(S), within limits, and nowhere it must not go.

- `webcal://` (and `webcals://`) is `https://`; only http and https are fetched.
- Conditional GET: the ETag and Last-Modified of the last answer are sent back; a 304 means
  nothing changed.
- A total deadline (settings.HUDDLE_CALENDAR_FETCH_SECONDS, 20 s) covers the name lookup, the
  connection, every redirect and every byte; a body larger than
  settings.HUDDLE_CALENDAR_MAX_BYTES (10 MB) is abandoned, whether announced or streamed.
- No SSRF: the host is resolved once, every address it resolves to must be a public one
  (not loopback, private, link-local, …) unless settings.HUDDLE_CALENDAR_ALLOW_PRIVATE_ADDRESSES,
  and the connection goes to the address that was checked — a second lookup cannot swap it.
  Each redirect is checked the same way.

The standard library does it (no HTTP client is installed): `http.client` with a connection
that dials the checked address, TLS verified against the host's name.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from django.conf import settings

MAX_REDIRECTS = 5
CHUNK = 64 * 1024
USER_AGENT = "Huddle calendar sync"


class FetchFailed(Exception):
    """Why the calendar could not be fetched, in words for its owner."""


@dataclass(frozen=True)
class Fetched:
    status: int  # 200, or 304: unchanged since the ETag / Last-Modified sent
    body: bytes = b""
    etag: str = ""
    last_modified: str = ""


def normalize_url(url: str) -> str:
    """webcal:// is https://; anything but http(s) is refused."""
    url = url.strip()
    scheme, _, rest = url.partition("://")
    scheme = scheme.lower()
    if scheme in ("webcal", "webcals"):
        scheme = "https"
    if scheme not in ("http", "https") or not rest:
        raise FetchFailed("The address must start with https://, http:// or webcal://.")
    return f"{scheme}://{rest}"


class _Deadline:
    def __init__(self, seconds: float):
        self.seconds = seconds
        self.until = time.monotonic() + seconds

    def left(self) -> float:
        left = self.until - time.monotonic()
        if left <= 0:
            raise FetchFailed(f"The server did not answer within {self.seconds:g} s.")
        return left


def _resolve(host: str, port: int, deadline: _Deadline) -> list[str]:
    """The host's addresses, looked up within the deadline (getaddrinfo has no timeout of its
    own, so it runs in a thread that is abandoned if it takes too long)."""
    found: dict = {}

    def lookup():
        try:
            found["infos"] = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as error:
            found["error"] = error

    worker = threading.Thread(target=lookup, daemon=True)
    worker.start()
    worker.join(deadline.left())
    if worker.is_alive():
        raise FetchFailed(f"Looking up {host} took longer than {deadline.seconds:g} s.")
    if "error" in found:
        raise FetchFailed(f"{host} could not be found.")
    return list(dict.fromkeys(info[4][0] for info in found["infos"]))


def _allowed(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _checked_address(host: str, port: int, deadline: _Deadline) -> str:
    addresses = _resolve(host, port, deadline)
    if not addresses:
        raise FetchFailed(f"{host} could not be found.")
    if not settings.HUDDLE_CALENDAR_ALLOW_PRIVATE_ADDRESSES:
        refused = [a for a in addresses if not _allowed(a)]
        if refused:
            raise FetchFailed(
                f"{host} is on a private or local network ({refused[0]}); Huddle fetches "
                "calendars from the internet only."
            )
    return addresses[0]


class _Connection(http.client.HTTPConnection):
    """An HTTP connection to an address checked beforehand, whatever the host name says."""

    def __init__(self, host, port, address, timeout):
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self):
        # Kept as `dialed` too: http.client drops `sock` once a response will close it.
        self.sock = self.dialed = socket.create_connection((self.address, self.port), self.timeout)


class _TLSConnection(http.client.HTTPSConnection):
    def __init__(self, host, port, address, timeout):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.address = address

    def connect(self):
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self.dialed = self._context.wrap_socket(sock, server_hostname=self.host)


def fetch(url: str, *, etag: str = "", last_modified: str = "") -> Fetched:
    """GET the calendar at `url` (see the module docstring); FetchFailed says why not."""
    deadline = _Deadline(settings.HUDDLE_CALENDAR_FETCH_SECONDS)
    limit = settings.HUDDLE_CALENDAR_MAX_BYTES
    url = normalize_url(url)
    for _ in range(MAX_REDIRECTS + 1):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchFailed("The address must start with https://, http:// or webcal://.")
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError as error:
            raise FetchFailed("The address has an invalid port.") from error
        address = _checked_address(parts.hostname, port, deadline)
        kind = _TLSConnection if parts.scheme == "https" else _Connection
        connection = kind(parts.hostname, port, address, deadline.left())
        headers = {
            "User-Agent": USER_AGENT,
            "Accept": "text/calendar, */*;q=0.5",
            "Accept-Encoding": "identity",
        }
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            if response.status in (301, 302, 303, 307, 308) and response.getheader("Location"):
                url = urljoin(url, response.getheader("Location"))
                continue
            if response.status == 304:
                return Fetched(304, etag=etag, last_modified=last_modified)
            if response.status != 200:
                raise FetchFailed(f"The server answered {response.status} {response.reason}.")
            return Fetched(
                200,
                _read(response, connection, deadline, limit),
                response.getheader("ETag", "") or "",
                response.getheader("Last-Modified", "") or "",
            )
        except TimeoutError as error:
            raise FetchFailed(
                f"The server did not answer within {deadline.seconds:g} s."
            ) from error
        except ssl.SSLError as error:
            raise FetchFailed(f"The secure connection failed: {error.reason or error}.") from error
        except (OSError, http.client.HTTPException) as error:
            raise FetchFailed(f"The connection failed: {error}.") from error
        finally:
            connection.close()
    raise FetchFailed(f"More than {MAX_REDIRECTS} redirects.")


def _read(response, connection, deadline: _Deadline, limit: int) -> bytes:
    announced = response.getheader("Content-Length")
    if announced and announced.isdigit() and int(announced) > limit:
        raise FetchFailed(f"The calendar is larger than {_size(limit)}.")
    chunks, size = [], 0
    while True:
        connection.dialed.settimeout(deadline.left())  # each read: no longer than what is left
        chunk = response.read1(CHUNK) if hasattr(response, "read1") else response.read(CHUNK)
        if not chunk:
            break
        size += len(chunk)
        if size > limit:
            raise FetchFailed(f"The calendar is larger than {_size(limit)}.")
        chunks.append(chunk)
        deadline.left()
    return b"".join(chunks)


def _size(limit: int) -> str:
    if limit >= 1024 * 1024:
        return f"{limit / (1024 * 1024):g} MB"
    return f"{limit / 1024:g} KB"
