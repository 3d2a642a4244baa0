"""Leaderboard aggregation on 1,000,000 synthetic result rows (pytest-benchmark).

    .venv/bin/python -m pytest benchmarks/test_aggregate.py --benchmark-only --benchmark-json=/tmp/agg.json

Target: the median aggregation under 3 s (printed as a ratio; never asserted, the machines are shared). The
rows are built once (about 20 s) by :func:`synthetic_rows.synthetic_rows`; pytest-benchmark stores the
machine's description with every figure in its JSON.
"""

import time

import pytest

from suite.leaderboard import aggregate, render_markdown
from synthetic_rows import synthetic_rows

TARGET_S = 3.0


@pytest.fixture(scope="module")
def rows():
    return synthetic_rows()


def test_aggregate_a_million_rows(benchmark, rows):
    agg = benchmark.pedantic(aggregate, args=(rows,), rounds=5, warmup_rounds=1, iterations=1)
    # What was aggregated is what the rows hold: 50 tasks x 40 methods, each with its best-validation config.
    assert len(agg.boards) == 50 and all(len(b.table) == 40 for b in agg.boards.values())
    assert agg.rows_ok + agg.rows_failed == len(rows)
    median = benchmark.stats.stats.median
    print(f"\naggregate(1,000,000 rows): median {median:.2f} s over 5 rounds; target {TARGET_S:g} s: "
          f"ratio {median / TARGET_S:.2f} ({'met' if median <= TARGET_S else 'NOT met'})")


def test_render_markdown_of_a_million_rows(benchmark, rows):
    agg = aggregate(rows)
    text = benchmark.pedantic(render_markdown, args=(agg,), rounds=3, warmup_rounds=1, iterations=1)
    assert text.count("### `task-") == 50


def test_site_from_a_million_rows(rows, tmp_path):
    """The whole static site (one aggregation, every task and method page, plots), timed once."""
    from suite.site import write_site

    start = time.perf_counter()
    agg = aggregate(rows)
    aggregated = time.perf_counter() - start
    index = write_site(None, tmp_path / "site", None, rows=rows, agg=agg)
    total = time.perf_counter() - start
    pages = sum(1 for _ in (tmp_path / "site").rglob("*.html"))
    assert index.exists() and pages >= 1 + 50 + 40
    print(f"\nsite from 1,000,000 rows: {total:.1f} s in all (aggregation {aggregated:.1f} s, pages and plots "
          f"{total - aggregated:.1f} s), {pages} pages; one build")
