"""The upload route that writes bodies to disk as they arrive (ui/disk_upload.py): the same route
serve.py mounts, served by a real uvicorn server on localhost, real HTTP requests, real files."""

from __future__ import annotations

import http.client
import os
import threading
import time
from dataclasses import dataclass

import pytest
import uvicorn
from starlette.applications import Starlette

from ui import disk_upload, staging

MiB = 1024**2


@dataclass
class Reply:
    status_code: int
    text: str

    def json(self) -> dict:
        import json

        return json.loads(self.text)


class Client:
    """Plain http.client requests; a generator body is sent chunked (no Content-Length)."""

    def __init__(self, port: int):
        self.port = port

    def request(self, method: str, path: str, content=None, headers: dict | None = None) -> Reply:
        con = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        chunked = content is not None and not isinstance(content, bytes)
        con.request(method, path, body=content, encode_chunked=chunked, headers=headers or {})
        r = con.getresponse()
        reply = Reply(r.status, r.read().decode())
        con.close()
        return reply

    def put(self, path: str, content=None, headers: dict | None = None) -> Reply:
        return self.request("PUT", path, content, headers)

    def get(self, path: str) -> Reply:
        return self.request("GET", path)

    def post(self, path: str, content=None) -> Reply:
        return self.request("POST", path, content)


