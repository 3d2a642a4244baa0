import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sst

from suite.errors import ConfigError
from suite.stats import (NEMENYI_Q05, critical_difference, holm, nemenyi_q, paired_pvalue, pareto_front, plot_cd,
                         plot_pareto, rank_test, welch_pvalue)

# Scores (higher is better) of 4 methods on 14 tasks whose average ranks are those of Demsar 2006's worked example
# (Sec. 3.2.2: C4.5 3.143, C4.5+m 2.000, C4.5+cf 2.893, C4.5+m+cf 1.964; chi^2_F = 9.28, F_F = 3.69; Nemenyi
# CD = 1.25 at alpha 0.05, 1.12 at 0.10). Ties included, so average ranks are exercised.
DEMSAR = pd.DataFrame(
    [[0.763, 0.768, 0.771, 0.798], [0.599, 0.591, 0.590, 0.569], [0.954, 0.971, 0.968, 0.967],
     [0.628, 0.661, 0.657, 0.657], [0.882, 0.888, 0.886, 0.898], [0.936, 0.931, 0.916, 0.931],
     [0.661, 0.668, 0.609, 0.685], [0.583, 0.583, 0.563, 0.625], [0.775, 0.838, 0.866, 0.875],
     [1.000, 1.000, 1.000, 1.000], [0.940, 0.962, 0.965, 0.962], [0.619, 0.666, 0.614, 0.669],
     [0.972, 0.981, 0.975, 0.975], [0.957, 0.978, 0.946, 0.970]],
    index=[f"task{i}" for i in range(14)], columns=["C4.5", "C4.5+m", "C4.5+cf", "C4.5+m+cf"])


def test_paired_pvalue_of_identical_constant_shift_and_noisy_shift():
    a = np.array([0.80, 0.82, 0.78, 0.81])
    assert paired_pvalue(a, a.copy()) == 1.0
    assert paired_pvalue(a, a - 0.3) == 0.0  # every seed 30 points worse: no spread, t infinite
    d = np.array([0.02, 0.03, 0.01, 0.02])
    t = d.mean() / (d.std(ddof=1) / math.sqrt(4))  # by hand: t = 4.899 on 3 degrees of freedom
    assert paired_pvalue(a, a - d) == pytest.approx(2 * sst.t.sf(t, 3), rel=1e-9)
    assert paired_pvalue(a, a - d) == paired_pvalue(a - d, a) < 0.05


def test_paired_pvalue_drops_missing_pairs_and_needs_two():
    assert math.isnan(paired_pvalue([0.5], [0.4]))
    assert math.isnan(paired_pvalue([0.5, np.nan], [0.4, 0.3]))
    with_gap = paired_pvalue([0.5, np.nan, 0.7, 0.6], [0.4, 0.1, 0.5, 0.55])
    assert with_gap == paired_pvalue([0.5, 0.7, 0.6], [0.4, 0.5, 0.55])
    with pytest.raises(ValueError, match="same length"):
        paired_pvalue([1, 2], [1, 2, 3])


def test_a_paired_t_test_rejects_where_wilcoxon_cannot_on_five_seeds():
    # Why paired_pvalue is a t-test: 5 seeds all better is Wilcoxon's floor, 2 / 2**5, above 0.05.
    a = np.array([0.70, 0.72, 0.69, 0.71, 0.73])
    b = a - np.array([0.04, 0.05, 0.03, 0.05, 0.04])
    assert sst.wilcoxon(a, b).pvalue == pytest.approx(0.0625)
    assert paired_pvalue(a, b) < 0.001


def test_welch_pvalue_against_the_formula():
    a, b = np.array([0.5, 0.6, 0.7]), np.array([0.2, 0.25, 0.3, 0.35])
    va, vb = a.var(ddof=1) / 3, b.var(ddof=1) / 4
    t = (a.mean() - b.mean()) / math.sqrt(va + vb)
    df = (va + vb) ** 2 / (va**2 / 2 + vb**2 / 3)  # Welch-Satterthwaite
    assert welch_pvalue(a, b) == pytest.approx(2 * sst.t.sf(t, df), rel=1e-9)
    assert welch_pvalue([0.5, 0.5], [0.5, 0.5, 0.5]) == 1.0
    assert welch_pvalue([0.5, 0.5], [0.4, 0.4]) == 0.0
    assert math.isnan(welch_pvalue([0.5], [0.4, 0.3]))


