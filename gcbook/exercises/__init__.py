"""Auto-checked exercises: run a student's function on hidden cases and explain what is wrong.

A checker calls the student's function on cases generated here (the notebook never shows them),
compares each answer with the reference implementation in :mod:`gcbook`, prints one line per case
(which case, expected vs got, and a hint when the answer matches a known mistake), and returns a
:class:`CheckReport` whose ``passed`` attribute a grading script can read.

One module per chapter; every name is also importable from :mod:`gcbook.exercises` itself:

* :mod:`gcbook.exercises.granger` - "Granger causality": :func:`check_granger_f`,
  :func:`check_benjamini_hochberg`;
* :mod:`gcbook.exercises.granger_practice` - "Granger causality in practice":
  :func:`check_geweke_strength`;
* :mod:`gcbook.exercises.dwgc` - "Dynamic window-level Granger causality": :func:`check_window_f`;
* :mod:`gcbook.exercises.notears` - "NOTEARS": :func:`check_acyclicity`;
* :mod:`gcbook.exercises.neural` - "Neural Granger causality": :func:`check_jacobian_readout`;
* :mod:`gcbook.exercises.sparse_var` - "Sparse VAR inside a neural network": :func:`check_lasso`;
* :mod:`gcbook.exercises.brains_genes` - "Causal discovery on brains and genes":
  :func:`check_pooled_lag_matrix`;
* :mod:`gcbook.exercises.capstone` - "Which method when?": :func:`check_auprc`;
* :mod:`gcbook.exercises._common` - the checking machinery every checker shares:
  :class:`CheckReport`, :class:`CaseResult`, the loop that runs and judges the cases, and the
  readers of an answer as numbers.

A new chapter's checker goes into a module of its own named after the chapter, built on
:mod:`gcbook.exercises._common`, and is re-exported here.
"""

# Every name of the former single module gcbook/exercises.py, private helpers included (tests import
# some of them), stays importable from here.
from gcbook.exercises._common import (  # noqa: F401
    CaseResult,
    CheckReport,
    _as_float_array,
    _not_implemented_report,
    _real_scalar,
    _run_cases,
)
from gcbook.exercises.brains_genes import (  # noqa: F401
    _HINT_POOLED_CONCATENATED,
    _HINT_POOLED_REVERSED,
    _HINT_POOLED_TARGETS,
    _HINT_POOLED_TRANSPOSED,
    _judge_pooled,
    _pooled_cases,
    check_pooled_lag_matrix,
)
from gcbook.exercises.capstone import (  # noqa: F401
    _AUPRC_TOL,
    _HINT_AUPRC_ABS,
    _HINT_AUPRC_AUROC,
    _HINT_AUPRC_DIAGONAL,
    _HINT_AUPRC_FIXED,
    _HINT_AUPRC_MEAN_PRECISION,
    _HINT_AUPRC_REVERSED,
    _HINT_AUPRC_TIES,
    _HINT_AUPRC_TRANSPOSED,
    _HINT_AUPRC_TRAPEZOID,
    _ap_one_at_a_time,
    _auprc_cases,
    _auprc_methods,
    _auprc_mistakes,
    _format_two,
    _judge_auprc,
    _pr_steps,
    _trapezoids,
    check_auprc,
)
from gcbook.exercises.dwgc import (  # noqa: F401
    _HINT_DF,
    _HINT_INSIDE,
    _HINT_MSE_RATIO,
    _HINT_NO_INTERCEPT,
    _HINT_P_VALUE,
    _HINT_SWAPPED,
    _judge_window_f,
    _window_f_by_lstsq,
    _window_f_cases,
    check_window_f,
)
from gcbook.exercises.granger import (  # noqa: F401
    _bh_cases,
    _granger_pair_cases,
    _judge_bh,
    _judge_f,
    _step_down,
    check_benjamini_hochberg,
    check_granger_f,
)
from gcbook.exercises.granger_practice import (  # noqa: F401
    _GEWEKE_TOL,
    _geweke_cases,
    _judge_geweke,
    check_geweke_strength,
)
from gcbook.exercises.neural import (  # noqa: F401
    _AXES,
    _HINT_ABS_OF_MEAN,
    _HINT_REVERSED_LAGS,
    _HINT_SIGNED,
    _HINT_TRANSPOSED,
    _jacobian_models,
    _jacobian_readout_cases,
    _judge_jacobian_readout,
    _readout_mistakes,
    check_jacobian_readout,
)
from gcbook.exercises.notears import (  # noqa: F401
    _acyclicity_cases,
    _judge_acyclicity,
    check_acyclicity,
)
from gcbook.exercises.sparse_var import (  # noqa: F401
    _HINT_LASSO_HALF,
    _HINT_LASSO_HARD,
    _HINT_LASSO_INTERCEPT,
    _HINT_LASSO_N_STRONG,
    _HINT_LASSO_N_WEAK,
    _HINT_LASSO_ONE_STEP,
    _HINT_LASSO_TWICE,
    _HINT_LASSO_UNIT_NORM,
    _format_vector,
    _hard_update,
    _judge_lasso,
    _lasso_cases,
    _lasso_close,
    _lasso_mistakes,
    _mistaken_coordinate_descent,
    _shape_or_none,
    _unit_norm_update,
    check_lasso,
)

__all__ = [
    "CheckReport",
    "CaseResult",
    "check_granger_f",
    "check_benjamini_hochberg",
    "check_acyclicity",
    "check_jacobian_readout",
    "check_window_f",
    "check_lasso",
    "check_auprc",
    "check_geweke_strength",
    "check_pooled_lag_matrix",
]
