"""A real JupyterLab server and a real Chromium for the end-to-end test.

* ``lab`` starts JupyterLab (this interpreter's environment) on a free port of
  127.0.0.1, serving a temporary COPY of notebooks/, with its own config,
  settings, workspaces, runtime and data dirs; it stops the server by its PID
  when the session ends, also when a test failed.
* ``browser`` launches Debian's Chromium (/usr/bin/chromium) through the PyPI
  ``playwright`` package; Playwright never downloads a browser here. It draws
  Chinese with the system's fonts (Debian's fonts-noto-cjk) in a zh_CN locale,
  as an analyst's browser does: no font is injected.

When Chromium or fonts-noto-cjk is missing the tests skip locally with the
reason, but fail in CI (environment variable CI set): there
``scripts/ensure_chromium.sh`` must have installed them first.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK_DIR = ROOT / "notebooks"
# What CI keeps: one screenshot per notebook and the server log.
OUT_DIR = ROOT / "out" / "e2e"

CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking flags Chromium keeps dialling Google's
# hosts, which this closed network refuses (see the toolchain notes).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

SERVER_START_TIMEOUT_S = 60
SERVER_STOP_TIMEOUT_S = 15

# User settings, written into the server's own JUPYTERLAB_SETTINGS_DIR.
LAB_SETTINGS = {
    # Render every cell, also those off screen, so the DOM holds the whole
    # notebook (the default windowing leaves far cells out).
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    # No "receive official Jupyter news?" toast over the notebook.
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}

LAB_CONFIG = {
    "LabApp": {
        # window.jupyterapp: lets the test read kernel state and the notebook
        # model instead of guessing it from the DOM.
        "expose_app_in_browser": True,
        "news_url": None,
        "check_for_updates_class": "jupyterlab.NeverCheckForUpdate",
        # "pypi" would query pypi.org for the extension manager.
        "extension_manager": "readonly",
    }
}


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


#: Chinese text is drawn by what the system has: Debian's fonts-noto-cjk, installed with Chromium.
CJK_FONT = "Noto Sans CJK SC"


def _has_system_cjk_font() -> bool:
    try:
        listed = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return False
    return CJK_FONT in listed.stdout


@pytest.fixture(scope="session")
def chromium() -> Path:
    """The system Chromium with the system's Chinese font, or a skip (local) / failure (CI) naming the fix."""
    problem = None
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        problem = f"{CHROMIUM} is not installed (run scripts/ensure_chromium.sh)"
    elif not _has_system_cjk_font():
        problem = f"fontconfig lists no {CJK_FONT} (run scripts/ensure_chromium.sh: it installs fonts-noto-cjk)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError as exc:
            problem = f"the playwright package is missing ({exc}); install budgetkit[dev]"
    if problem:
        if _in_ci():
            pytest.fail(f"JupyterLab end-to-end test cannot run in CI: {problem}", pytrace=False)
        pytest.skip(f"JupyterLab end-to-end test: {problem}")
    return CHROMIUM


#: A Chinese analyst's desktop: fontconfig takes the Chinese faces of Noto Sans CJK for Han text
#: from the locale (with LANG=C it takes the Japanese ones, on JupyterLab's lang="en" page), and the
#: browser asks for zh-CN pages. The locale need not be installed: fontconfig reads the name.
USER_LOCALE = {"LANG": "zh_CN.UTF-8"}
BROWSER_LOCALE = "zh-CN"


