"""Drive headless Chromium over the Chrome DevTools Protocol and report what a page shows.

The reader test (``test_reader.py``) opens every page of the built book the way a reader's
browser does: Chromium loads the page from a ``file://`` URL, runs its JavaScript (the theme, the
toggle buttons that collapse the exercise solutions), lays it out and paints it. This module is the
small amount of machinery that needs: it starts Chromium with ``--remote-debugging-port``, talks to
it through one websocket (``websocket-client``) using flattened target sessions, and, for one page,
collects a :class:`PageReport` by evaluating JavaScript in the live page (``naturalWidth`` of the
images, computed styles of the solution bodies, the text of the cell outputs) and saving a PNG
screenshot.

No request reaches the network, so the result does not depend on it. Requests to ``http://`` and
``https://`` URLs are intercepted with the DevTools ``Fetch`` domain: those for MathJax 3 on the CDN
that Sphinx's default ``mathjax_path`` names (``https://cdn.jsdelivr.net/npm/mathjax@3/es5/...``:
the script, its fonts and the TeX extensions it loads on demand) are answered from a local copy of
the npm registry's ``mathjax`` package (installed by ``.ci/install_mathjax``), so the formulas are
typeset as a reader sees them; every other external request fails at once. The inspection waits
for MathJax's initial typesetting and reports each formula that it could not typeset (a TeX error,
rendered as ``merror``, or an undefined macro, which MathJax's ``noundefined`` extension renders as
red text). :meth:`Chromium.answer_quiz` answers a page's self-check quiz with real mouse clicks
and key presses (DevTools ``Input`` domain) and reads the feedback shown. Failures of *local* resources (a missing image, style sheet or script under
``_build/html``, or a MathJax file missing from the local copy) are recorded.
"""

from __future__ import annotations

import base64
import itertools
import json
import mimetypes
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import websocket

#: Executable names tried, in order, when ``GCBOOK_CHROMIUM`` is not set.
CHROMIUM_NAMES = ("chromium", "chromium-browser")

#: Width of the emulated reader's window, in CSS pixels (the theme's wide, two-sidebar layout).
WINDOW_WIDTH = 1280
#: Height of the emulated window; screenshots extend below it (see ``screenshot_max_height``).
WINDOW_HEIGHT = 900

#: URLs of MathJax 3 on the CDN (Sphinx's default ``mathjax_path`` and the files it loads itself);
#: group 1 is the path inside the npm package ``mathjax``.
MATHJAX_URL = re.compile(r"^https?://cdn\.jsdelivr\.net/npm/mathjax@3[^/]*/([^?#]*)")
#: How long the inspection waits for MathJax's initial typesetting, in milliseconds.
MATHJAX_TIMEOUT_MS = 60000