@pytest.fixture(scope="module")
def client():
    config = uvicorn.Config(Starlette(routes=[disk_upload.route()]), host="127.0.0.1", port=0, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield Client(port)
    server.should_exit = server.force_exit = True
    thread.join(timeout=2)  # a request a test left half-sent may hold it: a daemon thread, left behind


def kept(folder) -> list:
    """Everything written into a ticket's folder but its owner mark (ui/staging.py)."""
    return [p for p in folder.rglob("*") if p.name != staging.OWNER]


def url(token: str, name: str) -> str:
    return disk_upload.ROUTE.format(ticket=token) + f"?name={name}"


def test_a_body_is_stored_under_its_base_name_and_listed_in_upload_order(client):
    token, folder = disk_upload.ticket(10 * MiB)
    first = os.urandom(3 * MiB + 17)
    r = client.put(url(token, "calls.csv"), content=first)
    assert r.status_code == 200 and r.json() == {"name": "calls.csv", "bytes": len(first)}
    r = client.put(url(token, "..%2F..%2Fetc%2Fpasswd"), content=b"x")  # a name trying to leave the folder
    assert r.json()["name"] == "passwd"
    client.put(url(token, "calls.csv"), content=b"again")  # the same name twice: both kept
    files = disk_upload.staged_files(folder)
    assert [p.name for p in files] == ["calls.csv", "passwd", "calls.csv"]
    assert all(p.resolve().is_relative_to(folder.resolve()) for p in files)
    assert files[0].read_bytes() == first and files[2].read_bytes() == b"again"
    disk_upload.clear(folder)
    assert disk_upload.staged_files(folder) == []


def test_the_body_reaches_the_disk_while_it_is_still_arriving(client):
    """Streamed, not buffered: the file being written grows step by step while the client is still
    sending, and most of the body is on disk before its last MiB is sent. (How far the writes trail
    the sends depends on the machine's load: on a loaded 2-core machine 4 MiB of 10 at one moment.)"""
    token, folder = disk_upload.ticket(64 * MiB)
    seen: list[tuple[int, int]] = []

    def body():
        for k in range(1, 33):
            yield os.urandom(MiB)
            time.sleep(0.005)
            incoming = [p / disk_upload.INCOMING for p in folder.iterdir() if (p / disk_upload.INCOMING).exists()]
            seen.append((k * MiB, incoming[0].stat().st_size if incoming else 0))

    r = client.put(url(token, "big.ndjson"), content=body())
    assert r.status_code == 200 and r.json()["bytes"] == 32 * MiB
    on_disk = [size for _, size in seen[:-1]]  # before the last MiB was sent
    assert max(on_disk) >= 16 * MiB, seen  # buffered, the file would appear only at the end
    assert len(set(on_disk)) >= 8, seen  # and it grew as the body arrived
    assert disk_upload.staged_files(folder)[0].stat().st_size == 32 * MiB


def test_a_body_over_the_limit_is_refused_with_the_reason_and_leaves_nothing(client):
    token, folder = disk_upload.ticket(2 * MiB)
    r = client.put(url(token, "too_big.csv"), content=b"x" * (3 * MiB))  # Content-Length says so
    assert r.status_code == 413 and "too_big.csv is larger than the upload limit of 2 MB" in r.text

    def chunked():  # no Content-Length: refused once the running count passes the limit
        for _ in range(4):
            yield b"y" * MiB

    r = client.put(url(token, "streamed.csv"), content=chunked())
    assert r.status_code == 413 and "streamed.csv" in r.text
    assert disk_upload.staged_files(folder) == [] and kept(folder) == []


def test_without_a_live_ticket_nothing_is_written(client, monkeypatch):
    r = client.put(url("not-a-ticket", "a.csv"), content=b"a")
    assert r.status_code == 403 and "reload the Upload page" in r.text
    token, folder = disk_upload.ticket(MiB)
    later = time.monotonic() + disk_upload.TICKET_TTL_S + 1
    monkeypatch.setattr(disk_upload.time, "monotonic", lambda: later)
    assert client.put(url(token, "a.csv"), content=b"a").status_code == 403
    disk_upload.sweep()
    assert not folder.exists()  # a lapsed ticket's folder is deleted


def test_only_put_is_answered(client):
    token, _ = disk_upload.ticket(MiB)
    assert client.get(url(token, "a.csv")).status_code == 405
    assert client.post(url(token, "a.csv"), content=b"a").status_code == 405


def test_open_mode_takes_uploads_under_a_loopback_name_only(client):
    """DNS rebinding (issue 13 item 5): a page under a foreign name that resolves to this machine
    must not be able to upload. No [auth] is configured here: open mode."""
    token, folder = disk_upload.ticket(MiB)
    for headers in ({"Host": "rebind.example"}, {"Host": f"localhost:{client.port}", "Origin": "http://evil.example"}):
        r = client.put(url(token, "a.csv"), content=b"a", headers=headers)
        assert r.status_code == 403 and "localhost only" in r.text
    assert kept(folder) == []
    for host in (f"localhost:{client.port}", f"127.0.0.1:{client.port}", f"[::1]:{client.port}"):
        r = client.put(url(token, "a.csv"), content=b"a", headers={"Host": host, "Origin": f"http://{host}"})
        assert r.status_code == 200, (host, r.text)


# --- issue 13 item 12: a ticket belongs to one session, does not renew on use, and is capped ------


def xsrf(token: bytes, mask: bytes) -> str:
    """Streamlit's XSRF cookie value for ``token`` under ``mask`` (2|mask|masked token|time)."""
    masked = bytes(a ^ b for a, b in zip(token, mask * len(token), strict=False))
    return f"2|{mask.hex()}|{masked.hex()}|1796466381"


def test_a_ticket_takes_only_requests_carrying_its_sessions_cookie(client):
    token, folder = disk_upload.ticket(MiB, cookies={"_streamlit_user": "signed-cookie-of-ann"})
    for cookie in (None, "_streamlit_user=signed-cookie-of-bob", "_streamlit_xsrf=2|00|00|0"):
        r = client.put(url(token, "a.csv"), content=b"a", headers={"Cookie": cookie} if cookie else None)
        assert r.status_code == 403 and "not valid for this browser session" in r.text
    assert kept(folder) == []
    r = client.put(url(token, "a.csv"), content=b"a", headers={"Cookie": "_streamlit_user=signed-cookie-of-ann"})
    assert r.status_code == 200
    # Open mode: the XSRF token, whatever mask the cookie carries it under.
    secret = os.urandom(16)
    token, _ = disk_upload.ticket(MiB, cookies={"_streamlit_xsrf": xsrf(secret, b"\x01\x02\x03\x04")})
    same = {"Cookie": "_streamlit_xsrf=" + xsrf(secret, b"\x0a\x0b\x0c\x0d")}
    other = {"Cookie": "_streamlit_xsrf=" + xsrf(os.urandom(16), b"\x0a\x0b\x0c\x0d")}
    assert client.put(url(token, "b.csv"), content=b"b", headers=same).status_code == 200
    assert client.put(url(token, "b.csv"), content=b"b", headers=other).status_code == 403


def test_a_put_does_not_renew_the_ticket_and_sign_out_revokes_it(client, monkeypatch):
    token, folder = disk_upload.ticket(MiB, session_id="session-1")
    start = time.monotonic()
    monkeypatch.setattr(disk_upload.time, "monotonic", lambda: start + disk_upload.TICKET_TTL_S - 5)
    assert client.put(url(token, "a.csv"), content=b"a").status_code == 200  # used just before it lapses…
    monkeypatch.setattr(disk_upload.time, "monotonic", lambda: start + disk_upload.TICKET_TTL_S + 5)
    assert client.put(url(token, "a.csv"), content=b"a").status_code == 403  # …and it lapses all the same
    monkeypatch.undo()
    token, folder = disk_upload.ticket(MiB, session_id="session-2")
    assert disk_upload.renew(token) is not None  # the page, running for its session, renews it
    disk_upload.revoke_session("session-2")
    assert client.put(url(token, "a.csv"), content=b"a").status_code == 403 and not folder.exists()


def test_a_ticket_takes_a_bounded_number_of_files_and_bytes(client):
    token, folder = disk_upload.ticket(MiB, max_files=2, max_total=3 * MiB // 2)
    assert client.put(url(token, "1.csv"), content=b"x" * MiB).status_code == 200
    r = client.put(url(token, "2.csv"), content=b"y" * MiB)  # each under the file limit, together over the total
    assert r.status_code == 413 and "this upload session may take at most 1.5 MB in all" in r.text
    assert client.put(url(token, "3.csv"), content=b"z").status_code == 200
    r = client.put(url(token, "4.csv"), content=b"w")  # the third body
    assert r.status_code == 413 and "has taken its 2 files" in r.text
    assert [p.name for p in disk_upload.staged_files(folder)] == ["1.csv", "3.csv"]
    disk_upload.clear(folder)  # removing the staged files starts the counts again
    assert client.put(url(token, "5.csv"), content=b"v").status_code == 200


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("..", "may not start with a dot"),
        (".incoming", "may not start with a dot"),
        ("a%00b.csv", "holds a control character"),
        ("new%0Aline.csv", "holds a control character"),
        ("x" * 256 + ".csv", "is longer than 255 bytes"),
        ("%C3%A9" * 128 + ".csv", "is longer than 255 bytes"),  # 128 × é = 256 bytes
    ],
)
def test_a_name_no_file_may_have_is_refused_with_the_reason_and_leaves_nothing(client, name, reason):
    """Issue 13 item 14: these gave a 500 and left a hidden ``.incoming`` body behind."""
    token, folder = disk_upload.ticket(MiB)
    r = client.put(url(token, name), content=b"data")
    assert r.status_code == 400 and reason in r.text and "nothing was kept" in r.text
    assert kept(folder) == []
    assert client.put(url(token, "fine.csv"), content=b"data").status_code == 200  # the ticket still works
