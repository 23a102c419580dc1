"""aiconfigurator.cli_exp / exp(): the `cli exp` experiments through the JSON API ("exp" op).

Runs on the bundled specs in EMPIRICAL mode (no perf database needed): every experiment of
the file comes back in file order, rejected ones with status "invalid" and their problems,
a run that fails with status "failed"; an experiment's result is the same document, with
the same numbers, as cli_default() of the same search; a config dict runs like the file.
"""

import json
import os
import shutil
import tempfile
import unittest

import aiconfigurator as aic

AGG = {
    "serving_mode": "agg",
    "model_path": "Qwen/Qwen3-32B",
    "system_name": "h100_sxm",
    "backend_name": "vllm",
    "database_mode": "EMPIRICAL",
    "total_gpus": 8,
    "isl": 4000,
    "osl": 1000,
    "ttft": 2000,
    "tpot": 30,
}
DISAGG = {
    "serving_mode": "disagg",
    "prefill_model_path": "Qwen/Qwen3-32B",
    "prefill_system_name": "h100_sxm",
    "prefill_backend_name": "vllm",
    "decode_model_path": "Qwen/Qwen3-32B",
    "decode_system_name": "h100_sxm",
    "decode_backend_name": "vllm",
    "database_mode": "EMPIRICAL",
    "total_gpus": 16,
    "isl": 4000,
    "osl": 1000,
    "ttft": 2000,
    "tpot": 30,
}
TYPO = dict(AGG, tpott=40)
FP4 = dict(AGG, model_path="Qwen/Qwen3-8B", total_gpus=2, gemm_quant_mode="nvfp4")
CONFIG = {"agg_8gpu": AGG, "typo": TYPO, "disagg_16gpu": DISAGG, "fp4_hopper": FP4}


def yaml_text(config):
    """A block-style YAML file of config (flat experiments: scalars only)."""
    lines = []
    for name, keys in config.items():
        lines.append(f"{name}:")
        lines += [f"  {k}: {v}" for k, v in keys.items()]
    return "\n".join(lines) + "\n"


class ExpTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="aic_py_exp_")
        self.path = os.path.join(self.dir, "exps.yaml")
        with open(self.path, "w") as f:
            f.write(yaml_text(CONFIG))

    def tearDown(self):
        shutil.rmtree(self.dir)

    def test_every_experiment_in_file_order(self):
        d = aic.cli_exp(self.path, top_n=2, systems_paths="default")
        self.assertEqual(d["mode"], "exp")
        by_name = {e["name"]: e for e in d["experiments"]}
        self.assertEqual([e["name"] for e in d["experiments"]],
                         ["agg_8gpu", "typo", "disagg_16gpu", "fp4_hopper"])
        self.assertEqual([e["status"] for e in d["experiments"]],
                         ["ok", "invalid", "ok", "failed"])
        self.assertEqual([e["ok"] for e in d["experiments"]], [True, False, True, False])
        typo = by_name["typo"]
        self.assertIsNone(typo["result"])
        # the key stands on line 23: typo is the second block (lines 12-23), tpott its last
        self.assertEqual(typo["error"], f"{self.path}:23:3: experiment 'typo': unknown key "
                                        "'tpott' (did you mean 'tpot'?)")
        self.assertIn("nvfp4 needs fp4 tensor cores", by_name["fp4_hopper"]["error"])
        self.assertIsNone(by_name["agg_8gpu"]["error"])
        self.assertIn(d["best"], ("agg_8gpu", "disagg_16gpu"))
        agg = by_name["agg_8gpu"]["result"]["experiments"]["agg"]
        self.assertEqual(len(agg["top"]), 2)
        self.assertGreater(agg["top"][0]["tokens/s/gpu_cluster"], 10.0)
        self.assertLessEqual(agg["top"][0]["tpot"], 30.0 * 1.001)
        dis = by_name["disagg_16gpu"]["result"]["experiments"]["disagg"]
        self.assertGreater(dis["top"][0]["tokens/s/gpu_cluster"], 10.0)
        # the best is the one with the higher rank-1 cluster throughput
        other = "disagg_16gpu" if d["best"] == "agg_8gpu" else "agg_8gpu"
        mode = {"agg_8gpu": "agg", "disagg_16gpu": "disagg"}

        def top1(name):
            return by_name[name]["result"]["experiments"][mode[name]]["top"][0]
        self.assertGreaterEqual(top1(d["best"])["tokens/s/gpu_cluster"],
                                top1(other)["tokens/s/gpu_cluster"])

    def test_result_is_the_default_search(self):
        d = aic.cli_exp(self.path, top_n=2, systems_paths="default")
        exp_top = next(e for e in d["experiments"] if e["name"] == "agg_8gpu")
        exp_top = exp_top["result"]["experiments"]["agg"]["top"]
        ref = aic.cli_default("Qwen/Qwen3-32B", 8, "h100_sxm", backend="vllm",
                              database_mode="EMPIRICAL", serving_mode="agg", isl=4000,
                              osl=1000, ttft=2000, tpot=30, top_n=2, systems_paths="default")
        ref_top = ref["experiments"]["agg"]["top"]
        self.assertEqual(len(exp_top), len(ref_top))
        for a, b in zip(exp_top, ref_top):
            for key in ("tokens/s/gpu_cluster", "tokens/s/user", "ttft", "tpot", "parallel"):
                self.assertEqual(a[key], b[key], key)

    def test_config_dict_and_text_run_like_the_file(self):
        from_file = aic.cli_exp(self.path, top_n=1, systems_paths="default")
        from_dict = aic.cli_exp(config=CONFIG, top_n=1, systems_paths="default")
        from_text = aic.exp(config=yaml_text(CONFIG), top_n=1, systems_paths="default")
        for d in (from_dict, from_text):
            self.assertEqual(d["best"], from_file["best"])
            self.assertEqual([e["status"] for e in d["experiments"]],
                             [e["status"] for e in from_file["experiments"]])
            self.assertEqual(json.dumps(d["experiments"][0]["result"], sort_keys=True),
                             json.dumps(from_file["experiments"][0]["result"], sort_keys=True))
        typo = next(e for e in from_dict["experiments"] if e["name"] == "typo")
        self.assertIn("config:", typo["error"])
        self.assertIn("unknown key 'tpott'", typo["error"])

    def test_save_dir(self):
        out = os.path.join(self.dir, "out")
        d = aic.cli_exp(config={"agg_8gpu": AGG}, top_n=1, save_dir=out,
                        systems_paths="default")
        self.assertTrue(d["save_dir"].startswith(out))
        self.assertTrue(os.path.isfile(os.path.join(d["save_dir"], "agg_8gpu",
                                                    "exp_config.yaml")))

    def test_errors(self):
        cases = [
            (dict(yaml_path=self.path, config=CONFIG), "usage", "exactly one"),
            (dict(), "usage", "exactly one"),
            (dict(yaml_path=os.path.join(self.dir, "nope.yaml")), "not_found", "nope.yaml"),
            (dict(config={"typo": TYPO}), "usage", "unknown key 'tpott'"),
            (dict(config={"fp4_hopper": FP4}), "usage", "nvfp4"),
            (dict(config=[1, 2]), "usage", "config"),
            (dict(config=CONFIG, top_nn=2), "usage", "top_n"),
        ]
        for kw, code, needle in cases:
            with self.assertRaises(aic.AIConfiguratorError, msg=str(kw)) as cm:
                aic.exp(systems_paths="default", **kw)
            self.assertEqual(cm.exception.code, code, kw)
            self.assertIn(needle, cm.exception.message, kw)


if __name__ == "__main__":
    unittest.main()