# Evaluated in the page after its load event: waits until the page is settled (images decoded,
# toggle transitions finished), then returns everything the checks need as one JSON object.
_INSPECT_PAGE_JS = r"""
(async () => {
  const withTimeout = (promise, ms) =>
    Promise.race([promise, new Promise((resolve) => setTimeout(resolve, ms))]);

  const main = document.querySelector("main") || document.querySelector("[role=main]")
    || document.body;

  // A reader scrolls, so lazily loaded images would load for them: load every image now.
  const images = Array.from(main.querySelectorAll("img"));
  for (const img of images) {
    if (img.loading === "lazy") img.loading = "eager";
  }
  await withTimeout(Promise.all(images.map((img) => img.complete ? null : new Promise(
    (resolve) => { img.addEventListener("load", resolve); img.addEventListener("error", resolve); }
  ))), 15000);
  await withTimeout(Promise.all(images.map((img) => img.decode().catch(() => null))), 15000);
  // The toggle buttons animate the collapse (opacity, height); wait for that to finish (but not
  // for endless animations such as spinners, whose `finished` never resolves).
  const finite = document.getAnimations().filter(
    (a) => !a.effect || a.effect.getComputedTiming().endTime !== Infinity);
  await withTimeout(Promise.all(finite.map((a) => a.finished.catch(() => null))), 5000);

  const shortText = (el, n = 300) => (el.innerText || el.textContent || "").trim().slice(0, n);
  const describe = (el) => {
    const id = el.id ? "#" + el.id : "";
    const cls = el.classList.length ? "." + Array.from(el.classList).join(".") : "";
    return el.tagName.toLowerCase() + id + cls;
  };
  const isShown = (el) => {
    const style = getComputedStyle(el);
    if (style.display === "none" || style.visibility === "hidden"
        || parseFloat(style.opacity) === 0) return false;
    const rect = el.getBoundingClientRect();
    if (rect.width === 0 || rect.height === 0) return false;
    return el.checkVisibility({opacityProperty: true, visibilityProperty: true});
  };

  // MathJax 3 (served locally, see the module docstring): wait for its initial typesetting, then
  // look at every formula it handled. A TeX error becomes an <merror> (shown as the error text);
  // an undefined macro becomes red <mtext> starting with a backslash (the noundefined extension).
  const mathElements = Array.from(main.querySelectorAll(".math"));
  const mathjax = {
    loaded: typeof window.MathJax === "object" && window.MathJax !== null
      && !!(window.MathJax.startup && window.MathJax.startup.promise),
    finished: false, startup_error: null, formulas: 0, problems: [],
  };
  if (mathjax.loaded) {
    let done = false;
    try {
      await withTimeout(MathJax.startup.promise.then(() => { done = true; }), __MATHJAX_TIMEOUT__);
    } catch (error) {
      mathjax.startup_error = String(error);
    }
    mathjax.finished = done;
    if (done && MathJax.startup.document) {
      for (const item of MathJax.startup.document.math) {
        mathjax.formulas += 1;
        let mml = "";
        try {
          mml = MathJax.startup.toMML(item.root);
        } catch (error) {
          mathjax.problems.push({tex: String(item.math).slice(0, 300),
                                 error: "cannot serialise: " + String(error)});
          continue;
        }
        const errors = Array.from(mml.matchAll(/<merror([^>]*)>/g)).map((match) => {
          const message = /data-mjx-error="([^"]*)"/.exec(match[1]);
          return message ? message[1] : "TeX error";
        });
        const undefinedMacros = Array.from(mml.matchAll(/<mtext[^>]*mathcolor="red"[^>]*>(\\[^<]*)</g))
          .map((match) => "undefined control sequence " + match[1]);
        for (const error of errors.concat(undefinedMacros)) {
          mathjax.problems.push({tex: String(item.math).slice(0, 300), error: error});
        }
      }
    }
  }
  mathjax.dom_errors = Array.from(main.querySelectorAll("mjx-merror, [data-mjx-error]")).map(
    (el) => el.getAttribute("data-mjx-error") || shortText(el, 200));
  mathjax.untypeset = mathElements.filter((el) => !el.querySelector("mjx-container")).map(
    (el) => shortText(el, 200));
  mathjax.math_elements = mathElements.length;
  // Display formulas wider than the column they sit in (cut off at the right for a reader); a
  // formula inside a collapsed solution has no width and is not judged.
  mathjax.too_wide = [];
  if (mathjax.finished && MathJax.startup.document) {
    for (const item of MathJax.startup.document.math) {
      const el = item.typesetRoot;
      if (!item.display || !el || !main.contains(el) || !isShown(el)) continue;
      const formula = el.querySelector("mjx-math");
      const column = el.closest(".math") || el.parentElement;
      if (!formula || !column) continue;
      const width = formula.getBoundingClientRect().width;
      const room = column.getBoundingClientRect().width;
      if (width > room + 2) {
        mathjax.too_wide.push({tex: String(item.math).slice(0, 300), width: Math.round(width),
                               column: Math.round(room)});
      }
    }
  }

  const h1 = main.querySelector("h1");
  const report = {
    url: location.href,
    title: document.title,
    h1: h1 ? shortText(h1) : null,
    main_selector: describe(main),
    height: Math.max(document.documentElement.scrollHeight, document.body.scrollHeight),
    images: images.map((img) => ({
      src: img.getAttribute("src"),
      current_src: img.currentSrc,
      alt: img.getAttribute("alt"),
      complete: img.complete,
      natural_width: img.naturalWidth,
      natural_height: img.naturalHeight,
      in_cell_output: img.closest(".cell_output") !== null,
      in_solution: img.closest(".solution") !== null,
    })),
    error_outputs: Array.from(main.querySelectorAll(
      ".output.stderr, .output.traceback, .output.error, .stderr, .traceback, "
      + ".system-message, .problematic"
    )).map((el) => ({element: describe(el), text: shortText(el)})),
    cell_outputs: Array.from(main.querySelectorAll(".cell_output")).map(
      (el) => shortText(el, 20000)),
    main_text: main.innerText,
    solutions: Array.from(main.querySelectorAll(".solution")).map((sol) => {
      const title = sol.querySelector(":scope > .admonition-title, :scope > summary");
      const body = Array.from(sol.children).filter((child) => child !== title);
      return {
        element: describe(sol),
        title: title ? shortText(title, 120) : null,
        title_shown: title ? isShown(title) : false,
        is_details: sol.tagName === "DETAILS",
        details_open: sol.tagName === "DETAILS" ? sol.open : null,
        dropdown: sol.classList.contains("dropdown"),
        toggle_hidden: sol.classList.contains("toggle-hidden"),
        shown_body_parts: body.filter(isShown).map(
          (el) => describe(el) + ": " + shortText(el, 80)),
        body_parts: body.length,
        height: sol.getBoundingClientRect().height,
      };
    }),
    mathjax: mathjax,
  };
  return JSON.stringify(report);
})()
""".replace("__MATHJAX_TIMEOUT__", str(MATHJAX_TIMEOUT_MS))


