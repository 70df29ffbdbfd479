"""The auto-checkers accept right answers and explain wrong ones."""

from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from gcbook.exercises import check_benjamini_hochberg, check_granger_f


def assert_every_case_forbids(report, name, advice):
    """No case passes, and every case's message names the forbidden call and the exercise's advice."""
    assert report.n_passed == 0
    for case in report.cases:
        assert case.message.startswith(f"your function calls {name}, which this exercise forbids: {advice}"), (
            case.message
        )


def right_granger_f(cause, effect, lag):
    """An independent F-test by two np.linalg.lstsq fits."""
    T = len(effect)
    y = effect[lag:]
    own = np.column_stack([effect[lag - k : T - k] for k in range(1, lag + 1)])
    other = np.column_stack([cause[lag - k : T - k] for k in range(1, lag + 1)])
    ones = np.ones((T - lag, 1))

    def rss(design):
        beta = np.linalg.lstsq(design, y, rcond=None)[0]
        return np.sum((y - design @ beta) ** 2)

    rss_r, rss_u = rss(np.hstack([ones, own])), rss(np.hstack([ones, own, other]))
    df_den = T - lag - 2 * lag - 1
    F = (rss_r - rss_u) / lag / (rss_u / df_den)
    return F, stats.f.sf(F, lag, df_den)


@pytest.mark.parametrize("seed", [0, 1, 2, None, None])
def test_granger_checker_accepts_right_answer(capsys, seed):
    report = check_granger_f(right_granger_f, seed=seed)
    assert report.passed and report.n_passed == len(report.cases) == 5
    assert "5 of 5 hidden cases passed" in capsys.readouterr().out


@pytest.mark.parametrize("seed", [0, 1, None])
def test_granger_cases_cover_the_brief(seed):
    from gcbook.exercises.granger import _granger_pair_cases

    cases = list(_granger_pair_cases(seed))
    assert len(cases) == 5
    settings = [(len(cause), lag) for _, (cause, effect, lag), _, _ in cases]
    assert [lag for _, lag in settings][0] == 1 and settings[4][1] == 5
    assert min(T for T, _ in settings) <= 60 and max(T for T, _ in settings) >= 300  # short and long
    assert any(abs(cause.mean()) > 40 for _, (cause, _, _), _, _ in cases)  # a large mean
    for name, (cause, effect, lag), (F, p), _ in cases:
        assert (F, p) == pytest.approx(right_granger_f(cause, effect, lag), rel=1e-8), name
        assert name.startswith(f"T={len(cause)}, lag={lag}, ")
    assert cases[1][2][1] < 1e-3  # strong coupling: a tiny p-value


def test_granger_cases_are_drawn_at_check_time():
    from gcbook.exercises.granger import _granger_pair_cases

    def data(seed):
        return [cause for _, (cause, _, _), _, _ in _granger_pair_cases(seed)]

    assert all(np.array_equal(a, b) for a, b in zip(data(3), data(3)))
    fresh = [data(None) for _ in range(3)]
    for one, two in zip(fresh, fresh[1:]):
        assert not any(a.shape == b.shape and np.array_equal(a, b) for a, b in zip(one, two))


from gcbook.granger import granger_test as _package_granger_test  # noqa: E402


def granger_imported_before(cause, effect, lag):
    result = _package_granger_test(np.column_stack([cause, effect]), lag)
    return result.f_stat[0, 1], result.p_value[0, 1]


def granger_imported_inside(cause, effect, lag):
    from gcbook.granger import granger_test

    result = granger_test(np.column_stack([cause, effect]), lag)
    return result.f_stat[0, 1], result.p_value[0, 1]


def granger_by_statsmodels(cause, effect, lag):
    from statsmodels.tsa.stattools import grangercausalitytests

    result = grangercausalitytests(np.column_stack([effect, cause]), [lag])
    F, p, _, _ = result[lag][0]["ssr_ftest"]
    return F, p


def granger_by_statsmodels_ols(cause, effect, lag):
    import statsmodels.api as sm

    T = len(effect)
    own = np.column_stack([np.ones(T - lag)] + [effect[lag - k : T - k] for k in range(1, lag + 1)])
    both = np.column_stack([own] + [cause[lag - k : T - k] for k in range(1, lag + 1)])
    restricted, full = sm.OLS(effect[lag:], own).fit(), sm.OLS(effect[lag:], both).fit()
    F, p, _ = full.compare_f_test(restricted)
    return F, p


@pytest.mark.parametrize(
    "shortcut, name",
    [
        (granger_imported_before, "gcbook.granger.granger_test"),
        (granger_imported_inside, "gcbook.granger.granger_test"),
        (granger_by_statsmodels, "statsmodels.tsa.stattools.grangercausalitytests"),
        (granger_by_statsmodels_ols, "statsmodels.regression.linear_model.OLS"),
    ],
    ids=["package-imported-before", "package-imported-inside", "statsmodels-granger", "statsmodels-ols"],
)
def test_granger_checker_rejects_the_forbidden_shortcuts(shortcut, name):
    if name.startswith("statsmodels"):
        pytest.importorskip("statsmodels")
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # statsmodels' deprecation warnings
        report = check_granger_f(shortcut, verbose=False, seed=2)
    assert_every_case_forbids(report, name, "write it with NumPy and SciPy (its answer matches the reference")


def test_granger_checker_explains_forgotten_intercept_df():
    def no_intercept_df(cause, effect, lag):
        F, _ = right_granger_f(cause, effect, lag)
        n = len(effect) - lag
        F_wrong = F * (n - 2 * lag) / (n - 2 * lag - 1)
        return F_wrong, stats.f.sf(F_wrong, lag, n - 2 * lag)

    report = check_granger_f(no_intercept_df, verbose=False)
    assert not report.passed
    assert all("forget the intercept" in case.message for case in report.cases)
    assert "expected F=" in report.cases[0].message


def test_granger_checker_reports_wrong_p_value_and_exceptions():
    report = check_granger_f(lambda c, e, lag: (right_granger_f(c, e, lag)[0], 0.5), verbose=False)
    assert not report.passed
    assert any("F is right" in case.message for case in report.cases)
    report = check_granger_f(lambda c, e, lag: 1 / 0, verbose=False)
    assert "ZeroDivisionError" in report.cases[0].message and report.n_passed == 0
    report = check_granger_f(lambda c, e, lag: 3.0, verbose=False)
    assert "return a pair" in report.cases[0].message


def test_checker_handles_unimplemented_stub(capsys):
    def stub(cause, effect, lag):
        raise NotImplementedError("Exercise: compute F")

    report = check_granger_f(stub)
    assert not report.passed and "not implemented yet" in capsys.readouterr().out


def test_checker_rejects_non_callable():
    with pytest.raises(ValueError, match="function itself"):
        check_granger_f(3.0)


def right_bh(p_values, q):
    m = len(p_values)
    order = np.argsort(p_values)
    below = np.nonzero(p_values[order] <= q * np.arange(1, m + 1) / m)[0]
    rejected = np.zeros(m, dtype=bool)
    if below.size:
        rejected[order[: below[-1] + 1]] = True
    return rejected


@pytest.mark.parametrize("seed", [0, 1, 2, None, None])
def test_bh_checker_right_and_wrong(seed):
    assert check_benjamini_hochberg(right_bh, verbose=False, seed=seed).passed
    bonferroni = check_benjamini_hochberg(lambda p, q: p * len(p) <= q, verbose=False, seed=seed)
    assert not bonferroni.passed
    assert any("Bonferroni" in case.message for case in bonferroni.cases)
    naive = check_benjamini_hochberg(lambda p, q: p <= q, verbose=False, seed=seed)
    assert "expected 0 rejections" in naive.cases[1].message and "no correction" in naive.cases[1].message
    step_down = check_benjamini_hochberg(lambda p, q: _step_down_bh(p, q), verbose=False, seed=seed)
    assert not step_down.cases[2].passed and not step_down.cases[3].passed
    assert all("step-UP" in step_down.cases[k].message for k in (2, 3))
    shape = check_benjamini_hochberg(lambda p, q: np.ones(len(p) + 1, bool), verbose=False, seed=seed)
    assert all("shape" in case.message for case in shape.cases)


def _step_down_bh(p_values, q):
    """The step-down mistake: reject while p_(k) <= kq/m, stop at the first that is not."""
    m = len(p_values)
    order = np.argsort(p_values)
    below = p_values[order] <= q * np.arange(1, m + 1) / m
    k = m if below.all() else int(np.argmin(below))
    rejected = np.zeros(m, dtype=bool)
    rejected[order[:k]] = True
    return rejected


