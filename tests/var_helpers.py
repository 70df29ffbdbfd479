"""Test helpers shared by the Granger-strength and spectral tests (not a test module)."""

import numpy as np


def simulate_var(coef, sigma, T, seed, burn=300):
    """x(t) = sum_k coef[k-1].T x(t-k) + e(t), e ~ N(0, sigma); returns (T, p).

    Unlike :func:`gcbook.simulate.var_from_coef`, the innovations may be correlated (``sigma`` is
    a full covariance), which the instantaneous-causality and spectral tests need.
    """
    coef = np.asarray(coef, float)
    lag, p, _ = coef.shape
    rng = np.random.default_rng(seed)
    e = rng.multivariate_normal(np.zeros(p), sigma, size=T + burn)
    X = np.zeros((T + burn, p))
    for t in range(lag, T + burn):
        X[t] = e[t] + sum(X[t - k] @ coef[k - 1] for k in range(1, lag + 1))
    return X[burn:]
