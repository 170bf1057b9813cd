"""Malformed model files (issue 14): every failure of read_model / load_model is one
ModelFileError naming the file and the problem, bounded, raised before anything large
is allocated; never TypeError, MemoryError, RecursionError, NotImplementedError..."""

import io
import json
import tracemalloc
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nnfs_gui.core.config import Config
from nnfs_gui.core.files.serialization import (
    UNEXPECTED,
    ModelFileError,
    load_model,
    read_model,
    save_model,
)
from nnfs_gui.core.net.model import Model

CONFIG = Config(hidden=(8,), classes=3, samples=20)


@pytest.fixture(scope="module")
def valid_members(tmp_path_factory):
    """{member name: raw .npy bytes} of a valid saved model (trained 3 epochs, Adam)."""
    rng = np.random.default_rng(0)
    model = Model.from_config(CONFIG, 2, 3, rng)
    x = rng.normal(size=(30, 2)).astype(np.float32)
    for _ in range(3):
        model.train_epoch(x, rng.integers(0, 3, 30))
    path = save_model(tmp_path_factory.mktemp("m") / "ok.npz", model, CONFIG, epoch=3)
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


def npy(array, allow_pickle=False) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=allow_pickle)
    return buffer.getvalue()


def meta_of(members) -> dict:
    return json.loads(np.load(io.BytesIO(members["meta.npy"])).tobytes())


def with_meta(members, meta_bytes: bytes) -> dict:
    return {**members, "meta.npy": npy(np.frombuffer(meta_bytes, np.uint8))}


