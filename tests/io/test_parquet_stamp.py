"""EventLog.to_parquet stamps a file; read_events trusts the stamp only when the file still checks out."""

from __future__ import annotations

import json

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import uxlens as ux
from uxlens.events import OPTIONAL_COLUMNS, REQUIRED_COLUMNS, validate


def _schema_columns(frame: pd.DataFrame) -> list[str]:
    wanted = [*REQUIRED_COLUMNS, "seq", *OPTIONAL_COLUMNS]
    return [c for c in wanted if c in frame.columns]


@pytest.fixture(scope="module")
def stamped(tmp_path_factory):
    return ux.demo().to_parquet(tmp_path_factory.mktemp("stamp") / "events.parquet")


def test_round_trip_is_exact_and_skips_validation(stamped):
    log, again = ux.demo(), ux.read_events(stamped)
    cols = _schema_columns(log.events)
    pd.testing.assert_frame_equal(again.events[cols], log.events[cols])
    assert list(again.events.columns) == list(log.events.columns)
    assert "checked, not validated again" in again.meta["trusted"]
    assert again.counts == {"read": len(log.events), "loaded": len(log.events), "rejected": 0}
    stamp = json.loads(pq.read_schema(stamped).metadata[b"uxlens"])
    assert stamp["format"] == 1 and stamp["privacy_default"] is True
    assert stamp["read"] == log.counts["read"]


def test_a_changed_file_is_validated_again(stamped, tmp_path):
    table = pq.read_table(stamped)
    frame = table.to_pandas()
    shuffled = frame.iloc[::-1].reset_index(drop=True)  # no longer in (session, time) order
    dup = pd.concat([shuffled, shuffled.iloc[:3]], ignore_index=True)  # plus 3 duplicates
    out = pa.Table.from_pandas(dup, preserve_index=False).replace_schema_metadata(table.schema.metadata)
    path = tmp_path / "changed.parquet"
    pq.write_table(out, path)
    log = ux.read_events(path)
    assert "trusted" not in log.meta
    want = validate(dup).events  # what a full validation of the changed rows keeps
    assert log.counts == {"read": len(dup), "loaded": len(want), "rejected": len(dup) - len(want)}
    assert log.counts["rejected"] >= 3
    cols = ["session_id", "timestamp", "event", "seq"]
    pd.testing.assert_frame_equal(log.events[cols], want[cols], check_dtype=False)


def test_another_privacy_policy_masks_again(stamped):
    policy = ux.Privacy(patterns=(r"acme-projects",))
    log = ux.read_events(stamped, mask=policy)
    assert "trusted" not in log.meta
    assert not log.events["url"].astype(str).str.contains("acme-projects").any()
    assert ux.read_events(stamped).events["url"].astype(str).str.contains("acme-projects").any()


def test_an_unstamped_file_takes_the_normal_path(tmp_path):
    path = tmp_path / "plain.parquet"
    ux.demo().events.head(500).to_parquet(path)
    log = ux.read_events(path)
    assert "trusted" not in log.meta and "duplicate event" in set(log.rejected["reason"])
    assert log.counts["read"] == 500 and len(log) == len(validate(ux.demo().events.head(500)).events)