def user_environment() -> dict[str, str]:
    """This environment as a zh_CN desktop's: no font set-up of our own, nothing overriding LANG."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("LC_ALL", "LC_CTYPE", "LANGUAGE", "FC_LANG", "FONTCONFIG_FILE", "FONTCONFIG_PATH")}
    return {**env, **USER_LOCALE}


@pytest.fixture(scope="session")
def browser(chromium: Path, tmp_path_factory: pytest.TempPathFactory):
    from playwright.sync_api import sync_playwright

    tmp = tmp_path_factory.mktemp("chromium")
    with sync_playwright() as pw:
        # A persistent context is the only way to give Chromium a user-data
        # dir of our own (a fresh, empty one).
        context = pw.chromium.launch_persistent_context(
            str(tmp / "user-data"),
            executable_path=str(chromium),
            args=CHROMIUM_ARGS,
            env=user_environment(),
            locale=BROWSER_LOCALE,
            viewport={"width": 1280, "height": 900},
        )
        try:
            yield context
        finally:
            context.close()


@dataclass(frozen=True)
class Lab:
    url: str
    root: Path  # the served copy of notebooks/
    log: Path


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _wait_until_up(proc: subprocess.Popen, url: str, log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"JupyterLab exited with status {proc.returncode}; log {log}:\n{_tail(log)}")
        try:
            with urllib.request.urlopen(f"{url}/api/status", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    raise RuntimeError(
        f"JupyterLab did not answer on {url} within {SERVER_START_TIMEOUT_S} s; log {log}:\n{_tail(log)}"
    )


def _stop(proc: subprocess.Popen) -> None:
    """SIGTERM (the server then shuts its kernels down), SIGKILL after a timeout."""
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=SERVER_STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=SERVER_STOP_TIMEOUT_S)


@pytest.fixture(scope="session")
def lab(chromium: Path, tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("jupyterlab")
    root = tmp / "checkout" / "notebooks"
    # Run All happens on this copy: the committed notebooks are never touched.
    shutil.copytree(NOTEBOOK_DIR, root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    # A notebook may read the checkout's data by a path relative to notebooks/ (../data/examples/…):
    # the copy sits beside a link to data/, as notebooks/ does in the checkout.
    (root.parent / "data").symlink_to(ROOT / "data", target_is_directory=True)

    dirs = {name: tmp / name for name in ("config", "settings", "workspaces", "runtime", "data")}
    for directory in dirs.values():
        directory.mkdir()
    for relative, values in LAB_SETTINGS.items():
        settings_file = dirs["settings"] / relative
        settings_file.parent.mkdir(parents=True, exist_ok=True)
        settings_file.write_text(json.dumps(values), encoding="utf-8")
    (dirs["config"] / "jupyter_lab_config.json").write_text(json.dumps(LAB_CONFIG), encoding="utf-8")

    env = dict(os.environ)
    # Nothing from the user's own Jupyter set-up (kernelspecs, config, paths).
    for name in ("JUPYTER_PATH", "JUPYTER_CONFIG_PATH", "JUPYTER_PREFER_ENV_PATH", "MPLBACKEND"):
        env.pop(name, None)
    env.update(
        JUPYTER_CONFIG_DIR=str(dirs["config"]),
        JUPYTERLAB_SETTINGS_DIR=str(dirs["settings"]),
        JUPYTERLAB_WORKSPACES_DIR=str(dirs["workspaces"]),
        JUPYTER_RUNTIME_DIR=str(dirs["runtime"]),
        JUPYTER_DATA_DIR=str(dirs["data"]),
        JUPYTER_PLATFORM_DIRS="1",
        PYTHONUNBUFFERED="1",
    )

    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    # `python -m jupyterlab` is `jupyter lab` without the PATH lookup that
    # `python -m jupyter lab` does: the server (and so the kernel) is the one
    # of this interpreter's environment, whatever PATH says.
    command = [
        sys.executable, "-m", "jupyterlab",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        "--port-retries=0",
        "--IdentityProvider.token=",
        "--ServerApp.password=",
        f"--ServerApp.root_dir={root}",
    ]  # fmt: skip
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")

    OUT_DIR.mkdir(parents=True, exist_ok=True)
    # Screenshots of notebooks that no longer exist would mislead.
    current = {path.stem for path in NOTEBOOK_DIR.glob("*.ipynb")}
    for stale in OUT_DIR.glob("*.png"):
        if stale.stem not in current:
            stale.unlink()
    log = OUT_DIR / "jupyterlab.log"
    with log.open("w", encoding="utf-8") as log_file:
        proc = subprocess.Popen(
            command, cwd=root, env=env, stdin=subprocess.DEVNULL, stdout=log_file, stderr=subprocess.STDOUT
        )
    try:
        _wait_until_up(proc, url, log)
        yield Lab(url=url, root=root, log=log)
    finally:
        _stop(proc)
