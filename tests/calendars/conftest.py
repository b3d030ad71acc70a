"""Calendar fixtures: the test calendars (tests/calendars/files/, written to look like what
Google, Outlook, Apple and others export) and the people their attendees are.

The files' meetings lie in January–April 2027; `_calendar_window` (autouse) makes the import
window reach them whatever today is. Tests of the window itself pass `now` explicitly.
"""

from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.utils import timezone

from tests.factories import CompanyFactory, ContactFactory, DealFactory

FILES = Path(__file__).parent / "files"
WINDOW_START = datetime(2026, 6, 1, tzinfo=UTC)
WINDOW_END = datetime(2028, 1, 1, tzinfo=UTC)


def ics(name: str) -> bytes:
    return (FILES / name).read_bytes()


@pytest.fixture(autouse=True)
def _calendar_window(settings):
    now = timezone.now()
    settings.HUDDLE_CALENDAR_DAYS_BACK = max((now - WINDOW_START).days, 0)
    settings.HUDDLE_CALENDAR_DAYS_AHEAD = max((WINDOW_END - now).days, 0)


@pytest.fixture
def people(org):
    """ana (rep, North) imports. Her colleagues have Huddle addresses; Ana Client is her
    contact at Client AG, on one open deal; a contact of carla's (South) is out of ana's sight."""
    for name in ("ana", "ben", "maria", "carla", "sam", "admin"):
        user = org[name]
        user.email = f"{name}@huddle.example"
        user.save(update_fields=["email"])
    ana = org["ana"]
    company = CompanyFactory(name="Client AG", domain="example.com", owner=ana)
    client = ContactFactory(
        first_name="Ana",
        last_name="Client",
        email="ana.client@example.com",
        company=company,
        owner=ana,
    )
    deal = DealFactory(title="Client AG rollout", company=company, owner=ana)
    deal.contacts.add(client)
    hidden = ContactFactory(
        first_name="Nils", last_name="Neu", email="nils.neu@kunde.example", owner=org["carla"]
    )
    return {"ana": ana, "company": company, "client": client, "deal": deal, "hidden": hidden}


# ---- a calendar server on 127.0.0.1 ------------------------------------------------------------


class FeedServer:
    """An HTTP server on 127.0.0.1 in a thread, serving calendars the way a test says: a body
    with an ETag and/or Last-Modified (answering 304 to a matching conditional GET), a status,
    an HTML page, a stall (no answer) or an endless body. It records the requests' headers."""

    def __init__(self):
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.routes: dict[str, dict] = {}
        self.requests: list[dict] = []
        self.release = threading.Event()  # ends stalls and endless bodies at teardown
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):
                server.requests.append({"path": self.path, **dict(self.headers)})
                route = server.routes.get(self.path, {"status": 404, "body": b"Not found"})
                mode = route.get("mode", "")
                if mode == "stall":
                    server.release.wait(30)
                    return
                etag, modified = route.get("etag", ""), route.get("last_modified", "")
                if (etag and self.headers.get("If-None-Match") == etag) or (
                    modified and not etag and self.headers.get("If-Modified-Since") == modified
                ):
                    self.send_response(304)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(route.get("status", 200))
                self.send_header("Content-Type", route.get("type", "text/calendar; charset=utf-8"))
                if etag:
                    self.send_header("ETag", etag)
                if modified:
                    self.send_header("Last-Modified", modified)
                if mode == "endless":
                    self.send_header("Transfer-Encoding", "chunked")
                    self.end_headers()
                    chunk = b"BEGIN:VEVENT\r\nSUMMARY:" + b"x" * 8000 + b"\r\nEND:VEVENT\r\n"
                    try:
                        while not server.release.is_set():
                            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                    except OSError:
                        pass  # the client hung up, as it should
                    return
                body = route.get("body", b"")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def serve(self, path: str, **route) -> str:
        self.routes[path] = route
        return self.url(path)

    def close(self):
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def feed_server(settings):
    """The local server, with private addresses allowed (they are refused by default), a short
    deadline and a small size limit, so a stall or an endless body is over in a second."""
    settings.HUDDLE_CALENDAR_ALLOW_PRIVATE_ADDRESSES = True
    settings.HUDDLE_CALENDAR_FETCH_SECONDS = 1
    settings.HUDDLE_CALENDAR_MAX_BYTES = 256 * 1024
    server = FeedServer()
    yield server
    server.close()
