"""``glue`` for notebooks outside the book build (the student edition).

Described in the :ref:`instructor-guide` (``book/instructor_guide.md``).

The book glues computed numbers into its text with ``myst_nb.glue``; the student edition, which
runs without myst-nb (on Colab, say), imports this stand-in instead. It has the same signature and
does what ``myst_nb.glue`` does in a notebook: it shows the value unless ``display=False``.
"""

from __future__ import annotations

__all__ = ["glue"]


def glue(name: str, value, display: bool = True) -> None:
    """Show ``value`` when ``display`` is true, as ``myst_nb.glue`` does in a notebook.

    Parameters
    ----------
    name : str
        The glued name (the book's text refers to it; unused here).
    value : object
        What to show.
    display : bool
        Show it (default), or do nothing.

    Raises
    ------
    ValueError
        If ``name`` is not a non-empty string.
    """
    if not isinstance(name, str) or not name:
        raise ValueError(f"glue needs a non-empty name, got {name!r}.")
    if display:
        from IPython.display import display as show

        show(value)
