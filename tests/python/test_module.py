"""The Python module (python/aiconfigurator) over libaiconfigurator.so.

Run by ctest (test python_module) with AIC_LIB pointing at the built library and
PYTHONPATH=python; by hand: AIC_LIB=build/dev/libaiconfigurator.so PYTHONPATH=python
python3 -m unittest discover -s tests/python -v. With AIC_TEST_PERFDB (the measured perf
database) also runs a `default` sweep; without it that test is skipped.
"""

import json
import os
import shutil
import tempfile
import threading
import unittest

import aiconfigurator as aic


class EstimateTest(unittest.TestCase):
    def test_estimate_sol_plausible(self):
        r = aic.estimate(model_path="Qwen/Qwen3-32B", system="h100_sxm", database_mode="SOL",
                         systems_paths="default", tp_size=2, batch_size=16, isl=2048, osl=256)
        self.assertEqual(r["database_mode"], "SOL")
        self.assertEqual(r["layout"]["name"], "tp2pp1dp1etp1ep1")
        self.assertEqual(r["num_gpus"], 2)
        # SOL on two H100s: a 2k prompt of a 32B model prefills in tens to hundreds of ms,
        # a decode step of 16 requests takes a few ms (weights 32 GB per GPU at 3.35 TB/s).
        self.assertGreater(r["ttft_ms"], 5.0)
        self.assertLess(r["ttft_ms"], 2000.0)
        self.assertGreater(r["tpot_ms"], 2.0)
        self.assertLess(r["tpot_ms"], 100.0)
        self.assertAlmostEqual(r["request_latency_ms"], r["ttft_ms"] + r["tpot_ms"] * 255,
                               delta=0.05 * r["request_latency_ms"])
        self.assertGreater(r["tokens_per_s_per_gpu"], 10.0)
        self.assertFalse(r["oom"])
        # 32.8e9 parameters x 2 bytes (bf16) over two GPUs = 32.8e9 bytes each
        self.assertAlmostEqual(r["memory"]["weights_bytes"], 32.8e9, delta=2e9)
        # in SOL mode the tables carry nothing: the roofline (and the analytic norms) do
        for phase in ("prefill", "decode"):
            shares = r["provenance"][phase]
            self.assertAlmostEqual(sum(shares.values()), 1.0, places=9)
            self.assertEqual(shares["measured"] + shares["interpolated"], 0.0)
            self.assertGreater(shares["sol"], 0.8)

    def test_cli_estimate_names(self):
        r = aic.cli_estimate("Qwen/Qwen3-32B", "h100_sxm", mode="agg", backend_name="vllm",
                             database_mode="SOL", systems_paths="default", tp_size=4)
        self.assertEqual(r["backend"], "vllm")
        self.assertEqual(r["num_gpus"], 4)

    def test_ttft_constants(self):
        base = dict(model_path="Qwen/Qwen3-32B", system="h100_sxm", database_mode="SOL",
                    systems_paths="default", tp_size=2, batch_size=16, backend="vllm")
        r0 = aic.estimate(**base)
        r1 = aic.estimate(ttft_overhead_ms=250.0, ttft_queue_share=0.0, ttft_prompt_ms=0.0, **base)
        self.assertEqual(r1["ttft_breakdown_ms"]["overhead"], 250.0)
        r2 = aic.estimate(ttft_overhead_ms=250.0, ttft_prompt_ms=3.0, **base)
        self.assertAlmostEqual(r2["ttft_breakdown_ms"]["overhead"], 250.0 + 3.0 * r2["isl"] / 1000,
                               places=9)
        self.assertEqual(r1["ttft_breakdown_ms"]["queue"], 0.0)
        self.assertGreater(r0["ttft_breakdown_ms"]["queue"], 0.0)
        self.assertAlmostEqual(r1["ttft_ms"] - r0["ttft_ms"],
                               250.0 - r0["ttft_breakdown_ms"]["overhead"]
                               - r0["ttft_breakdown_ms"]["queue"], places=6)
        self.assertEqual(r1["tpot_ms"], r0["tpot_ms"])
        with self.assertRaises(aic.AIConfiguratorError):
            aic.estimate(ttft_queue_share=1.5, **base)

    def test_ttft_handoff(self):
        base = dict(model_path="Qwen/Qwen3-32B", system="h100_sxm", database_mode="SOL",
                    systems_paths="default", backend="trtllm", estimate_mode="disagg",
                    prefill_tp_size=1, prefill_batch_size=1, prefill_num_workers=2,
                    decode_tp_size=2, decode_batch_size=32, decode_num_workers=1)
        r0 = aic.estimate(**base)
        r1 = aic.estimate(ttft_handoff_iters=5.0, **base)
        self.assertAlmostEqual(r0["ttft_breakdown_ms"]["kv_handoff"], 20 * r0["tpot_ms"], places=6)
        self.assertAlmostEqual(r1["ttft_breakdown_ms"]["kv_handoff"], 5 * r1["tpot_ms"], places=6)
        self.assertLess(r1["ttft_ms"], r0["ttft_ms"])
        with self.assertRaises(aic.AIConfiguratorError):
            aic.estimate(ttft_handoff_iters=-1, **base)

    def test_step_host(self):
        base = dict(model_path="Qwen/Qwen3-32B", system="h100_sxm", database_mode="SOL",
                    systems_paths="default", backend="sglang", tp_size=2, batch_size=32,
                    isl=2048, osl=256)
        r0 = aic.estimate(step_host_ms=0, step_host_per_req_ms=0, **base)
        r1 = aic.estimate(step_host_ms=1.5, step_host_per_req_ms=0.02, **base)
        self.assertAlmostEqual(r1["tpot_ms"] - r0["tpot_ms"], 1.5 + 0.02 * 32, places=6)
        with self.assertRaises(aic.AIConfiguratorError):
            aic.estimate(step_host_per_req_ms=-0.5, **base)

    def test_mode_fields_as_on_the_command_line(self):
        base = dict(model_path="Qwen/Qwen3-32B", system="h200_sxm", database_mode="SOL",
                    systems_paths="default")
        pools = dict(estimate_mode="disagg", prefill_batch_size=1, prefill_num_workers=1,
                     decode_batch_size=8, decode_num_workers=1)
        # the worker layout is each pool's unless the pool sets its own
        r = aic.estimate(tp_size=2, decode_tp_size=4, **pools, **base)
        self.assertEqual(r["prefill"]["name"], "tp2pp1dp1etp1ep1")
        self.assertEqual(r["decode"]["name"], "tp4pp1dp1etp1ep1")
        self.assertEqual(r["num_gpus"], 6)
        for bad in (dict(batch_size=4, **pools), dict(decode_tp_size=2), dict(prefill_batch_size=3),
                    dict(estimate_mode="static", ctx_tokens=64)):
            with self.assertRaises(aic.AIConfiguratorError) as cm:
                aic.estimate(**bad, **base)
            self.assertEqual(cm.exception.code, "usage")

    def test_bad_model_raises(self):
        with self.assertRaises(aic.AIConfiguratorError) as cm:
            aic.estimate(model_path="NoSuchOrg/NoSuchModel-7B", system="h100_sxm",
                         database_mode="SOL")
        self.assertEqual(cm.exception.code, "usage")
        self.assertIn("NoSuchModel", cm.exception.message)

    def test_unknown_parameter_raises(self):
        with self.assertRaises(aic.AIConfiguratorError) as cm:
            aic.estimate(model_path="Qwen/Qwen3-32B", system="h100_sxm", tp_sise=2)
        self.assertEqual(cm.exception.code, "usage")
        self.assertIn("tp_size", cm.exception.message)