def test_bh_cases_are_drawn_at_check_time_and_cover_the_brief():
    from gcbook.exercises.granger import _bh_cases

    for seed in [0, 1, None]:
        cases = list(_bh_cases(seed))
        (_, (mixed, _), _, _), (_, (nulls, _), none, _), (_, (ties, _), tied, _), (_, (equal, _), _, _) = cases[:4]
        assert mixed.size >= 30 and not none.any() and np.unique(equal).size == 1 and cases[4][1][0].size == 1
        assert np.unique(ties).size < ties.size and tied.sum() >= 2
        for name, (p_values, q), expected, _ in cases:
            assert np.array_equal(expected, right_bh(p_values, q)), name
    fresh = [[args[0] for _, args, _, _ in _bh_cases(None)] for _ in range(3)]
    assert not np.array_equal(fresh[0][0], fresh[1][0]) and not np.array_equal(fresh[1][0], fresh[2][0])


def bh_by_statsmodels(p_values, q):
    from statsmodels.stats.multitest import multipletests

    return multipletests(p_values, alpha=q, method="fdr_bh")[0]


def bh_by_scipy(p_values, q):
    from scipy.stats import false_discovery_control

    return false_discovery_control(p_values) <= q


def bh_by_the_package(p_values, q):
    from gcbook.granger import adjust_p_values

    return adjust_p_values(p_values, "fdr_bh") <= q  # a 1-D array: the package's function raises


@pytest.mark.parametrize(
    "shortcut, name, right",
    [
        (bh_by_statsmodels, "statsmodels.stats.multitest.multipletests", True),
        (bh_by_scipy, "scipy.stats.false_discovery_control", True),
        (bh_by_the_package, "gcbook.granger.adjust_p_values", False),
    ],
    ids=["statsmodels", "scipy", "package"],
)
def test_bh_checker_rejects_the_forbidden_shortcuts(shortcut, name, right):
    if name.startswith("statsmodels"):
        pytest.importorskip("statsmodels")
    report = check_benjamini_hochberg(shortcut, verbose=False, seed=3)
    assert_every_case_forbids(report, name, "write it with NumPy")
    for case in report.cases:
        assert ("its answer matches the reference" in case.message) == right
    if not right:
        assert all("Besides: your function raised" in case.message for case in report.cases)


def right_acyclicity(W):
    """An independent h(W) from the power series, summed until the terms vanish."""
    from scipy.linalg import expm

    A = W * W
    E = expm(A)
    return np.trace(E) - len(W), 2 * W * E.T


@pytest.mark.parametrize("seed", [0, 1, 2, None, None])
def test_acyclicity_checker_accepts_right_answer(capsys, seed):
    from gcbook.exercises import check_acyclicity

    report = check_acyclicity(right_acyclicity, seed=seed)
    assert report.passed and report.n_passed == len(report.cases) == 5
    assert "5 of 5 hidden cases passed" in capsys.readouterr().out


def test_acyclicity_cases_are_drawn_at_check_time_and_cover_the_brief():
    import networkx as nx

    from gcbook.exercises.notears import _acyclicity_cases

    for seed in [0, 1, None]:
        (_, (dag,), (h_dag, _), _), *cycles, (_, (dense,), _, _) = list(_acyclicity_cases(seed))
        assert nx.is_directed_acyclic_graph(nx.from_numpy_array(dag != 0, create_using=nx.DiGraph))
        assert abs(h_dag) < 1e-12 and (dag < 0).any() and (dag > 0).any()
        for name, _, (h, _), _ in cycles:
            assert h > 1e-3, name  # a cycle
        (_, (cycle3,), _, _), (_, (two_cycle,), _, _), (_, (self_loop,), _, _) = cycles
        assert (cycle3 < 0).any() and (two_cycle < 0).any() and np.diag(self_loop).any()
        assert (dense != 0).all()
    fresh = [[args[0] for _, args, _, _ in _acyclicity_cases(None)] for _ in range(3)]
    for one, two in zip(fresh, fresh[1:]):
        assert not any(a.shape == b.shape and np.array_equal(a, b) for a, b in zip(one, two))


from gcbook.notears import acyclicity as _package_acyclicity  # noqa: E402


def acyclicity_imported_inside(W):
    from gcbook.notears import acyclicity

    return acyclicity(W)


@pytest.mark.parametrize(
    "shortcut",
    [lambda W: _package_acyclicity(W), acyclicity_imported_inside, _package_acyclicity],
    ids=["package-imported-before", "package-imported-inside", "the-package-function-itself"],
)
def test_acyclicity_checker_rejects_the_package(shortcut):
    from gcbook.exercises import check_acyclicity

    report = check_acyclicity(shortcut, verbose=False, seed=3)
    assert_every_case_forbids(
        report, "gcbook.notears.acyclicity", "write it with scipy.linalg.expm (its answer matches the reference"
    )


@pytest.mark.parametrize("seed", [0, None])
def test_acyclicity_checker_explains_mistakes(seed):
    from functools import partial

    from scipy.linalg import expm

    from gcbook import exercises

    check_acyclicity = partial(exercises.check_acyclicity, seed=seed)

    no_transpose = check_acyclicity(lambda W: (np.trace(expm(W * W)) - len(W), 2 * W * expm(W * W)), verbose=False)
    assert not no_transpose.passed
    assert any("without the transpose" in case.message for case in no_transpose.cases)
    assert all("h is right" in case.message for case in no_transpose.cases if not case.passed)
    no_square = check_acyclicity(lambda W: (np.trace(expm(W)) - len(W), 2 * W * expm(W * W).T), verbose=False)
    assert any("exp(W) instead of exp(W o W)" in case.message for case in no_square.cases)
    no_minus_d = check_acyclicity(lambda W: (np.trace(expm(W * W)), 2 * W * expm(W * W).T), verbose=False)
    assert all("subtract d" in case.message for case in no_minus_d.cases) and no_minus_d.n_passed == 0
    shape = check_acyclicity(lambda W: (0.0, np.zeros(3)), verbose=False)
    assert "shape" in shape.cases[0].message
    not_pair = check_acyclicity(lambda W: 0.0, verbose=False)
    assert "return a pair" in not_pair.cases[0].message


def right_jacobian_readout(model, inputs):
    """An independent read-out: one torch.autograd.functional.jacobian per sample."""
    import torch

    J = torch.stack([torch.autograd.functional.jacobian(lambda z: model(z[None])[0], x) for x in inputs])
    return J.abs().mean(0).permute(2, 0, 1)  # (n, j, k-1, i) -> (i, j, k-1)


def per_sample_jacobian(model, inputs):
    """The per-sample Jacobian (n, effect j, k-1, cause i), by torch.autograd.functional.jacobian."""
    import torch

    return torch.stack([torch.autograd.functional.jacobian(lambda z: model(z[None])[0], x) for x in inputs]).numpy()


@pytest.mark.parametrize("seed", [0, 1, None, None])
def test_jacobian_checker_accepts_right_answer_and_keeps_rng(capsys, seed):
    import torch

    from gcbook.exercises import check_jacobian_readout

    state = torch.get_rng_state()
    report = check_jacobian_readout(right_jacobian_readout, seed=seed)
    assert report.passed and report.n_passed == len(report.cases) == 5
    assert "5 of 5 hidden cases passed" in capsys.readouterr().out
    assert torch.equal(torch.get_rng_state(), state)


@pytest.mark.parametrize(
    "mistake, hint, n_failed",
    [
        (lambda m, x: np.asarray(right_jacobian_readout(m, x)).transpose(1, 0, 2), "effect on the rows", 5),
        (lambda m, x: per_sample_jacobian(m, x).mean(0).transpose(2, 0, 1), "signed derivatives", 5),
        (lambda m, x: np.abs(per_sample_jacobian(m, x).mean(0)).transpose(2, 0, 1), "|mean|", 4),
        (lambda m, x: np.abs(per_sample_jacobian(m, x)).sum(0).transpose(2, 0, 1), "summed over", 5),
        (lambda m, x: np.asarray(right_jacobian_readout(m, x))[:, :, ::-1], "reversed order", 5),
        (lambda m, x: np.abs(per_sample_jacobian(m, x)).mean(0), "[j, k-1, i]", 5),
        (per_sample_jacobian, "per-sample Jacobian", 5),
        (lambda m, x: np.asarray(right_jacobian_readout(m, x)).max(2), "one score per lag", 5),
    ],
    ids=["transposed", "signed", "abs-of-mean", "sum", "reversed-lags", "jacobian-order", "per-sample", "no-lags"],
)
@pytest.mark.parametrize("seed", [0, None])
def test_jacobian_checker_explains_mistakes(mistake, hint, n_failed, seed):
    from gcbook.exercises import check_jacobian_readout

    report = check_jacobian_readout(mistake, verbose=False, seed=seed)
    failed = [case for case in report.cases if not case.passed]
    assert not report.passed and len(failed) == n_failed
    assert all(hint in case.message for case in failed), [case.message for case in failed]


def test_jacobian_cases_are_drawn_at_check_time():
    import torch

    from gcbook.exercises.neural import _jacobian_models

    def data(seed):
        return [inputs for _, _, inputs in _jacobian_models(seed)]

    assert all(torch.equal(a, b) for a, b in zip(data(4), data(4)))
    fresh = [data(None) for _ in range(3)]
    for one, two in zip(fresh, fresh[1:]):
        assert not any(a.shape == b.shape and torch.equal(a, b) for a, b in zip(one, two))
    assert all(inputs.shape[1] >= 2 for inputs in fresh[0])  # lag >= 2: a reversed lag order shows