# The self-check quiz (jupyterquiz, see gcbook.quiz): its questions as a reader sees them, once the
# quiz's script has built them (it polls every 200 ms for its container; give it 5 s).
_QUIZ_QUESTIONS_JS = r"""
(async () => {
  for (let waited = 0; waited < 5000 && !document.querySelector(".Quiz"); waited += 100) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return Array.from(document.querySelectorAll(".Quiz")).map((quiz) => ({
    text: (quiz.querySelector(":scope > div > div") || quiz).innerText.trim(),
    type: quiz.querySelector("input.Input-text") ? "numeric" : "choice",
    answers: Array.from(quiz.querySelectorAll("label.MCButton")).map(
      (label) => label.innerText.trim()),
  }));
})()
"""

# The feedback box of one question (__QUESTION__: an expression for its .Quiz element) after an
# answer: whether it is shown, its correct/incorrect class and its text. Waits two frames.
_QUIZ_FEEDBACK_JS = r"""
(async () => {
  await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
  const box = __QUESTION__.querySelector(".Feedback");
  if (!box) return {shown: false, correct: false, incorrect: false, text: ""};
  const style = getComputedStyle(box);
  const rect = box.getBoundingClientRect();
  return {
    shown: style.display !== "none" && style.visibility !== "hidden" && rect.height > 0,
    correct: box.classList.contains("correct"),
    incorrect: box.classList.contains("incorrect"),
    text: box.innerText.trim(),
  };
})()
"""


class ChromiumError(RuntimeError):
    """Chromium could not be started, or did not answer as the DevTools Protocol says."""


def find_chromium() -> str | None:
    """Return the Chromium executable to use, or None when there is none.

    Returns
    -------
    str or None
        ``$GCBOOK_CHROMIUM`` when set, otherwise the first of :data:`CHROMIUM_NAMES` on ``PATH``.
    """
    configured = os.environ.get("GCBOOK_CHROMIUM")
    if configured:
        return shutil.which(configured) or (configured if Path(configured).is_file() else None)
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


@dataclass
class PageReport:
    """What Chromium showed for one page of the book.

    Attributes
    ----------
    url : str
        The ``file://`` URL that was opened.
    navigation_error : str or None
        Chromium's error text when the navigation itself failed (e.g. ``net::ERR_FILE_NOT_FOUND``).
    inspected : dict
        The JSON object produced by the in-page inspection script: ``title``, ``h1``, ``images``,
        ``error_outputs``, ``cell_outputs``, ``main_text``, ``solutions``, ``height`` and
        ``mathjax`` (``loaded``, ``finished``, ``startup_error``, ``formulas``, ``problems``: one
        ``{"tex", "error"}`` per formula MathJax could not typeset, ``dom_errors``, ``untypeset``,
        ``math_elements``, ``too_wide``: one ``{"tex", "width", "column"}`` per visible display
        formula wider than its column, in CSS pixels). Empty when the page could not be inspected.
    failed_local_resources : list of str
        ``file://`` resources (images, scripts, style sheets) that failed to load, with the reason.
    blocked_external : int
        How many ``http(s)://`` requests were blocked (informational).
    mathjax_served : int
        How many MathJax requests were answered from the local copy of the package.
    mathjax_missing : list of str
        MathJax URLs the page requested whose file the local copy does not have.
    javascript_exceptions : list of str
        Uncaught JavaScript exceptions thrown while the page loaded.
    screenshot : pathlib.Path or None
        Where the PNG screenshot was written.
    seconds : float
        Wall-clock time spent on the page.
    """

    url: str
    navigation_error: str | None = None
    inspected: dict[str, Any] = field(default_factory=dict)
    failed_local_resources: list[str] = field(default_factory=list)
    blocked_external: int = 0
    mathjax_served: int = 0
    mathjax_missing: list[str] = field(default_factory=list)
    javascript_exceptions: list[str] = field(default_factory=list)
    screenshot: Path | None = None
    seconds: float = 0.0


