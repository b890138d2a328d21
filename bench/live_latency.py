"""How long a live record takes to reach an open stand-up screen, webhook and pull, in a real browser.

``python -m bench.live_latency [--trials 20] [--burst 1000]`` starts ``streamlit run serve.py`` on a
fresh store (the bundled sample recall, loaded on the first visit) with the Twilio and SendGrid
webhooks configured, a local stand-in for Twilio's Calls list API, and ``python -m connectors pull``
polling it every second. Headless chromium opens ``/standup?kiosk=1&as_of=now``: a store holding only
the sample recall otherwise replays the sample day (README), where a record received now never
counts. Then, alternately:

- **webhook**: a new inbound call to the recall's hotline is POSTed as a signed Twilio status
  callback (``completed``); the clock starts when the request is sent;
- **pull**: a new inbound call is added to the stand-in's Calls list; the clock starts when it is
  there to be read;

and stops when the "Contacts today" tile in the page shows one more (the DOM is polled every
50 ms). Trials are 2–6 s apart (random, seeded), so they fall at every phase of the page's refresh
timer. Reported: min, median, p95 and max per kind (p95 by the nearest-rank method).

With ``--burst N`` it then measures the dashboard while N signed SendGrid batches arrive from 16
clients: the health endpoint's answer time and one webhook trial, against the same measures
before the burst (ratios, same run).
"""

from __future__ import annotations

import argparse
import base64
import json
import math
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlencode

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "browser"))
from harness import CHROMIUM, CHROMIUM_ARGS, Server, wait_for_app  # noqa: E402

from connectors.live.signatures import twilio_signature  # noqa: E402
from ui.navigation import BY_NAME  # noqa: E402

HOTLINE = "+18005550199"  # sample_data/car_seat/recall.toml: match.numbers
ACCOUNT = "AC" + "0" * 32
TOKEN = "bench-twilio-token"
TILE = BY_NAME["standup"].ready  # the contacts-today tile (ui/navigation.py)


class CallsApi:
    """Twilio's Calls list (one page, ``next_page_uri`` null) over real HTTP; calls are added live."""

    def __init__(self) -> None:
        self.calls: list[dict] = []
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = json.dumps({"calls": list(api.calls), "next_page_uri": None, "page": 0, "page_size": 1000,
                                   "uri": self.path, "first_page_uri": self.path}).encode()  # fmt: skip
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def add(self, sid: str, caller: str) -> None:
        now = format_datetime(datetime.now(UTC))
        self.calls.append({"sid": sid, "parent_call_sid": None, "from": caller, "to": HOTLINE, "status": "completed",
                           "direction": "inbound", "start_time": now, "end_time": now, "duration": "60",
                           "date_updated": now, "date_created": now})  # fmt: skip


def post(url: str, body: bytes, headers: dict[str, str]) -> int:
    req = urllib.request.Request(url, data=body, headers=headers, method="POST")
    with urllib.request.urlopen(req, timeout=60) as r:
        return r.status


def twilio_callback(server: Server, sid: str, caller: str) -> None:
    url = f"{server.url}/recall-ops/hooks/twilio"
    now = format_datetime(datetime.now(UTC))
    params = {"CallSid": sid, "AccountSid": ACCOUNT, "CallStatus": "completed", "Direction": "inbound",
              "From": caller, "To": HOTLINE, "Timestamp": now, "CallDuration": "60", "SequenceNumber": "3"}  # fmt: skip
    headers = {"Content-Type": "application/x-www-form-urlencoded",
               "X-Twilio-Signature": twilio_signature(TOKEN, url, list(params.items()))}  # fmt: skip
    assert post(url, urlencode(params).encode(), headers) == 200


def shown(page) -> int:
    return int(page.inner_text(TILE).replace(",", "") or 0)


def trial(page, send) -> float:
    """Seconds from ``send()`` until the contacts tile shows one more."""
    before = shown(page)
    start = time.monotonic()
    send()
    page.wait_for_function(
        f"() => Number((document.querySelector(\"{TILE}\")||{{}}).innerText?.replace(/,/g,'')) > {before}",
        timeout=60_000,
        polling=50,
    )
    return time.monotonic() - start


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(math.ceil(0.95 * len(ordered)) - 1, 0)]


def health_ms(url: str, n: int = 20) -> list[float]:
    out = []
    for _ in range(n):
        t = time.monotonic()
        urllib.request.urlopen(f"{url}/_stcore/health", timeout=60).read()
        out.append((time.monotonic() - t) * 1000)
        time.sleep(0.05)
    return out


