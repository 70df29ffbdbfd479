"""The contract every estimator of :mod:`gcbook` follows, after scikit-learn's.

An estimator's constructor only stores its settings, all keyword-only, under attributes of the same
names; :meth:`BaseEstimator.get_params` reads those names from the ``__init__`` signature (so the list
is never written twice), :meth:`BaseEstimator.set_params` changes them, the ``repr`` shows them, and
:func:`clone` makes an unfitted copy with the same settings. ``fit`` returns the estimator; what it
learns lives in attributes ending in ``_``. Using a fitted attribute or method before ``fit`` raises
:class:`NotFittedError`, through :func:`check_is_fitted`.
"""

from __future__ import annotations

import copy
import inspect

__all__ = ["BaseEstimator", "NotFittedError", "check_is_fitted", "clone"]


class NotFittedError(ValueError, AttributeError):
    """An estimator was used before ``fit``.

    A subclass of :class:`ValueError` (bad use of the API, as everywhere in :mod:`gcbook`) and of
    :class:`AttributeError` (the fitted attribute does not exist yet), like scikit-learn's.
    """


class BaseEstimator:
    """Parameters from the constructor's signature: ``get_params``, ``set_params``, ``repr``, :func:`clone`.

    A subclass's ``__init__`` takes every setting as a keyword-only argument and stores it unchanged
    under the same name; validation happens in ``fit`` (or in :meth:`_params_changed`).
    """

    @classmethod
    def _param_names(cls) -> tuple[str, ...]:
        signature = inspect.signature(cls.__init__)
        names = []
        for name, parameter in signature.parameters.items():
            if name == "self":
                continue
            if parameter.kind is not inspect.Parameter.KEYWORD_ONLY:
                raise TypeError(
                    f"{cls.__name__}.__init__ must take its settings as keyword-only arguments "
                    f"(after *), but {name!r} is {parameter.kind.description}."
                )
            names.append(name)
        return tuple(names)

    def get_params(self) -> dict:
        """The constructor arguments as a dict (the current values)."""
        return {name: getattr(self, name) for name in self._param_names()}

    def set_params(self, **params):
        """Set constructor arguments (for example ``lam``) and return ``self``.

        Raises
        ------
        ValueError
            If a name is not a constructor argument.
        """
        valid = self._param_names()
        for name in params:
            if name not in valid:
                raise ValueError(f"{type(self).__name__} has no parameter {name!r}; valid: {valid}.")
        for name, value in params.items():
            setattr(self, name, value)
        self._params_changed()
        return self

    def _params_changed(self):
        """Hook run after ``set_params``: subclasses that validate eagerly do it here."""

    def __repr__(self) -> str:
        args = ", ".join(f"{name}={value!r}" for name, value in self.get_params().items())
        return f"{type(self).__name__}({args})"


def clone(estimator: BaseEstimator) -> BaseEstimator:
    """A new, unfitted estimator with the same settings (each deep-copied).

    Parameters
    ----------
    estimator : BaseEstimator

    Returns
    -------
    BaseEstimator
        ``type(estimator)(**deepcopy(estimator.get_params()))``.
    """
    if not isinstance(estimator, BaseEstimator):
        raise ValueError(f"clone needs a gcbook estimator, got {type(estimator).__name__}.")
    return type(estimator)(**copy.deepcopy(estimator.get_params()))


def check_is_fitted(estimator, attribute: str, call: str = "fit(X)") -> None:
    """Raise :class:`NotFittedError` unless ``estimator`` has the fitted ``attribute``.

    Parameters
    ----------
    estimator : BaseEstimator
    attribute : str
        An attribute that ``fit`` sets (``"model_"``).
    call : str
        How to fit it, for the message (``"fit(movie)"``).
    """
    if not hasattr(estimator, attribute):
        raise NotFittedError(f"This {type(estimator).__name__} is not fitted yet; call {call} first.")
