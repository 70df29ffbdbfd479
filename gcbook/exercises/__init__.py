"""Auto-checked exercises: run a student's function on hidden cases and explain what is wrong.

Used by the auto-checked exercises of every numbered chapter (the first is in :ref:`chap-granger`);
the :ref:`instructor-guide` (``book/instructor_guide.md``) explains how they grade.

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
* ``gcbook.exercises._common`` - the checking machinery every checker shares:
  :class:`CheckReport`, :class:`CaseResult`, the loop that runs and judges the cases, and the
  readers of an answer as numbers.

A new chapter's checker goes into a module of its own named after the chapter, built on
``gcbook.exercises._common``, and is re-exported here.
"""

# Every public name of the former single module gcbook/exercises.py stays importable from here.
from gcbook.exercises._common import CaseResult, CheckReport  # noqa: F401
from gcbook.exercises.brains_genes import (  # noqa: F401
    check_pooled_lag_matrix,
)
from gcbook.exercises.capstone import (  # noqa: F401
    check_auprc,
)
from gcbook.exercises.dwgc import (  # noqa: F401
    check_window_f,
)
from gcbook.exercises.granger import (  # noqa: F401
    check_benjamini_hochberg,
    check_granger_f,
)
from gcbook.exercises.granger_practice import (  # noqa: F401
    check_geweke_strength,
)
from gcbook.exercises.neural import (  # noqa: F401
    check_jacobian_readout,
)
from gcbook.exercises.notears import (  # noqa: F401
    check_acyclicity,
)
from gcbook.exercises.sparse_var import (  # noqa: F401
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
