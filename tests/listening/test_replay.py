"""The replay source: a file's posts played back shifted to now, at a speed factor."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from ambassade.connectors.base import ConnectorError
from ambassade.listening import services
from ambassade.listening.models import Mention, Source
from ambassade.listening.replay import create_replay_source, guess_mapping

CSV = """tweet_id,airline_sentiment,name,text,tweet_created
10,neutral,ana,first post about lumiere,2015-02-24 10:00:00 +0000
11,negative,bob,second post,2015-02-24 11:00:00 +0000
11,negative,bob,second post again,2015-02-24 11:00:00 +0000
12,positive,carl,third post,2015-02-24 13:00:00 +0000
"""


def test_it_guesses_a_mapping_from_the_header() -> None:
    header = ["tweet_id", "airline_sentiment", "name", "text", "tweet_created", "tweet_location"]
    assert guess_mapping(header) == {
        "id": "tweet_id",
        "text": "text",
        "created_at": "tweet_created",
        "author_handle": "name",
    }


def test_it_replays_the_posts_whose_time_has_come(personas: Any, tmp_path: Path) -> None:
    path = tmp_path / "tweets.csv"
    path.write_text(CSV, encoding="utf-8")
    source = create_replay_source(personas.workspace_a, path, speed=1.0, network="x")
    assert create_replay_source(personas.workspace_a, path) == source
    started = datetime.now(UTC) - timedelta(hours=2)
    Source.objects.filter(id=source.id).update(
        config={**source.config, "started_at": started.isoformat()}
    )
    result = services.poll_source(source.id)
    assert result is not None and result.created == 2
    first = Mention.objects.get(external_id="10")
    assert abs(first.created_at - started) < timedelta(seconds=1)
    assert (first.network, first.author_handle) == ("x", "ana")
    assert services.poll_source(source.id).created == 0  # type: ignore[union-attr]
    source.refresh_from_db()
    assert source.last_status == Source.Status.OK


@pytest.mark.parametrize(
    "first_line",
    [
        b"[" * 100_000 + b"]" * 100_000,  # nested past the parser's recursion limit
        b"not json at all",
        b'"a string, not an object"',
        b"\xff\xfe\x00 not utf-8",
    ],
)
def test_it_names_a_jsonl_file_whose_first_line_it_cannot_read(
    personas: Any, tmp_path: Path, first_line: bytes
) -> None:
    path = tmp_path / "posts.jsonl"
    path.write_bytes(first_line + b'\n{"id": "1", "text": "ok"}\n')
    with pytest.raises(ConnectorError) as caught:
        create_replay_source(personas.workspace_a, path)
    assert caught.value.code == "replay.bad_first_line"
    assert caught.value.params["file"] == "posts.jsonl"
    assert not Source.objects.filter(kind="replay").exists()
