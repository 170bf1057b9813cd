"""The importer (core/tabular.py): good files load as the points they hold; every bad
file is one DataFileError naming the file, the line, the column and what was
expected; random bytes and random CSV-like text never raise anything else."""

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nnfs_gui.core.data.datasets import make_dataset
from nnfs_gui.core.data.tabular import DataFileError, ImportCancelled, load_data, preview
from nnfs_gui.core.data.textlines import MAX_LINE_CHARS


def moons(n=50, seed=0):
    return make_dataset("moons", n, 2, 0.1, np.random.default_rng(seed))


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return path


def csv_text(x, labels, header="x1,x2,label", sep=","):
    lines = [header.replace(",", sep)] if header else []
    lines += [f"{a!r}{sep}{b!r}{sep}{c}" for (a, b), c in zip(x.tolist(), labels, strict=True)]
    return "\n".join(lines) + "\n"


# -- good files ------------------------------------------------------------------------
def test_integer_labels_load_as_the_points_written(tmp_path):
    x, y = moons()
    data = load_data(write(tmp_path, "moons.csv", csv_text(x, y)))
    np.testing.assert_array_equal(data.x_train, x)
    np.testing.assert_array_equal(data.y_train, y)
    assert data.class_names == ("0", "1")
    assert data.axis_names == ("x1", "x2")
    assert data.x_val is None


def test_string_labels_map_to_classes_in_alphabetical_order(tmp_path):
    x, y = moons()
    words = np.array(["setosa", "anemone"])[y]
    data = load_data(write(tmp_path, "w.csv", csv_text(x, words)))
    assert data.class_names == ("anemone", "setosa")
    np.testing.assert_array_equal(data.y_train, 1 - y)   # setosa (label 0) is class 1


def test_tsv_without_header_and_with_crlf_and_a_bom(tmp_path):
    x, y = moons()
    text = csv_text(x, y, header=None, sep="\t").replace("\n", "\r\n")
    path = write(tmp_path, "m.tsv", "\ufeff" + text)
    data = load_data(path)
    np.testing.assert_array_equal(data.x_train, x)
    assert preview(path).header is None
    assert data.axis_names == ("column 1", "column 2")


def test_utf16_with_a_byte_order_mark_reads_as_excel_writes_it(tmp_path):
    x, y = moons(10)
    data = load_data(write(tmp_path, "u.txt", csv_text(x, y, sep="\t"), "utf-16"))
    np.testing.assert_array_equal(data.x_train, x)


def test_label_and_features_chosen_by_name_and_by_index(tmp_path):
    x, y = moons(20)
    lines = ["id,label,a,b"] + [f"r{i},{c},{p},{q}" for i, ((p, q), c)
                                in enumerate(zip(x.tolist(), y, strict=True))]
    path = write(tmp_path, "cols.csv", "\n".join(lines))
    by_name = load_data(path, label="label", features=["b", "a"])
    by_index = load_data(path, label=1, features=["3", 2])
    np.testing.assert_array_equal(by_name.x_train, x[:, ::-1])
    np.testing.assert_array_equal(by_index.x_train, x[:, ::-1])
    np.testing.assert_array_equal(by_name.y_train, y)


def test_a_separate_validation_file_is_the_validation_set(tmp_path):
    x, y = moons(40)
    xv, yv = moons(15, seed=1)
    data = load_data(write(tmp_path, "t.csv", csv_text(x, y)),
                     val_path=write(tmp_path, "v.csv", csv_text(xv, yv)))
    split = data.split("fresh", 0.2, np.random.default_rng(0))
    np.testing.assert_array_equal(split.x_val, xv)
    np.testing.assert_array_equal(split.y_train, y)


def test_without_a_validation_file_the_strategy_splits_the_rows(tmp_path):
    x, y = moons(50)
    data = load_data(write(tmp_path, "t.csv", csv_text(x, y)))
    block = data.split("block", 0.2, np.random.default_rng(0))
    assert len(block.y_val) == 20 and np.bincount(block.y_val).tolist() == [10, 10]
    np.testing.assert_array_equal(block.x_val[:10], x[y == 0][-10:])  # file order kept
    hold = data.split("holdout", 0.2, np.random.default_rng(0))
    assert len(hold.y_train) == 80
    assert {tuple(p) for p in hold.x_val} | {tuple(p) for p in hold.x_train} == \
        {tuple(p) for p in x}


