"""Loads libaiconfigurator.so with ctypes and runs JSON requests through aic_api_call_ctx().

Each distinct systems_paths (or, without one, each value of AIC_SYSTEMS_PATHS) gets one
library context, kept for the life of the process: the models, system specs and perf databases a
call loads stay loaded for the next, so a sweep of estimates pays the table loading once.
clear_cache() frees them (to see files changed on disk, or to give the memory back); with
cache=False a call runs in a fresh context of its own.

Where the library is looked up, first hit wins:
  1. the environment variable AIC_LIB (a path to the .so);
  2. build/release, build/dev, build/ci of the repository this file sits in;
  3. the system loader (ldconfig paths, LD_LIBRARY_PATH).
Standard library only.
"""

import atexit
import ctypes
import ctypes.util
import json
import os
import threading

_LIB_NAME = "libaiconfigurator.so"
_BUILD_DIRS = ("release", "dev", "ci")

_lib = None
_lock = threading.Lock()
_contexts = {}  # cache key -> [context pointer, lock held while a call uses it]


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
        lib.aic_api_call_ctx.argtypes = [ctypes.c_void_p, ctypes.c_char_p,
                                         ctypes.POINTER(ctypes.c_void_p)]
        lib.aic_api_call_ctx.restype = ctypes.c_int
        lib.aic_api_ctx_new.argtypes = [ctypes.c_char_p]
        lib.aic_api_ctx_new.restype = ctypes.c_void_p
        lib.aic_api_ctx_free.argtypes = [ctypes.c_void_p]
        lib.aic_api_ctx_free.restype = None
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


def _context(lib, paths):
    """The cached [context, lock] for systems_paths `paths` (None: AIC_SYSTEMS_PATHS as now)."""
    key = paths if paths is not None else ("env", os.environ.get("AIC_SYSTEMS_PATHS"))
    with _lock:
        entry = _contexts.get(key)
        if entry is None:
            ctx = lib.aic_api_ctx_new(paths.encode("utf-8") if paths is not None else None)
            if not ctx:
                raise AIConfiguratorError("nomem", "out of memory creating a library context")
            entry = _contexts[key] = [ctx, threading.Lock()]
        return entry


def clear_cache():
    """Frees every cached library context and what it loaded; the next call loads afresh."""
    with _lock:
        entries = list(_contexts.values())
        _contexts.clear()
    for entry in entries:
        with entry[1]:  # waits for a call in flight; a call that held the entry retries
            _lib.aic_api_ctx_free(entry[0])
            entry[0] = None


atexit.register(clear_cache)


def _run(lib, req, paths, cache):
    out = ctypes.c_void_p()
    if not cache:
        if paths is not None:
            req["systems_paths"] = paths
        lib.aic_api_call(json.dumps(req).encode("utf-8"), ctypes.byref(out))
        return out
    while True:
        entry = _context(lib, paths)
        with entry[1]:
            if entry[0] is not None:  # else clear_cache() freed it meanwhile: take a new one
                lib.aic_api_call_ctx(entry[0], json.dumps(req).encode("utf-8"), ctypes.byref(out))
                return out


def call(op, cache=True, **params):
    """Runs {"op": op, **params} and returns the response document (a dict with "ok",
    "result", "warnings"). Parameters whose value is None are left out. With cache (the
    default) the call reuses the context of its systems_paths (see the module's doc). Raises
    AIConfiguratorError when the response says ok: false."""
    paths = params.pop("systems_paths", None)
    if paths is not None and not isinstance(paths, str):
        raise AIConfiguratorError("usage", "systems_paths must be a string (comma-separated "
                                  "folders, or \"default\")")
    req = {"op": op}
    req.update({k: v for k, v in params.items() if v is not None})
    lib = library()
    out = _run(lib, req, paths, cache)
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
