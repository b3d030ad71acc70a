"""Helpers the import tests share: the import commands, as a person at a terminal runs them."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command


@pytest.fixture
def import_records():
    """import_records KIND PATH --user U --json [options…] -> the printed JSON."""

    def run(kind: str, path: Path, user: str = "ana", *options) -> dict:
        out = StringIO()
        call_command(
            "import_records", kind, str(path), "--user", user, "--json", *options, stdout=out
        )
        return json.loads(out.getvalue())

    return run


@pytest.fixture
def undo():
    def run(batch: int) -> str:
        out = StringIO()
        call_command("undo_import", str(batch), stdout=out)
        return out.getvalue()

    return run


@pytest.fixture
def write_csv(tmp_path):
    """A CSV file of `lines` under `header`, as a spreadsheet saves it."""

    def write(header: str, *lines: str, name: str = "file.csv") -> Path:
        path = tmp_path / name
        path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
        return path

    return write
