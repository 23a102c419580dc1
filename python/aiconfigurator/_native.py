"""Loads libaiconfigurator.so with ctypes and runs JSON requests through aic_api_call().

Where the library is looked up, first hit wins:
  1. the environment variable AIC_LIB (a path to the .so);
  2. build/release, build/dev, build/ci of the repository this file sits in;
  3. the system loader (ldconfig paths, LD_LIBRARY_PATH).
Standard library only.
"""

import ctypes
import ctypes.util
import json
import os
import threading

_LIB_NAME = "libaiconfigurator.so"
_BUILD_DIRS = ("release", "dev", "ci")

_lib = None
_lock = threading.Lock()


class AIConfiguratorError(Exception):
    """An error answered by the library: `code` is one of usage, not_found, parse, no_data,
    oom, nomem, io, runtime (or "load" when the shared library cannot be found)."""

    def __init__(self, code, message):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


def _candidates():
    env = os.environ.get("AIC_LIB")
    if env:
        yield env
        return
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    for d in _BUILD_DIRS:
        yield os.path.join(repo, "build", d, _LIB_NAME)
    yield _LIB_NAME
    found = ctypes.util.find_library("aiconfigurator")
    if found:
        yield found


def _load():
    tried = []
    for path in _candidates():
        if os.sep in path and not os.path.exists(path):
            tried.append(path)
            continue
        try:
            lib = ctypes.CDLL(path)
        except OSError as exc:
            tried.append(f"{path} ({exc})")
            continue
        lib.aic_api_call.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p)]
        lib.aic_api_call.restype = ctypes.c_int
        lib.aic_api_free.argtypes = [ctypes.c_void_p]
        lib.aic_api_free.restype = None
        lib.aic_api_version.argtypes = []
        lib.aic_api_version.restype = ctypes.c_char_p
        return lib
    raise AIConfiguratorError(
        "load",
        "cannot load libaiconfigurator.so; build it (cmake --preset release && cmake --build "
        "--preset release) or set AIC_LIB to its path. Tried: " + "; ".join(tried),
    )


def library():
    """The loaded ctypes library (loaded on first use)."""
    global _lib
    with _lock:
        if _lib is None:
            _lib = _load()
        return _lib


def call(op, **params):
    """Runs {"op": op, **params} and returns the response document (a dict with "ok",
    "result", "warnings"). Parameters whose value is None are left out. Raises
    AIConfiguratorError when the response says ok: false."""
    req = {"op": op}
    req.update({k: v for k, v in params.items() if v is not None})
    lib = library()
    out = ctypes.c_void_p()
    lib.aic_api_call(json.dumps(req).encode("utf-8"), ctypes.byref(out))
    if not out.value:
        raise AIConfiguratorError("nomem", "the library returned no response")
    try:
        text = ctypes.string_at(out.value).decode("utf-8")
    finally:
        lib.aic_api_free(out)
    doc = json.loads(text)
    if not doc.get("ok"):
        err = doc.get("error") or {}
        raise AIConfiguratorError(err.get("code", "runtime"), err.get("message", ""))
    return doc


def version():
    """The library's version string."""
    return library().aic_api_version().decode("utf-8")
