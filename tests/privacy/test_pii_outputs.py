"""PII planted in a recording never reaches any output under default settings.

The recording ``tests/data/hostile/pii_and_masking.json`` types a name and a password
into inputs, shows an email, a phone and a card number in text, puts an email in the
URL, in attributes, in a console error and in an ``identify`` payload. After loading
it with the defaults, a scanner looks for every planted value in each output a user
can share: the events table, the session table, the replay payload sent to the
browser, an HTML report and a slide deck.
"""

from __future__ import annotations

import gzip
import json
import re
import zipfile
from pathlib import Path

import orjson
import pytest

import uxlens as ux
from uxlens import export
from uxlens.widgets.replay import ReplayWidget

HOSTILE = Path(__file__).resolve().parents[1] / "data" / "hostile" / "pii_and_masking.json"
PLANTED = [
    "ann@example.com",
    "bob@example.org",
    "+33 6 12 34 56 78",
    "4111 1111 1111 1111",
    "Ann Smithson",
    "hunter22",
    "typed in mask",
    "typed ignored",
]


def _variants(value: str) -> list[str]:
    """The value as it may appear in JSON, URLs, XML or with its spaces removed."""
    out = {value, value.replace(" ", ""), value.replace("@", "%40"), value.replace(" ", "%20"),
           value.replace(" ", "+"), json.dumps(value)[1:-1]}
    return sorted(out)


def scan(text: str) -> list[str]:
    """Planted values (any variant) found in ``text``."""
    return [v for v in PLANTED if any(x in text for x in _variants(v))]


@pytest.fixture
def scanned(record_property):
    """``scanned(output, text)``: :func:`scan`, recorded for the end-of-run PII figure."""

    def check(output: str, text: str) -> list[str]:
        found = scan(text)
        record_property("pii_scan", (output, len(PLANTED), len(found)))
        return found

    return check


@pytest.fixture(scope="module")
def log() -> ux.EventLog:
    raw = HOSTILE.read_text()
    assert all(scan(raw) == [v] or v in raw for v in PLANTED)  # every value is really planted
    return ux.read_rrweb(HOSTILE)


def test_scanner_finds_what_is_there():
    assert scan("contact: ann%40example.com, card 4111111111111111") == [
        "ann@example.com", "4111 1111 1111 1111"]


def test_events_and_sessions_tables(log, scanned):
    assert scanned("events table", log.events.to_csv()) == []
    assert scanned("session table", log.sessions().frame.to_csv()) == []
    assert scanned("timeline", log.session(log.session_ids[0]).timeline().to_csv()) == []


def test_replay_payload_sent_to_the_browser(log, scanned):
    widget = ReplayWidget(log.session(log.session_ids[0]))
    # The first chunk, then every later chunk laid end to end in `_chunks`.
    texts = [gzip.decompress(widget._events).decode("utf-8")]
    at = 0
    for chunk in widget._info.get("chunks", [])[1:]:
        texts.append(gzip.decompress(widget._chunks[at:at + chunk["bytes"]]).decode("utf-8"))
        at += chunk["bytes"]
    assert at == len(widget._chunks)
    text = "\n".join(texts)
    assert len(text) > 1000  # the recorded page is there
    assert scanned("replay events", text) == []
    assert scanned("replay info", orjson.dumps(widget._info).decode()) == []


def test_html_report_and_deck(log, tmp_path, scanned):
    session = log.session(log.session_ids[0])
    items = [log.sessions().frame, session.timeline(), log.events.head(50)]
    html = export.to_html(items, tmp_path / "report.html").read_text()
    assert scanned("HTML report", html) == []
    deck = export.Deck(title="PII check")
    deck.add(session.timeline(), title="Timeline")
    deck.add(log.sessions().frame, title="Sessions")
    path = deck.save(tmp_path / "deck.pptx")
    with zipfile.ZipFile(path) as z:
        xml = "".join(z.read(n).decode("utf-8", "ignore") for n in z.namelist() if n.endswith(".xml"))
    assert "Timeline" in xml
    assert scanned("PPTX deck", xml) == []


def test_opting_out_is_explicit_and_keeps_values():
    raw = ux.read_rrweb(HOSTILE, mask=False)
    assert "Ann Smithson" in set(raw.events["value"].dropna())
    assert re.search("nothing masked", raw.meta["privacy"].describe())
