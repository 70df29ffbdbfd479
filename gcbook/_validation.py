"""Input checks shared by every public function of :mod:`gcbook`.

Each check raises a :class:`ValueError` that says what is wrong and what to do,
so that bad input never turns into silently wrong numbers.
"""

from __future__ import annotations

import numbers

import numpy as np

__all__ = [
    "as_float_array",
    "as_recordings",
    "as_time_series",
    "check_binary",
    "check_bool",
    "check_choice",
    "check_int",
    "check_per_variable",
    "check_recording_lengths",
    "recordings_and_lag",
    "check_lag",
    "check_random_state",
    "check_real",
    "check_square_matrix",
]


def check_random_state(seed) -> np.random.Generator:
    """Turn ``seed`` into a fresh :class:`numpy.random.Generator`.

    Parameters
    ----------
    seed : None, int or numpy.random.Generator
        ``None`` draws fresh entropy, an int seeds a new generator, and a
        generator is used as it is (so a caller can thread one through several calls).

    Returns
    -------
    numpy.random.Generator
        Never the global NumPy random state.
    """
    if seed is None or isinstance(seed, (numbers.Integral, np.integer)) and not isinstance(seed, bool):
        if seed is not None and seed < 0:
            raise ValueError(f"seed must be a non-negative int, got {seed}.")
        return np.random.default_rng(seed)
    if isinstance(seed, np.random.Generator):
        return seed
    raise ValueError(f"seed must be None, a non-negative int or a numpy.random.Generator, got {type(seed).__name__}.")