def jacobian_imported_inside(model, inputs):
    from gcbook.neural import input_jacobian, jacobian_scores

    return jacobian_scores(input_jacobian(model, inputs))


from gcbook.neural import input_jacobian as _package_input_jacobian  # noqa: E402


@pytest.mark.parametrize(
    "shortcut",
    [lambda m, x: np.abs(_package_input_jacobian(m, x).numpy()).mean(0).transpose(2, 0, 1), jacobian_imported_inside],
    ids=["package-imported-before", "package-imported-inside"],
)
def test_jacobian_checker_rejects_the_package_but_runs_its_models(shortcut):
    from gcbook.exercises import check_jacobian_readout

    report = check_jacobian_readout(shortcut, verbose=False, seed=2)
    assert report.n_passed == 0
    for case in report.cases:
        assert case.message.startswith(
            "your function calls gcbook.neural.input_jacobian, which this exercise "
            "forbids: write it with torch.autograd.grad (its answer matches"
        ), case.message
    # the hidden LSTM is a gcbook.neural model: running it through torch is not a shortcut
    report = check_jacobian_readout(right_jacobian_readout, verbose=False, seed=2)
    assert report.passed and "LSTM" in report.cases[-1].name


def test_jacobian_checker_abs_of_mean_fails_where_signs_change():
    from gcbook.exercises import check_jacobian_readout

    report = check_jacobian_readout(
        lambda m, x: np.abs(per_sample_jacobian(m, x).mean(0)).transpose(2, 0, 1), verbose=False
    )
    linear, *others = report.cases
    assert linear.passed and "linear" in linear.name  # a constant Jacobian cannot tell |mean| from mean |.|
    assert not any(case.passed for case in others)


def test_jacobian_checker_reports_shapes_stubs_and_exceptions(capsys):
    from gcbook.exercises import check_jacobian_readout

    report = check_jacobian_readout(lambda m, x: np.zeros((2, 2)), verbose=False)
    assert "shape (p, p, lag)" in report.cases[0].message and report.n_passed == 0
    report = check_jacobian_readout(lambda m, x: None, verbose=False)
    assert "return statement" in report.cases[0].message
    report = check_jacobian_readout(lambda m, x: 1 / 0, verbose=False)
    assert "ZeroDivisionError" in report.cases[0].message and report.n_passed == 0
    report = check_jacobian_readout(lambda m, x: np.zeros_like(right_jacobian_readout(m, x)), verbose=False)
    assert "differs most" in report.cases[0].message

    def stub(model, inputs):
        raise NotImplementedError("Exercise: read the scores off the Jacobian")

    report = check_jacobian_readout(stub)
    assert not report.passed and "not implemented yet" in capsys.readouterr().out


def test_jacobian_checker_ignores_changes_to_the_inputs():
    from gcbook.exercises import check_jacobian_readout

    def scribbles_on_inputs(model, inputs):
        S = right_jacobian_readout(model, inputs)
        inputs.zero_()
        return S

    assert check_jacobian_readout(scribbles_on_inputs, verbose=False).passed
    assert check_jacobian_readout(right_jacobian_readout, verbose=False).passed


# ----------------------------------------------------------------------------- the F statistic of one window
def lstsq_window_f(X, cause, effect, targets, lag, intercept=True, df_den=None):
    """F of the targets ``targets`` by two np.linalg.lstsq fits; returns (F, RSS_r, RSS_u)."""
    t = np.asarray(targets)
    y = X[t, effect]
    own = np.column_stack([X[t - k, effect] for k in range(1, lag + 1)])
    other = np.column_stack([X[t - k, cause] for k in range(1, lag + 1)])
    if intercept:
        own = np.column_stack([np.ones(t.size), own])

    def rss(design):
        beta = np.linalg.lstsq(design, y, rcond=None)[0]
        return np.sum((y - design @ beta) ** 2)

    rss_r, rss_u = rss(own), rss(np.column_stack([own, other]))
    df_den = t.size - 2 * lag - 1 if df_den is None else df_den
    return (rss_r - rss_u) / lag / (rss_u / df_den), rss_r, rss_u


def right_window_f(X, cause, effect, start, window, lag):
    """An independent window F: targets start..start+window-1, lags may reach before start."""
    return float(lstsq_window_f(X, cause, effect, range(start, start + window), lag)[0])


@pytest.mark.parametrize("seed", [0, 1, None])
def test_window_f_cases_are_the_lstsq_f_and_cover_the_brief(seed):
    from gcbook.exercises.dwgc import _window_f_cases

    cases = list(_window_f_cases(seed))
    assert len(cases) == 6
    for name, (X, cause, effect, start, window, lag), expected, hints in cases:
        assert np.isfinite(expected) and start >= lag and start + window <= X.shape[0]
        assert expected == pytest.approx(right_window_f(X, cause, effect, start, window, lag), rel=1e-8)
        # every hint is a value different from the right answer, so a right answer never gets a hint
        assert all(not np.isclose(value, expected, rtol=1e-6) for value, _ in hints), name
    lags = {args[5] for _, args, _, _ in cases}
    assert lags == {1, 2, 3}
    assert len({args[4] for _, args, _, _ in cases}) >= 4  # several window lengths
    assert any(args[1] == 0 for _, args, _, _ in cases)  # the cause in column 0
    assert any(args[0].shape[1] == 3 for _, args, _, _ in cases)  # an extra column to ignore
    assert any(args[3] == args[5] for _, args, _, _ in cases)  # the first window, lags reaching back to t = 0
    for name, (*_, window, lag), _, _ in cases:
        assert f"lag={lag}" in name and f"window={window}" in name


def test_window_f_cases_are_drawn_at_check_time():
    from gcbook.exercises.dwgc import _window_f_cases

    def data(seed):
        return [(args[0], args[3]) for _, args, _, _ in _window_f_cases(seed)]

    assert all(np.array_equal(a[0], b[0]) and a[1] == b[1] for a, b in zip(data(3), data(3)))
    fresh = [data(None) for _ in range(3)]
    for one, two in zip(fresh, fresh[1:]):
        assert not any(a[0].shape == b[0].shape and np.array_equal(a[0], b[0]) for a, b in zip(one, two))


from gcbook.window import window_granger as _package_window_granger  # noqa: E402


def window_f_imported_before(X, cause, effect, start, window, lag):
    return _package_window_granger(X, cause, effect, window, step=1, lag=lag).f_stat[start - lag]


def window_f_imported_inside(X, cause, effect, start, window, lag):
    from gcbook.window import window_granger

    return window_granger(X, cause, effect, window, step=1, lag=lag).f_stat[start - lag]


def window_f_by_granger_test(X, cause, effect, start, window, lag):
    """The pairwise test of the package on the window's rows (and the lags before it): also forbidden."""
    from gcbook.granger import granger_test

    rows = X[start - lag : start + window][:, [cause, effect]]
    return granger_test(rows, lag).f_stat[0, 1]


@pytest.mark.parametrize(
    "shortcut, name",
    [
        (window_f_imported_before, "gcbook.window.window_granger"),
        (window_f_imported_inside, "gcbook.window.window_granger"),
        (window_f_by_granger_test, "gcbook.granger.granger_test"),
    ],
    ids=["package-imported-before", "package-imported-inside", "granger-test"],
)
def test_window_f_checker_rejects_the_forbidden_shortcuts(shortcut, name):
    from gcbook.exercises import check_window_f

    report = check_window_f(shortcut, verbose=False, seed=4)
    assert_every_case_forbids(report, name, "write it with numpy.linalg.lstsq (its answer matches the reference")


@pytest.mark.parametrize("seed", [0, 1, None, None])
def test_window_f_checker_accepts_right_answer(capsys, seed):
    from gcbook.exercises import check_window_f

    report = check_window_f(right_window_f, seed=seed)
    assert report.passed and report.n_passed == len(report.cases) == 6
    assert "6 of 6 hidden cases passed" in capsys.readouterr().out
    # numpy scalars and 0-d arrays are numbers too
    assert check_window_f(lambda *args: np.float32(right_window_f(*args)), verbose=False).passed  # rel. error 6e-8
    assert check_window_f(lambda *args: np.array(right_window_f(*args)), verbose=False).passed


def _inside_window(X, cause, effect, start, window, lag):
    return lstsq_window_f(X[start : start + window], cause, effect, range(lag, window), lag)[0]


