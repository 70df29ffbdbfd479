"""Headless runs never wait on an explorer widget (issue 16, item 5).

The book build (myst-nb), ``jupyter nbconvert --execute`` and autograders execute the chapters with
nbclient, which has no browser. nbclient mimics the frontend of an ipywidgets ``Output`` widget: for
each output captured in one it sends a ``comm_msg`` to the kernel on the shell channel while it is
waiting on that same socket for the cell's ``execute_reply``. That send goes through a synchronous
shadow of the asyncio socket and consumes zmq's edge-triggered "readable" signal, so a reply that had
just arrived did not wake the wait, which slept to the end of the cell timeout (300 s in
``_config.yml``) and then went on without an error (nbclient issue #312). The explorers (``gcbook.explorers.interactive``) now write their
first drawing into the output widget's state instead, so nbclient has nothing to send.

The stall is intermittent (a few per cent of widget cells), so besides timing the cells these tests
check its mechanism, which is deterministic: nbclient sends nothing on the shell channel but the
execute requests, and every ``execute_reply`` is read as soon as the kernel sends it.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest

import gcbook.explorers

pytest.importorskip("ipywidgets")
nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

ROOT = Path(__file__).resolve().parents[1]
#: Per-cell timeout of these runs (the book's is 300 s): a stall lasts exactly this long.
TIMEOUT = 40
#: Longest time an execute_reply may wait unread (normally milliseconds; a stall is TIMEOUT).
REPLY_LAG = 5.0
#: Widget cells that first ran faster than this are run REPEATS more times (the slow ones, e.g. the
#: NAR window test, once), to give an intermittent stall several chances within a short test.
CHEAP = 3.0
REPEATS = 4
WIDGETS = sorted(name for name in gcbook.explorers.__all__ if name.endswith("_widget"))
CALL = re.compile(r"^(\w+_widget)\(.*\)\s*$")


def chapter_calls() -> dict[str, list[str]]:
    """Every explorer-widget call of the chapters (a code line of its own), by function name."""
    calls: dict[str, list[str]] = {}
    for path in sorted((ROOT / "book").glob("*.md")):
        for line in path.read_text(encoding="utf-8").splitlines():
            match = CALL.match(line)
            if match and match.group(1) in WIDGETS:
                calls.setdefault(match.group(1), []).append(line.strip())
    return calls


def widget_cells() -> list[str]:
    """The chapters' widget calls, and a call with the defaults for a widget no chapter shows."""
    calls = chapter_calls()
    return [source for name in WIDGETS for source in calls.get(name, [f"{name}()"])]


def kernel_env() -> dict[str, str]:
    """The environment of the kernel as the book build starts it: no MPLBACKEND (the tests set Agg),
    so matplotlib's inline backend draws the figures as PNG."""
    return {key: value for key, value in os.environ.items() if key != "MPLBACKEND"}


class ShellRecord:
    """Records what a kernel client sends on its shell channel and how long each reply waited unread."""

    def __init__(self, kc):
        self.sent: list[str] = []
        self.reply_lags: list[tuple[str, float]] = []
        channel = kc.shell_channel
        send, get_msg = channel.send, channel.get_msg

        def recording_send(msg):
            self.sent.append(msg["msg_type"])
            return send(msg)

        async def recording_get_msg(timeout=None):
            msg = await get_msg(timeout=timeout)
            # The kernel stamps a message when it sends it; same machine, same clock.
            self.reply_lags.append((msg["msg_type"], time.time() - msg["header"]["date"].timestamp()))
            return msg

        channel.send, channel.get_msg = recording_send, recording_get_msg


def code_cell(source: str):
    return nbformat.v4.new_code_cell(source)


def test_the_chapters_show_explorer_widgets():
    calls = chapter_calls()
    assert len(WIDGETS) >= 6
    assert calls, "no chapter calls an explorer widget: the headless test below would test nothing"
    assert set(calls) <= set(WIDGETS)