def test_holm_multiplies_the_smallest_by_m_and_never_decreases_along_the_order():
    # sorted: 0.005 x 4 = 0.02, 0.01 x 3 = 0.03, 0.03 x 2 = 0.06, 0.04 x 1 = 0.04 -> raised to 0.06
    assert holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert holm([0.5, 0.6]).tolist() == [1.0, 1.0]  # capped at 1
    out = holm([np.nan, 0.02, 0.01])  # a missing p-value is not a comparison: m = 2
    assert math.isnan(out[0]) and out[1:] == pytest.approx([0.02, 0.02])


def test_nemenyi_table_and_critical_difference_follow_demsar():
    for k, q in NEMENYI_Q05.items():  # Table 5(a) is the Studentized range / sqrt(2)
        assert sst.studentized_range.ppf(0.95, k, np.inf) / math.sqrt(2) == pytest.approx(q, abs=1e-3)
    assert critical_difference(4, 14) == pytest.approx(2.569 * math.sqrt(4 * 5 / (6 * 14)))
    assert critical_difference(4, 14) == pytest.approx(1.25, abs=0.005)
    assert nemenyi_q(4, alpha=0.10) == pytest.approx(2.291, abs=1e-3)  # Table 5(b)
    q12 = sst.studentized_range.ppf(0.95, 12, np.inf) / math.sqrt(2)  # beyond the table: k = 12, N = 20
    assert critical_difference(12, 20) == pytest.approx(q12 * math.sqrt(12 * 13 / 120))


def test_rank_test_reproduces_demsars_worked_example():
    test = rank_test(DEMSAR)
    assert test.methods == ["C4.5+m+cf", "C4.5+m", "C4.5+cf", "C4.5"]
    assert test.avg_ranks.round(3).tolist() == [1.964, 2.000, 2.893, 3.143]
    assert test.n_tasks == 14 and test.dropped_tasks == 0
    assert test.friedman_stat == pytest.approx(9.28, abs=0.01)
    assert test.iman_davenport == pytest.approx(3.69, abs=0.01)
    assert test.friedman_p == pytest.approx(sst.chi2.sf(test.friedman_stat, 3)) and test.friedman_p < 0.05
    assert test.cd == pytest.approx(1.25, abs=0.005)
    # Nemenyi at 0.05: the widest gap (3.143 - 1.964 = 1.18) is under the CD, one clique; at 0.10 (CD 1.12)
    # C4.5+m+cf and C4.5+m are better than C4.5, as Demsar concludes.
    assert rank_test(DEMSAR, post_hoc="nemenyi").cliques == [tuple(test.methods)]
    at10 = rank_test(DEMSAR, alpha=0.10, post_hoc="nemenyi")
    assert at10.cd == pytest.approx(1.12, abs=0.005)
    assert at10.cliques == [("C4.5+m+cf", "C4.5+m", "C4.5+cf"), ("C4.5+cf", "C4.5")]


def test_friedman_statistic_equals_scipys_without_ties_and_a_hand_computed_one_with_ties():
    rng = np.random.default_rng(0)
    scores = pd.DataFrame(rng.random((9, 5)), columns=list("abcde"))
    assert rank_test(scores).friedman_stat == pytest.approx(sst.friedmanchisquare(*scores.T.to_numpy()).statistic)
    # ranks by hand: t1 (1, 2, 3), t2 (2, 1, 3), t3 (1.5, 1.5, 3): mean (1.5, 1.5, 3)
    # chi^2_F = 12 * 3 / (3 * 4) * (1.5^2 + 1.5^2 + 3^2 - 3 * 4^2 / 4) = 4.5, p = exp(-4.5 / 2) on 2 df
    hand = pd.DataFrame({"A": [0.9, 0.8, 0.9], "B": [0.8, 0.9, 0.9], "C": [0.7, 0.7, 0.5]}, index=["t1", "t2", "t3"])
    test = rank_test(hand)
    assert test.avg_ranks.to_dict() == {"A": 1.5, "B": 1.5, "C": 3.0}
    assert test.friedman_stat == pytest.approx(4.5) and test.friedman_p == pytest.approx(math.exp(-2.25))
    assert test.cliques == [("A", "B", "C")]  # Friedman does not reject: no post hoc, one group


def test_incomplete_tasks_are_dropped_and_counted():
    hand = pd.DataFrame({"A": [0.9, 0.8, 0.9, 0.1], "B": [0.8, 0.9, 0.9, 0.2], "C": [0.7, 0.7, 0.5, np.nan]})
    test = rank_test(hand)
    assert test.dropped_tasks == 1 and test.n_tasks == 3 and test.friedman_stat == pytest.approx(4.5)
    assert "1 task(s) dropped" in test.notes[0]