@pytest.mark.parametrize(
    "mistake, hint",
    [
        (lambda X, c, e, s, w, L: (lambda F, r, u: r / u)(*lstsq_window_f(X, c, e, range(s, s + w), L)), "L1 / L2"),
        (
            lambda X, c, e, s, w, L: lstsq_window_f(X, c, e, range(s, s + w), L, df_den=w - 2 * L)[0],
            "denominator degrees of freedom",
        ),
        (
            lambda X, c, e, s, w, L: lstsq_window_f(X, c, e, range(s, s + w), L, df_den=w - L - 1)[0],
            "denominator degrees of freedom",
        ),
        (lambda X, c, e, s, w, L: lstsq_window_f(X, c, e, range(s, s + w), L, intercept=False)[0], "intercept"),
        (
            lambda X, c, e, s, w, L: lstsq_window_f(X, c, e, range(s, s + w), L, intercept=False, df_den=w - 2 * L)[0],
            "intercept",
        ),
        (_inside_window, "only from inside the window"),
        (
            lambda X, c, e, s, w, L: lstsq_window_f(X, c, e, range(s + L, s + L + w), L)[0],
            "only from inside the window",
        ),
        (lambda X, c, e, s, w, L: right_window_f(X, e, c, s, w, L), "swapped cause and effect"),
        (lambda X, c, e, s, w, L: stats.f.sf(right_window_f(X, c, e, s, w, L), L, w - 2 * L - 1), "p-value"),
    ],
    ids=[
        "mse-ratio",
        "df-2L",
        "df-L-1",
        "no-intercept",
        "no-intercept-df",
        "inside-window",
        "shifted-window",
        "swapped",
        "p-value",
    ],
)
@pytest.mark.parametrize("seed", [0, None])
def test_window_f_checker_explains_mistakes(mistake, hint, seed):
    from gcbook.exercises import check_window_f

    report = check_window_f(mistake, verbose=False, seed=seed)
    assert not report.passed and report.n_passed == 0
    assert all(hint in case.message and "expected F=" in case.message for case in report.cases), [
        case.message for case in report.cases
    ]


def test_window_f_checker_gives_no_hint_to_an_unknown_mistake():
    from gcbook.exercises import check_window_f

    # sqrt(2) times F: no ratio of small degrees of freedom (1.5 = 18 / 12 would be one)
    report = check_window_f(lambda *args: np.sqrt(2) * right_window_f(*args), verbose=False)
    assert report.n_passed == 0
    assert all(
        case.message.startswith("expected F=") and case.message.endswith(".") and ":" not in case.message
        for case in report.cases
    )


def test_window_f_checker_handles_stub_and_garbage(capsys):
    from gcbook.exercises import check_window_f

    def stub(X, cause, effect, start, window, lag):
        raise NotImplementedError("Exercise: compute the window F")

    report = check_window_f(stub)
    assert not report.passed and "not implemented yet" in capsys.readouterr().out
    for garbage, text in [
        (lambda *args: None, "return statement"),
        (lambda *args: "3.0", "single number"),
        (lambda X, *args: X[:, 0], "shape"),
        (lambda *args: [right_window_f(*args)], "single number"),
        (lambda *args: {"F": 1.0}, "single number"),
        (lambda *args: [[1.0], [1.0, 2.0]], "single number"),
        (lambda *args: float("nan"), "got nan"),
        (lambda *args: 1 + 2j, "real number"),
        (lambda *args: 1 / 0, "ZeroDivisionError"),
    ]:
        report = check_window_f(garbage, verbose=False)
        assert report.n_passed == 0 and len(report.cases) == 6
        assert all(text in case.message for case in report.cases), (text, report.cases[0].message)


def test_window_f_checker_ignores_changes_to_the_data():
    from gcbook.exercises import check_window_f

    def scribbles(X, cause, effect, start, window, lag):
        F = right_window_f(X, cause, effect, start, window, lag)
        X[:] = 0.0
        return F

    assert check_window_f(scribbles, verbose=False).passed
    assert check_window_f(right_window_f, verbose=False).passed


# ----------------------------------------------------------------------------- the lasso by coordinate descent
def right_lasso(Z, y, alpha, max_sweeps=100_000):
    """An independent lasso without intercept: cyclic coordinate descent with soft-thresholding."""
    Z, y = np.asarray(Z, dtype=float), np.asarray(y, dtype=float)
    n, m = Z.shape
    sq = np.sum(Z**2, axis=0)
    b, r = np.zeros(m), y.copy()
    for _ in range(max_sweeps):
        biggest = 0.0
        for k in range(m):
            rho = Z[:, k] @ r + sq[k] * b[k]
            new = np.sign(rho) * max(abs(rho) - n * alpha, 0.0) / sq[k]
            if new != b[k]:
                r -= Z[:, k] * (new - b[k])
                biggest = max(biggest, abs(new - b[k]))
                b[k] = new
        if biggest <= 1e-13 * max(1.0, np.abs(b).max()):
            break
    return b


def sklearn_lasso(Z, y, alpha, fit_intercept=False):
    import warnings

    from sklearn.linear_model import Lasso

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # alpha = 0: "does not converge well"; it does, to 1e-14 here
        return Lasso(alpha=alpha, fit_intercept=fit_intercept, tol=1e-12, max_iter=100_000).fit(Z, y).coef_


def mistaken_coordinate_descent(update, sweeps=2000):
    """A student's coordinate-descent loop with a wrong update ``update(rho, ||z_k||^2, n, alpha)``."""

    def solver(Z, y, alpha):
        n, m = Z.shape
        sq = np.sum(Z**2, axis=0)
        b = np.zeros(m)
        with np.errstate(all="ignore"):
            for _ in range(sweeps):
                before = b.copy()
                for k in range(m):
                    rho = Z[:, k] @ (y - Z @ b) + sq[k] * b[k]
                    b[k] = update(rho, sq[k], n, alpha)
                if not np.all(np.isfinite(b)) or np.abs(b - before).max() <= 1e-14 * max(1.0, np.abs(b).max()):
                    break
        return b

    return solver


def ols(Z, y):
    return np.linalg.lstsq(Z, y, rcond=None)[0]


@pytest.mark.parametrize("seed", [0, 1, 2, None])
def test_lasso_cases_match_an_independent_solver_and_cover_the_brief(seed):
    from gcbook.exercises.sparse_var import _lasso_cases, _lasso_close

    cases = list(_lasso_cases(seed))
    assert len(cases) == 7
    for name, (Z, y, alpha), expected, hints in cases:
        assert expected.shape == (Z.shape[1],)
        assert _lasso_close(right_lasso(Z, y, alpha), expected), name
        assert all(not _lasso_close(value, expected) for value, _ in hints), name  # a right answer gets no hint
    shapes = [args[0].shape for _, args, _, _ in cases]
    alphas = [args[2] for _, args, _, _ in cases]
    assert 0.0 in alphas  # least squares
    assert any(n < m for n, m in shapes)  # more predictors than samples
    assert any(
        alpha >= np.abs(Z.T @ y).max() / len(y) and np.abs(expected).max() <= 1e-12
        for _, (Z, y, alpha), expected, _ in cases
    )  # every coefficient zero (to rounding)
    assert any(np.ptp(np.log10(np.linalg.norm(Z, axis=0))) > 1.5 for _, (Z, _, _), _, _ in cases)  # scales
    assert any(abs(np.corrcoef(Z.T)[np.triu_indices(Z.shape[1], 1)]).min() > 0.8 for _, (Z, _, _), _, _ in cases)
    assert any(abs(y.mean()) > 0.5 for _, (_, y, _), _, _ in cases)  # fitting an intercept changes b
    for name, *_ in cases:  # names describe the case, not the data
        assert "[" not in name and "seed" not in name


def test_lasso_cases_are_drawn_at_check_time():
    """No fixed list to copy: a seed repeats the cases, no seed draws new ones at every call."""
    from gcbook.exercises.sparse_var import _lasso_cases

    def data(seed):
        return [(Z, y, alpha) for _, (Z, y, alpha), _, _ in _lasso_cases(seed)]

    first, again, other = data(5), data(5), data(6)
    assert all(np.array_equal(a[0], b[0]) and a[2] == b[2] for a, b in zip(first, again))
    fresh = [data(None) for _ in range(3)]
    for one, two in [(first, other), (fresh[0], fresh[1]), (fresh[1], fresh[2])]:
        assert not any(a[0].shape == b[0].shape and np.array_equal(a[0], b[0]) for a, b in zip(one, two))


@pytest.mark.parametrize("seed", [0, 1, None, None])
def test_lasso_checker_accepts_coordinate_descent(capsys, seed):
    from gcbook.exercises import check_lasso

    report = check_lasso(right_lasso, seed=seed)
    assert report.passed and report.n_passed == len(report.cases) == 7
    assert "7 of 7 hidden cases passed" in capsys.readouterr().out


def test_lasso_checker_accepts_lists_and_tensors():
    torch = pytest.importorskip("torch")
    from gcbook.exercises import check_lasso

    assert check_lasso(lambda Z, y, a: list(right_lasso(Z, y, a)), verbose=False, seed=3).passed
    assert check_lasso(lambda Z, y, a: torch.tensor(right_lasso(Z, y, a), requires_grad=True), verbose=False).passed
    assert check_lasso(lambda Z, y, a: torch.tensor(right_lasso(Z, y, a), dtype=torch.float32), verbose=False).passed


# Shortcuts the exercise forbids, imported at the top (before the check) and inside the function.
from gcbook.sparse_var import lasso as _package_lasso  # noqa: E402


