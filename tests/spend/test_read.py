"""Reading files: sniffing many at once gives what sniffing one by one gives."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest

from socialvalue.exceptions import SpendFileError
from socialvalue.spend.read import input_files, sniff, sniff_all


def test_sniffing_together_gives_each_files_hash_and_encoding_in_order(tmp_path: Path) -> None:
    contents = {
        "a.csv": "Date,Supplier,Amount\n01/04/2024,Café Ltd,10.00\n".encode(),
        "b.csv": b"\xef\xbb\xbfDate,Supplier,Amount\n",
        "c.csv": "Date,Supplier,Amount\n01/04/2024,Caf\u00e9 Ltd,10.00\n".encode("cp1252"),
        "d.csv": b"Date,Supplier,Amount\n" * 100_000,  # several read chunks
    }
    for name, data in contents.items():
        (tmp_path / name).write_bytes(data)
    with zipfile.ZipFile(tmp_path / "e.zip", "w") as archive:
        archive.writestr("inner.csv", contents["c.csv"])
    items, _ = input_files([tmp_path / name for name in [*contents, "e.zip"]])

    sniffed = sniff_all(items)

    expected = [*[(hashlib.sha256(data).hexdigest(), len(data)) for data in contents.values()],
                (hashlib.sha256(contents["c.csv"]).hexdigest(), len(contents["c.csv"]))]
    assert [(s.sha256, s.size) for s in sniffed] == expected  # worked out with hashlib
    assert [s.encoding for s in sniffed] == ["utf-8", "utf-8-sig", "cp1252", "utf-8", "cp1252"]
    assert sniffed == [sniff(item) for item in items]


def test_sniffing_together_names_the_first_empty_file(tmp_path: Path) -> None:
    for name, data in [("a.csv", b"x,y\n"), ("b.csv", b""), ("c.csv", b"")]:
        (tmp_path / name).write_bytes(data)
    items, _ = input_files([tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "c.csv"])
    with pytest.raises(SpendFileError, match=r"^b\.csv: the file is empty"):
        sniff_all(items)
