"""The Upload page's flow for docs/screenshots/ (called by scripts/screenshots.py): two files
chosen through the file chooser — a canonical export whose rows reach the sample recall by its
tag and queue or match none, and a legacy desk export no connector knows (mapped with the
suggestions) — then the load report, then the undo's question with its impact.

Shots: ``upload.png`` (previews and the mapping), ``upload_report.png``, ``upload_undo.png``.
"""

from __future__ import annotations

from pathlib import Path

from harness import wait_for_app

HOTLINE = "source,source_id,channel,direction,created_at,queue,tags,customer_email\n" + "".join(
    f"five9,shot-{i},phone,inbound,2026-03-04T1{i % 10}:00:00Z,{queue},{tags},caller{i}@example.com\n"
    for i, (queue, tags) in enumerate(
        [("General Support", "recall_cs2026014")] * 5
        + [("Recall Hotline", "")] * 3
        + [("General Support", "billing")] * 2
    )
)
LEGACY = (
    "Ticket ID,Opened,Medium,In/Out,Requester,Group\n"
    "L-1,2026-03-05 10:00,E-mail,In,ann@example.com,Recall Hotline\n"
    "L-2,2026-03-05 11:30,Call,In,bo@example.com,Recall Hotline\n"
    "L-3,2026-03-05 12:10,Fax,Out,cy@example.com,General Support\n"
    "L-4,2026-03-06 09:45,E-mail,incoming,di@example.com,Recall Hotline\n"
)


def upload_flow(page, url: str, out: Path, tmp: Path) -> list[Path]:
    """Drive the Upload page as an analyst would and take its three shots."""
    files = [tmp / "hotline_week2.csv", tmp / "legacy_desk.csv"]
    files[0].write_text(HOTLINE)
    files[1].write_text(LEGACY)
    page.set_viewport_size({"width": 1920, "height": 2600})  # the page scrolls inside: a tall window shows it all
    page.goto(f"{url}/upload")
    wait_for_app(page, "text=Choose files")
    page.locator(".st-key-upload_disk input[type='file']").set_input_files([str(f) for f in files])
    page.wait_for_selector("text=Staged on the server: hotline_week2.csv", timeout=60_000)
    page.wait_for_selector("text=Values of Medium", timeout=60_000)
    page.get_by_text("Constant source").first.scroll_into_view_if_needed()
    page.locator(".st-key-upload_map_source_1 input").fill("legacy_desk")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Load 2 files", timeout=60_000)
    page.wait_for_timeout(1500)
    shots = [out / "upload.png", out / "upload_report.png", out / "upload_undo.png"]
    page.locator("text=Files").first.scroll_into_view_if_needed()
    page.screenshot(path=shots[0])
    page.locator(".st-key-upload_load button").click()
    page.wait_for_selector("text=Loaded 2 of 2 file(s).", timeout=60_000)
    page.wait_for_timeout(1500)
    page.get_by_text("Load report").scroll_into_view_if_needed()
    page.screenshot(path=shots[1])
    page.locator(".st-key-undo_pick").click()
    page.locator("[role='option']").first.click()
    page.locator(".st-key-undo_ask button").click()
    page.wait_for_selector("text=Yes, undo", timeout=60_000)
    page.get_by_text("Saved column mappings").scroll_into_view_if_needed()
    page.wait_for_timeout(1000)
    page.screenshot(path=shots[2])
    page.set_viewport_size({"width": 1920, "height": 1080})
    return shots
