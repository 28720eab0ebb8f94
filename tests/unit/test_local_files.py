"""helpdesk_local.moto_files: an S3 object's value read from the data directory's file, as moto reads a key."""

from __future__ import annotations

from pathlib import Path


def test_a_file_buffer_reads_its_file_as_moto_reads_a_key_and_keeps_a_rewrite_in_memory(tmp_path: Path) -> None:
    from helpdesk_local.moto_files import FileBuffer

    path = tmp_path / "object"
    path.write_bytes(b"Return-Path: <kunde@example.com>\r\n\r\nHallo")
    buffer = FileBuffer(path)
    buffer.seek(0)
    assert buffer.read() == path.read_bytes()  # FakeKey.value
    buffer.seek(0)
    assert buffer.read(6) == b"Return" and buffer.read(5) == b"-Path" and buffer.tell() == 11
    assert buffer.seek(-5, 2) == len(path.read_bytes()) - 5 and buffer.read() == b"Hallo"
    buffer.seek(0)
    buffer.truncate()  # the value setter: seek(0), truncate(), write()
    buffer.write(b"neu")
    buffer.seek(0)
    assert buffer.read() == b"neu" and path.read_bytes().endswith(b"Hallo")  # the file is never written
