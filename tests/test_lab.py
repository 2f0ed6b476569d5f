"""`make lab`: the project's JupyterLab opens the py:percent templates as notebooks.

A JupyterLab server is started as the Makefile starts it (``JUPYTER_CONFIG_PATH`` on the
folder the Makefile names), on a loopback port with a token, with a temporary home and
user-settings folder so that nothing of the machine's own Jupyter settings counts; the
tests ask its REST API what the analyst's browser would get, then stop it. Skipped when
JupyterLab (the ``[lab]`` extra) is not installed, unless ``INDICATORS_REQUIRE_LAB=1``.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
JUPYTEXT_VIEWER = "Jupytext Notebook"  # the document factory of jupyterlab-jupytext


def _makefile_lab_config() -> Path:
    """The settings folder the Makefile's ``lab`` target gives to ``JUPYTER_CONFIG_PATH``."""
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    folder = re.search(r"^LAB_CONFIG\s*:=\s*(\S+)\s*$", makefile, re.M)
    assert folder, "Makefile: LAB_CONFIG := <folder>"
    recipe = makefile.split("\nlab:", 1)[1].split("\n\n", 1)[0]
    assert 'JUPYTER_CONFIG_PATH="$(CURDIR)/$(LAB_CONFIG)' in recipe
    assert "jupyter lab notebooks/" in recipe
    return REPO / folder[1]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(base: str, token: str, path: str) -> Any:
    request = urllib.request.Request(base + path, headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """A running JupyterLab configured like `make lab`: (base URL, token)."""
    if importlib.util.find_spec("jupyterlab") is None:
        if os.environ.get("INDICATORS_REQUIRE_LAB") == "1":
            pytest.fail("JupyterLab is not installed (pip install -e '.[lab]')")
        pytest.skip("JupyterLab is not installed (the [lab] extra)")
    config = _makefile_lab_config()
    home = tmp_path_factory.mktemp("lab")
    env = {
        **os.environ,
        "HOME": str(home),
        "JUPYTER_CONFIG_DIR": str(home / ".jupyter"),
        "JUPYTER_DATA_DIR": str(home / "data"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(home / "user-settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
        "JUPYTER_CONFIG_PATH": str(config),
    }
    port, token = _free_port(), secrets.token_hex(16)
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        "--port-retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={REPO / 'notebooks'}",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    log = (home / "server.log").open("w")
    server = subprocess.Popen(command, cwd=home, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                _get(base, token, "/api/status")
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if server.poll() is not None or time.monotonic() > deadline:
                    tail = (home / "server.log").read_text(encoding="utf-8")[-2000:]
                    pytest.fail(f"JupyterLab did not start:\n{tail}")
                time.sleep(0.5)
        yield base, token
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


@pytest.mark.slow
def test_python_files_open_with_jupytext_by_default(lab: tuple[str, str]) -> None:
    base, token = lab
    plugin = _get(base, token, "/lab/api/settings/@jupyterlab/docmanager-extension:plugin")
    viewers = plugin["schema"]["properties"]["defaultViewers"]["default"]
    assert viewers["python"] == JUPYTEXT_VIEWER
    assert "defaultViewers" not in plugin["settings"]  # no user setting: the project's applies
    listed = {entry["id"] for entry in _get(base, token, "/lab/api/settings")["settings"]}
    assert "jupyterlab-jupytext:plugin" in listed  # the viewer the setting names exists


@pytest.mark.slow
def test_templates_are_notebooks_for_the_server(lab: tuple[str, str]) -> None:
    base, token = lab
    model = _get(base, token, "/api/contents/fiche_quartier.py?type=notebook&content=1")
    assert model["type"] == "notebook"
    metadata = model["content"]["metadata"]
    assert metadata["indicators"]["title"] == "Fiche quartier"
    assert metadata["kernelspec"]["name"] == "python3"
    first = next(c for c in model["content"]["cells"] if c["cell_type"] == "code")
    assert first["metadata"]["tags"] == ["parameters"]


@pytest.mark.slow
def test_kernel_is_the_projects_environment(lab: tuple[str, str]) -> None:
    base, token = lab
    specs = _get(base, token, "/api/kernelspecs")
    assert specs["default"] == "python3"
    python = Path(specs["kernelspecs"]["python3"]["spec"]["argv"][0])
    assert python.parent == Path(sys.executable).parent  # the .venv the Makefile made