def test_five_feature_columns_go_through_pca(tmp_path):
    rng = np.random.default_rng(0)
    x, y = moons(60)
    # Five columns that are mixtures of the two moon coordinates, plus tiny noise:
    # the first two components must hold almost all the variance.
    mix = rng.normal(size=(2, 5))
    five = x @ mix + 1e-3 * rng.normal(size=(len(x), 5))
    lines = ["a,b,c,d,e,label"] + [",".join(map(repr, row)) + f",{c}"
                                   for row, c in zip(five.tolist(), y, strict=True)]
    data = load_data(write(tmp_path, "five.csv", "\n".join(lines)))
    assert data.x_train.shape == (120, 2)
    assert data.axis_names[0].startswith("PC1 (") and "PCA" in data.note
    centred = five - five.mean(axis=0)
    back = data.x_train.astype(np.float64)
    # a projection keeps the points' distances up to the dropped (tiny) variance
    assert np.allclose(np.linalg.norm(back, axis=1), np.linalg.norm(centred, axis=1),
                       atol=1e-2)


def test_progress_reaches_one_and_cancel_stops(tmp_path):
    x, y = moons(3000)
    path = write(tmp_path, "big.csv", csv_text(x, y))
    seen = []
    load_data(path, progress=seen.append)
    assert seen and seen[-1] == 1.0 and seen == sorted(seen)
    with pytest.raises(ImportCancelled):
        load_data(path, cancel=lambda: True)


# -- bad files: each message names the file, the line, the column, what was expected ---
BAD = [
    ("empty.csv", b"", None, None, "empty"),
    ("blank.csv", b"\n\n  \n", None, None, "empty"),
    ("header.csv", b"x,y,label\n", 2, None, "header only"),
    ("missing.csv", b"x,y,label\n1,2,0\n3,4\n", 3, None, "missing columns: expected 3"),
    ("extra.csv", b"x,y,label\n1,2,0\n3,4,1,9\n", 3, None, "extra columns"),
    ("word.csv", b"x,y,label\n1,2,a\n3,abc,b\n", 3, "2 ('y')", "expected a number, found 'abc'"),
    ("nan.csv", b"x,y,label\n1,2,0\n1,nan,1\n", 3, "2 ('y')", "finite number"),
    ("inf.csv", b"x,y,label\n1,2,0\ninf,2,1\n", 3, "1 ('x')", "finite number"),
    ("huge.csv", b"x,y,label\n1,2,0\n1e39,2,1\n", 3, "1 ('x')", "finite number"),
    ("one.csv", b"x,y,label\n1,2,a\n3,4,a\n", None, None, "only one class ('a')"),
    ("nine.csv", b"x,y,c\n" + b"".join(b"%d,1,k%d\n" % (i, i) for i in range(9)), 10,
     "3 ('c')", "at most 8 classes"),
    ("emptylabel.csv", b"x,y,c\n1,2,a\n3,4,\n", 3, "3 ('c')", "expected a class label"),
    ("latin1.csv", "x,y,label\n1,2,caf\u00e9\n".encode("latin-1"), 2, None,
     "not UTF-8 text (byte 0xe9)"),
    ("binary.csv", b"x,y,label\n1,2,0\n\x00\x01\x02\x89PNG\n", 3, None, "binary data"),
    ("long.csv", b"x,y,label\n1,2," + b"9" * (MAX_LINE_CHARS + 5) + b"\n", 2, None,
     "characters long"),
    ("noline.csv", b"7" * (MAX_LINE_CHARS * 30), 1, None, "longer than"),
    ("two.csv", b"x,label\n1,0\n2,1\n", 1, None, "expected at least 3"),
    ("quote.csv", b'x,y,label\n1,2,0\n3,"4,1\n', 3, None, "cannot split the line"),
]


@pytest.mark.parametrize(("name", "content", "line", "column", "expected"), BAD,
                         ids=[b[0] for b in BAD])