@dataclass
class QuizReport:
    """What a reader saw while answering a page's self-check quiz (:meth:`Chromium.answer_quiz`).

    Attributes
    ----------
    url : str
        The ``file://`` URL that was opened.
    navigation_error : str or None
        Chromium's error text when the navigation failed.
    questions : list of dict
        One ``{"text", "type", "answers"}`` per question shown (``.Quiz`` element), in page
        order: its visible text, ``"choice"`` or ``"numeric"``, and the visible answer texts.
    feedback : list of dict
        One ``{"shown", "correct", "incorrect", "text"}`` per action: whether the question's
        feedback box is visible, whether it has jupyterquiz's ``correct`` / ``incorrect`` class,
        and its visible text.
    failed_local_resources, blocked_external, mathjax_served, mathjax_missing, \
javascript_exceptions
        As in :class:`PageReport`.
    seconds : float
        Wall-clock time spent on the page.
    """

    url: str
    navigation_error: str | None = None
    questions: list[dict[str, Any]] = field(default_factory=list)
    feedback: list[dict[str, Any]] = field(default_factory=list)
    failed_local_resources: list[str] = field(default_factory=list)
    blocked_external: int = 0
    mathjax_served: int = 0
    mathjax_missing: list[str] = field(default_factory=list)
    javascript_exceptions: list[str] = field(default_factory=list)
    seconds: float = 0.0


