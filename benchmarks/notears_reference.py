"""The baseline NOTEARS: the authors' notears/linear.py (l2 loss), written out with NumPy and SciPy.

This is the straightforward implementation ``gcbook.notears.notears_linear`` is measured against in
``notears_speed.py`` and checked against in ``tests/test_notears.py``: the loss computed from ``X``
at every call, ``scipy.linalg.expm``, ``scipy.optimize.minimize(method="L-BFGS-B")``.
"""

import numpy as np
import scipy.linalg as slin
import scipy.optimize as sopt


def notears_reference(X, lambda1=0.1, max_iter=100, h_tol=1e-8, rho_max=1e16, w_threshold=0.3):
    """The baseline: notears/linear.py of Zheng et al. (l2 loss), written out. Returns (W, n_evals)."""
    n, d = X.shape
    n_evals = [0]

    def _loss(W):
        M = X @ W
        R = X - M
        loss = 0.5 / X.shape[0] * (R**2).sum()
        G_loss = -1.0 / X.shape[0] * X.T @ R
        return loss, G_loss

    def _h(W):
        E = slin.expm(W * W)  # (Zheng et al. 2018)
        h = np.trace(E) - d
        G_h = E.T * W * 2
        return h, G_h

    def _adj(w):
        return (w[: d * d] - w[d * d :]).reshape([d, d])

    def _func(w):
        n_evals[0] += 1
        W = _adj(w)
        loss, G_loss = _loss(W)
        h, G_h = _h(W)
        obj = loss + 0.5 * rho * h * h + alpha * h + lambda1 * w.sum()
        G_smooth = G_loss + (rho * h + alpha) * G_h
        g_obj = np.concatenate((G_smooth + lambda1, -G_smooth + lambda1), axis=None)
        return obj, g_obj

    w_est, rho, alpha, h = np.zeros(2 * d * d), 1.0, 0.0, np.inf
    bnds = [(0, 0) if i == j else (0, None) for _ in range(2) for i in range(d) for j in range(d)]
    X = X - np.mean(X, axis=0, keepdims=True)
    for _ in range(max_iter):
        w_new, h_new = None, None
        while rho < rho_max:
            sol = sopt.minimize(_func, w_est, method="L-BFGS-B", jac=True, bounds=bnds)
            w_new = sol.x
            h_new, _ = _h(_adj(w_new))
            if h_new > 0.25 * h:
                rho *= 10
            else:
                break
        w_est, h = w_new, h_new
        alpha += rho * h
        if h <= h_tol or rho >= rho_max:
            break
    W_est = _adj(w_est)
    W_est[np.abs(W_est) < w_threshold] = 0
    return W_est, n_evals[0]