def lasso_imported_before(Z, y, alpha):
    return _package_lasso(Z, y, alpha, fit_intercept=False)[0]


def lasso_imported_inside(Z, y, alpha):
    from gcbook.sparse_var import lasso

    return lasso(Z, y, alpha, fit_intercept=False)[0]


def lasso_through_a_helper(Z, y, alpha):
    import gcbook.sparse_var as sv

    def helper():
        return sv.lasso_var(np.column_stack([y, Z]), 1, alpha)  # any function of the module counts

    helper()
    return right_lasso(Z, y, alpha)


def soft_threshold_of_the_package(Z, y, alpha):
    from gcbook.sparse_var import soft_threshold

    return soft_threshold(Z.T @ y / len(y), alpha)


@pytest.mark.parametrize(
    "shortcut, name, right",
    [
        (lasso_imported_before, "gcbook.sparse_var.lasso", True),
        (lasso_imported_inside, "gcbook.sparse_var.lasso", True),
        (lasso_through_a_helper, "gcbook.sparse_var.lasso_var", True),
        (soft_threshold_of_the_package, "gcbook.sparse_var.soft_threshold", False),
        (sklearn_lasso, "sklearn.linear_model.Lasso", True),
        (
            lambda Z, y, a: __import__("sklearn.linear_model").linear_model.lasso_path(Z, y, alphas=[a])[1][:, 0],
            "sklearn.linear_model.lasso_path",
            None,
        ),
        (
            lambda Z, y, a: (
                __import__("sklearn.linear_model")
                .linear_model.ElasticNet(alpha=a, l1_ratio=1.0, fit_intercept=False, tol=1e-12, max_iter=100_000)
                .fit(Z, y)
                .coef_
            ),
            "sklearn.linear_model.ElasticNet",
            None,
        ),
    ],
    ids=[
        "package-imported-before",
        "package-imported-inside",
        "package-through-a-helper",
        "package-soft-threshold",
        "sklearn-lasso",
        "sklearn-lasso-path",
        "sklearn-elastic-net",
    ],
)
def test_lasso_checker_rejects_the_forbidden_shortcuts(shortcut, name, right):
    if name.startswith("sklearn"):
        pytest.importorskip("sklearn")
    import warnings

    from gcbook.exercises import check_lasso

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scikit-learn's convergence warnings
        report = check_lasso(shortcut, verbose=False, seed=4)
    assert_every_case_forbids(report, name, "write it with NumPy")
    if right is True:  # the answer itself is reported as right
        assert all("its answer matches the reference" in case.message for case in report.cases)
    if right is False:  # ... or as wrong, with what is wrong
        assert any("Besides: b differs most" in case.message for case in report.cases)


def test_lasso_checker_lets_the_reference_run_and_numpy_through():
    """The checker's own reference (gcbook.sparse_var.lasso) runs outside the watch, and NumPy, SciPy or
    a module of one's own are allowed: a right answer by SciPy's optimiser is not a shortcut."""
    from scipy import linalg

    from gcbook.exercises import check_lasso

    def with_scipy(Z, y, alpha):
        linalg.norm(Z)  # calls SciPy: allowed
        return right_lasso(Z, y, alpha)

    report = check_lasso(with_scipy, verbose=False, seed=7)
    assert report.passed, [case.message for case in report.cases]
    assert not any("forbids" in case.message for case in report.cases)


def _hard_on_ols(Z, y, alpha):
    b = ols(Z, y)
    return np.where(np.abs(b) > alpha, b, 0.0)


@pytest.mark.parametrize(
    "mistake, hint",
    [
        (lambda Z, y, a: right_lasso(Z, y, a * len(y)), "n times too strong"),
        (lambda Z, y, a: right_lasso(Z, y, a / len(y)), "n times too weak"),
        (lambda Z, y, a: right_lasso(Z, y, 2 * a), "twice too strong"),
        (lambda Z, y, a: right_lasso(Z, y, a / 2), "half as strong"),
        (lambda Z, y, a: right_lasso(Z - Z.mean(0), y - y.mean(), a), "fitted an intercept"),
        (lambda Z, y, a: np.sign(Z.T @ y) * np.maximum(np.abs(Z.T @ y) / len(y) - a, 0), "stop changing"),
        (
            lambda Z, y, a: np.sign(Z.T @ y) * np.maximum(np.abs(Z.T @ y) - len(y) * a, 0) / np.sum(Z**2, axis=0),
            "stop changing",
        ),
        (lambda Z, y, a: np.sign(ols(Z, y)) * np.maximum(np.abs(ols(Z, y)) - a, 0), "single soft-thresholding"),
        (_hard_on_ols, "hard thresholding"),
        (mistaken_coordinate_descent(lambda rho, sq, n, a: rho / sq if abs(rho) > n * a else 0.0), "hard thresholding"),
        (
            mistaken_coordinate_descent(lambda rho, sq, n, a: np.sign(rho) * max(abs(rho) / n - a, 0.0)),
            "assumes every column has ||z_k||^2 / n = 1",
        ),
    ],
    ids=[
        "alpha-times-n",
        "alpha-over-n",
        "alpha-times-2",
        "alpha-over-2",
        "intercept",
        "one-step",
        "one-step-scaled",
        "soft-threshold-ols",
        "hard-threshold-ols",
        "hard-threshold-cd",
        "unit-norm-cd",
    ],
)
def test_lasso_checker_explains_mistakes(mistake, hint):
    from gcbook.exercises import check_lasso

    report = check_lasso(mistake, verbose=False, seed=0)
    failed = [case for case in report.cases if not case.passed]
    assert failed and not report.passed
    assert any(hint in case.message for case in failed), [case.message for case in failed]
    # a case either passes or says where b is wrong (or that it is not finite)
    assert all("b differs most at coefficient" in case.message or "NaN or inf" in case.message for case in failed)


def test_lasso_checker_shows_expected_and_got_without_a_hint_for_an_unknown_mistake():
    from gcbook import exercises
    from gcbook.exercises import check_lasso

    report = check_lasso(lambda Z, y, a: right_lasso(Z, y, a) + 0.01, verbose=False)
    assert report.n_passed == 0
    hints = [value for key, value in vars(exercises).items() if key.startswith("_HINT_LASSO")]
    for case in report.cases:
        assert case.message.startswith("b differs most at coefficient") and case.message.endswith(".")
        assert not any(hint[:30] in case.message or hint[:30].capitalize() in case.message for hint in hints)
    small, wide = report.cases[0], report.cases[-1]
    assert "expected b = [" in small.message and "got [" in small.message  # m <= 8: both vectors
    assert "expected b = [" not in wide.message  # m = 60: only the worst coefficient


def test_lasso_checker_reports_shapes_and_garbage():
    from gcbook.exercises import check_lasso

    for garbage, text in [
        (lambda Z, y, a: right_lasso(Z, y, a)[:, None], "flatten it, b.ravel() (the values are right)"),
        (lambda Z, y, a: (right_lasso(Z, y, a), 0.0), "return only the coefficient vector"),
        (lambda Z, y, a: [1.0], "got shape (1,)"),  # every case has m >= 2
        (lambda Z, y, a: 0.0, "got shape ()"),
        (lambda Z, y, a: None, "return statement"),
        (lambda Z, y, a: "b", "got str"),
        (lambda Z, y, a: np.full(Z.shape[1], np.nan), "NaN or inf"),
        (lambda Z, y, a: np.r_[np.inf, right_lasso(Z, y, a)[1:]], "NaN or inf (first at coefficient 0)"),
        (lambda Z, y, a: right_lasso(Z, y, a) + 1j, "real numbers"),
        (lambda Z, y, a: [[1.0], [1.0, 2.0]], "got list"),
        (lambda Z, y, a: 1 / 0, "ZeroDivisionError"),
    ]:
        report = check_lasso(garbage, verbose=False)
        assert report.n_passed == 0 and len(report.cases) == 7
        assert all(text in case.message for case in report.cases), (text, report.cases[0].message)
    report = check_lasso(lambda Z, y, a: (right_lasso(Z, y, a), 0.0), verbose=False)
    assert all("your coefficients are right" in case.message for case in report.cases)
    report = check_lasso(lambda Z, y, a: (right_lasso(Z, y, a) + 1.0, 0.0), verbose=False)
    assert not any("your coefficients are right" in case.message for case in report.cases)
    # a complex array with zero imaginary parts is a real answer
    assert check_lasso(lambda Z, y, a: right_lasso(Z, y, a) + 0j, verbose=False).passed


def test_lasso_checker_handles_stub_non_callable_and_scribbles(capsys):
    from gcbook.exercises import check_lasso

    def stub(Z, y, alpha):
        raise NotImplementedError("Exercise: write the coordinate descent")

    report = check_lasso(stub)
    assert not report.passed and "not implemented yet" in capsys.readouterr().out
    with pytest.raises(ValueError, match="function itself"):
        check_lasso(right_lasso(np.eye(3), np.ones(3), 0.1))

    def scribbles(Z, y, alpha):
        b = right_lasso(Z, y, alpha)
        Z[:], y[:] = 0.0, 0.0
        return b

    assert check_lasso(scribbles, verbose=False).passed
    assert check_lasso(right_lasso, verbose=False).passed