class ContextCacheTest(unittest.TestCase):
    """Calls with the same systems_paths share one library context (see _native.py)."""

    BASE = dict(system="h100_sxm", database_mode="SOL", systems_paths="default", tp_size=2,
                batch_size=8, isl=2048, osl=256)

    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="aic_py_cache_")
        aic.clear_cache()

    def tearDown(self):
        shutil.rmtree(self.root)
        aic.clear_cache()

    def _local_model(self, layers):
        src = os.path.join(os.path.dirname(__file__), "..", "..", "data", "models",
                           "Qwen--Qwen3-32B", "config.json")
        with open(src) as f:
            cfg = json.load(f)
        cfg["num_hidden_layers"] = layers
        with open(os.path.join(self.root, "config.json"), "w") as f:
            json.dump(cfg, f)
        return self.root

    def test_cached_equals_fresh(self):
        kw = dict(model_path="Qwen/Qwen3-32B", **self.BASE)
        cached = [aic.call("estimate", **kw) for _ in range(2)]
        fresh = aic.call("estimate", cache=False, **kw)
        self.assertEqual(cached[0]["result"], fresh["result"])
        self.assertEqual(cached[1]["result"], fresh["result"])
        self.assertGreater(fresh["result"]["tpot_ms"], 0.0)

    def test_warnings_on_every_cached_call(self):
        # bundled specs only: no perf database, so every call falls back and says so
        kw = dict(model_path="Qwen/Qwen3-32B", system="h100_sxm", systems_paths="default")
        for _ in range(2):
            doc = aic.call("estimate", **kw)
            self.assertEqual(doc["result"]["database_mode"], "EMPIRICAL")
            self.assertEqual(len(doc["warnings"]), 1)
            self.assertIn("fell back to EMPIRICAL", doc["warnings"][0])

    def test_local_config_read_once_until_clear_cache(self):
        path = self._local_model(64)
        first = aic.estimate(model_path=path, **self.BASE)
        self._local_model(32)  # half the layers: half the weights once read again
        self.assertEqual(aic.estimate(model_path=path, **self.BASE), first)
        fresh = aic.estimate(model_path=path, cache=False, **self.BASE)
        self.assertLess(fresh["memory"]["weights_bytes"], 0.6 * first["memory"]["weights_bytes"])
        self.assertLess(fresh["tpot_ms"], first["tpot_ms"])
        aic.clear_cache()
        self.assertEqual(aic.estimate(model_path=path, **self.BASE), fresh)

    def test_threads_and_clear_cache(self):
        kw = dict(model_path="Qwen/Qwen3-32B", **self.BASE)
        want = aic.estimate(cache=False, **kw)
        got, errors = [], []

        def worker():
            try:
                for _ in range(20):
                    got.append(aic.estimate(**kw))
            except Exception as exc:  # collected, reported by the assertion below
                errors.append(exc)

        threads = [threading.Thread(target=worker) for _ in range(4)]
        for t in threads:
            t.start()
        for _ in range(10):
            aic.clear_cache()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])
        self.assertEqual(len(got), 80)
        self.assertTrue(all(r == want for r in got))

    def test_systems_paths_must_be_text(self):
        with self.assertRaises(aic.AIConfiguratorError) as cm:
            aic.estimate(model_path="Qwen/Qwen3-32B", system="h100_sxm", systems_paths=["a"])
        self.assertEqual(cm.exception.code, "usage")
        self.assertIn("systems_paths", cm.exception.message)


