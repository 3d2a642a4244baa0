"""`netarena reproduce`: table specs, the tolerance rule, and a reproduction end to end on a synthetic task."""

import json
import textwrap
from pathlib import Path

import pytest

from suite.cli import main
from suite.errors import ConfigError, DatasetMissingError, UnknownNameError
from suite.registry import METHODS, TASKS
from suite.reproduce import Tolerance, load_spec, measure, spec_paths, verdict
from suite.task import TaskSpec

REPO = Path(__file__).resolve().parent.parent
SHIPPED = {"kipf2017-gcn", "velickovic2018-gat", "wu2019-sgc", "errica2020", "xu2019-gin", "kipf2016-gae"}

HEADER = """
name = "toy"
authors = "A. Author, B. Author"
year = 2024
title = "A toy table"
venue = "Nowhere"
url = "https://example.org/toy"
table = "Table 1"
metric = "accuracy"
tolerance = { std = true, points = 1.0 }
"""


def write_spec(tmp_path: Path, body: str, header: str = HEADER) -> Path:
    path = tmp_path / "toy.toml"
    path.write_text(textwrap.dedent(header) + textwrap.dedent(body))
    return path


def test_every_shipped_spec_loads_and_validates():
    assert {p.stem for p in spec_paths()} == SHIPPED
    for path in spec_paths():
        spec = load_spec(path.stem)
        assert spec.name == path.stem and spec.url.startswith("https://") and spec.table and spec.note
        assert spec.cells
        for cell in spec.cells:
            assert isinstance(cell.published, float) and (cell.std is None or cell.std >= 0)
            if not cell.unavailable:  # names exist in the registries (load_spec checked it; say it here too)
                assert cell.task in TASKS and cell.method in METHODS
                assert cell.metric in TASKS.get(cell.task).metrics


def test_a_spec_is_found_by_path_as_well_as_by_name(tmp_path):
    path = write_spec(tmp_path, """
        [[cells]]
        task = "csbm-h0.9"
        method = "gcn"
        published = 80.0
    """)
    spec = load_spec(str(path))
    assert spec.name == "toy" and spec.cells[0].metric == "accuracy" and spec.cells[0].std is None
    assert spec.short() == "Author & Author 2024"


@pytest.mark.parametrize("body,error,words", [
    ("""
        [[cells]]
        task = "csbm-h0.9"
        method = "gcn"
     """, ConfigError, ["cell 1", "field 'published' is missing"]),
    ("""
        [[cells]]
        task = "csbm-h0.9"
        method = "gcnn"
        published = 80.0
     """, UnknownNameError, ["cell 1", "unknown method 'gcnn'", "did you mean gcn"]),
    ("""
        [[cells]]
        task = "corra"
        method = "gcn"
        published = 80.0
     """, UnknownNameError, ["unknown task 'corra'", "did you mean cora"]),
    ("""
        [[cells]]
        task = "csbm-h0.9"
        method = "gcn"
        publised = 80.0
     """, ConfigError, ["unknown field 'publised'", "did you mean 'published'"]),
    ("""
        [[cells]]
        task = "csbm-h0.9"
        method = "gcn"
        published = "80"
     """, ConfigError, ["field 'published' must be a number"]),
    ("""
        [[cells]]
        task = "csbm-h0.9"
        method = "gcn"
        metric = "roc_auc"
        published = 80.0
     """, ConfigError, ["does not report roc_auc"]),
    ("""
        [[cells]]
        task = "csbm-h0.9"
        method = "gcn"
        config = { hiden = 64 }
        published = 80.0
     """, ConfigError, ["cell 1", "hiden"]),
])
def test_a_bad_spec_fails_with_one_line_naming_the_file_and_the_problem(tmp_path, body, error, words):
    path = write_spec(tmp_path, body)
    with pytest.raises(error) as exc:
        load_spec(str(path))
    message = str(exc.value)
    assert str(path) in message and "\n" not in message
    for word in words:
        assert word in message


def test_a_missing_table_field_is_named(tmp_path):
    path = write_spec(tmp_path, '[[cells]]\ntask = "cora"\nmethod = "gcn"\npublished = 81.5\n',
                      header=HEADER.replace('url = "https://example.org/toy"\n', ""))
    with pytest.raises(ConfigError, match=r"toy.toml: field 'url' is missing"):
        load_spec(str(path))