def burst(server: Server, n: int, key: ec.EllipticCurvePrivateKey) -> tuple[list[int], float]:
    """``n`` signed SendGrid batches from 16 clients: (statuses, seconds until the last answer)."""
    statuses: list[int] = []
    t0 = time.monotonic()

    def client(part: range) -> None:
        for i in part:
            body = json.dumps([{"email": "x@example.com", "timestamp": int(time.time()), "event": "delivered",
                                "sg_event_id": f"burst-{i}", "category": "cs2026014-notice"}]).encode()  # fmt: skip
            ts = str(int(time.time()))
            sig = base64.b64encode(key.sign(ts.encode() + body, ec.ECDSA(hashes.SHA256()))).decode()
            headers = {"Content-Type": "application/json", "X-Twilio-Email-Event-Webhook-Signature": sig,
                       "X-Twilio-Email-Event-Webhook-Timestamp": ts}  # fmt: skip
            statuses.append(post(f"{server.url}/recall-ops/hooks/sendgrid", body, headers))

    threads = [threading.Thread(target=client, args=(range(i, n, 16),)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return statuses, time.monotonic() - t0


def burst_effect(server: Server, page, n: int, key: ec.EllipticCurvePrivateKey) -> None:
    """The health endpoint's answer time and one webhook trial, idle and during a burst of ``n``."""
    idle = health_ms(server.url)
    idle_trial = trial(page, lambda: twilio_callback(server, "CA" + "f" * 32, "+13125559998"))
    holder: dict[str, tuple[list[int], float]] = {}
    t = threading.Thread(target=lambda: holder.update(result=burst(server, n, key)))
    t.start()
    during = health_ms(server.url)
    busy_trial = trial(page, lambda: twilio_callback(server, "CA" + "e" * 32, "+13125559997"))
    t.join()
    statuses, took = holder["result"]
    print(f"\nburst: {statuses.count(200)} of {n} webhook requests answered 200 in {took:.1f} s")
    quiet, busy = statistics.median(idle), statistics.median(during)
    print(f"health answer, median: idle {quiet:.1f} ms, during the burst {busy:.1f} ms ({busy / quiet:.1f}×)")
    print(f"webhook to screen: idle {idle_trial:.2f} s, during the burst {busy_trial:.2f} s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=20, help="trials per kind (default 20)")
    parser.add_argument("--burst", type=int, default=1000, help="webhook requests in the burst (0: skip)")
    args = parser.parse_args(argv)
    rng = random.Random(16)
    key = ec.generate_private_key(ec.SECP256R1())
    public = base64.b64encode(
        key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    ).decode()
    api = CallsApi()
    with tempfile.TemporaryDirectory(prefix="recall-ops-latency-") as tmp_name:
        tmp = Path(tmp_name)
        secrets = tmp / "secrets.toml"
        server = Server(tmp / "store.duckdb", tmp / "streamlit.log", secrets=secrets)
        secrets.write_text(
            f'[recall_ops.hooks.twilio]\nauth_token = "{TOKEN}"\npublic_url = "{server.url}/recall-ops/hooks/twilio"\n'
            f'[recall_ops.hooks.sendgrid]\npublic_key = "{public}"\n'
            f'[recall_ops.pull.twilio]\nauth_token = "{TOKEN}"\n'
        )
        (tmp / "live.toml").write_text(
            f'[[source]]\nname = "twilio"\nkind = "twilio"\nbase_url = "{api.url}"\naccount_sid = "{ACCOUNT}"\n'
            "messages = false\ninterval_s = 1\n"
        )
        server.start()
        puller = None
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1920, "height": 1080})
                page.goto(f"{server.url}/standup?kiosk=1&as_of=now")  # the first visit loads the sample recall
                wait_for_app(page, TILE, timeout_ms=180_000)
                cmd = [sys.executable, "-m", "connectors", "pull", "--config", str(tmp / "live.toml"),
                       "--db", str(server.db), "--secrets", str(secrets)]  # fmt: skip
                puller = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                page.reload()  # the page re-arms its timer once live sources are active
                wait_for_app(page, TILE)
                time.sleep(5)
                results: dict[str, list[float]] = {"webhook": [], "pull": []}
                for i in range(args.trials * 2):
                    kind = "webhook" if i % 2 == 0 else "pull"
                    sid, caller = f"CA{i:032x}", f"+1312555{i:04d}"
                    send = (lambda s=sid, c=caller: twilio_callback(server, s, c)) if kind == "webhook" else (
                        lambda s=sid, c=caller: api.add(s, c))  # fmt: skip
                    results[kind].append(trial(page, send))
                    print(f"{kind:8} trial {len(results[kind]):2}: {results[kind][-1]:.2f} s", flush=True)
                    time.sleep(rng.uniform(2, 6))
                print("\nlatency to the open stand-up screen (seconds)")
                print("| kind | trials | min | median | p95 | max |\n|---|---:|---:|---:|---:|---:|")
                for kind, values in results.items():
                    print(f"| {kind} | {len(values)} | {min(values):.2f} | {statistics.median(values):.2f} | "
                          f"{p95(values):.2f} | {max(values):.2f} |")  # fmt: skip
                if args.burst:
                    burst_effect(server, page, args.burst, key)
                browser.close()
        finally:
            if puller is not None:
                puller.terminate()
                puller.wait(timeout=30)
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
