"""What the explorers of several chapters share (see :mod:`gcbook.explorers`).

* The widget machinery: :func:`interactive` builds every ``*_widget`` as an
  :class:`ipywidgets.interactive` whose first drawing cannot stall a headless run (with
  :func:`explorer_class` and :class:`Recorder`), and :func:`show` runs one explorer for a widget.
  ``ipywidgets`` and IPython are imported only inside these functions.
* Scores and labels: :func:`format_score`, :func:`off_diagonal_truth`, :func:`precision_recall`.
* Drawing of the graph explorers (NOTEARS, GRNGC, lasso VAR, evaluation): :func:`format_category_axes`,
  :func:`category_legend`, :func:`draw_category_map`, :func:`strip_colours`, :func:`jitter`.
* Checks of widget settings: :func:`check_slider_int` (choices are checked with
  :func:`gcbook._validation.check_choice`).
"""

from __future__ import annotations

import functools

import numpy as np

from gcbook._validation import check_int


def show(explore, failure: str):
    """Run one explorer for a widget: print and display its result, or print why it cannot run.

    ``explore`` is a callable without arguments returning an explorer result (with a
    ``figure``); a ``ValueError`` (settings the explorer cannot run, e.g. a window too long for
    the series) is printed after ``failure`` instead of breaking the widget.
    """
    from IPython.display import display

    try:
        result = explore()
    except ValueError as exc:
        print(f"{failure}: {exc}")
        return None
    print(result)
    display(result.figure)
    return None


class Recorder:
    """Collects, in order, what a call prints and displays, as nbformat outputs.

    Inside :meth:`record` it stands in for ``sys.stdout``, ``sys.stderr`` and the IPython shell's
    display publisher (``display()`` and ``clear_output()`` call its :meth:`publish` and
    :meth:`clear_output`), so nothing reaches the kernel's IOPub channel.
    """

    def __init__(self):
        self.outputs: list[dict] = []

    def stream(self, name: str, text: str) -> None:
        if not text:
            return
        last = self.outputs[-1] if self.outputs else None
        if last is not None and last["output_type"] == "stream" and last["name"] == name:
            last["text"] += text
        else:
            self.outputs.append({"output_type": "stream", "name": name, "text": text})

    def publish(self, data, metadata=None, *args, transient=None, update=False, **kwargs) -> None:
        import base64

        # Binary representations (a raw PNG) are base64 text in a notebook, as the kernel sends them.
        data = {
            key: base64.b64encode(value).decode("ascii") if isinstance(value, bytes) else value
            for key, value in data.items()
        }
        self.outputs.append({"output_type": "display_data", "data": data, "metadata": dict(metadata or {})})

    def clear_output(self, wait: bool = False) -> None:
        self.outputs.clear()

    def record(self, shell, call):
        """Run ``call()`` with its printed and displayed output recorded; return its result."""
        import io
        import sys

        recorder = self

        class _Stream(io.TextIOBase):
            def __init__(self, name):
                self.name = name

            def writable(self):
                return True

            def write(self, text):
                recorder.stream(self.name, str(text))
                return len(text)

        saved = sys.stdout, sys.stderr, shell.display_pub
        sys.stdout, sys.stderr, shell.display_pub = _Stream("stdout"), _Stream("stderr"), self
        try:
            return call()
        finally:
            sys.stdout, sys.stderr, shell.display_pub = saved


@functools.lru_cache(maxsize=None)
def explorer_class():
    """The :class:`ipywidgets.interactive` subclass of every ``*_widget`` function (see :func:`interactive`)."""
    import ipywidgets as widgets
    from ipywidgets.widgets.interaction import show_inline_matplotlib_plots

    class Explorer(widgets.interactive):
        """``ipywidgets.interactive`` whose first drawing is written into its output widget's state.

        Every later update (a moved control) is :meth:`ipywidgets.interactive.update` unchanged.
        """

        _first_drawn = False

        def update(self, *args):
            if self._first_drawn:
                return super().update(*args)
            self._first_drawn = True
            from IPython import get_ipython

            shell = get_ipython()
            if shell is None or getattr(shell, "kernel", None) is None:
                # No kernel (plain Python, a terminal, the tests): no frontend, nothing can stall;
                # interactive's own update prints to stdout.
                return super().update(*args)
            self.kwargs = {widget._kwarg: widget.get_interact_value() for widget in self.kwargs_widgets}
            show_inline_matplotlib_plots()
            recorder = Recorder()

            def draw():
                result = self.f(**self.kwargs)
                show_inline_matplotlib_plots()
                return result

            self.result = recorder.record(shell, draw)
            self.out.outputs = tuple(recorder.outputs)
            return None

    return Explorer


