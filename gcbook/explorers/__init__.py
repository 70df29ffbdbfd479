"""Interactive explorers for the book's chapters, with their logic as plain, tested functions.

Used in the chapters :ref:`chap-granger`, :ref:`chap-dwgc`, :ref:`chap-notears`,
:ref:`chap-neural`, :ref:`chap-sparse-var` and :ref:`chap-capstone`, one explorer each (listed below).

Each explorer is two layers:

* a plain function (e.g. :func:`granger_explorer`) that takes the slider values, simulates,
  computes and draws, and returns the numbers and a :class:`matplotlib.figure.Figure`. It needs
  no browser and no kernel, so the tests call it directly and a chapter can use it to draw the
  static figure that stands next to the widget;
* a thin ``*_widget`` function (e.g. :func:`granger_explorer_widget`) that wires
  :func:`ipywidgets.interactive` to the plain function. ``ipywidgets`` is imported only when the
  widget is built, so importing :mod:`gcbook` never needs it.

Orientation, as everywhere in :mod:`gcbook`: ``A[i, j] = 1`` means ``i -> j``.

One module per chapter; every name is also importable from :mod:`gcbook.explorers` itself:

* :mod:`gcbook.explorers.granger` - "Granger causality": :func:`simulate_pairs`,
  :func:`coupled_pair`, :func:`granger_explorer`, :func:`explorer_grid`,
  :func:`granger_explorer_widget`;
* :mod:`gcbook.explorers.dwgc` - "Dynamic window-level Granger causality": :func:`window_explorer`,
  :func:`window_explorer_widget`;
* :mod:`gcbook.explorers.notears` - "NOTEARS": :func:`notears_explorer`,
  :func:`notears_explorer_widget`;
* :mod:`gcbook.explorers.neural` - "Neural Granger causality": :func:`grngc_explorer`,
  :func:`grngc_explorer_widget`;
* :mod:`gcbook.explorers.sparse_var` - "Sparse VAR inside a neural network":
  :func:`lasso_var_explorer`, :func:`lasso_var_explorer_widget`;
* :mod:`gcbook.explorers.capstone` - "Which method when?": :func:`evaluation_explorer`,
  :func:`evaluation_explorer_widget`;
* ``gcbook.explorers._common`` (private) - what several explorers share: the widget machinery
  that keeps a headless run from stalling (``interactive``), and small scoring, drawing and
  slider-checking helpers.
"""

# Every public name of the former single module gcbook/explorers.py stays importable from here.
from gcbook.explorers.capstone import (  # noqa: F401
    EVALUATION_ALPHA,
    EVALUATION_LAG,
    EVALUATION_SEED_RANGE,
    EVALUATION_T_RANGE,
    EVALUATION_THRESHOLD_RANGE,
    EvaluationExplorerResult,
    evaluation_explorer,
    evaluation_explorer_widget,
)
from gcbook.explorers.dwgc import (  # noqa: F401
    EPSILON_RANGE,
    WINDOW_KINDS,
    WINDOW_MODELS,
    WINDOW_RANGE,
    WindowExplorerResult,
    window_explorer,
    window_explorer_widget,
)
from gcbook.explorers.granger import (  # noqa: F401
    MAX_COUPLING,
    SELF_COEF,
    SHOWN_POINTS,
    ExplorerResult,
    coupled_pair,
    explorer_grid,
    granger_explorer,
    granger_explorer_widget,
    simulate_pairs,
)
from gcbook.explorers.neural import (  # noqa: F401
    GRNGC_EPOCHS,
    GRNGC_LAG,
    GRNGC_LAMS,
    GRNGC_LR,
    GRNGC_P,
    GRNGC_SEED_RANGE,
    GRNGC_SYSTEMS,
    GRNGC_T,
    GrngcExplorerResult,
    grngc_explorer,
    grngc_explorer_widget,
)
from gcbook.explorers.notears import (  # noqa: F401
    NOTEARS_D_RANGE,
    NOTEARS_LAMBDAS,
    NOTEARS_N_RANGE,
    NOTEARS_SEED_RANGE,
    NOTEARS_THRESHOLD_RANGE,
    NotearsExplorerResult,
    notears_explorer,
    notears_explorer_widget,
)
from gcbook.explorers.sparse_var import (  # noqa: F401
    LASSO_ALPHA_RANGE,
    LASSO_P_RANGE,
    LASSO_SEED_RANGE,
    LASSO_T_RANGE,
    LassoExplorerResult,
    lasso_var_explorer,
    lasso_var_explorer_widget,
)

__all__ = [
    "ExplorerResult",
    "simulate_pairs",
    "coupled_pair",
    "granger_explorer",
    "explorer_grid",
    "granger_explorer_widget",
    "WindowExplorerResult",
    "window_explorer",
    "window_explorer_widget",
    "LassoExplorerResult",
    "lasso_var_explorer",
    "lasso_var_explorer_widget",
    "NotearsExplorerResult",
    "notears_explorer",
    "notears_explorer_widget",
    "GrngcExplorerResult",
    "grngc_explorer",
    "grngc_explorer_widget",
    "EvaluationExplorerResult",
    "evaluation_explorer",
    "evaluation_explorer_widget",
]
