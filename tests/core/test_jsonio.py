"""The one JSON reader: every odd file is a JsonFileError naming the file and why."""

import codecs
import os
import threading

import pytest

from nnfs_gui.core.errors import bounded, short_repr, some_of
from nnfs_gui.core.files import jsonio
from nnfs_gui.core.files.jsonio import (
    MAX_BYTES,
    JsonFileError,
    nesting_depth,
    parse_json_bytes,
    read_json_file,
)

TEXT = '{"a": [1, 2.5, "x"]}'


@pytest.mark.parametrize(("data", "words"), [
    (TEXT.encode("utf-16"), ("UTF-16", "UTF-8")),
    (TEXT.encode("utf-16-le"), ("UTF-16",)),
    ('{"a": "café"}'.encode("latin-1"), ("not UTF-8", "0xe9", "offset 10")),
    (bytes(range(256)), ("binary",)),
    (b"[" * 100_000 + b"]" * 100_000, ("nested 100,000 levels", "limit is 64")),
    (b"[" + b"9" * 5000 + b"]", ("5,000 digits", "4,300")),
    (b"[1e400]", ("1e400", "too large")),
    (b"{oops", ("not valid JSON", "line 1 column 2")),
    (b'"unterminated', ("not valid JSON",)),
])
def test_bad_bytes_say_what_is_wrong_in_one_line(data, words):
    with pytest.raises(JsonFileError) as info:
        parse_json_bytes(data, "config file x.json")
    message = str(info.value)
    assert message.startswith("config file x.json: ") and "\n" not in message
    for word in words:
        assert word in message, message


def test_utf8_with_bom_and_plain_utf8_load():
    assert parse_json_bytes(codecs.BOM_UTF8 + TEXT.encode(), "s") == {"a": [1, 2.5, "x"]}
    assert parse_json_bytes('{"ä": "ö"}'.encode(), "s") == {"ä": "ö"}


def test_brackets_inside_strings_do_not_count_as_nesting():
    assert nesting_depth('{"a": "[[[[{{{{\\"[[["}') == 1
    deep = "[" * 64 + "]" * 64
    assert parse_json_bytes(deep.encode(), "s") is not None  # the limit itself loads
    with pytest.raises(JsonFileError, match="65 levels"):
        parse_json_bytes(("[" + deep + "]").encode(), "s")


def test_folders_pipes_and_devices_are_refused_without_reading(tmp_path):
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)
    outcome = []
    # A FIFO with no writer blocks an ordinary open() forever: read in a thread.
    reader = threading.Thread(target=lambda: outcome.append(_message(fifo)), daemon=True)
    reader.start()
    reader.join(10)
    assert outcome and "not a regular file" in outcome[0]
    assert "not a regular file" in _message("/dev/zero")
    assert "is a folder" in _message(tmp_path)
    assert "no such file" in _message(tmp_path / "missing.json")


def test_a_file_over_the_limit_is_refused_by_its_size(tmp_path):
    big = tmp_path / "big.json"
    with open(big, "wb") as f:
        f.truncate(MAX_BYTES + 1)   # sparse: costs no disk
    assert "too large" in _message(big) and f"{MAX_BYTES:,}" in _message(big)


def test_a_file_that_grows_after_stat_is_read_only_up_to_the_limit(tmp_path, monkeypatch):
    path = tmp_path / "a.json"
    path.write_bytes(b"[" + b" " * 100 + b"]")
    monkeypatch.setattr(jsonio, "MAX_BYTES", 50)
    with pytest.raises(JsonFileError, match="too large"):
        read_json_file(path)


def test_message_names_file_and_problem(tmp_path):
    path = tmp_path / "c.json"
    path.write_bytes(b"\xff\xfe")
    message = _message(path, "config file")
    assert message.startswith(f"config file {path}: ") and "UTF-16" in message


def test_bounded_messages_stay_on_one_short_line():
    assert bounded("a\nb\rc\x00d\u2028") == "a\\nb\\rc\\x00d\\u2028"
    long = bounded("x" * 10_000)
    assert len(long) < 450 and "9,600 more characters" in long
    assert some_of(map(str, range(1_000_000))) == "0, 1, 2, 3, 4 and 999,995 more"
    assert "5,000 digits" in short_repr(10**5000)
    nested: list = []
    for _ in range(100_000):
        nested = [nested]
    assert len(short_repr(nested)) < 50


def _message(path, what="file") -> str:
    with pytest.raises(JsonFileError) as info:
        read_json_file(path, what)
    return str(info.value)
