"""aiconfigurator: the Python face of the C library (libaiconfigurator.so, over ctypes).

Every function sends one JSON request to the library and returns the result as plain dicts
and lists; what a call loads (models, systems, perf databases) stays loaded for the next one
with the same systems_paths, until clear_cache(). Keyword arguments are the command line's
options in snake_case (model_path, system, backend, isl, osl, tp_size, ...); None means "not
given"; cache=False runs a call in a fresh context. Errors raise
AIConfiguratorError(code, message). See python/README.md.

    import aiconfigurator as aic
    r = aic.estimate(model_path="Qwen/Qwen3-32B", system="h200_sxm", tp_size=2)
    print(r["ttft_ms"], r["tpot_ms"])
"""

from ._native import AIConfiguratorError, call, clear_cache, library, version

__all__ = [
    "AIConfiguratorError",
    "SupportResult",
    "call",
    "clear_cache",
    "cli_default",
    "cli_estimate",
    "cli_exp",
    "cli_generate",
    "cli_recommend",
    "cli_support",
    "default",
    "estimate",
    "exp",
    "generate",
    "library",
    "list_models",
    "list_systems",
    "recommend",
    "support",
    "version",
]


def _result(op, params):
    return call(op, **params)["result"]


def estimate(**kwargs):
    """One deployment -> the `cli estimate --json` dict (ttft_ms with ttft_breakdown_ms, tpot_ms,
    tokens_per_s_per_gpu, memory, layout, ...). Keys: model_path, system, backend, backend_version, database_mode,
    estimate_mode (or mode), isl, osl, prefix, batch_size, ctx_tokens, tp_size, pp_size,
    attention_dp_size, moe_tp_size, moe_ep_size, *_quant_mode, nextn, nextn_accepted,
    ttft_overhead_ms, ttft_step_iters, ttft_queue_share, ttft_handoff_iters, ttft_stream_ms,
    ttft_prompt_ms (TTFT serving constants), step_host_ms, step_host_per_req_ms (host time per aggregated iteration),
    prefill_* / decode_* (disagg), detail, systems_paths."""
    return _result("estimate", kwargs)


def cli_estimate(model_path, system_name, mode="agg", backend_name="trtllm", **kwargs):
    """estimate() with the original tool's positional names (system_name, mode, backend_name)."""
    return estimate(model_path=model_path, system=system_name, estimate_mode=mode,
                    backend=backend_name, **kwargs)


def default(**kwargs):
    """The `cli default` sweep -> the `cli default --json` document: "best" (agg/disagg),
    "experiments" with "top", "pareto" and "rows", "versions", "warnings". Keys: model_path,
    system, total_gpus, backend ("auto" sweeps all three), isl, osl, ttft, tpot,
    request_latency, serving_mode, top_n, save_dir, database_mode, ..."""
    return _result("default", kwargs)


def cli_default(model_path, total_gpus, system, **kwargs):
    """default() with the original tool's positional arguments."""
    return default(model_path=model_path, total_gpus=total_gpus, system=system, **kwargs)


def recommend(**kwargs):
    """The `cli recommend` search (fewest GPUs for target_request_rate or
    target_concurrency) -> the same document as default()."""
    return _result("recommend", kwargs)


def cli_recommend(model_path, system, **kwargs):
    """recommend() with the original tool's positional arguments."""
    return recommend(model_path=model_path, system=system, **kwargs)


def exp(**kwargs):
    """The `cli exp` experiments -> the `cli exp --json` document: "mode" ("exp"), "best"
    (the chosen experiment's name) and "experiments" in file order, each {"name", "ok",
    "status" ("ok", "failed", or "invalid": rejected when the file was read), "error",
    "result" (the `cli default --json` document of its search, or None)}, and "warnings"
    (notes on the file, the save's no-artifacts line). Keys: yaml_path
    or config (the file's content: a dict of experiment name -> keys, or YAML text; exactly
    one of the two), top_n, save_dir (adds "save_dir"), generator_set, generator_config,
    generated_config_version, generator_dynamo_version. Raises AIConfiguratorError when no
    experiment produced results."""
    return _result("exp", kwargs)


def cli_exp(yaml_path=None, *, config=None, **kwargs):
    """exp() with the original tool's arguments: cli_exp("exps.yaml") or cli_exp(config={...})."""
    return exp(yaml_path=yaml_path, config=config, **kwargs)


def generate(**kwargs):
    """The naive configuration and its deployment artifacts written into save_dir (alias
    output_dir; absent or empty) -> {"tp", "pp", "replicas", "gpus_used", "parallelism",
    "backend_version", "output_dir", "files", ...}. generator_set takes a list of
    "Section.key=value"; generator_config alone re-renders a saved generator_config.yaml."""
    return _result("generate", kwargs)


def cli_generate(model_path, total_gpus, system, backend="trtllm", output_dir=None, **kwargs):
    """generate() with the original tool's positional arguments (output_dir = save_dir)."""
    return generate(model_path=model_path, total_gpus=total_gpus, system=system,
                    backend=backend, save_dir=output_dir, **kwargs)


def support(**kwargs):
    """Whether agg / disagg serving is supported -> {"agg_supported", "disagg_supported",
    "version", "no_data", "agg_reason", "disagg_reason", "architecture", ...}; system="all"
    or backend="all" gives {"matrix": [...]} instead."""
    return _result("support", kwargs)


class SupportResult(tuple):
    """(agg_supported, disagg_supported), with the whole answer in .details and its keys as
    attributes (architecture, version, agg_reason, ...)."""

    def __new__(cls, details):
        obj = super().__new__(cls, (bool(details.get("agg_supported")),
                                    bool(details.get("disagg_supported"))))
        obj.details = details
        return obj

    def __getattr__(self, name):
        try:
            return self.details[name]
        except KeyError:
            raise AttributeError(name) from None


def cli_support(model_path, system, backend="trtllm", backend_version=None, **kwargs):
    """support() shaped like the original tool: unpacks as (agg_supported, disagg_supported)."""
    return SupportResult(support(model_path=model_path, system=system, backend=backend,
                                 backend_version=backend_version, **kwargs))


def list_models():
    """Bundled Hugging Face model ids (others need a local folder with config.json)."""
    return _result("models", {})["models"]


def list_systems(systems_paths=None):
    """Bundled systems, each {"name", "gpus_per_node", "mem_capacity_bytes", "mem_bw_Bps",
    "versions": {backend: [perf-db versions along systems_paths]}}."""
    return _result("systems", {"systems_paths": systems_paths})["systems"]