# ----------------------------------------------------------------------------- average precision of edge scores
def off_diagonal(A_true, scores, diagonal=False):
    """The evaluated entries as 1-D (labels, scores), row-major; all entries with ``diagonal``."""
    A, S = np.asarray(A_true), np.asarray(scores, dtype=float)
    keep = np.ones(A.shape, dtype=bool) if diagonal else ~np.eye(len(A), dtype=bool)
    return A[keep].astype(bool), S[keep]


def right_auprc(A_true, scores, diagonal=False):
    """An independent average precision: one step per distinct score, highest first (all entries with ``diagonal``)."""
    y, s = off_diagonal(A_true, scores, diagonal)
    ap, previous_recall = 0.0, 0.0
    for level in np.unique(s)[::-1]:
        chosen = s >= level
        hits = np.sum(y & chosen)
        recall = hits / y.sum()
        ap += (recall - previous_recall) * hits / chosen.sum()
        previous_recall = recall
    return float(ap)


def sklearn_auprc(A_true, scores, diagonal=False):
    from sklearn.metrics import average_precision_score

    return average_precision_score(*off_diagonal(A_true, scores, diagonal))


def numpy_trapezoid(A_true, scores, diagonal=False):
    """The trapezoidal area under the precision-recall points, from (recall 0, precision 1), as
    scikit-learn's auc(recall, precision) of precision_recall_curve computes it."""
    y, s = off_diagonal(A_true, scores, diagonal)
    recall, precision = [0.0], [1.0]
    for level in np.unique(s)[::-1]:
        chosen = s >= level
        recall.append(np.sum(y & chosen) / y.sum())
        precision.append(np.sum(y & chosen) / chosen.sum())
    recall, precision = np.array(recall), np.array(precision)
    return float(np.sum(np.diff(recall) * (precision[1:] + precision[:-1]) / 2))


def numpy_auroc(A_true, scores):
    """The AUROC by the Mann-Whitney U statistic (ties count one half)."""
    y, s = off_diagonal(A_true, scores)
    ranks = stats.rankdata(s)
    n_pos = y.sum()
    return float((ranks[y].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * (y.size - n_pos)))


def one_at_a_time(A_true, scores, order="index"):
    """Average precision with ties broken one entry at a time: by index, or by sorting ascending and reversing."""
    y, s = off_diagonal(A_true, scores)
    ranking = np.argsort(-s, kind="stable") if order == "index" else np.argsort(s)[::-1]
    hits = np.cumsum(y[ranking])
    return float(np.sum((hits / np.arange(1, s.size + 1))[y[ranking]]) / y.sum())


def equal_weight_precisions(A_true, scores):
    y, s = off_diagonal(A_true, scores)
    return float(np.mean([np.mean(y[s >= level]) for level in np.unique(s)]))


@pytest.mark.parametrize("seed", [0, 1, 2, None])
def test_auprc_cases_match_sklearn_and_cover_the_brief(seed):
    pytest.importorskip("sklearn")
    from gcbook.exercises.capstone import _AUPRC_TOL, _auprc_cases
    from gcbook.metrics import auprc

    cases = list(_auprc_cases(seed))
    assert len(cases) == 7
    for name, (A, S), expected, hints in cases:
        assert 5 <= len(A) <= 12 and A.shape == S.shape
        assert expected == pytest.approx(sklearn_auprc(A, S), abs=1e-12), name
        assert expected == pytest.approx(right_auprc(A, S), abs=1e-12), name
        assert all(abs(value - expected) > _AUPRC_TOL for value, _ in hints), name  # a right answer gets no hint
        assert "[" not in name and "seed" not in name  # names describe the case, not the data
        y = off_diagonal(A, S)[0]
        assert y.any() and not y.all(), name  # a true edge and a non-edge: AP is defined and not trivially 1
    matrices = [args for _, args, _, _ in cases]

    def tied_classes(A, S):  # some tied score is shared by a true edge and a non-edge
        y, s = off_diagonal(A, S)
        return any(y[s == level].any() and not y[s == level].all() for level in np.unique(s))

    assert any(tied_classes(A, S) and np.mean(off_diagonal(A, S)[1] == 0) > 0.5 for A, S in matrices)  # lasso
    assert any(set(np.unique(S)) == {0.0, 0.5, 1.0} and tied_classes(A, S) for A, S in matrices)  # CPDAG
    assert any(
        np.diag(A).any()
        and np.argmax(S) in np.flatnonzero(np.eye(len(A)))
        and abs(auprc(A, S, include_diagonal=True) - auprc(A, S)) > 0.01
        for A, S in matrices
    )
    assert any(abs(expected - 1.0) <= 1e-12 for _, _, expected, _ in cases)  # a perfect ranking
    assert any((S < 0).any() and abs(auprc(A, np.abs(S)) - auprc(A, S)) > 0.1 for A, S in matrices)
    assert any(off_diagonal(A, S)[0].sum() == 1 for A, S in matrices)


def test_auprc_cases_are_drawn_at_check_time():
    """No fixed list to copy: a seed repeats the cases, no seed draws new ones at every call."""
    from gcbook.exercises.capstone import _auprc_cases

    def data(seed):
        return [S for _, (_, S), _, _ in _auprc_cases(seed)]

    assert all(np.array_equal(a, b) for a, b in zip(data(5), data(5)))
    fresh = [data(None) for _ in range(3)] + [data(6)]
    for one, two in zip(fresh, fresh[1:]):
        assert not any(a.shape == b.shape and np.array_equal(a, b) for a, b in zip(one, two) if np.unique(a).size > 3)


def test_auprc_checker_transposes_where_it_matters():
    from gcbook.exercises.capstone import _auprc_cases
    from gcbook.metrics import auprc

    for seed in range(5):  # the truth transposed is caught in most cases of every draw
        matrices = [args for _, args, _, _ in _auprc_cases(seed)]
        assert sum(abs(auprc(A.T, S) - auprc(A, S)) > 0.1 for A, S in matrices) >= 4


@pytest.mark.parametrize("seed", [0, 1, None, None])
def test_auprc_checker_accepts_right_answers(capsys, seed):
    from gcbook.exercises import check_auprc

    report = check_auprc(right_auprc, seed=seed)
    assert report.passed and report.n_passed == len(report.cases) == 7
    assert "7 of 7 hidden cases passed" in capsys.readouterr().out
    assert check_auprc(lambda A, S: np.array(right_auprc(A, S)), verbose=False, seed=seed).passed  # a 0-d array
    assert check_auprc(lambda A, S: np.float64(right_auprc(A, S)), verbose=False, seed=seed).passed


# Shortcuts the exercise forbids, imported at the top (before the check) and inside the function.
from gcbook.metrics import auprc as _package_auprc  # noqa: E402


def auprc_imported_before(A_true, scores):
    return _package_auprc(A_true, scores)


def auprc_imported_inside(A_true, scores):
    from gcbook.metrics import auprc

    return auprc(A_true, scores)


def sklearn_curve_then_numpy(A_true, scores):
    from sklearn.metrics import precision_recall_curve

    precision, recall, _ = precision_recall_curve(*off_diagonal(A_true, scores))
    return float(-np.sum(np.diff(recall) * precision[:-1]))


@pytest.mark.parametrize(
    "shortcut, name, right",
    [
        (auprc_imported_before, "gcbook.metrics.auprc", True),
        (auprc_imported_inside, "gcbook.metrics.auprc", True),
        (lambda A, S: __import__("gcbook.metrics").metrics.auroc(A, S), "gcbook.metrics.auroc", False),
        (sklearn_auprc, "sklearn.metrics.average_precision_score", True),
        (sklearn_curve_then_numpy, "sklearn.metrics.precision_recall_curve", True),
        (lambda A, S: sklearn_auprc(A, S, diagonal=True), "sklearn.metrics.average_precision_score", False),
    ],
    ids=[
        "package-imported-before",
        "package-imported-inside",
        "package-auroc",
        "sklearn-average-precision",
        "sklearn-curve",
        "sklearn-with-the-diagonal",
    ],
)
def test_auprc_checker_rejects_the_forbidden_shortcuts(shortcut, name, right):
    if name.startswith("sklearn"):
        pytest.importorskip("sklearn")
    from gcbook.exercises import check_auprc

    report = check_auprc(shortcut, verbose=False, seed=1)
    assert_every_case_forbids(report, name, "write it with NumPy")
    if right:
        assert all("its answer matches the reference" in case.message for case in report.cases)
    else:
        assert any("Besides: expected AP=" in case.message for case in report.cases)


def test_auprc_checker_accepts_torch_scalars():
    torch = pytest.importorskip("torch")
    from gcbook.exercises import check_auprc

    assert check_auprc(lambda A, S: torch.tensor(right_auprc(A, S), dtype=torch.float64), verbose=False).passed