def zipped(members, compression=zipfile.ZIP_STORED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buffer.getvalue()


def npy_header(descr: str, shape) -> bytes:
    """A version 1.0 npy header declaring any shape (no data follows)."""
    text = f"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape!r}, }}"
    text = text.ljust(118) + "\n"
    return b"\x93NUMPY\x01\x00" + len(text).to_bytes(2, "little") + text.encode()


def patched_zip(members, offsets_value):
    """A zip whose local (offset a) and central (offset b) header fields are patched."""
    data = bytearray(zipped(members))
    for signature, offset, value in offsets_value:
        start = 0
        while (start := data.find(signature, start)) >= 0:
            data[start + offset:start + offset + 2] = value.to_bytes(2, "little")
            start += 4
    return bytes(data)


def meta_changed(members, **changes):
    return with_meta(members, json.dumps({**meta_of(members), **changes}).encode())


def config_changed(members, **changes):
    meta = meta_of(members)
    return meta_changed(members, config={**meta["config"], **changes})


def nested(depth):
    return ("[" * depth + "]" * depth).encode()


# name -> (bytes of the file from the valid members, part of the expected message)
BROKEN = {
    "plain npy renamed": (lambda m: npy(np.ones(3)), "not a readable"),
    "member not an array": (lambda m: zipped({**m, "meta.npy": b"hello"}), "meta"),
    "param not an array": (lambda m: zipped({**m, "param_1.npy": b"\x00" * 50}), "param_1"),
    "corrupt npy header": (lambda m: zipped({**m, "param_0.npy": b"\x93NUMPY\x01\x00\x76\x00"
                                             + b"{'descr': '<f4', 'shape': (2, 8" + b" " * 88
                                             + b"\n"}), "param_0"),
    "unsupported compression": (lambda m: patched_zip(m, [(b"PK\x03\x04", 8, 99),
                                                          (b"PK\x01\x02", 10, 99)]),
                                "compression method"),
    "encrypted": (lambda m: patched_zip(m, [(b"PK\x03\x04", 6, 1), (b"PK\x01\x02", 8, 1)]),
                  "encrypted"),
    "deep meta": (lambda m: zipped(with_meta(m, nested(100_000))), "nested 100,00"),
    "deep config": (lambda m: zipped(meta_changed(m, config=json.loads(nested(500)))),
                    "nested 50"),
    "meta not utf-8": (lambda m: zipped(with_meta(m, b"\xff\xfe{}")), "UTF-8"),
    "huge integer digits": (lambda m: zipped(with_meta(m, b'{"n": ' + b"9" * 5000 + b"}")),
                            "5,000 digits"),
    "huge n_inputs": (lambda m: zipped(meta_changed(m, n_inputs=10**400)), "n_inputs"),
    "huge epoch": (lambda m: zipped(meta_changed(m, epoch=-1)), "epoch"),
    "huge float setting": (lambda m: zipped(with_meta(m, json.dumps(meta_of(m)).replace(
        '"learning_rate": 0.05', '"learning_rate": 1' + "0" * 400).encode())), "settings"),
    "infinite setting": (lambda m: zipped(config_changed(m, noise=float("inf"))), "noise"),
    "header declares 10^12 values": (lambda m: zipped(
        {**m, "param_0.npy": npy_header("<f4", (10**6, 10**6))}), "param_0"),
    "meta declares 10^12 bytes": (lambda m: zipped(
        {**m, "meta.npy": npy_header("|u1", (10**12,))}), "meta"),
    "int weights": (lambda m: zipped({**m, "param_0.npy": npy(np.ones((2, 8), np.int64))}),
                    "int64"),
    "object array": (lambda m: zipped({**m, "param_1.npy": npy(
        np.array([[1] * 7 + ["x"]], dtype=object), allow_pickle=True)}), "object"),
    "complex weights": (lambda m: zipped({**m, "param_0.npy": npy(np.ones((2, 8), complex))}),
                        "complex"),
    "weights 1e300": (lambda m: zipped({**m, "param_2.npy": npy(np.full((8, 3), 1e300))}),
                      "infinite"),
    "adam moment 1e300": (lambda m: zipped({**m, "optimizer_v_3.npy": npy(
        np.full((1, 3), 1e300))}), "infinite"),
    "missing moment": (lambda m: zipped({k: v for k, v in m.items()
                                         if k != "optimizer_m_2.npy"}), "optimizer_m_2"),
    "other optimizer's state": (lambda m: zipped(meta_changed(
        m, optimizer={**meta_of(m)["optimizer"], "name": "sgd"})), "sgd"),
    "unknown slot": (lambda m: zipped(meta_changed(
        m, optimizer={**meta_of(m)["optimizer"], "slots": ["m", "zz"]})), "slots"),
    "negative iterations": (lambda m: zipped(meta_changed(
        m, optimizer={**meta_of(m)["optimizer"], "iterations": -3})), "iterations"),
    "classes do not fit": (lambda m: zipped(meta_changed(m, n_classes=5)), "n_classes"),
    "shapes do not fit": (lambda m: zipped(config_changed(m, hidden=[9])), "shapes"),
    "trailing data": (lambda m: zipped({**m, "param_1.npy": m["param_1.npy"] + b"\0"}),
                      "param_1"),
    "bad crc": (lambda m: zipped(m).replace(m["param_0.npy"][-8:],
                                            bytes(8 - 1) + b"\x01"), "param_0"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_model_file_raises_one_clear_error(tmp_path, valid_members, case):
    make, message = BROKEN[case]
    path = tmp_path / "broken.npz"
    path.write_bytes(make(valid_members))
    tracemalloc.start()
    try:
        with pytest.raises(ModelFileError, match=message) as info:
            read_model(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    text = str(info.value)
    assert text.startswith(str(path)) and len(text) < 600 and UNEXPECTED not in text
    assert "\n" not in text
    assert peak < 50 * 2**20  # refused before allocating what a header declares


def test_valid_members_load_and_continue(tmp_path, valid_members):
    """The control for the cases above: the unbroken members load."""
    path = tmp_path / "ok.npz"
    path.write_bytes(zipped(valid_members))
    saved = read_model(path)
    assert (saved.epoch, saved.model.optimizer.iterations) == (3, 3)


def test_message_is_bounded_and_escapes_control_characters(tmp_path, valid_members):
    meta = {**meta_of(valid_members), "format": "x\n\x1b[31m" + "y" * 10_000}
    path = tmp_path / ("name\nwith\tcontrols" + "z" * 200 + ".npz")
    path.write_bytes(zipped(with_meta(valid_members, json.dumps(meta).encode())))
    with pytest.raises(ModelFileError, match="not an nnfs-gui model") as info:
        load_model(path)
    text = str(info.value)
    assert len(text) < 600 and "\\n" in text and "\\x1b" in text
    assert not any(ord(c) < 32 for c in text)


def test_a_fifo_or_directory_is_refused_without_blocking(tmp_path):
    import os

    fifo = tmp_path / "pipe.npz"
    os.mkfifo(fifo)
    with pytest.raises(ModelFileError, match="not a regular file"):
        read_model(fifo)
    with pytest.raises(ModelFileError, match="is a folder, not a file"):
        read_model(tmp_path)


def _json_values():
    scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8)
    return st.recursive(scalars, lambda kids: st.lists(kids, max_size=4)
                        | st.dictionaries(st.text(max_size=8), kids, max_size=4),
                        max_leaves=12)


def _loads_or_refuses(tmp_path, data: bytes) -> None:
    path = tmp_path / "fuzz.npz"
    path.write_bytes(data)
    try:
        read_model(path)
    except ModelFileError as e:
        assert len(str(e)) < 600
        assert UNEXPECTED not in str(e)  # an explicit check refused it, not the backstop


FUZZ = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(data=st.binary(max_size=600))
def test_arbitrary_bytes_load_or_raise_model_file_error(tmp_path, data):
    _loads_or_refuses(tmp_path, data)


@FUZZ
@given(value=_json_values())
def test_arbitrary_json_meta_loads_or_raises_model_file_error(tmp_path, valid_members, value):
    _loads_or_refuses(tmp_path, zipped(with_meta(valid_members, json.dumps(value).encode())))


@FUZZ
@given(key=st.sampled_from(["config", "n_inputs", "n_classes", "param_shapes", "epoch",
                            "optimizer", "scaler", "version"]), value=_json_values())
def test_one_meta_entry_replaced_loads_or_raises_model_file_error(tmp_path, valid_members,
                                                                  key, value):
    _loads_or_refuses(tmp_path, zipped(meta_changed(valid_members, **{key: value})))


@FUZZ
@given(position=st.integers(0, 10**6), byte=st.integers(0, 255))
def test_one_byte_changed_loads_or_raises_model_file_error(tmp_path, valid_members,
                                                           position, byte):
    data = bytearray(zipped(valid_members))
    data[position % len(data)] = byte
    _loads_or_refuses(tmp_path, bytes(data))