def as_float_array(value, name: str, *, what: str = "a numeric array") -> np.ndarray:
    """Return ``value`` as a float64 array (a copy), or raise a ValueError that names ``name``.

    Refuses complex input: NumPy would cast it to its real part with only a ``ComplexWarning``,
    so that silently wrong numbers come back. Anything NumPy cannot turn into floats (strings,
    ``None``, ragged nested lists) gets a ValueError, not a TypeError.
    """
    try:
        raw = np.asarray(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be {what}; could not convert it: {exc}") from exc
    if np.iscomplexobj(raw):
        raise ValueError(
            f"{name} holds complex numbers; pass the real part (np.real) or the modulus (np.abs) explicitly."
        )
    try:
        return np.array(raw, dtype=np.float64, order="C", copy=True)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be {what}; could not convert it: {exc}") from exc


def as_time_series(X, *, name: str = "X", min_vars: int = 2) -> tuple[np.ndarray, list[str]]:
    """Validate a multivariate time series and return it as a float array with labels.

    Parameters
    ----------
    X : array_like or pandas.DataFrame, shape (T, p)
        Rows are time points, columns are variables. A DataFrame's column names
        become the labels.
    name : str
        The argument's name, used in error messages.
    min_vars : int
        The smallest number of variables (columns) accepted.

    Returns
    -------
    X : numpy.ndarray of float64, shape (T, p)
        A C-contiguous copy.
    labels : list of str, length p
        The DataFrame's column names, or ``["x0", "x1", ...]``.

    Raises
    ------
    ValueError
        If ``X`` is not 2-D, has fewer than ``min_vars`` columns or fewer than 3 rows,
        holds NaN or inf, or has a constant column.
    """
    labels = None
    if hasattr(X, "columns") and hasattr(X, "to_numpy"):
        labels = [str(c) for c in X.columns]
        X = X.to_numpy()
    arr = as_float_array(X, name, what="a numeric array of shape (T, p)")
    if arr.ndim != 2:
        hint = " Reshape a single series with X.reshape(-1, 1) and add at least one more." if arr.ndim == 1 else ""
        raise ValueError(
            f"{name} must be 2-D with shape (T, p) (rows are time), got {arr.ndim}-D shape {arr.shape}.{hint}"
        )
    T, p = arr.shape
    if p < min_vars:
        raise ValueError(f"{name} must have at least {min_vars} variables (columns), got p={p}.")
    if T < 3:
        raise ValueError(f"{name} must have at least 3 time points (rows), got T={T}.")
    if not np.all(np.isfinite(arr)):
        bad = np.argwhere(~np.isfinite(arr))[0]
        raise ValueError(
            f"{name} contains NaN or inf (first at row {bad[0]}, column {bad[1]}); "
            "impute or drop those rows before calling."
        )
    constant = np.flatnonzero(np.ptp(arr, axis=0) == 0)
    if constant.size:
        cols = ", ".join(labels[c] if labels else str(c) for c in constant)
        raise ValueError(f"{name} has constant column(s) {cols}; a constant series carries no information, drop it.")
    if labels is None:
        labels = [f"x{i}" for i in range(p)]
    return arr, labels


def is_recording_list(X) -> bool:
    """True when ``X`` is a list or tuple of 2-D recordings, False when it is one series.

    A list whose items are rows (1-D) is one series written as nested lists.
    """
    return isinstance(X, (list, tuple)) and len(X) > 0 and all(np.ndim(item) == 2 for item in X)


def as_recordings(X, *, name: str = "X", min_vars: int = 2) -> tuple[list[np.ndarray], list[str]]:
    """Validate one series or a list of recordings of the same variables.

    Parameters
    ----------
    X : array_like, pandas.DataFrame, or list of them
        One series of shape (T, p), or a list of recordings (trials, subjects, perturbation
        experiments) of shapes (T_r, p) with the same ``p``. Each is checked as by
        :func:`as_time_series`, so a variable constant within one recording is rejected.
    name, min_vars
        As in :func:`as_time_series`.

    Returns
    -------
    recordings : list of numpy.ndarray, shapes (T_r, p)
        A list of one array for a single series.
    labels : list of str, length p
        From the first recording.

    Raises
    ------
    ValueError
        If a recording fails :func:`as_time_series` or the recordings differ in ``p``.

    Examples
    --------
    >>> recs, labels = as_recordings([np.random.default_rng(0).normal(size=(5, 2)), np.ones((4, 2)).cumsum(0)])
    >>> [r.shape for r in recs], labels
    ([(5, 2), (4, 2)], ['x0', 'x1'])
    """
    if not is_recording_list(X):
        arr, labels = as_time_series(X, name=name, min_vars=min_vars)
        return [arr], labels
    recordings, labels = [], None
    for index, item in enumerate(X):
        arr, item_labels = as_time_series(item, name=f"{name}[{index}]", min_vars=min_vars)
        if recordings and arr.shape[1] != recordings[0].shape[1]:
            raise ValueError(
                f"Every recording must hold the same variables: {name}[0] has p={recordings[0].shape[1]}, "
                f"{name}[{index}] has p={arr.shape[1]}."
            )
        labels = labels or item_labels
        recordings.append(arr)
    return recordings, labels


def check_recording_lengths(recordings: list[np.ndarray], lag: int, name: str = "lag") -> None:
    """Raise a ValueError naming the first recording with fewer than ``lag + 1`` time points (no window)."""
    short = [index for index, rec in enumerate(recordings) if rec.shape[0] < lag + 1]
    if short:
        index = short[0]
        raise ValueError(
            f"Recording {index} has T={recordings[index].shape[0]} time points, too short for {name}={lag}: "
            f"every recording needs at least {name} + 1 = {lag + 1}."
        )


def recordings_and_lag(X, lag, *, name: str = "lag") -> tuple[list[np.ndarray], list[str], int]:
    """:func:`as_recordings` and :func:`check_lag` together.

    One series keeps the single-series length check of :func:`check_lag` (``T > lag + 1``);
    in a list, every recording needs ``T_r >= lag + 1`` (one window at least).
    """
    recordings, labels = as_recordings(X)
    lag = check_lag(lag, recordings[0].shape[0] if len(recordings) == 1 else None, name=name)
    check_recording_lengths(recordings, lag, name)
    # A series that varies only in the first `lag` points of each recording is constant on every
    # time point the model forecasts: its residual variance is 0 and the tests are 0/0.
    targets = np.concatenate([rec[lag:] for rec in recordings])
    constant = np.flatnonzero(np.ptp(targets, axis=0) == 0)
    if constant.size:
        cols = ", ".join(labels[c] for c in constant)
        raise ValueError(
            f"Column(s) {cols} are constant after the first {name}={lag} time points of each recording, "
            "so there is nothing to forecast (a residual variance of 0); drop them or use a smaller lag."
        )
    return recordings, labels, lag


def check_lag(lag, T: int | None = None, *, name: str = "lag") -> int:
    """Check that ``lag`` is a positive int and that ``T`` time points leave data to fit.

    Raises
    ------
    ValueError
        If ``lag`` is not an int >= 1, or if ``T <= lag + 1``.
    """
    if isinstance(lag, bool) or not isinstance(lag, (numbers.Integral, np.integer)):
        raise ValueError(f"{name} must be an int >= 1, got {lag!r}.")
    lag = int(lag)
    if lag < 1:
        raise ValueError(f"{name} must be >= 1, got {lag}.")
    if T is not None and T <= lag + 1:
        raise ValueError(f"The series is too short for {name}={lag}: T={T} must exceed lag + 1 = {lag + 1}.")
    return lag


def check_square_matrix(M, *, name: str) -> np.ndarray:
    """Return ``M`` as a finite float array of shape (d, d), or raise a ValueError."""
    arr = as_float_array(M, name, what="a numeric square (d, d) matrix")
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1]:
        raise ValueError(f"{name} must be a square (d, d) matrix, got shape {arr.shape}.")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or inf.")
    return arr


