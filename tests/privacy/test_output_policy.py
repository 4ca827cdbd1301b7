"""One ``ux.Privacy`` policy, applied at read time and again at every output.

A recording carries an employee number (``EMP-123456``: not an email, phone,
card or IBAN, so only a custom pattern masks it) in a paragraph, a ``title``
attribute, the page URL and a custom event's payload. Read with
``Privacy(patterns=(r"EMP-\\d{6}",))``, it must be masked in the events table,
in what the replay player receives, in the static page HTML of stills, in
PPTX tables, titles and notes, and in the HTML report; the default policy
(without the pattern) shows it, which proves each output applies the policy
itself; opting out (``False``) shows it and says so in the speaker notes.
"""

from __future__ import annotations

import gzip
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import uxlens.render as render
from uxlens import export
from uxlens.io.rrweb import read_rrweb
from uxlens.privacy import Privacy, output_policy
from uxlens.render import snapshot_html
from uxlens.widgets.replay import replay_payload

PLANTED = "EMP-123456"
POLICY = Privacy(patterns=(r"EMP-\d{6}",))
T0 = 1_700_000_000_000
_PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
        b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
        b"\x00\x00\x00\x00IEND\xaeB`\x82")


def _events() -> list[dict[str, Any]]:
    para = {"type": 2, "id": 4, "tagName": "p", "attributes": {"title": f"owner {PLANTED}"},
            "childNodes": [{"type": 3, "id": 5, "textContent": f"Ticket {PLANTED} assigned"}]}
    return [
        {"type": 4, "timestamp": T0,
         "data": {"href": f"https://a.com/t?ref={PLANTED}", "width": 1000, "height": 700}},
        {"type": 2, "timestamp": T0 + 1, "data": {"initialOffset": {"top": 0, "left": 0},
         "node": {"type": 0, "id": 1, "childNodes": [
             {"type": 2, "id": 2, "tagName": "html", "attributes": {}, "childNodes": [
                 {"type": 2, "id": 3, "tagName": "body", "attributes": {},
                  "childNodes": [para]}]}]}}},
        {"type": 3, "timestamp": T0 + 500, "data": {"source": 2, "type": 2, "id": 5,
                                                    "x": 10, "y": 10}},
        {"type": 5, "timestamp": T0 + 900, "data": {"tag": "ticket_opened",
                                                    "payload": {"note": f"see {PLANTED}"}}},
        {"type": 3, "timestamp": T0 + 2000, "data": {"source": 2, "type": 2, "id": 4,
                                                     "x": 12, "y": 30}},
    ]


@pytest.fixture(scope="module")
def log() -> Any:
    return read_rrweb(_events(), session_id="s1", mask=POLICY)


def _replay_text(session: Any, **kw: Any) -> str:
    chunks, info = replay_payload(session, **kw)
    return "\n".join(gzip.decompress(c).decode() for c in chunks) + str(info)


def _pptx_text(path: Path) -> tuple[str, str]:
    """(slide XML, notes XML) of a saved deck."""
    with zipfile.ZipFile(path) as z:
        names = [n for n in z.namelist() if n.endswith(".xml")]
        slides = "".join(z.read(n).decode() for n in names if "notesSlide" not in n)
        notes = "".join(z.read(n).decode() for n in names if "notesSlide" in n)
    return slides, notes


def test_read_time_masks_the_table_and_keeps_the_policy(log: Any) -> None:
    assert log.meta["privacy"] is POLICY
    assert PLANTED not in log.events.to_csv()
    assert set(log.events["note"].dropna()) == {"see **********"}
    # the raw events kept for replay are the recorded ones: outputs must mask again
    assert PLANTED in str(log.recordings["s1"])


def test_replay_applies_the_logs_policy_by_default(log: Any) -> None:
    session = log.session("s1")
    masked = _replay_text(session)
    assert PLANTED not in masked and "Ticket ********** assigned" in masked
    assert "owner **********" in masked and "ref=**********" in masked
    # the default policy does not know the pattern; opting out shows everything
    assert PLANTED in _replay_text(session, mask=Privacy())
    unmasked = _replay_text(session, mask=False)
    assert f"Ticket {PLANTED} assigned" in unmasked and f"ref={PLANTED}" in unmasked


def test_still_html_applies_the_policy(log: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    recording = log.recordings["s1"]
    html = snapshot_html(recording, at_ms=T0 + 600, mask=POLICY)
    assert PLANTED not in html and "Ticket ********** assigned" in html
    assert PLANTED in snapshot_html(recording, at_ms=T0 + 600, mask=Privacy())
    # Session.frame (what stills and slides use) defaults to the log's policy
    seen: list[str] = []
    monkeypatch.setattr(render, "render_png", lambda doc, *a, **k: seen.append(doc) or _PNG)
    session = log.session("s1")
    assert session.frame(0.6) == _PNG and session.frame(0.6, mask=False) == _PNG
    assert PLANTED not in seen[0] and "Ticket ********** assigned" in seen[0]
    assert f"Ticket {PLANTED} assigned" in seen[1]


def test_pptx_masks_tables_titles_and_records_the_policy(
    log: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(render, "render_png", lambda doc, *a, **k: _PNG)
    table = pd.DataFrame({"ticket": [f"{PLANTED} (open)", "EMP-000001"], "n": [3, 1]})
    deck = export.Deck(title=None, privacy=POLICY)
    deck.add(table, title=f"Tickets incl. {PLANTED}")
    deck.add(export.Still(log.session("s1"), at=0.6))
    slides, notes = _pptx_text(deck.save(tmp_path / "masked.pptx"))
    assert PLANTED not in slides + notes and "EMP-000001" not in slides
    assert "********** (open)" in slides and "Tickets incl. **********" in slides
    # privacy line of both slides, and the still's own description
    assert notes.count("1 custom pattern") == 3
    assert "Privacy at export: inputs masked" in notes
    # opting out: the values are shown and every slide's notes say so
    out = export.Deck(title=None, privacy=False).add(table, title=f"Tickets incl. {PLANTED}")
    slides, notes = _pptx_text(out.save(tmp_path / "optout.pptx"))
    assert f"{PLANTED} (open)" in slides and f"Tickets incl. {PLANTED}" in slides
    assert "Privacy OPT-OUT: nothing masked in this export" in notes
    # to_pptx takes the same switch
    slides, _ = _pptx_text(export.to_pptx([table], tmp_path / "t.pptx", title=None,
                                          privacy=POLICY))
    assert PLANTED not in slides


def test_html_report_masks_paragraphs_and_tables(tmp_path: Path) -> None:
    table = pd.DataFrame({"ticket": [PLANTED]})
    items = [f"Ticket {PLANTED} was reopened", table]
    masked = export.to_html(items, tmp_path / "a.html", privacy=POLICY).read_text()
    assert PLANTED not in masked and "Ticket ********** was reopened" in masked
    assert "Privacy at export: inputs masked" in masked and "1 custom pattern" in masked
    shown = export.to_html(items, tmp_path / "b.html", privacy=False).read_text()
    assert shown.count(PLANTED) == 2 and "Privacy OPT-OUT" in shown


def test_output_policy_inherits_the_read_policy_but_never_the_read_opt_out(log: Any) -> None:
    assert output_policy(True, log) is POLICY
    assert output_policy(POLICY, None) is POLICY
    unmasked = read_rrweb(_events(), session_id="s1", mask=False)
    assert unmasked.meta["privacy"].is_none
    assert output_policy(True, unmasked) == Privacy()  # outputs still mask by default
    assert output_policy(False, log).is_none