def interactive(update, controls: dict):
    """``ipywidgets.interactive(update, **controls)`` whose first drawing cannot stall a headless run.

    :class:`ipywidgets.interactive` draws its initial state while it is built, inside ``with
    output_widget:``. A notebook executed headless by nbclient (the book build through myst-nb,
    ``jupyter nbconvert --execute``, an autograder) then mimics the frontend's output widget: for
    every output captured in it, nbclient sends a ``comm_msg`` to the kernel on the shell channel
    while it is waiting, on that same socket, for the cell's ``execute_reply``. The send goes
    through a synchronous shadow of the asyncio socket (``jupyter_client.Session.send``), which
    consumes zmq's edge-triggered "readable" signal behind pyzmq's back; when the reply has just
    arrived, the wait is never woken, sleeps to the end of the cell timeout (300 s in the book's
    ``_config.yml``), then finds the reply and goes on without an error (nbclient issue #312).

    Here the first drawing (in a kernel) is recorded instead and written into the output widget's
    ``outputs`` state, which the kernel sends to the frontend as an ordinary widget state update on
    IOPub: the frontend shows the same outputs, the widget state saved in an executed notebook
    holds them, and nbclient has nothing to send on the shell channel. Every later update (a moved
    control, in a live session) is interactive's own, so the widget stays live. An exception in
    the first drawing is raised, so a broken explorer fails the cell rather than hiding in it.

    Returns
    -------
    ipywidgets.interactive
    """
    return explorer_class()(update, **controls)


def format_score(value: float) -> str:
    return "n/a" if not np.isfinite(value) else f"{value:.2f}"


def off_diagonal_truth(A: np.ndarray) -> np.ndarray:
    """``A != 0`` with the diagonal (the own past, never scored) set to False."""
    truth = np.asarray(A) != 0
    np.fill_diagonal(truth, False)
    return truth


def precision_recall(truth: np.ndarray, estimate: np.ndarray) -> tuple[int, float, float]:
    """Edge count, precision and recall of a boolean estimate against a boolean truth; ``nan`` where undefined.

    Both are (p, p) boolean arrays with every entry that is not scored already set to False.
    """
    n_edges, n_true = int(estimate.sum()), int(truth.sum())
    hits = int((estimate & truth).sum())
    precision = hits / n_edges if n_edges else float("nan")
    recall = hits / n_true if n_true else float("nan")
    return n_edges, float(precision), float(recall)


def format_category_axes(ax, p: int) -> None:
    """Ticks, cause/effect labels and cell borders of a (p, p) map, as :mod:`gcbook.plotting` draws them.

    The borders are two line collections rather than minor-tick grid lines, which are several
    times slower to make; the explorer redraws on every slider move.
    """
    from gcbook.plotting import PALETTE

    step = 1 if p <= 30 else int(np.ceil(p / 20))
    ticks = np.arange(0, p, step)
    ax.set_xticks(ticks, [f"x{k}" for k in ticks], rotation=90 if p > 10 else 0)
    ax.set_yticks(ticks, [f"x{k}" for k in ticks])
    ax.set_xlabel("effect  $x_j$ (column)")
    ax.set_ylabel("cause  $x_i$ (row)")
    ax.grid(False)
    edges = np.arange(-0.5, p, 1.0)
    ax.hlines(edges, -0.5, p - 0.5, color=PALETTE["grid"], linewidth=0.6)
    ax.vlines(edges, -0.5, p - 0.5, color=PALETTE["grid"], linewidth=0.6)
    ax.set_xlim(-0.5, p - 0.5)
    ax.set_ylim(p - 0.5, -0.5)


def category_legend(ax, codes, extra=()):
    """Legend of a TP / FP / FN / TN map with the counts, right of ``ax``."""
    from matplotlib.patches import Patch

    from gcbook.plotting import CATEGORY_NAMES, FN, FP, PALETTE, TN, TP

    handles = [
        Patch(
            facecolor=PALETTE[CATEGORY_NAMES[c][2]],
            edgecolor=PALETTE["grid"],
            label=f"{CATEGORY_NAMES[c][1]} ({int((codes == c).sum())})",
        )
        for c in (TP, FP, FN, TN)
    ]
    handles += list(extra)
    ax.legend(
        handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False, fontsize=8, borderaxespad=0.0
    )


def draw_category_map(ax, codes, title):
    """The TP / FP / FN / TN map of an estimate, drawn as the lasso explorer draws it."""
    from matplotlib.patches import Patch

    from gcbook.plotting import ANNOTATE_MAX_P, CATEGORY_NAMES, PALETTE, annotate_cells, category_cmap

    p = codes.shape[0]
    cmap, norm = category_cmap()
    image = ax.imshow(codes, cmap=cmap, norm=norm, interpolation="nearest", aspect="equal")
    format_category_axes(ax, p)
    if p <= ANNOTATE_MAX_P:
        annotate_cells(ax, image, codes, texts=[[CATEGORY_NAMES[c][0] for c in row] for row in codes])
    category_legend(
        ax, codes, [Patch(facecolor=PALETTE["not_evaluated"], edgecolor=PALETTE["grid"], label="diagonal (not scored)")]
    )
    ax.set_title(title)


def strip_colours(truth_row, kept):
    """Point colours of a strip panel: kept true edges TP, dropped ones FN, kept non-edges FP, else TN."""
    from gcbook.plotting import PALETTE

    if truth_row:
        return np.where(kept, PALETTE["tp"], PALETTE["fn"])
    return np.where(kept, PALETTE["fp"], PALETTE["neutral"])


def jitter(size: int) -> np.ndarray:
    """Fixed vertical jitter of a strip panel (the same points do not jump between updates)."""
    return np.random.default_rng(0).uniform(-0.28, 0.28, size)


def check_slider_int(value, name, bounds):
    value = check_int(value, name, bounds[0])
    if value > bounds[1]:
        raise ValueError(f"{name} must be <= {bounds[1]} (the slider's range), got {value}.")
    return value