class Chromium:
    """One headless Chromium process, driven over a single DevTools websocket.

    Parameters
    ----------
    executable : str
        Path of the Chromium executable (see :func:`find_chromium`).
    timeout : float, optional
        Seconds to wait for Chromium to start, and for any one DevTools command or page load.
    mathjax_dir : pathlib.Path, optional
        The npm package ``mathjax`` (version 3: the folder that holds ``es5/tex-mml-chtml.js``).
        When given, the pages' requests for MathJax on the CDN are answered from it (see the
        module docstring); without it, MathJax does not load and the formulas stay TeX source.

    Notes
    -----
    Use as a context manager; the process (and its whole process group, which this class started)
    is terminated on exit. The browser runs with its own temporary profile, so nothing the test
    does persists.
    """

    def __init__(self, executable: str, timeout: float = 60.0, mathjax_dir: Path | None = None) -> None:
        self.executable = executable
        self.timeout = timeout
        self.mathjax_dir = Path(mathjax_dir).resolve() if mathjax_dir is not None else None
        self._answers: set[int] = set()  # ids of Fetch answers sent without waiting for a reply
        self._answer_errors: list[str] = []
        self._ids = itertools.count(1)
        self._pending_events: list[dict[str, Any]] = []
        self._profile = Path(tempfile.mkdtemp(prefix="gcbook-chromium-"))
        self._log_path = self._profile / "chromium.log"
        self._process: subprocess.Popen | None = None
        self._socket: websocket.WebSocket | None = None

    # --- lifetime -------------------------------------------------------------------------

    def __enter__(self) -> "Chromium":
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def start(self) -> None:
        """Start Chromium and connect to its browser-level DevTools endpoint.

        Raises
        ------
        ChromiumError
            If Chromium exits early or does not publish its DevTools port in time; the message
            ends with the tail of Chromium's own log.
        """
        user_data = self._profile / "profile"
        user_data.mkdir()
        command = [
            self.executable,
            "--headless",
            "--no-sandbox",  # CI containers run as root, where the sandbox cannot start
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-extensions",
            "--disable-sync",
            "--hide-scrollbars",
            "--mute-audio",
            "--force-color-profile=srgb",
            "--remote-debugging-port=0",
            f"--user-data-dir={user_data}",
            f"--window-size={WINDOW_WIDTH},{WINDOW_HEIGHT}",
            "about:blank",
        ]
        with open(self._log_path, "wb") as log:
            self._process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        port_file = user_data / "DevToolsActivePort"
        deadline = time.monotonic() + self.timeout
        while True:
            if port_file.exists():
                lines = port_file.read_text().split()
                if len(lines) >= 2:
                    break
            if self._process.poll() is not None:
                raise ChromiumError(
                    f"{self.executable} exited with status {self._process.returncode} before "
                    f"opening its DevTools port.\n{self._log_tail()}"
                )
            if time.monotonic() > deadline:
                self.close()
                raise ChromiumError(
                    f"{self.executable} did not open its DevTools port within {self.timeout:.0f} s.\n{self._log_tail()}"
                )
            time.sleep(0.05)
        port, path = lines[0], lines[1]
        try:
            self._socket = websocket.create_connection(
                f"ws://127.0.0.1:{port}{path}", timeout=self.timeout, suppress_origin=True
            )
        except (OSError, websocket.WebSocketException) as error:
            self.close()
            raise ChromiumError(f"could not connect to Chromium's DevTools endpoint on port {port}: {error}") from None

    def close(self) -> None:
        """Close the browser (politely, then by signal) and delete its temporary profile."""
        if self._socket is not None:
            try:
                self.send("Browser.close", timeout=5)
            except Exception:  # the browser may already be gone; the signals below finish it
                pass
            try:
                self._socket.close()
            except Exception:
                pass
            self._socket = None
        if self._process is not None:
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._signal_group(signal.SIGTERM)
                try:
                    self._process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    self._signal_group(signal.SIGKILL)
                    self._process.wait(timeout=5)
            self._process = None
        shutil.rmtree(self._profile, ignore_errors=True)

    def _signal_group(self, sig: signal.Signals) -> None:
        """Send ``sig`` to the process group this object started (Chromium and its helpers)."""
        try:
            os.killpg(self._process.pid, sig)
        except ProcessLookupError:
            pass

    def _log_tail(self, lines: int = 20) -> str:
        """The last lines of Chromium's stdout/stderr, for error messages."""
        try:
            text = self._log_path.read_text(errors="replace")
        except OSError:
            return "(no Chromium log)"
        return "Chromium log (tail):\n" + "\n".join(text.splitlines()[-lines:])

    # --- protocol -------------------------------------------------------------------------

    def send(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        session_id: str | None = None,
        timeout: float | None = None,
    ) -> dict[str, Any]:
        """Send one DevTools command and return its result, keeping events that arrive meanwhile.

        Parameters
        ----------
        method : str
            Protocol method, e.g. ``"Page.navigate"``.
        params : dict, optional
            The method's parameters.
        session_id : str, optional
            Target session (from ``Target.attachToTarget`` with ``flatten``); None for the browser.
        timeout : float, optional
            Seconds to wait for the answer; defaults to the instance's timeout.

        Returns
        -------
        dict
            The command's ``result`` object.

        Raises
        ------
        ChromiumError
            If the command fails or no answer comes in time.
        """
        message_id = next(self._ids)
        message: dict[str, Any] = {"id": message_id, "method": method, "params": params or {}}
        if session_id is not None:
            message["sessionId"] = session_id
        self._socket.send(json.dumps(message))
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            reply = self._receive(deadline, f"the answer to {method}")
            if reply.get("id") == message_id:
                if "error" in reply:
                    raise ChromiumError(f"{method} failed: {reply['error']}")
                return reply.get("result", {})
            if "method" in reply:
                self._pending_events.append(reply)

    def wait_for_event(self, method: str, session_id: str, timeout: float | None = None) -> dict[str, Any]:
        """Wait for the event ``method`` in ``session_id``; return its parameters.

        Events received earlier (while waiting for command answers) are searched first; other
        events stay queued for :meth:`drain_events`.
        """
        for index, event in enumerate(self._pending_events):
            if event["method"] == method and event.get("sessionId") == session_id:
                return self._pending_events.pop(index).get("params", {})
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            event = self._receive(deadline, f"the event {method}")
            if event.get("method") == method and event.get("sessionId") == session_id:
                return event.get("params", {})
            if "method" in event:
                self._pending_events.append(event)

    def drain_events(self, session_id: str) -> list[dict[str, Any]]:
        """Remove and return all queued events of ``session_id``, in arrival order."""
        mine = [event for event in self._pending_events if event.get("sessionId") == session_id]
        self._pending_events = [event for event in self._pending_events if event.get("sessionId") != session_id]
        return mine

    def _receive(self, deadline: float, waiting_for: str) -> dict[str, Any]:
        """Read one message from the websocket, failing at ``deadline``."""
        remaining = deadline - time.monotonic()
        late = f"no {waiting_for} came from Chromium within the time limit"
        if remaining <= 0:
            raise ChromiumError(late)
        self._socket.settimeout(remaining)
        try:
            message = json.loads(self._socket.recv())
        except websocket.WebSocketTimeoutException:
            raise ChromiumError(late) from None
        except websocket.WebSocketConnectionClosedException:
            raise ChromiumError(
                f"Chromium closed the DevTools connection while we waited for {waiting_for}.\n{self._log_tail()}"
            ) from None
        if message.get("method") == "Fetch.requestPaused":
            self._answer_request(message)  # at once: the page waits for it
        elif message.get("id") in self._answers:
            self._answers.discard(message["id"])
            if "error" in message:
                self._answer_errors.append(str(message["error"]))
        return message

    def mathjax_file(self, url: str) -> Path | None:
        """The file of the local MathJax package that answers ``url``, or None.

        Parameters
        ----------
        url : str
            A requested URL.

        Returns
        -------
        pathlib.Path or None
            ``<mathjax_dir>/<path>`` for a URL of MathJax 3 on the CDN (:data:`MATHJAX_URL`), when
            that file exists inside ``mathjax_dir``; None otherwise (also without ``mathjax_dir``).
        """
        match = MATHJAX_URL.match(url)
        if self.mathjax_dir is None or match is None:
            return None
        candidate = (self.mathjax_dir / match.group(1)).resolve()
        if self.mathjax_dir not in candidate.parents or not candidate.is_file():
            return None
        return candidate

    def _answer_request(self, event: dict[str, Any]) -> None:
        """Answer one intercepted ``http(s)`` request: MathJax from the local copy, others fail.

        The answer is sent without waiting for its reply (we may be inside :meth:`send` already);
        an error reply is kept in ``_answer_errors``.
        """
        params = event.get("params", {})
        local = self.mathjax_file(params.get("request", {}).get("url", ""))
        if local is not None:
            mime = mimetypes.guess_type(local.name)[0] or "application/octet-stream"
            if local.suffix == ".js":
                mime = "application/javascript"
            method = "Fetch.fulfillRequest"
            answer = {
                "requestId": params["requestId"],
                "responseCode": 200,
                "responseHeaders": [
                    {"name": "Content-Type", "value": mime},
                    # fonts are fetched with CORS from a file:// page
                    {"name": "Access-Control-Allow-Origin", "value": "*"},
                ],
                "body": base64.b64encode(local.read_bytes()).decode("ascii"),
            }
        else:
            method = "Fetch.failRequest"
            answer = {"requestId": params["requestId"], "errorReason": "BlockedByClient"}
        message_id = next(self._ids)
        self._answers.add(message_id)
        message: dict[str, Any] = {"id": message_id, "method": method, "params": answer}
        if "sessionId" in event:
            message["sessionId"] = event["sessionId"]
        self._socket.send(json.dumps(message))

    # --- one page -------------------------------------------------------------------------

    def inspect_page(self, path: Path, screenshot: Path | None, screenshot_max_height: int = 16000) -> PageReport:
        """Open ``path`` in a fresh tab, inspect it as a reader would see it, and screenshot it.

        Parameters
        ----------
        path : pathlib.Path
            An HTML file of the built book.
        screenshot : pathlib.Path or None
            Where to write a PNG of the page (its top ``screenshot_max_height`` CSS pixels at
            :data:`WINDOW_WIDTH`); None for no screenshot.
        screenshot_max_height : int, optional
            Cap on the screenshot's height, in CSS pixels.

        Returns
        -------
        PageReport
            Everything the reader checks need. Navigation failures are reported in it rather than
            raised, so that a missing page fails its test with a clear message.
        """
        started = time.monotonic()
        url = path.resolve().as_uri()
        report = PageReport(url=url)
        target, session = self._new_tab()
        try:
            report.navigation_error = self._load(session, url)
            if report.navigation_error:
                return report
            evaluated = self.send(
                "Runtime.evaluate",
                {"expression": _INSPECT_PAGE_JS, "awaitPromise": True, "returnByValue": True},
                session_id=session,
                # the script's own waits: MathJax, then images (2 x 15 s) and animations (5 s)
                timeout=self.timeout + MATHJAX_TIMEOUT_MS / 1000 + 35,
            )
            if "exceptionDetails" in evaluated:
                raise ChromiumError(f"the inspection script failed in {url}: {evaluated['exceptionDetails']}")
            report.inspected = json.loads(evaluated["result"]["value"])
            if screenshot is not None:
                self._screenshot(
                    session, screenshot, max(1, min(int(report.inspected["height"]), screenshot_max_height))
                )
                report.screenshot = screenshot
            self._record_events(report, self.drain_events(session))
        finally:
            self.send("Target.closeTarget", {"targetId": target})
            self.drain_events(session)
            report.seconds = time.monotonic() - started
        return report

    def _new_tab(self) -> tuple[str, str]:
        """Open a blank tab whose ``http(s)`` requests are intercepted; return (target, session).

        Every ``http(s)`` request of the tab is paused and answered by :meth:`_answer_request`:
        MathJax from the local copy, everything else fails. The window is the reader's.
        """
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for method in ("Page.enable", "Network.enable", "Runtime.enable"):
            self.send(method, session_id=session)
        self.send(
            "Fetch.enable", {"patterns": [{"urlPattern": "http://*"}, {"urlPattern": "https://*"}]}, session_id=session
        )
        self.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": WINDOW_WIDTH, "height": WINDOW_HEIGHT, "deviceScaleFactor": 1, "mobile": False},
            session_id=session,
        )
        self.drain_events(session)
        return target, session

    def _load(self, session: str, url: str) -> str | None:
        """Navigate the tab of ``session`` to ``url`` and wait for the load event.

        Returns Chromium's error text when the navigation failed, None when the page loaded.
        """
        navigation = self.send("Page.navigate", {"url": url}, session_id=session)
        if navigation.get("errorText"):
            return navigation["errorText"]
        self.wait_for_event("Page.loadEventFired", session)
        return None

    def _evaluate(self, session: str, expression: str, timeout: float | None = None) -> Any:
        """Evaluate ``expression`` (awaiting a promise) in the page; return its JSON value."""
        evaluated = self.send(
            "Runtime.evaluate",
            {"expression": expression, "awaitPromise": True, "returnByValue": True},
            session_id=session,
            timeout=timeout,
        )
        if "exceptionDetails" in evaluated:
            raise ChromiumError(f"a script failed in the page: {evaluated['exceptionDetails']}")
        return evaluated["result"].get("value")

    def _click(self, session: str, selector_js: str) -> None:
        """Click, as a reader's mouse does, the element that the expression ``selector_js`` finds.

        The element is scrolled to the middle of the window and pressed and released at its
        centre (DevTools ``Input.dispatchMouseEvent``), so the page gets the events a real
        click makes: whatever covers the element, not the element itself, receives them.
        """
        box = self._evaluate(
            session,
            f"""(() => {{
            const el = {selector_js};
            if (!el) return null;
            el.scrollIntoView({{block: "center", inline: "center"}});
            const r = el.getBoundingClientRect();
            return {{x: r.left + r.width / 2, y: r.top + r.height / 2}};
        }})()""",
        )
        if box is None:
            raise ChromiumError(f"nothing to click: {selector_js} found no element")
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            self.send(
                "Input.dispatchMouseEvent",
                {"type": kind, "x": box["x"], "y": box["y"], "button": "left", "clickCount": 1},
                session_id=session,
            )

    def _type(self, session: str, text: str) -> None:
        """Type ``text`` into the focused element key by key, then press Enter."""
        for character in text:
            self.send(
                "Input.dispatchKeyEvent", {"type": "keyDown", "key": character, "text": character}, session_id=session
            )
            self.send("Input.dispatchKeyEvent", {"type": "keyUp", "key": character}, session_id=session)
        enter = {"key": "Enter", "code": "Enter", "windowsVirtualKeyCode": 13, "nativeVirtualKeyCode": 13}
        self.send("Input.dispatchKeyEvent", {"type": "keyDown", "text": "\r", **enter}, session_id=session)
        self.send("Input.dispatchKeyEvent", {"type": "keyUp", **enter}, session_id=session)

    def answer_quiz(self, path: Path, answers: list[dict[str, Any]]) -> QuizReport:
        """Open ``path``, read its self-check quiz, answer questions and read the feedback shown.

        Parameters
        ----------
        path : pathlib.Path
            An HTML file of the built book with a jupyterquiz quiz (``gcbook.quiz.self_check``).
        answers : list of dict
            What to do, in order: ``{"question": i, "click": text}`` clicks the answer of the
            ``i``-th question (0-based, in page order) whose visible text is ``text``;
            ``{"question": i, "type": text}`` types ``text`` into the numeric question's box and
            presses Enter.

        Returns
        -------
        QuizReport
            The questions the page shows and, for each action, the feedback then shown.
        """
        started = time.monotonic()
        url = path.resolve().as_uri()
        report = QuizReport(url=url)
        target, session = self._new_tab()
        try:
            report.navigation_error = self._load(session, url)
            if report.navigation_error:
                return report
            # the quiz's script builds the questions at once, or within 200 ms of its container
            report.questions = self._evaluate(session, _QUIZ_QUESTIONS_JS)
            for action in answers:
                question = f"document.querySelectorAll('.Quiz')[{int(action['question'])}]"
                if "click" in action:
                    self._click(
                        session,
                        f"Array.from({question}.querySelectorAll("
                        f"'label.MCButton')).find((label) => label.innerText.trim() "
                        f"=== {json.dumps(action['click'])})",
                    )
                else:
                    self._click(session, f"{question}.querySelector('input.Input-text')")
                    self._type(session, str(action["type"]))
                report.feedback.append(self._evaluate(session, _QUIZ_FEEDBACK_JS.replace("__QUESTION__", question)))
            self._record_events(report, self.drain_events(session))
        finally:
            self.send("Target.closeTarget", {"targetId": target})
            self.drain_events(session)
            report.seconds = time.monotonic() - started
        return report

    def _screenshot(self, session: str, path: Path, height: int) -> None:
        """Write a PNG of the top ``height`` CSS pixels of the page in ``session`` to ``path``.

        The window is made ``height`` pixels tall and the page is captured after two animation
        frames. (``captureBeyondViewport`` would avoid the resize, but with this theme it now and
        then captured a relayout without the sidebars.) The tall window is the last thing the page
        sees: the in-page inspection has already run at the reader's window size.
        """
        self.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": WINDOW_WIDTH, "height": height, "deviceScaleFactor": 1, "mobile": False},
            session_id=session,
        )
        self.send(
            "Runtime.evaluate",
            {
                "expression": "new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))",
                "awaitPromise": True,
            },
            session_id=session,
        )
        shot = self.send(
            "Page.captureScreenshot",
            {
                "format": "png",
                "clip": {"x": 0, "y": 0, "width": WINDOW_WIDTH, "height": height, "scale": 1},
            },
            session_id=session,
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(shot["data"]))

    def _record_events(self, report: PageReport | QuizReport, events: list[dict[str, Any]]) -> None:
        """Fill the resource and exception fields of ``report`` from one page's events."""
        urls: dict[str, str] = {}
        for event in events:
            params = event.get("params", {})
            if event["method"] == "Fetch.requestPaused":
                url = params.get("request", {}).get("url", "")
                if self.mathjax_file(url) is not None:
                    report.mathjax_served += 1
                elif MATHJAX_URL.match(url):
                    report.mathjax_missing.append(url)
            elif event["method"] == "Network.requestWillBeSent":
                urls[params["requestId"]] = params["request"]["url"]
            elif event["method"] == "Network.loadingFailed":
                url = urls.get(params["requestId"], "?")
                if url.startswith(("http://", "https://")):
                    report.blocked_external += 1
                else:
                    reason = params.get("blockedReason") or params.get("errorText", "")
                    report.failed_local_resources.append(f"{url} ({reason})")
            elif event["method"] == "Network.responseReceived":
                response = params["response"]
                if response["url"].startswith("file:") and response.get("status", 200) >= 400:
                    report.failed_local_resources.append(f"{response['url']} (status {response['status']})")
            elif event["method"] == "Runtime.exceptionThrown":
                details = params["exceptionDetails"]
                exception = details.get("exception", {})
                text = exception.get("description") or details.get("text", "")
                where = details.get("url", "")
                report.javascript_exceptions.append(
                    f"{text.splitlines()[0] if text else ''} at {where}:{details.get('lineNumber')}"
                )
