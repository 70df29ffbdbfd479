"""The one result shape shared by every structure-learning method of the package.

Every method that learns a graph among the columns of ``X`` returns a small frozen
dataclass that mixes in :class:`GraphResult`. Whatever the method, a result answers
the same questions the same way:

``scores``
    ``(p, p)`` float array, ``scores[i, j]`` the strength of ``i -> j`` (larger means
    more likely an edge); what AUROC and AUPRC rank.
``scores_by_lag``
    ``(p, p, lag)`` float array, ``scores_by_lag[i, j, k-1]`` the strength of
    ``x_i(t-k) -> x_j(t)``, for methods with lags; None otherwise. The lag axis is last
    everywhere.
``adjacency(...)``
    ``(p, p)`` int array, the method's own decision: ``1`` for ``i -> j`` (a CPDAG also
    has ``-1`` for an undirected edge). Its arguments are the method's own (a level for
    a test, a threshold for weights).
``labels``, ``method``
    The variable names (a DataFrame's columns, else ``x0, x1, ...``) and the method's name.
``to_frame()``, ``plot()``
    A tidy table with one row per ordered pair, and a heatmap of the scores.

A result is not an array: indexing it or handing it to NumPy raises a ``TypeError`` that
names the attribute to use (``result.W``, ``result.coef_by_lag``), so code written for the
functions that returned bare arrays fails loudly instead of computing with the wrong thing.
"""

from __future__ import annotations

import numpy as np

__all__ = ["GraphResult", "default_labels", "offdiagonal_pairs"]


def default_labels(p: int, labels=()) -> tuple[str, ...]:
    """``labels`` as a tuple of ``p`` strings, ``x0, x1, ...`` when none are given.

    Examples
    --------
    >>> default_labels(3)
    ('x0', 'x1', 'x2')
    """
    labels = tuple(str(label) for label in labels)
    if not labels:
        return tuple(f"x{i}" for i in range(p))
    if len(labels) != p:
        raise ValueError(f"labels must have one name per variable ({p}), got {len(labels)}.")
    return labels


def offdiagonal_pairs(p: int) -> tuple[np.ndarray, np.ndarray]:
    """Row and column indices of the ``p (p - 1)`` ordered pairs ``i != j``, row by row."""
    return np.nonzero(~np.eye(p, dtype=bool))


class GraphResult:
    """Mixin of the shared result shape; see the module docstring.

    A subclass is a frozen dataclass that defines ``scores`` (a field or a property),
    ``scores_by_lag`` (None where the method has no lags), ``labels``, ``method`` and
    ``adjacency``. It may override :meth:`_frame_columns` to add its own columns to
    :meth:`to_frame`, and :meth:`_array_hint` to name the array to use instead of the
    result.
    """

    #: Whether ``adjacency()`` with no argument gives the method's own graph.
    has_default_adjacency = True

    #: Name of the ``scores`` column of :meth:`to_frame` (e.g. ``"F"`` for a test).
    score_name = "score"

    @property
    def p(self) -> int:
        """Number of variables."""
        return int(np.shape(self.scores)[0])

    def _frame_columns(self) -> dict:
        """Extra ``(p, p)`` arrays for :meth:`to_frame`, by column name."""
        return {}

    def to_frame(self, by_lag: bool = False):
        """The result as a tidy :class:`pandas.DataFrame`, one row per ordered pair ``i != j``.

        Parameters
        ----------
        by_lag : bool, default False
            One row per pair and lag instead, with a ``lag`` column and the
            ``scores_by_lag`` entries as ``score`` (only for methods with lags).

        Returns
        -------
        pandas.DataFrame
            Columns ``cause``, ``effect``, the scores (named by ``score_name``), then ``edge`` (``adjacency()``, for
            methods with a default decision) and the method's own columns; with
            ``by_lag=True``: ``cause``, ``effect``, ``lag``, ``score``.

        Raises
        ------
        ValueError
            For ``by_lag=True`` on a method without lags.
        """
        import pandas as pd

        from gcbook._validation import check_bool

        labels = np.asarray(self.labels, dtype=object)
        i, j = offdiagonal_pairs(self.p)
        if check_bool(by_lag, "by_lag"):
            if self.scores_by_lag is None:
                raise ValueError(f"{type(self).__name__} ({self.method}) has no lags; use to_frame().")
            n_lags = np.shape(self.scores_by_lag)[2]
            ii, jj, kk = np.repeat(i, n_lags), np.repeat(j, n_lags), np.tile(np.arange(n_lags), len(i))
            return pd.DataFrame(
                {
                    "cause": labels[ii],
                    "effect": labels[jj],
                    "lag": kk + 1,
                    "score": np.asarray(self.scores_by_lag)[ii, jj, kk],
                }
            )
        columns = {"cause": labels[i], "effect": labels[j], self.score_name: np.asarray(self.scores)[i, j]}
        if self.has_default_adjacency:
            columns["edge"] = np.asarray(self.adjacency())[i, j]
        columns.update({name: np.asarray(values)[i, j] for name, values in self._frame_columns().items()})
        return pd.DataFrame(columns)

    def plot(self, ax=None, title=None):
        """Heatmap of ``scores`` (causes on rows), with the default graph's edges starred.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
        title : str, optional
            Default: the method's name.

        Returns
        -------
        matplotlib.axes.Axes
        """
        from gcbook.plotting import plot_adjacency

        ax = plot_adjacency(
            np.asarray(self.scores, dtype=float),
            labels=list(self.labels),
            ax=ax,
            title=self.method if title is None else title,
            annotate=False,
        )
        if self.has_default_adjacency:
            for i, j in zip(*np.nonzero(np.asarray(self.adjacency()))):
                if i != j:
                    ax.text(j, i, "*", ha="center", va="center", color="white", fontsize=14, fontweight="bold")
        return ax

    # A result is not an array: fail loudly where code expects the old bare-array return.
    def _array_hint(self) -> str:
        return "result.scores"

    def _not_an_array(self):
        return TypeError(
            f"{type(self).__name__} is a result object, not an array (the function used to return a bare "
            f"array); use {self._array_hint()}."
        )

    def __array__(self, dtype=None, copy=None):
        raise self._not_an_array()

    def __getitem__(self, key):
        raise self._not_an_array()

    def __iter__(self):
        raise self._not_an_array()