def test_the_cli_reports_a_bad_spec_or_name_in_one_line(tmp_path, capsys):
    assert main(["reproduce", "kipf2017"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "did you mean kipf2017-gcn" in err[0]
    assert main(["reproduce", str(tmp_path / "nope.toml")]) == 2
    assert "no reproduction spec at" in capsys.readouterr().err


@pytest.mark.parametrize("measured,published,std,tolerance,expect", [
    (82.0, 81.5, None, Tolerance(True, 1.0), "within"),     # no std published: the points decide
    (82.6, 81.5, None, Tolerance(True, 1.0), "outside"),
    (80.5, 81.5, None, Tolerance(True, 1.0), "within"),     # the boundary counts as within
    (78.0, 75.0, 4.0, Tolerance(True, 1.0), "within"),      # a published std larger than the points widens it
    (78.0, 75.0, 4.0, Tolerance(False, 1.0), "outside"),    # ... unless the rule ignores stds
    (81.0, 80.0, 0.1, Tolerance(True, 1.0), "within"),      # a tiny std: the 1-point floor holds
    (81.2, 80.0, 0.1, Tolerance(True, 1.0), "outside"),
])
def test_the_tolerance_rule(measured, published, std, tolerance, expect):
    assert verdict(measured, published, std, tolerance) == expect


def test_reproduce_end_to_end_on_a_synthetic_task(tmp_path, monkeypatch, capsys):
    """Not run -> run -> reused; a within cell, an outside cell, a cell whose data is missing, a marked one."""
    path = write_spec(tmp_path, """
        protocol = { max_epochs = 5, patience = 5, seeds = 2 }
        note = "A toy protocol."

        [[cells]]
        task = "csbm-h0.9"
        method = "gcn"
        published = 50.0
        std = 60.0

        [[cells]]
        task = "csbm-h0.9"
        method = "mlp"
        published = 500.0

        [[cells]]
        task = "csbm-h0.1"
        method = "mlp"
        published = 40.0
        note = "its loader is made to fail"

        [[cells]]
        label = "BIG"
        method = "gin"
        published = 57.5
        std = 1.5
        unavailable = "BIG is not in the suite"
    """)
    original = TaskSpec.load

    def load(self):
        if self.name == "csbm-h0.1":
            raise DatasetMissingError("dataset CSBM: missing raw files x/y/z.bin; looked in the cache")
        return original(self)

    monkeypatch.setattr(TaskSpec, "load", load)
    results, out = tmp_path / "results", tmp_path / "out"
    args = ["reproduce", str(path), "--results", str(results), "--out", str(out), "--no-progress", "--threads", "1"]

    assert main([*args, "--no-run"]) == 0
    page = (out / "toy.md").read_text()
    assert f"run `netarena reproduce {path} --task csbm-h0.9`" in page
    assert "| data unavailable" in page and "missing raw files z.bin" in page
    assert "BIG is not in the suite" in page and "| unavailable" in page
    assert "**Summary:** 0 of 0 measured cells within tolerance; 2 not run; 1 data unavailable; " \
           "1 unavailable in the suite." in page
    capsys.readouterr()

    assert main(args) == 0
    page = (out / "toy.md").read_text()
    assert "Source: A. Author, B. Author (2024). *A toy table*. Nowhere. https://example.org/toy, Table 1." in page
    assert "max(published std, 1 point)" in page and "with max_epochs=5, patience=5, seeds=2" in page
    gcn = next(line for line in page.splitlines() if line.startswith("| `csbm-h0.9` | `gcn`"))
    cells = [c.strip() for c in gcn.strip("|").split("|")]
    assert cells[2] == "50.0 ± 60.0" and cells[3].endswith("(2 seeds)") and cells[5] == "within"
    mean = float(cells[3].split(" ± ")[0])
    assert cells[4] == f"{mean - 50.0:+.2f}"
    mlp = next(line for line in page.splitlines() if line.startswith("| `csbm-h0.9` | `mlp`"))
    assert mlp.rstrip(" |").endswith("outside") and "500.0" in mlp
    summary = "**Summary:** 1 of 2 measured cells within tolerance; 1 outside; 1 data unavailable; " \
              "1 unavailable in the suite."
    assert summary in page and summary in capsys.readouterr().out
    assert "Wall time: " in page and "(4 runs executed, 0 reused)" in page
    assert f"Rerun: `netarena reproduce {path} --results {results} --out {out} --threads 1`" in page
    index = (out / "README.md").read_text()
    assert "[`toy`](toy.md)" in index and "1 of 2 measured cells within tolerance" in index
    assert "`kipf2017-gcn`" in index  # shipped tables are listed, rendered or not

    rows = sorted(results.rglob("*.parquet"))
    assert len(rows) == 4
    assert main(args) == 0  # every run has a row: nothing executes again
    assert "(0 runs executed, 4 reused)" in (out / "toy.md").read_text()
    assert sorted(results.rglob("*.parquet")) == rows


def test_nested_cv_cells_match_the_leaderboard_on_the_committed_rows():
    """Under nested CV a cell is each fold's holdout winner, retrains averaged, mean +- std over folds: the
    leaderboard's number for the same rows."""
    from suite.leaderboard import aggregate
    from suite.results import read_results

    spec = load_spec("errica2020")
    cell = next(c for c in spec.cells if (c.task, c.method) == ("tu-proteins", "gin"))
    results = REPO / "results"
    got = measure(spec, cell, None, results, "cmd")
    if got.verdict == "not run":
        pytest.skip("the committed tu-proteins GIN rows are absent")
    df = read_results(results / "tu-proteins" / "gin")
    boards = [b for b in aggregate(df).boards.values() if json.loads(b.protocol_json).get("retrain")
              and "variant" not in json.loads(b.protocol_json)]
    row = boards[0].table.set_index("method").loc["gin"]
    assert got.n == row["seeds"] == 10 and got.unit == "folds"
    assert got.mean == pytest.approx(100 * row["test_mean"]) and got.std == pytest.approx(100 * row["test_std"])


def test_after_a_code_change_no_run_shows_the_earlier_codes_rows_marked_as_such(tmp_path, monkeypatch, capsys):
    import suite.runner as runner

    path = write_spec(tmp_path, """
        protocol = { max_epochs = 5, patience = 5, seeds = 2 }

        [[cells]]
        task = "csbm-h0.9"
        method = "mlp"
        published = 50.0
        std = 60.0
    """)
    results, out = tmp_path / "results", tmp_path / "out"
    args = ["reproduce", str(path), "--results", str(results), "--out", str(out), "--no-progress", "--threads", "1"]
    assert main(args) == 0
    line = next(x for x in (out / "toy.md").read_text().splitlines() if x.startswith("| `csbm-h0.9`"))
    measured = line.split("|")[4].strip()
    assert measured.endswith("(2 seeds)") and "earlier code" not in measured

    old = runner.method_code_version("mlp")
    monkeypatch.setattr(runner, "method_code_version", lambda method: "0123456789ab")  # the method's code was edited
    assert main([*args, "--no-run"]) == 0
    page = (out / "toy.md").read_text()
    line = next(x for x in page.splitlines() if x.startswith("| `csbm-h0.9`"))
    # the same rows, hence the same value, now flagged; the run keys of the current code have no rows
    assert line.split("|")[4].strip() == measured.replace("(2 seeds)", f"(2 seeds; earlier code {old})")
    assert line.rstrip(" |").endswith("within") and "*Earlier code*" in page
    capsys.readouterr()


def test_a_cell_measured_on_fewer_seeds_than_planned_is_partial_and_not_judged(tmp_path, capsys):
    path = write_spec(tmp_path, """
        protocol = { max_epochs = 5, patience = 5, seeds = 2 }

        [[cells]]
        task = "csbm-h0.9"
        method = "mlp"
        published = 50.0
        std = 60.0
    """)
    results, out = tmp_path / "results", tmp_path / "out"
    args = ["reproduce", str(path), "--results", str(results), "--out", str(out), "--no-progress", "--threads", "1"]
    assert main(args) == 0
    assert "**Summary:** 1 of 1 measured cells within tolerance." in (out / "toy.md").read_text()
    first, second = sorted(results.rglob("*.parquet"))
    second.unlink()  # the sweep stopped after one of the two seeds

    assert main([*args, "--no-run"]) == 0
    page = (out / "toy.md").read_text()
    cells = [c.strip() for c in next(x for x in page.splitlines() if x.startswith("| `csbm-h0.9`")).strip("|").split("|")]
    assert cells[3].endswith("(1 of 2 seeds)") and cells[4] != "-" and cells[5] == "partial"
    assert "**Summary:** 0 of 0 measured cells within tolerance; 1 partial (fewer folds or seeds than planned; " \
           "not judged)." in page
    capsys.readouterr()