class ListingTest(unittest.TestCase):
    def test_models_and_systems(self):
        self.assertIn("Qwen/Qwen3-32B", aic.list_models())
        names = {s["name"]: s for s in aic.list_systems(systems_paths="default")}
        self.assertIn("h100_sxm", names)
        self.assertEqual(names["h100_sxm"]["gpus_per_node"], 8)
        self.assertRegex(aic.version(), r"^\d+\.\d+")


class GenerateTest(unittest.TestCase):
    def test_generate_naive(self):
        root = tempfile.mkdtemp(prefix="aic_py_gen_")
        try:
            out = os.path.join(root, "naive")
            r = aic.cli_generate("Qwen/Qwen3-32B", 8, "h100_sxm", output_dir=out,
                                 systems_paths="default")
            self.assertEqual((r["tp"], r["pp"], r["replicas"], r["gpus_used"]), (2, 1, 4, 8))
            self.assertIn("k8s_deploy.yaml", r["files"])
            self.assertTrue(os.path.isfile(os.path.join(out, "k8s_deploy.yaml")))
        finally:
            shutil.rmtree(root)

    def test_recommend_refuses_total_gpus(self):
        with self.assertRaises(aic.AIConfiguratorError) as cm:
            aic.cli_recommend("Qwen/Qwen3-32B", "h100_sxm", total_gpus=8,
                              target_request_rate=2.0, database_mode="SOL")
        self.assertEqual(cm.exception.code, "usage")
        self.assertIn("total_gpus does not apply to recommend", cm.exception.message)

    def test_support_unknown_system(self):
        with self.assertRaises(aic.AIConfiguratorError) as cm:
            aic.cli_support("Qwen/Qwen3-32B", "h999_sxm")
        self.assertEqual(cm.exception.code, "usage")


@unittest.skipUnless(os.path.isdir(os.environ.get("AIC_TEST_PERFDB", "")),
                     "AIC_TEST_PERFDB (measured perf database) not available")
class PerfDbTest(unittest.TestCase):
    def test_default_qwen3_32b_8_h100(self):
        r = aic.cli_default("Qwen/Qwen3-32B", 8, "h100_sxm", backend="vllm",
                            systems_paths=os.environ["AIC_TEST_PERFDB"])
        self.assertIn(r["best"], ("agg", "disagg"))
        best = r["experiments"][r["best"]]
        self.assertTrue(best["top"])
        top = best["top"][0]
        self.assertGreater(top["tokens/s/gpu_cluster"], 10.0)
        self.assertLessEqual(top["tpot"], 30.0 * 1.001)

    def test_default_save_dir_with_artifacts(self):
        root = tempfile.mkdtemp(prefix="aic_py_default_")
        try:
            r = aic.cli_default("Qwen/Qwen3-32B", 8, "h100_sxm", backend="vllm", top_n=1,
                                systems_paths=os.environ["AIC_TEST_PERFDB"], save_dir=root,
                                generator_set=["K8sConfig.k8s_namespace=aic-test"])
            where = r["save_dir"]
            self.assertTrue(where.startswith(root))
            with open(os.path.join(where, r["best"], "top1", "k8s_deploy.yaml")) as f:
                self.assertIn("namespace: aic-test", f.read())
        finally:
            shutil.rmtree(root)

    def test_support_with_data(self):
        agg, disagg = aic.cli_support("Qwen/Qwen3-32B", "h100_sxm", backend="vllm",
                                      systems_paths=os.environ["AIC_TEST_PERFDB"])
        self.assertTrue(agg)
        self.assertTrue(disagg)


if __name__ == "__main__":
    unittest.main()
