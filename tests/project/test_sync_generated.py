"""The sync classes are derived from the asyncio sources; a stale derived file fails here."""
import os
import shutil
import sys

from conftest import ROOT

sys.path.insert(0, os.path.join(ROOT, "tools"))
import gen_sync  # noqa: E402


def test_derived_sync_files_are_current():
    assert gen_sync.main(["--check"]) == 0, "run: python tools/gen_sync.py"


def test_check_detects_a_hand_edit(tmp_path, monkeypatch):
    for name in gen_sync.SOURCES:
        shutil.copy(os.path.join(gen_sync.DST, name), tmp_path / name)
    monkeypatch.setattr(gen_sync, "DST", str(tmp_path))
    assert gen_sync.main(["--check"]) == 0
    with open(tmp_path / gen_sync.SOURCES[0], "a", encoding="utf-8") as f:
        f.write("\n# hand edit\n")
    assert gen_sync.main(["--check"]) == 1


def test_derived_code_has_no_async_left():
    for name in gen_sync.SOURCES:
        text = open(os.path.join(gen_sync.DST, name), encoding="utf-8").read()
        assert "await " not in text and "async def" not in text and "import asyncio" not in text, name
