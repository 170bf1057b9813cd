"""Any file given as a config either loads or is one ConfigError line: never a traceback.

A fuzzing run found 450 of 4,500 mutated configs ending in UnicodeDecodeError,
RecursionError, ValueError or OverflowError; these tests feed the reader the same
kinds of input, from hypothesis and from a list of known troublemakers, and run a
sample through the command line as a user would.
"""

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nnfs_gui.core.config import Config, ConfigError, field_names

ROOT = Path(__file__).resolve().parents[2]
VALID = Config(epochs=1, samples=10).to_json().encode()
MAX_LINE = 450   # a bounded message plus its "... (N more characters)" mark

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
    | st.integers(min_value=10**300, max_value=10**1000),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=5),
    max_leaves=30)
# A config whose keys are mostly real fields, so values reach the field checks.
config_like = st.dictionaries(st.sampled_from(field_names()) | st.text(max_size=12),
                              json_values, max_size=8)


def loads_or_says_why(data: bytes, tmp_path: Path) -> Config | None:
    """Config.load on ``data``: a Config, or None after checking the ConfigError's line."""
    path = tmp_path / "c.json"
    path.write_bytes(data)
    try:
        return Config.load(path)
    except ConfigError as e:
        message = str(e)
        assert "\n" not in message and len(message) <= MAX_LINE, message
        assert str(path) in message
        return None


fuzz = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


@fuzz
@given(data=st.binary(max_size=300))
def test_arbitrary_bytes(data, tmp_path):
    loads_or_says_why(data, tmp_path)


@fuzz
@given(value=json_values)
def test_arbitrary_json_values(value, tmp_path):
    loads_or_says_why(json.dumps(value).encode(), tmp_path)


@fuzz
@given(changes=config_like)
def test_a_valid_config_with_arbitrary_fields(changes, tmp_path):
    data = json.loads(VALID) | changes
    loads_or_says_why(json.dumps(data).encode(), tmp_path)


@fuzz
@given(cuts=st.lists(st.tuples(st.integers(0, len(VALID)), st.binary(max_size=4)),
                     max_size=4))
def test_a_valid_config_with_bytes_spliced_in(cuts, tmp_path):
    data = VALID
    for at, chunk in cuts:
        data = data[:at] + chunk + data[at + len(chunk):]
    loads_or_says_why(data, tmp_path)


def troublemakers(tmp_path: Path) -> dict[str, Path]:
    """The kinds of file the fuzzing run found escaping, one each, plus a good one."""
    good = json.loads(VALID)
    contents = {
        "good": VALID,
        "utf16": VALID.decode().encode("utf-16"),
        "latin1": VALID.replace(b'"custom"', '"café"'.encode("latin-1")),
        "binary": bytes(range(256)) * 4,
        "deep": b"[" * 50_000 + b"]" * 50_000,
        "long_int": json.dumps(good).replace('"seed": 0', '"seed": ' + "7" * 5000).encode(),
        "float_field_1e400": json.dumps(good | {"noise": 10**400}).encode(),
        "float_literal_1e400": VALID.replace(b'"noise": 0.2', b'"noise": 1e400'),
        "many_unknown_keys": json.dumps(good | {f"k{i}": 0 for i in range(200_000)}).encode(),
        "newline_key": json.dumps(good | {"bad\nkey": 1}).encode(),
        "hidden_nested": json.dumps(good | {"hidden": [[[[[1]]]]] * 40}).encode(),
    }
    paths = {}
    for name, data in contents.items():
        paths[name] = tmp_path / f"{name}.json"
        paths[name].write_bytes(data)
    paths["fifo"] = tmp_path / "fifo.json"
    os.mkfifo(paths["fifo"])
    paths["dev_zero"] = Path("/dev/zero")
    rng = random.Random(14)
    for i in range(3):   # random byte mutations of the good file
        data = bytearray(VALID)
        for _ in range(4):
            data[rng.randrange(len(data))] = rng.randrange(256)
        paths[f"mutated{i}"] = tmp_path / f"mutated{i}.json"
        paths[f"mutated{i}"].write_bytes(bytes(data))
    return paths


def test_troublemakers_in_process(tmp_path):
    files = troublemakers(tmp_path)
    assert isinstance(Config.load(files.pop("good")), Config)
    for name, path in files.items():
        with pytest.raises(ConfigError) as info:
            Config.load(path)
        message = str(info.value)
        assert "\n" not in message and len(message) <= MAX_LINE, (name, message)
        assert str(path) in message, (name, message)


def test_troublemakers_on_the_command_line(tmp_path):
    """``main.py --headless --config FILE``: exit 0, or exit 2 with one line, no traceback."""
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
    for name, path in troublemakers(tmp_path).items():
        result = subprocess.run(
            [sys.executable, str(ROOT / "main.py"), "--headless", "--config", str(path),
             "--epochs", "1", "--print-every", "0"],
            capture_output=True, text=True, timeout=120, cwd=ROOT, env=env)
        if name == "good":
            assert result.returncode == 0, result.stderr
            continue
        lines = result.stderr.strip().splitlines()
        assert result.returncode == 2, (name, result.stderr[-2000:])
        assert len(lines) == 1 and "Traceback" not in result.stderr, (name, result.stderr)
        assert len(lines[0]) <= MAX_LINE + 20 and str(path) in lines[0], (name, lines[0])