@pytest.mark.parametrize(
    "mistake, hint, n_failed",
    [
        (lambda A, S: right_auprc(A, S, diagonal=True), "you included the diagonal", 5),
        (numpy_trapezoid, "interpolated the precision-recall curve linearly", 6),
        (one_at_a_time, "ranked tied scores one at a time", 2),
        (lambda A, S: one_at_a_time(A, S, order="reversed"), "ranked tied scores one at a time", 2),
        (numpy_auroc, "that is the AUROC", 6),
        (lambda A, S: right_auprc(A, np.abs(S)), "you took |scores|", 1),
        (lambda A, S: right_auprc(A.T, S), "compared the score of i -> j with A_true[j, i]", 7),
        (lambda A, S: (lambda y, s: np.mean(y[s > 0]))(*off_diagonal(A, S)), "precision at a single threshold", 7),
        (
            lambda A, S: (lambda y, s: np.mean(y[np.argsort(-s)[: y.sum()]]))(*off_diagonal(A, S)),
            "precision at a single threshold",
            6,
        ),
        (equal_weight_precisions, "with equal weights", 7),
        (lambda A, S: right_auprc(A, -S), "ranked the scores in increasing order", 7),
    ],
    ids=[
        "diagonal",
        "trapezoid",
        "ties-by-index",
        "ties-reversed",
        "auroc",
        "abs",
        "transposed",
        "precision-above-0",
        "precision-top-k",
        "equal-weights",
        "increasing",
    ],
)
def test_auprc_checker_explains_mistakes(mistake, hint, n_failed):
    from gcbook.exercises import check_auprc

    report = check_auprc(mistake, verbose=False, seed=1)
    failed = [case for case in report.cases if not case.passed]
    assert not report.passed and len(failed) == n_failed, [case.message for case in report.cases]
    assert all(case.message.startswith("expected AP=") and hint in case.message for case in failed), [
        case.message for case in failed
    ]
    assert not any(" And: " in case.message for case in failed)  # one mistake, one hint


def test_auprc_checker_names_both_of_two_mistakes():
    from gcbook.exercises import check_auprc

    report = check_auprc(lambda A, S: numpy_trapezoid(A, S, diagonal=True), verbose=False, seed=1)
    assert report.n_passed == 1  # the perfect ranking: the trapezoids and the step sum are both 1 there
    both = [
        case.message
        for case in report.cases
        if "included the diagonal" in case.message and " And: " in case.message and "interpolated" in case.message
    ]
    assert both, [case.message for case in report.cases]


def test_auprc_checker_gives_no_hint_to_an_unknown_mistake():
    from gcbook import exercises
    from gcbook.exercises import check_auprc

    # an irrational multiple: AP and the mistakes are ratios of small integers, and 0.9 AP can be one of them
    report = check_auprc(lambda A, S: np.sqrt(0.8) * right_auprc(A, S), verbose=False)
    assert report.n_passed == 0
    hints = [value for key, value in vars(exercises).items() if key.startswith("_HINT_AUPRC")]
    for case in report.cases:
        assert case.message.startswith("expected AP=") and case.message.endswith(".") and ":" not in case.message
        assert not any(hint[:30] in case.message for hint in hints)
    report = check_auprc(lambda A, S: right_auprc(A, S) + 1.0, verbose=False)
    assert all("between 0 and 1" in case.message for case in report.cases)


def test_auprc_checker_reports_float32_and_garbage():
    from gcbook.exercises import check_auprc

    report = check_auprc(lambda A, S: np.float32(right_auprc(A, S)), verbose=False)
    assert not report.passed and any("float64" in case.message for case in report.cases)
    assert all(case.passed or "float64" in case.message for case in report.cases)
    for garbage, text in [
        (lambda A, S: None, "return statement"),
        (lambda A, S: "0.5", "single number"),
        (lambda A, S: S, "got ndarray of shape"),
        (lambda A, S: [right_auprc(A, S)], "single number"),
        (lambda A, S: (np.linspace(1, 0, 5), np.linspace(0, 1, 5), np.arange(4.0)), "the curve itself"),
        (lambda A, S: [[1.0], [1.0, 2.0]], "single number"),
        (lambda A, S: {"ap": 0.5}, "single number"),
        (lambda A, S: float("nan"), "0 / 0"),
        (lambda A, S: 0.5 + 1j, "real number"),
        (lambda A, S: True, "boolean"),
        (lambda A, S: 1 / 0, "ZeroDivisionError"),
    ]:
        report = check_auprc(garbage, verbose=False)
        assert report.n_passed == 0 and len(report.cases) == 7
        assert all(text in case.message for case in report.cases), (text, report.cases[0].message)


def test_auprc_checker_handles_stub_non_callable_and_scribbles(capsys):
    from gcbook.exercises import check_auprc

    def stub(A_true, scores):
        raise NotImplementedError("Exercise: return the average precision of the off-diagonal scores")

    report = check_auprc(stub)
    assert not report.passed and "not implemented yet" in capsys.readouterr().out
    with pytest.raises(ValueError, match="function itself"):
        check_auprc(0.5)

    def scribbles(A_true, scores):
        ap = right_auprc(A_true, scores)
        A_true[:], scores[:] = 0, 0.0
        return ap

    assert check_auprc(scribbles, verbose=False).passed
    assert check_auprc(right_auprc, verbose=False).passed


# --- the instructor guide describes the checkers as they are ----------------------------------------------------
# The guide is not executed, so its table of checkers and its example output are checked here instead.
GUIDE = Path(__file__).resolve().parents[1] / "book" / "instructor_guide.md"


def test_instructor_guide_counts_each_checkers_hidden_cases():
    import gcbook.exercises as exercises

    lines = GUIDE.read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("| checker | exercise |"))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip().strip("|").split(" | ")])
    assert len(rows) == 9
    for row in rows:
        checker = getattr(exercises, row[0].strip("`"))

        def broken(*args, **kwargs):
            raise RuntimeError("not an answer")

        report = checker(broken, verbose=False)
        assert int(row[3]) == len(report.cases), f"{row[0]}: the guide says {row[3]} hidden cases"


def test_instructor_guide_example_output_is_what_the_checker_prints(capsys):
    """The guide's example: an F test whose denominator degrees of freedom forget the intercept."""
    guide = GUIDE.read_text()
    block = guide[guide.index("```text\n") + len("```text\n") :]
    shown = block[: block.index("```")].strip().splitlines()

    def forgot_intercept(cause, effect, lag):
        n = len(cause) - lag
        f_right = right_granger_f(cause, effect, lag)[0]
        f_wrong = f_right * (n - 2 * lag) / (n - 2 * lag - 1)  # df (L, n - 2L) instead of (L, n - 2L - 1)
        return f_wrong, stats.f.sf(f_wrong, lag, n - 2 * lag)

    import re

    def masked(line):  # the cases are drawn at check time: compare the text around the numbers
        return re.sub(r"\d+(\.\d+)?(e[+-]?\d+)?", "#", line)

    check_granger_f(forgot_intercept)
    printed = [masked(line) for line in capsys.readouterr().out.strip().splitlines()]
    assert masked(shown[0]) == printed[0]
    for line in shown[1:]:  # the guide shows some of the case lines
        assert masked(line) in printed, f"the guide's line {line!r} is not what the checker prints"


# --- Geweke's measure ---------------------------------------------------------------------------

from gcbook.exercises import check_geweke_strength  # noqa: E402


def _rss_pair(cause, effect, lag):
    """RSS of the restricted and unrestricted regressions, by two independent lstsq fits."""
    T = len(effect)
    y = effect[lag:]
    own = np.column_stack([effect[lag - k : T - k] for k in range(1, lag + 1)])
    other = np.column_stack([cause[lag - k : T - k] for k in range(1, lag + 1)])
    ones = np.ones((T - lag, 1))

    def rss(design):
        beta = np.linalg.lstsq(design, y, rcond=None)[0]
        return np.sum((y - design @ beta) ** 2)

    return rss(np.hstack([ones, own])), rss(np.hstack([ones, own, other]))


def right_geweke(cause, effect, lag):
    rss_r, rss_u = _rss_pair(cause, effect, lag)
    return np.log(rss_r / rss_u)


@pytest.mark.parametrize("seed", [0, 1, 2, None, None])
def test_geweke_checker_accepts_right_answer(capsys, seed):
    report = check_geweke_strength(right_geweke, seed=seed)
    assert report.passed and report.n_passed == len(report.cases) == 5
    assert "5 of 5 hidden cases passed" in capsys.readouterr().out


def test_geweke_checker_accepts_the_route_through_ones_own_f_statistic():
    """F = ln(1 + f_stat L / df_den), with the F statistic written in NumPy: a right answer."""

    def via_f_test(cause, effect, lag):
        f_stat = right_granger_f(cause, effect, lag)[0]
        return float(np.log1p(f_stat * lag / (len(effect) - 3 * lag - 1)))

    assert check_geweke_strength(via_f_test, verbose=False).passed