def test_bad_file_message(tmp_path, name, content, line, column, expected):
    path = write(tmp_path, name, content)
    with pytest.raises(DataFileError) as e:
        load_data(path)
    text = str(e.value)
    assert text.startswith(str(path)), text
    assert expected in text, text
    assert e.value.line == line, text
    assert e.value.column == column, text
    assert "\n" not in text and len(text) < 600


def test_folder_and_missing_file(tmp_path):
    with pytest.raises(DataFileError, match="is a folder"):
        load_data(tmp_path)
    with pytest.raises(DataFileError, match="no such file"):
        load_data(tmp_path / "nope.csv")


def test_validation_file_with_other_features_or_classes(tmp_path):
    train = write(tmp_path, "t.csv", "x,y,label\n1,2,a\n3,4,b\n")
    with pytest.raises(DataFileError, match="has no column 'y'.*features must be the same"):
        load_data(train, val_path=write(tmp_path, "v.csv", "x,z,label\n1,2,a\n"))
    with pytest.raises(DataFileError, match="4 columns but the training file"):
        load_data(write(tmp_path, "t2.csv", "1,2,a\n3,4,b\n"),
                  val_path=write(tmp_path, "v2.csv", "1,2,5,a\n"))
    with pytest.raises(DataFileError) as e:
        load_data(train, val_path=write(tmp_path, "v3.csv", "x,y,label\n1,2,a\n5,6,c\n"))
    assert e.value.line == 3 and "'c' is not a class" in str(e.value)


def test_unknown_column_names_the_columns_there_are(tmp_path):
    path = write(tmp_path, "t.csv", "x,y,label\n1,2,a\n3,4,b\n")
    with pytest.raises(DataFileError, match="no column 'colour'; its columns are x, y, label"):
        load_data(path, label="colour")
    with pytest.raises(DataFileError, match="cannot be both"):
        load_data(path, label="x", features=["x", "y"])


# -- fuzzing: valid data or DataFileError, nothing else ---------------------------------------
def _loads_or_refuses(path):
    try:
        data = load_data(path)
    except DataFileError as e:
        assert "\n" not in str(e)
        return
    assert data.x_train.dtype == np.float32 and data.x_train.shape[1] == 2
    assert np.isfinite(data.x_train).all()
    assert 2 <= data.n_classes <= 8
    assert set(np.unique(data.y_train)) <= set(range(data.n_classes))


FUZZ = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(st.binary(max_size=400))
def test_random_bytes_load_or_raise_data_file_error(tmp_path, content):
    _loads_or_refuses(write(tmp_path, "fuzz.csv", content))


CELL = st.one_of(st.integers(-5, 5).map(str), st.floats().map(repr),
                 st.sampled_from(["a", "b", "", " ", "nan", "-inf", "1e400", '"', "x,y",
                                  "\t", "#", "é", "1_0", "0x10"]),
                 st.text(max_size=5))


@FUZZ
@given(st.lists(st.lists(CELL, min_size=0, max_size=5), max_size=12),
       st.sampled_from([",", "\t", ";"]))
def test_random_csv_like_text_loads_or_raises_data_file_error(tmp_path, rows, sep):
    text = "\n".join(sep.join(r) for r in rows)
    _loads_or_refuses(write(tmp_path, "fuzz.csv", text.encode("utf-8", "surrogatepass")))


def test_a_million_rows_load_with_progress(tmp_path):
    n = 1_000_000
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 2)).round(4)
    y = rng.integers(0, 3, n)
    path = tmp_path / "million.csv"
    with open(path, "w") as f:
        f.write("a,b,label\n")
        np.savetxt(f, np.column_stack([x, y]), fmt=["%.4f", "%.4f", "%d"], delimiter=",")
    calls = []
    data = load_data(path, progress=calls.append)
    assert data.x_train.shape == (n, 2) and math.isclose(calls[-1], 1.0)
    assert len(calls) > 20   # progress between blocks, not once at the end
    np.testing.assert_allclose(data.x_train, x.astype(np.float32))
    np.testing.assert_array_equal(data.y_train, y)