def check_int(value, name: str, minimum: int) -> int:
    """Return ``value`` as an int >= ``minimum`` or raise a ValueError."""
    if isinstance(value, bool) or not isinstance(value, (numbers.Integral, np.integer)):
        raise ValueError(f"{name} must be an int >= {minimum}, got {value!r} ({type(value).__name__}).")
    value = int(value)
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}.")
    return value


def check_real(value, name: str, *, low=None, high=None, low_open=False, high_open=False) -> float:
    """Return ``value`` as a finite float inside the given bounds or raise a ValueError."""
    if isinstance(value, bool) or not isinstance(value, (numbers.Real, np.floating, np.integer)):
        raise ValueError(f"{name} must be a real number, got {value!r} ({type(value).__name__}).")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}.")
    if low is not None and (value < low or (low_open and value == low)):
        raise ValueError(f"{name} must be {'>' if low_open else '>='} {low}, got {value}.")
    if high is not None and (value > high or (high_open and value == high)):
        raise ValueError(f"{name} must be {'<' if high_open else '<='} {high}, got {value}.")
    return value


def check_bool(value, name: str) -> bool:
    """Return ``value`` as a bool if it is one (Python or NumPy); else a ValueError.

    A flag given as a string or a number is refused rather than read by its truth value,
    under which ``conditional="no"`` would switch the option on.
    """
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False, got {value!r} ({type(value).__name__}).")
    return bool(value)


def check_binary(arr: np.ndarray, name: str) -> np.ndarray:
    """Raise unless every entry of ``arr`` is 0 or 1; return it as a bool array."""
    if not np.all((arr == 0) | (arr == 1)):
        bad = np.unique(arr[(arr != 0) & (arr != 1)])[:5]
        raise ValueError(
            f"{name} must be binary (0/1 or bool), found values such as {bad.tolist()}; "
            f"threshold a weighted matrix first, e.g. {name} = (W != 0)."
        )
    return arr.astype(bool)


def check_per_variable(value, p: int, name: str, *, positive: bool) -> np.ndarray:
    """Return a scalar or length-``p`` vector as a float array of shape (p,)."""
    try:
        arr = np.array(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a number or an array of shape ({p},); could not convert it: {exc}") from exc
    if arr.ndim == 0:
        arr = np.full(p, float(arr))
    if arr.shape != (p,):
        raise ValueError(
            f"{name} must be a number or an array of shape ({p},) (one per variable), got shape {arr.shape}."
        )
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or inf.")
    if positive and np.any(arr <= 0):
        raise ValueError(f"{name} must be > 0, got {arr.min()}; use a positive noise level.")
    return arr


def check_choice(value, name: str, choices, what: str = ""):
    """Return ``value`` if it is one of ``choices``; else a ValueError that lists them.

    A bool is never taken for a number (``True == 1`` would otherwise pass for the option 1).
    ``what`` adds a note after the list, e.g. ``" (the slider's values)"``.
    """
    is_bool = isinstance(value, (bool, np.bool_))
    if value not in choices or is_bool and not any(isinstance(c, (bool, np.bool_)) for c in choices):
        raise ValueError(f"{name} must be one of {tuple(choices)}{what}, got {value!r}.")
    return value