def test_geweke_cases_are_drawn_at_check_time_and_cover_the_brief():
    from gcbook.exercises.granger_practice import _geweke_cases

    for seed in [0, 1, None]:
        cases = list(_geweke_cases(seed))
        assert [lag for _, (_, _, lag), _, _ in cases] == [1, 2, 3, 2, 4]
        assert any(abs(cause.mean()) > 20 for _, (cause, _, _), _, _ in cases)  # a large mean
        for name, (cause, effect, lag), F, _ in cases:
            assert F == pytest.approx(right_geweke(cause, effect, lag), rel=1e-8)
            assert name.startswith(f"T={len(cause)}, lag={lag}, ")
    fresh = [[args[0] for _, args, _, _ in _geweke_cases(None)] for _ in range(3)]
    for one, two in zip(fresh, fresh[1:]):
        assert not any(a.shape == b.shape and np.array_equal(a, b) for a, b in zip(one, two))


from gcbook.granger import granger_strength as _package_granger_strength  # noqa: E402


def geweke_imported_before(cause, effect, lag):
    return _package_granger_strength(np.column_stack([cause, effect]), lag).strength[0, 1]


def geweke_imported_inside(cause, effect, lag):
    from gcbook.granger import granger_strength

    return granger_strength(np.column_stack([cause, effect]), lag).strength[0, 1]


def geweke_via_the_package_f_test(cause, effect, lag):
    import gcbook.granger as gg

    res = gg.granger_test(np.column_stack([cause, effect]), lag)
    return float(np.log1p(res.f_stat[0, 1] * res.df_num / res.df_den))


@pytest.mark.parametrize(
    "shortcut, name",
    [
        (geweke_imported_before, "gcbook.granger.granger_strength"),
        (geweke_imported_inside, "gcbook.granger.granger_strength"),
        (geweke_via_the_package_f_test, "gcbook.granger.granger_test"),
    ],
    ids=["package-imported-before", "package-imported-inside", "package-f-test"],
)
def test_geweke_checker_rejects_the_forbidden_shortcuts(shortcut, name):
    report = check_geweke_strength(shortcut, verbose=False, seed=5)
    assert_every_case_forbids(report, name, "write it with NumPy (its answer matches the reference")


@pytest.mark.parametrize(
    "mistake, hint",
    [
        (lambda c, e, L: np.exp(right_geweke(c, e, L)), "natural logarithm"),
        (lambda c, e, L: -right_geweke(c, e, L), "restricted model"),
        (lambda c, e, L: right_geweke(c, e, L) / 2, "transfer entropy"),
        (lambda c, e, L: right_geweke(c, e, L) / np.log(10), "log10"),
        (lambda c, e, L: right_geweke(e, c, L), "swapped cause and effect"),
        (lambda c, e, L: (len(e) - L) * right_geweke(c, e, L), "likelihood-ratio statistic"),
    ],
)
def test_geweke_checker_explains_mistakes(mistake, hint):
    report = check_geweke_strength(mistake, verbose=False)
    assert report.n_passed == 0
    assert all(hint in case.message for case in report.cases), [case.message for case in report.cases]


def test_geweke_checker_recognises_variances_with_degrees_of_freedom():
    def unbiased_variances(cause, effect, lag):
        rss_r, rss_u = _rss_pair(cause, effect, lag)
        n = len(effect) - lag
        return np.log((rss_r / (n - lag - 1)) / (rss_u / (n - 2 * lag - 1)))

    report = check_geweke_strength(unbiased_variances, verbose=False)
    assert report.n_passed == 0
    assert all("maximum-likelihood variances" in case.message for case in report.cases)


def test_geweke_checker_unknown_mistake_shapes_and_stub(capsys):
    report = check_geweke_strength(lambda c, e, L: right_geweke(c, e, L) + 0.01, verbose=False)
    assert report.n_passed == 0 and "expected F=" in report.cases[0].message
    assert "intercept" in report.cases[0].message
    report = check_geweke_strength(lambda c, e, L: np.array([0.1, 0.2]), verbose=False)
    assert "single number" in report.cases[0].message
    report = check_geweke_strength(lambda c, e, L: None, verbose=False)
    assert "returned None" in report.cases[0].message

    def stub(cause, effect, lag):
        raise NotImplementedError("Exercise: compute F")

    assert "not implemented yet" in check_geweke_strength(stub).summary()


# ----------------------------------------------------------------------------- pooled lag matrix (brains and genes)
def _pooled_by_hand(recordings, lag):
    """Targets and lags of every recording by explicit loops over rows (independent of gcbook.granger)."""
    Y, L = [], []
    for X in recordings:
        for t in range(lag, len(X)):
            Y.append(X[t])
            L.append(np.stack([X[t - k] for k in range(1, lag + 1)], axis=1))  # (p, lag)
    return np.array(Y), np.array(L)


@pytest.mark.parametrize("seed", [0, 1, None, None])
def test_pooled_checker_accepts_an_answer_written_by_hand(capsys, seed):
    from gcbook.exercises import check_pooled_lag_matrix

    report = check_pooled_lag_matrix(_pooled_by_hand, seed=seed)
    assert report.passed and report.n_passed == len(report.cases) == 4
    assert "4 of 4 hidden cases passed" in capsys.readouterr().out


@pytest.mark.parametrize(
    "mistake, hint",
    [
        (lambda recs, lag: _pooled_by_hand([np.concatenate(recs)], lag), "seams"),
        (lambda recs, lag: (lambda Y, L: (Y, L[:, :, ::-1]))(*_pooled_by_hand(recs, lag)), "reversed"),
        (lambda recs, lag: (lambda Y, L: (Y, L.transpose(0, 2, 1)))(*_pooled_by_hand(recs, lag)), "swapped"),
        (lambda recs, lag: (lambda Y, L: (Y - 1.0, L))(*_pooled_by_hand(recs, lag)), "targets differ"),
    ],
)
@pytest.mark.parametrize("seed", [0, None])
def test_pooled_checker_explains_mistakes(mistake, hint, seed):
    from gcbook.exercises import check_pooled_lag_matrix

    report = check_pooled_lag_matrix(mistake, verbose=False, seed=seed)
    assert not report.passed
    assert any(hint in case.message for case in report.cases if not case.passed), [c.message for c in report.cases]


def test_pooled_cases_are_drawn_at_check_time_and_cover_the_brief():
    from gcbook.exercises.brains_genes import _pooled_cases

    for seed in [0, 1, None]:
        cases = list(_pooled_cases(seed))
        lengths = [[len(X) for X in recordings] for _, (recordings, _), _, _ in cases]
        assert [lag for _, (_, lag), _, _ in cases] == [1, 2, 3, 2]
        assert lengths[0][0] == lengths[0][1] and len(set(lengths[1])) == 3 and 4 in lengths[2]
        assert len(lengths[3]) == 5
        for name, (recordings, lag), (Y, L), _ in cases:
            Y_hand, L_hand = _pooled_by_hand(recordings, lag)
            assert np.array_equal(Y, Y_hand) and np.array_equal(L, L_hand), name
    fresh = [[args[0][0] for _, args, _, _ in _pooled_cases(None)] for _ in range(3)]
    for one, two in zip(fresh, fresh[1:]):
        assert not any(a.shape == b.shape and np.array_equal(a, b) for a, b in zip(one, two))


from gcbook.granger import pooled_lag_matrix as _package_pooled_lag_matrix  # noqa: E402


def pooled_imported_inside(recordings, lag):
    from gcbook.granger import pooled_lag_matrix

    return pooled_lag_matrix(recordings, lag)


def pooled_by_lag_matrix(recordings, lag):
    from gcbook.granger import lag_matrix

    parts = [lag_matrix(X, lag) for X in recordings]
    return np.concatenate([Y for Y, _ in parts]), np.concatenate([L for _, L in parts])


@pytest.mark.parametrize(
    "shortcut, name",
    [
        (lambda recordings, lag: _package_pooled_lag_matrix(recordings, lag), "gcbook.granger.pooled_lag_matrix"),
        (pooled_imported_inside, "gcbook.granger.pooled_lag_matrix"),
        (pooled_by_lag_matrix, "gcbook.granger.lag_matrix"),
    ],
    ids=["package-imported-before", "package-imported-inside", "package-lag-matrix"],
)
def test_pooled_checker_rejects_the_forbidden_shortcuts(shortcut, name):
    from gcbook.exercises import check_pooled_lag_matrix

    report = check_pooled_lag_matrix(shortcut, verbose=False, seed=2)
    assert_every_case_forbids(report, name, "write it with NumPy (its answer matches the reference")


def test_pooled_checker_reports_a_stub_none_and_a_crash():
    from gcbook.exercises import check_pooled_lag_matrix

    def stub(recordings, lag):
        raise NotImplementedError("write me")

    assert "not implemented yet" in check_pooled_lag_matrix(stub, verbose=False).cases[0].message
    assert "returned None" in check_pooled_lag_matrix(lambda r, lag: None, verbose=False).cases[0].message
    crashed = check_pooled_lag_matrix(lambda r, lag: 1 / 0, verbose=False)
    assert "ZeroDivisionError" in crashed.cases[0].message and crashed.n_passed == 0
