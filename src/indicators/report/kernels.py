"""One Jupyter kernel per worker process, reset between the notebooks it runs.

``indicators report`` runs its notebooks in worker processes, several notebooks each.
Starting a kernel and importing pandas and the package in it costs about 1.5 s of CPU
per notebook, as much as a fiche's own work; on two cores it is most of the batch. A
worker therefore keeps its kernel (:func:`kept_kernel`) and, before each notebook but the
first, resets it (:data:`RESET_CODE`: IPython's ``reset(new_session=True)`` empties the
namespace, the output history and restarts the execution count at 1; open Matplotlib
figures are closed). Modules stay imported: the package keeps no data between calls (its
only module caches are the report style sheet and the HTML exporter), so each report is
what a fresh kernel would write.

A kernel that died, timed out or does not answer the reset is shut down and a new one
started. :func:`shutdown_kept_kernel` ends the kernel; a worker process calls it when it
exits (``multiprocessing.util.Finalize``), the batch when it ran the notebooks itself.
"""

from __future__ import annotations

import contextlib
import multiprocessing.util
import os
import signal
import threading
from typing import Any

__all__ = ["RESET_CODE", "execute_in_kept_kernel", "kept_kernel", "shutdown_kept_kernel"]

RESET_CODE = (
    "get_ipython().reset(new_session=True)\n"
    "import sys as _sys\n"
    "if 'matplotlib.pyplot' in _sys.modules:\n"
    "    _sys.modules['matplotlib.pyplot'].close('all')\n"
    "del _sys\n"
)
RESET_TIMEOUT_S = 30

_kernel: dict[str, Any] = {}  # "km": the kept AsyncKernelManager, "pid": its owner
_ENGINE = "indicators-kept-kernel"


def _alive(km: Any) -> bool:
    from jupyter_core.utils import run_sync

    try:
        return bool(km.has_kernel and run_sync(km.is_alive)())
    except Exception:
        return False


async def _reset(km: Any) -> bool:
    """Run :data:`RESET_CODE` in the kernel; ``False`` if it failed or did not answer."""
    client = km.client()
    client.start_channels()
    try:
        await client.wait_for_ready(timeout=RESET_TIMEOUT_S)
        reply = await client.execute(
            RESET_CODE, silent=True, store_history=False, reply=True, timeout=RESET_TIMEOUT_S
        )
        return bool(reply["content"]["status"] == "ok")
    except Exception:
        return False
    finally:
        client.stop_channels()


def shutdown_kept_kernel() -> None:
    """Shut this process's kept kernel down at once (nothing to do without one)."""
    from jupyter_core.utils import run_sync

    km = _kernel.pop("km", None)
    if km is None or _kernel.pop("pid", None) != os.getpid():
        return  # none, or a forked parent's: not this process's to stop
    with contextlib.suppress(Exception):
        if km.has_kernel:
            run_sync(km.shutdown_kernel)(now=True)
    with contextlib.suppress(Exception):
        run_sync(km.cleanup_resources)()


def kept_kernel(kernel_name: str) -> Any:
    """This process's kernel manager, its kernel reset (or not started yet: first use).

    The kernel is started by the first notebook (nbclient, with its usual options) and
    kept afterwards; one that died or does not answer the reset is replaced.
    """
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_core.utils import run_sync

    km = _kernel.get("km") if _kernel.get("pid") == os.getpid() else None
    if km is not None and km.has_kernel:
        if _alive(km) and run_sync(_reset)(km):
            return km
        shutdown_kept_kernel()
        km = None
    if km is None:
        km = AsyncKernelManager(kernel_name=kernel_name)
        _kernel.update(km=km, pid=os.getpid())
        multiprocessing.util.Finalize(None, shutdown_kept_kernel, exitpriority=10)
    return km


def _register_engine() -> None:
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines

    class KeptKernelEngine(NBClientEngine):
        """papermill's nbclient engine on the kept kernel (``km``), not shut down after."""

        @classmethod
        def execute_managed_notebook(  # type: ignore[override]
            cls,
            nb_man: Any,
            kernel_name: str,
            log_output: bool = False,
            stdout_file: Any = None,
            stderr_file: Any = None,
            start_timeout: int = 60,
            execution_timeout: int | None = None,
            **kwargs: Any,
        ) -> Any:
            from papermill.engines import logger

            kwargs.pop("input_path", None)
            client = PapermillNotebookClient(
                nb_man,
                timeout=execution_timeout,
                startup_timeout=start_timeout,
                kernel_name=kernel_name,
                log=logger,
                log_output=log_output,
                stdout_file=stdout_file,
                stderr_file=stderr_file,
                **kwargs,
            )
            # nbclient sets SIGINT/SIGTERM handlers for the run and then resets them to
            # the defaults: put back the worker's own (kill the kernel, then exit).
            main = threading.current_thread() is threading.main_thread()
            saved = [(s, signal.getsignal(s)) for s in (signal.SIGINT, signal.SIGTERM)]
            try:
                return client.execute()
            finally:
                if client.kc is not None:  # the client's channels; the kernel stays
                    client.kc.stop_channels()
                    client.kc = None
                for signum, handler in saved if main else ():
                    if handler is not None:
                        signal.signal(signum, handler)

    papermill_engines.register(_ENGINE, KeptKernelEngine)


def execute_in_kept_kernel(notebook: Any, output_path: str, **options: Any) -> Any:
    """``papermill.execute_notebook`` in this process's kept kernel (reset first)."""
    import papermill
    from papermill.engines import papermill_engines

    try:
        papermill_engines.get_engine(_ENGINE)
    except Exception:  # not registered yet in this process
        _register_engine()
    km = kept_kernel(options["kernel_name"])
    options.pop("shutdown_kernel", None)
    return papermill.execute_notebook(notebook, output_path, engine_name=_ENGINE, km=km, **options)
