"""read_events on the real tables in shared/data, checked against their SOURCES.md.

Expected numbers come from each folder's SOURCES.md, or are recomputed here with
the standard-library csv module (independently of pandas and of uxlens).
"""

from __future__ import annotations

import csv
import gzip
import re
from collections import Counter

import pandas as pd
import pytest
from _paths import shared

from uxlens.exceptions import SchemaError
from uxlens.io.table import read_events

UTC = "UTC"
ECOM_EVENTS = {
    "product_view": 5477,
    "catalog": 5168,
    "search": 3199,
    "home": 2192,
    "filter_results": 2049,
    "add_to_cart": 1064,
    "cart": 963,
    "shipping_details": 767,
    "promo_page": 637,
    "wishlist_add": 631,
    "payment_details": 573,
    "account_page": 542,
    "purchase": 382,
    "review_page": 329,
    "support_chat": 227,
    "compare": 219,
    "error_page": 202,
    "payment_error": 95,
    "checkout_bug": 35,
}
ECOM_COLUMNS = {"platform": "device", "acquisition_channel": "source"}


@pytest.fixture(scope="module")
def ecom_path():
    return shared("retentioneering_ecom", "ecom_shared.csv.gz")


@pytest.fixture(scope="module")
def ecom_rows(ecom_path):
    with gzip.open(ecom_path, "rt", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def ecom_all(ecom_path):
    return read_events(ecom_path, columns=ECOM_COLUMNS, assume_utc=True, drop_duplicates=False)


# ----------------------------------------------------------------------------- ecom
def test_ecom_naive_times_raise_with_the_fix(ecom_path):
    with pytest.raises(SchemaError) as err:
        read_events(ecom_path, columns=ECOM_COLUMNS)
    msg = str(err.value)
    assert "naive" in msg and "'2024-03-13 10:21:14'" in msg
    assert "assume_utc=True" in msg and "tz='Europe/Paris'" in msg


def test_ecom_exact_counts(ecom_all, ecom_rows):
    ev = ecom_all.events
    assert ecom_all.counts == {"read": 24751, "loaded": 24751, "rejected": 0}
    assert ev["user_id"].nunique() == 480
    assert ev["session_id"].nunique() == 2883
    assert ev["event"].value_counts().to_dict() == ECOM_EVENTS
    assert ev["device"].value_counts().to_dict() == {
        "desktop": 12751,
        "mobile": 9120,
        "tablet": 2880,
    }
    channels = Counter(r["acquisition_channel"] for r in ecom_rows)
    assert ev["source"].value_counts().to_dict() == dict(channels)
    assert ev["timestamp"].min() == pd.Timestamp("2024-01-06 11:35:26", tz=UTC)
    assert ev["timestamp"].max() == pd.Timestamp("2024-06-29 22:02:40", tz=UTC)
    assert ev.loc[ev["event"] == "purchase", "session_id"].nunique() == 382
    per_session = ev.groupby("session_id").size()
    assert (per_session.median(), per_session.max()) == (8, 26)
    assert round(per_session.mean(), 2) == 8.59
    # properties are carried through untouched
    assert ev["user_lifecycle"].value_counts().to_dict() == dict(
        Counter(r["user_lifecycle"] for r in ecom_rows)
    )


def test_ecom_duplicates_rejected_by_default_and_counts_add_up(ecom_path, ecom_rows):
    log = read_events(ecom_path, columns=ECOM_COLUMNS, assume_utc=True)
    assert log.counts == {"read": 24751, "loaded": 24728, "rejected": 23}
    assert set(log.rejected["reason"]) == {"duplicate event"}
    seen: dict[tuple, int] = {}
    dup_positions = []
    for i, row in enumerate(ecom_rows):
        key = tuple(row.values())
        if key in seen:
            dup_positions.append(i)
        seen.setdefault(key, i)
    assert list(log.rejected["position"]) == dup_positions  # exact duplicate rows, later copies
    rejected_events = Counter(ecom_rows[p]["event"] for p in dup_positions)
    loaded = log.events["event"].value_counts().to_dict()
    assert {e: loaded.get(e, 0) + rejected_events.get(e, 0) for e in ECOM_EVENTS} == ECOM_EVENTS


def test_ecom_seq_orders_each_session(ecom_all):
    ev = ecom_all.events
    assert ev.groupby("session_id")["seq"].agg(lambda s: list(s) == list(range(len(s)))).all()
    assert ev.groupby("session_id")["timestamp"].agg(lambda t: t.is_monotonic_increasing).all()


# ----------------------------------------------------------------------------- iweb
DOWN = re.compile(r"^(-?\d+):Down:(\d+):(-?\d+):(-?\d+):(\d+)$")
UP = re.compile(r"^up:(\d+):(-?\d+)-(-?\d+):(\d+)$")


@pytest.fixture(scope="module")
def iweb_path():
    return shared("iweb_qoe_clicks", "iweb_mouse_events_shared.csv")


@pytest.fixture(scope="module")
def iweb(iweb_path):
    with pytest.warns(UserWarning, match="13 events have a negative x or y"):
        return read_events(iweb_path, columns={"subject": "user_id"})


@pytest.fixture(scope="module")
def iweb_rows(iweb_path):
    with open(iweb_path, newline="") as fh:
        return list(csv.DictReader(fh))


def test_iweb_exact_counts(iweb):
    ev = iweb.events
    assert iweb.counts == {"read": 9502, "loaded": 9502, "rejected": 0}
    assert ev["session_id"].nunique() == 375 and ev["user_id"].nunique() == 22
    assert ev["event"].value_counts().to_dict() == {"mouseup": 5882, "mousedown": 3620}
    assert ev["timestamp"].min() == pd.Timestamp("2019-04-12 13:51:16.459", tz=UTC)
    assert ev["timestamp"].max() == pd.Timestamp("2019-05-02 10:28:15.908", tz=UTC)
    assert (ev["x"].min(), ev["x"].max(), ev["y"].min(), ev["y"].max()) == (-4, 1128, -71, 952)
    sessions = ev.drop_duplicates("session_id")
    assert sessions["app_view"].value_counts().to_dict() == {"map": 188, "sat": 187}
    assert sessions["acr_score"].value_counts().sort_index().to_dict() == {
        1: 77,
        2: 65,
        3: 83,
        4: 117,
        5: 33,
    }
    per_session = ev.groupby("session_id").size()
    assert (per_session.median(), per_session.max()) == (23, 106)


def test_iweb_negative_coordinates_kept_and_reported(iweb, iweb_rows):
    negative = sum(1 for r in iweb_rows if int(r["x"]) < 0 or int(r["y"]) < 0)
    assert negative == 13
    ev = iweb.events
    assert int(((ev["x"] < 0) | (ev["y"] < 0)).sum()) == negative  # nothing clipped or dropped
    assert iweb.meta["warnings"] == [
        "13 events have a negative x or y. Document coordinates are normally >= 0; negative "
        "values usually mean the pointer was outside the page (a drag released past the edge). "
        "They are kept unchanged; filter with events[(events.x >= 0) & (events.y >= 0)] if a "
        "heatmap should ignore them."
    ]


def test_iweb_epoch_ms_column_gives_the_same_instants(iweb, iweb_path):
    with pytest.warns(UserWarning):
        by_ms = read_events(
            iweb_path,
            columns={"subject": "user_id", "ts_ms": "timestamp", "timestamp": "timestamp_text"},
        )
    pd.testing.assert_series_equal(by_ms.events["timestamp"], iweb.events["timestamp"])
    assert list(by_ms.events["seq"]) == list(iweb.events["seq"])


def test_iweb_seq_matches_the_source_order(iweb, iweb_rows):
    source_seq = {
        (r["session_id"], int(r["ts_ms"]), r["event"], int(r["x"]), int(r["y"])): int(r["seq"])
        for r in iweb_rows
    }
    ev = iweb.events
    keys = zip(
        ev["session_id"],
        ev["ts_ms"],
        ev["event"].astype(str),
        ev["x"].astype(int),
        ev["y"].astype(int),
    )
    assert [source_seq[k] for k in keys] == list(ev["seq"])


def _raw_clicks(path):
    """Parse the upstream encoded click strings (independent check, not a library feature)."""
    out = {}
    with open(path, newline="") as fh:
        for row in csv.DictReader(fh):
            events = []
            for token in filter(None, (t.strip() for t in row["mouse_clicks"].split(","))):
                if m := DOWN.match(token):
                    events.append(("mousedown", int(m[2]), float(m[3]), float(m[4])))
                elif m := UP.match(token):
                    events.append(("mouseup", int(m[1]), float(m[2]), float(m[3])))
                else:
                    raise AssertionError(f"unexpected token {token!r}")
            out[row["Unnamed: 0"]] = (row["subject"], events)
    return out


def test_iweb_matches_the_raw_upstream_strings(iweb):
    raw = _raw_clicks(shared("iweb_qoe_clicks", "raw_data_shared_subjects.csv"))
    ev = iweb.events
    counts = ev.groupby("session_id").size().to_dict()
    assert counts == {sid: len(events) for sid, (_, events) in raw.items()}
    # Full content for a few sessions, including those with negative coordinates.
    for sid in ["0", "1", "18", "157", "207"]:
        part = ev[ev["session_id"] == sid]
        mine = Counter(zip(part["event"].astype(str), part["ts_ms"], part["x"], part["y"]))
        subject, events = raw[sid]
        assert mine == Counter(events), sid
        assert set(part["user_id"]) == {subject}
