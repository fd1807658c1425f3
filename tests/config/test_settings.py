"""Settings: documented, loud on bad values, secrets kept private."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from ambassade.config import env

ROOT = Path(__file__).resolve().parents[2]


def _documented_rows() -> dict[str, str]:
    rows = {}
    for line in (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8").splitlines():
        match = re.match(r"\|\s*`([A-Z_]+)`\s*\|\s*([^|]*)\|", line)
        if match:
            rows[match.group(1)] = match.group(2).strip()
    return rows


def test_it_documents_every_setting_with_its_default() -> None:
    rows = _documented_rows()
    missing = sorted(set(env.SETTINGS) - set(rows))
    assert not missing, f"add these settings to docs/configuration.md: {missing}"
    for setting in env.SETTINGS.values():
        if setting.name == env.DATA_DIR:
            assert "ambassade" in rows[setting.name]
        elif setting.default:
            assert f"`{setting.default}`" in rows[setting.name], setting.name
        else:
            assert rows[setting.name] == "(empty)", setting.name


def _run_ambassade(tmp_path: Path, **overrides: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("AMBASSADE_")}
    environment.pop("DATABASE_URL", None)
    environment.pop("REDIS_URL", None)
    environment["AMBASSADE_DATA_DIR"] = str(tmp_path / "data")
    environment.update(overrides)
    return subprocess.run(
        [sys.executable, "-m", "ambassade", "check"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("AMBASSADE_WORKERS", "many", "expected a whole number"),
        ("AMBASSADE_DEBUG", "perhaps", "expected true or false"),
        ("AMBASSADE_TIME_ZONE", "Mars/Olympus", "unknown time zone"),
        ("AMBASSADE_LANGUAGE", "de", "expected one of en, fr"),
        ("DATABASE_URL", "mysql://x@y/z", "expected a URL starting with"),
        ("AMBASSADE_VAULT_KEY", "not-a-key", "Fernet key"),
        ("AMBASSADE_SECRET_KEY", "short", "at least 32 characters"),
        ("AMBASSADE_TEXT_MODEL", "/nonexistent/model", "no model.onnx in"),
        ("AMBASSADE_TEXT_LANGUAGES", "fr,klingon", "unknown ISO 639-1 language code 'klingon'"),
        ("AMBASSADE_TEXT_PREFERRED", "fr,xx", "unknown ISO 639-1 language code 'xx'"),
    ],
)
def test_it_stops_on_a_bad_value_naming_the_variable(
    tmp_path: Path, name: str, value: str, message: str
) -> None:
    result = _run_ambassade(tmp_path, **{name: value})
    assert result.returncode == 2, result.stderr
    assert f"configuration error: {name}:" in result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_it_generates_a_private_secret_key_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(env.SECRET_KEY, raising=False)
    first = env.secret_key(tmp_path)
    second = env.secret_key(tmp_path)
    assert first == second and len(first) >= 50
    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600


def test_it_reads_a_secret_from_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    secret = tmp_path / "password"
    secret.write_text("s3cret-from-file\n", encoding="utf-8")
    monkeypatch.delenv(env.EMAIL_PASSWORD, raising=False)
    monkeypatch.setenv(env.EMAIL_PASSWORD + "_FILE", str(secret))
    assert env.env_str(env.EMAIL_PASSWORD) == "s3cret-from-file"


def test_it_names_an_unreadable_secret_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(env.EMAIL_PASSWORD, raising=False)
    monkeypatch.setenv(env.EMAIL_PASSWORD + "_FILE", str(tmp_path / "missing"))
    with pytest.raises(env.ConfigError, match="AMBASSADE_EMAIL_PASSWORD_FILE: cannot read"):
        env.env_str(env.EMAIL_PASSWORD)


def test_it_starts_with_the_defaults(tmp_path: Path) -> None:
    result = _run_ambassade(tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "data" / "secret_key").exists()


def test_it_keeps_the_data_directory_private(tmp_path: Path) -> None:
    """The database, uploads and mail files were world-readable (0644 in 0755): issue 10, item 11."""
    data = tmp_path / "data"
    (data / "mail").mkdir(parents=True)
    data.chmod(0o755)
    (data / "mail").chmod(0o755)
    earlier = data / "mail" / "earlier.log"
    earlier.write_text("an e-mail of an earlier version", encoding="utf-8")
    earlier.chmod(0o644)
    theirs = data / "notes.txt"  # a person's own file in a shared folder: left as it is
    theirs.write_text("mine", encoding="utf-8")
    theirs.chmod(0o644)
    environment = {k: v for k, v in os.environ.items() if not k.startswith("AMBASSADE_")}
    environment.pop("DATABASE_URL", None)
    environment.pop("REDIS_URL", None)
    environment["AMBASSADE_DATA_DIR"] = str(data)
    script = (
        "import os, django; os.umask(0o022); "
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'ambassade.config.settings'); "
        "django.setup(); from django.core.mail import send_mail; "
        "send_mail('s', 'b', 'a@example.com', ['b@example.com']); "
        "from django.db import connection; connection.ensure_connection(); "
        "from ambassade.listening import uploads; uploads.save(7, b'x')"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], env=environment, capture_output=True, text=True,
        timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    modes = {
        str(path.relative_to(data)): stat.S_IMODE(path.stat().st_mode)
        for path in [data, *data.rglob("*")]
        if "static" not in path.parts[len(data.parts) :]
    }
    assert {"ambassade.sqlite3", "mail/earlier.log", "imports/source-7.upload"} <= set(modes)
    assert len([name for name in modes if name.startswith("mail/")]) == 2
    assert {name: mode for name, mode in modes.items() if mode & 0o077} == {"notes.txt": 0o644}


def _variables_read_by_the_code() -> dict[str, str]:
    """Every ``AMBASSADE_…`` name written in the source (``os.environ.get("AMBASSADE_…")`` in the engine,
    a command's ``PASSWORD_ENV``…), with where: a variable read outside ``config/env.py`` escapes the
    declared settings, and must still be on the configuration page."""
    import ast

    found: dict[str, str] = {}
    source = ROOT / "src" / "ambassade"
    for path in sorted(source.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and re.fullmatch(r"AMBASSADE_[A-Z0-9_]+", node.value)
            ):
                found.setdefault(node.value, f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_it_documents_every_variable_the_code_reads() -> None:
    variables = _variables_read_by_the_code()
    assert "AMBASSADE_DATA_DIR" in variables  # the walk did read the source
    documented = _documented_rows()
    missing = {name: where for name, where in variables.items() if name not in documented}
    assert not missing, f"add these variables to docs/configuration.md: {missing}"