def test_too_few_tasks_or_methods_give_nan_not_an_error():
    one_task = rank_test(DEMSAR.iloc[:1])
    assert math.isnan(one_task.friedman_p) and math.isnan(one_task.cd) and one_task.cliques == []
    assert one_task.avg_ranks["C4.5+m+cf"] == 1.0 and one_task.pairwise.isna().all().all()
    one_method = rank_test(DEMSAR[["C4.5"]])
    assert math.isnan(one_method.friedman_stat) and one_method.methods == ["C4.5"]
    with pytest.raises(ConfigError, match="post hoc"):
        rank_test(DEMSAR, post_hoc="bonferroni-dunn")


def test_wilcoxon_holm_pairwise_and_cliques():
    # A beats B and C on all 8 tasks; B and C alternate.
    b = np.array([0.60, 0.50, 0.62, 0.48, 0.64, 0.46, 0.66, 0.44])
    c = np.array([0.50, 0.61, 0.47, 0.63, 0.45, 0.65, 0.43, 0.67])
    scores = pd.DataFrame({"A": np.maximum(b, c) + 0.1 + 0.01 * np.arange(8), "B": b, "C": c})
    test = rank_test(scores)
    assert test.avg_ranks.to_dict() == {"A": 1.0, "B": 2.5, "C": 2.5}
    assert test.friedman_stat == pytest.approx(12.0) and test.friedman_p == pytest.approx(math.exp(-6.0))
    raw = 2 / 2**8  # exact two-sided Wilcoxon p of 8 differences of one sign
    # Holm over 3 pairs: the two smallest raw p (A-B, A-C; equal) are multiplied by 3, then 2 -> both 3 * raw
    assert test.pairwise.loc["A", "B"] == pytest.approx(3 * raw) == test.pairwise.loc["C", "A"]
    assert test.pairwise.loc["B", "C"] > 0.05 and math.isnan(test.pairwise.loc["A", "A"])
    assert test.cliques == [("B", "C")]  # A differs from both; B and C do not differ


def test_pareto_front_of_a_small_set():
    pts = pd.DataFrame({"method": list("abcdefg"), "x": [1, 10, 100, 5, 50, 10, np.nan],
                        "y": [0.5, 0.7, 0.9, 0.4, 0.95, 0.7, 0.99]})
    # d is dominated by a (costlier, worse), c by e; b and f tie exactly (neither dominates); g has no cost
    assert pareto_front(pts, higher_is_better=True).tolist() == [True, True, False, False, True, True, False]
    err = pd.DataFrame({"method": list("abcd"), "x": [1, 10, 100, 5], "y": [0.5, 0.3, 0.35, 0.6]})  # RMSE
    assert pareto_front(err, higher_is_better=False).tolist() == [True, True, False, False]


def test_plots_are_written_as_svg_or_png_and_are_deterministic(tmp_path):
    test = rank_test(DEMSAR.rename(columns={"C4.5": "<b>C4.5</b> & $m"}))
    first = plot_cd(test, tmp_path / "cd1.svg", "track <node>").read_bytes()
    assert plot_cd(test, tmp_path / "cd2.svg", "track <node>").read_bytes() == first
    text = first.decode()
    assert text.startswith("<?xml") and "<svg" in text and "CD = 1.25" in text
    assert "&lt;b&gt;C4.5&lt;/b&gt; &amp; $m" in text and "<b>" not in text  # names as escaped, literal text
    assert plot_cd(rank_test(DEMSAR.iloc[:7]), tmp_path / "cd3.svg", "track <node>").read_bytes() != first
    assert plot_cd(test, tmp_path / "cd.png", "t").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert plot_cd(rank_test(DEMSAR.iloc[:1]), tmp_path / "few.svg", "t").stat().st_size > 0  # no test: still drawn

    pts = pd.DataFrame({"method": ["a", "b", "c", "d"], "x": [1.0, 10.0, 100.0, np.nan], "y": [0.5, 0.7, 0.6, 0.9]})
    one = plot_pareto(pts, "latency ms", "accuracy", True, tmp_path / "p1.svg").read_bytes()
    assert plot_pareto(pts, "latency ms", "accuracy", True, tmp_path / "p2.svg").read_bytes() == one
    assert b"Pareto front" in one and b"1 point(s) without both values" in one
    with pytest.raises(ConfigError, match=".svg or .png"):
        plot_pareto(pts, "x", "y", True, tmp_path / "p.pdf")
