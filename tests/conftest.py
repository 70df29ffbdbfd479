"""Fixtures shared by several test modules."""

import pytest


@pytest.fixture(scope="module")
def torch_one_thread():
    """Fit on one core: the machine is shared, and one thread keeps the float sums in one order."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