def test_every_explorer_widget_cell_runs_headless_without_a_stall(tmp_path):
    sources = widget_cells()
    nb = nbformat.v4.new_notebook(
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    )
    # As in a chapter: pyplot imported (the inline backend active), the explorers imported.
    nb.cells = [code_cell("import matplotlib.pyplot as plt\nfrom gcbook.explorers import *")]
    # As myst-nb runs it (jupyter_cache's single_nb_execution), cell by cell.
    client = nbclient.NotebookClient(
        nb, timeout=TIMEOUT, allow_errors=False, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    wall: list[tuple[str, float]] = []

    def run(source: str) -> float:
        cell = code_cell(source)
        nb.cells.append(cell)
        start = time.monotonic()
        client.execute_cell(cell, len(nb.cells) - 1)
        elapsed = time.monotonic() - start
        wall.append((source, elapsed))
        return elapsed

    with client.setup_kernel(env=kernel_env()):
        record = ShellRecord(client.kc)
        client.execute_cell(nb.cells[0], 0)
        cheap = [source for source in sources if run(source) < CHEAP]
        for _ in range(REPEATS):
            for source in cheap:
                run(source)
        client.set_widgets_metadata()

    slow = [(source, round(t, 1)) for source, t in wall if t > TIMEOUT - 5]
    assert not slow, f"widget cells ran for about the {TIMEOUT} s timeout (a headless stall): {slow}"
    assert len(wall) >= len(sources) + REPEATS, f"too few widget cells ran: {wall}"
    # The mechanism: nbclient sent nothing on the shell channel but execute requests (no comm_msg
    # of its output-widget mimic racing its own wait for the reply) ...
    assert set(record.sent) == {"execute_request"}, f"nbclient sent {sorted(set(record.sent))} on the shell channel"
    # ... and read every reply as soon as the kernel had sent it.
    late = [(kind, round(lag, 2)) for kind, lag in record.reply_lags if lag > REPLY_LAG]
    assert not late, f"shell replies waited unread (the stall of nbclient issue #312): {late}"
    assert len(record.reply_lags) == len(nb.cells)

    # The executed notebook still holds each explorer's first drawing, as the static page shows it:
    # the interactive's last child is its Output widget, whose saved state has the printed result
    # and the figure.
    state = nb.metadata.widgets["application/vnd.jupyter.widget-state+json"]["state"]
    for cell in nb.cells[1:]:
        (result,) = [out for out in cell.outputs if out.output_type == "execute_result"]
        model = state[result.data["application/vnd.jupyter.widget-view+json"]["model_id"]]["state"]
        assert "widget-interact" in model["_dom_classes"]
        output = state[model["children"][-1].removeprefix("IPY_MODEL_")]
        assert output["model_name"] == "OutputModel"
        kinds = [item["output_type"] for item in output["state"]["outputs"]]
        text = "".join(item.get("text", "") for item in output["state"]["outputs"])
        assert kinds == ["stream", "display_data"], (cell.source, kinds, text)
        assert "Cannot" not in text and "Error" not in text, (cell.source, text)
        assert "image/png" in output["state"]["outputs"][1]["data"], cell.source


def test_an_explorer_widget_stays_live_in_a_kernel():
    """A frontend moving a slider re-runs the explorer into the output widget (as JupyterLab does)."""
    from jupyter_client.manager import start_new_kernel

    km, kc = start_new_kernel(kernel_name="python3", env=kernel_env())
    try:
        code = (
            "import matplotlib.pyplot as plt\nfrom gcbook.explorers import granger_explorer_widget\n"
            "w = granger_explorer_widget(coupling=0.2, T=200, lag=1, seed=0)\n"
            "ids = {c.description: c.model_id for c in w.children if hasattr(c, 'description')}\n"
            "import ipywidgets\n"
            "print(ids['lag'], w.out.model_id, isinstance(w, ipywidgets.interactive))"
        )
        outputs = []
        reply = kc.execute_interactive(code, timeout=TIMEOUT, output_hook=lambda msg: outputs.append(msg))
        assert reply["content"]["status"] == "ok"
        slider, out_id, is_interactive = next(
            m["content"]["text"] for m in outputs if m["msg_type"] == "stream"
        ).split()
        assert is_interactive == "True"
        # What the frontend sends when the reader moves the lag slider to 3:
        msg = kc.session.msg(
            "comm_msg", {"comm_id": slider, "data": {"method": "update", "state": {"value": 3}, "buffer_paths": []}}
        )
        kc.shell_channel.send(msg)
        seen = []
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            got = kc.get_iopub_msg(timeout=TIMEOUT)
            if got["parent_header"].get("msg_id") != msg["header"]["msg_id"]:
                continue
            seen.append(got)
            if got["msg_type"] == "status" and got["content"]["execution_state"] == "idle":
                break
        kinds = [m["msg_type"] for m in seen]
        # interactive's own update: the output widget captures this comm message's outputs ...
        captures = [
            m["content"]["data"]["state"]["msg_id"]
            for m in seen
            if m["msg_type"] == "comm_msg"
            and m["content"]["comm_id"] == out_id
            and "msg_id" in m["content"]["data"].get("state", {})
        ]
        assert captures and captures[0] == msg["header"]["msg_id"], kinds
        # ... which are the redrawn explorer: the new numbers and a new figure.
        assert "clear_output" in kinds and "display_data" in kinds, kinds
        text = "".join(m["content"]["text"] for m in seen if m["msg_type"] == "stream")
        assert "lag=3" in text, text
        figure = next(m for m in seen if m["msg_type"] == "display_data")
        assert "image/png" in figure["content"]["data"]
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
