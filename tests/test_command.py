"""The `ambassade` command: engine commands without Django, Django commands otherwise."""

from __future__ import annotations

import subprocess
import sys

from ambassade import cli


def _ambassade(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ambassade", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_it_lists_the_engine_commands() -> None:
    result = _ambassade("--help")
    assert result.returncode == 0
    for name in cli.commands():
        assert name in result.stdout
    assert "demo, serve, worker, createadmin" in result.stdout


def test_it_runs_django_commands() -> None:
    result = _ambassade("help")
    assert result.returncode == 0
    for name in ("demo", "serve", "worker", "migrate"):
        assert name in result.stdout


def test_it_refuses_an_unknown_benchmark() -> None:
    result = _ambassade("bench", "no-such-bench")
    assert result.returncode == 2
    assert "unknown benchmark 'no-such-bench'" in result.stderr


def test_it_refuses_a_benchmark_option_no_chosen_benchmark_takes() -> None:
    result = _ambassade("bench", "match", "--posts", "10")
    assert result.returncode == 2
    assert "takes the option 'posts'" in result.stderr


def test_it_reads_benchmark_options_in_both_spellings() -> None:
    import argparse

    from ambassade.cli import bench

    args = argparse.Namespace(
        extra=["nab-scorer=/x"], extra_options=["--posts", "5", "--minutes=2"]
    )
    assert bench._extra_options(args) == {"nab_scorer": "/x", "posts": "5", "minutes": "2"}
    args = argparse.Namespace(extra=[], extra_options=["--posts"])
    try:
        bench._extra_options(args)
    except ValueError as exc:
        assert "--posts needs a value" in str(exc)
    else:
        raise AssertionError("a bare --posts was accepted")
