/*
 * bench.c - the benchmark helpers of a deployment (aic-interface 3.10):
 *
 *   bench_run.sh    loops `aiperf profile` over concurrencies against the frontend that
 *                   run_0.sh starts (http://HEAD_NODE_IP:PORT);
 *   k8s_bench.yaml  a batch/v1 Job running the same loop against the frontend service of the
 *                   DynamoGraphDeployment in k8s_deploy.yaml.
 *
 * The concurrencies are 1, 2, 8, 16, 32, 64, 128 and 0.95x, 1x, 1.05x the concurrency the
 * configuration was estimated at (BenchConfig.estimated_concurrency: the estimate's
 * concurrency x replicas; not the engines' max batch, which the rules raise above it),
 * sorted, without repeats. Each run sends a fixed ISL/OSL (the configuration's) with
 * `ignore_eos`, so the measured TTFT/TPOT compare with the estimate.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "generate/gen_int.h"

#define BENCH_BASE_LEVELS 7
#define BENCH_MAX_LEVELS  (BENCH_BASE_LEVELS + 3)

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* BenchConfig.estimated_concurrency, or for a config without it the simulated batch of the
 * aggregated or decode workers: agg workers x bs x pp x dp, decode workers x bs x dp. */
int gen_bench_concurrency(const struct gen_plan *p)
{
    const struct gen_worker *w = &p->w[p->disagg ? 1 : 0];
    double bs = w->sim_batch > 0 ? w->sim_batch : w->max_batch, c;

    if (p->bench_conc > 0)
        return p->bench_conc;
    c = (double)w->count * bs * w->dp * (p->disagg ? 1 : w->pp);
    return c < 1e9 ? (int)c : 1000000000;
}

/* The concurrency levels, sorted and unique; returns their count. */
static int bench_levels(const struct gen_plan *p, int *lv)
{
    static const int base[BENCH_BASE_LEVELS] = {1, 2, 8, 16, 32, 64, 128};
    double c = gen_bench_concurrency(p);
    int n = 0, k = 0;

    memcpy(lv, base, sizeof(base));
    n = BENCH_BASE_LEVELS;
    if (c >= 1) {
        lv[n++] = (int)lround(0.95 * c);
        lv[n++] = (int)lround(c);
        lv[n++] = (int)lround(1.05 * c);
    }
    qsort(lv, (size_t)n, sizeof(*lv), cmp_int);
    for (int i = 0; i < n; i++)
        if (lv[i] >= 1 && (k == 0 || lv[i] != lv[k - 1]))
            lv[k++] = lv[i];
    return k;
}

/* The shared loop body: variables MODEL, ENDPOINT, ISL, OSL, LEVELS, PER_LEVEL, OUT_DIR. */
static void bench_loop(struct aic_buf *o, const char *indent)
{
    aic_buf_printf(o,
                   "%sfor c in ${LEVELS}; do\n"
                   "%s  n=$(( c * PER_LEVEL )); [ \"$n\" -lt 20 ] && n=20\n"
                   "%s  echo \"aiperf: concurrency $c, $n requests\"\n"
                   "%s  aiperf profile --model \"${MODEL}\" --url \"${ENDPOINT}\" \\\n"
                   "%s    --endpoint-type chat --streaming --concurrency \"$c\" \\\n"
                   "%s    --request-count \"$n\" --warmup-request-count \"$c\" \\\n"
                   "%s    --synthetic-input-tokens-mean \"${ISL}\" "
                   "--synthetic-input-tokens-stddev 0 \\\n"
                   "%s    --output-tokens-mean \"${OSL}\" --output-tokens-stddev 0 \\\n"
                   "%s    --extra-inputs ignore_eos:true --extra-inputs \"min_tokens:${OSL}\" \\\n"
                   "%s    --artifact-dir \"${OUT_DIR}/concurrency_${c}\" || status=1\n"
                   "%sdone\n",
                   indent, indent, indent, indent, indent, indent, indent, indent, indent, indent,
                   indent);
}

static void levels_text(const struct gen_plan *p, struct aic_buf *o)
{
    int lv[BENCH_MAX_LEVELS], n = bench_levels(p, lv);
    for (int i = 0; i < n; i++)
        aic_buf_printf(o, "%s%d", i ? " " : "", lv[i]);
}

void gen_bench_sh(const struct gen_plan *p, struct aic_buf *o)
{
    aic_buf_printf(o,
                   "#!/usr/bin/env bash\n"
                   "# bench_run.sh - measures this %s %s deployment of %s with aiperf "
                   "(pip install aiperf),\n"
                   "# written by aiconfigurator. Start it with run_0.sh... first. Environment "
                   "overrides:\n"
                   "# AICONFIGURATOR_BENCH_ENDPOINT, _MODEL, _ISL, _OSL, _CONCURRENCY (a "
                   "space-separated list),\n"
                   "# _REQUESTS_PER_CONCURRENCY; results under BENCH_ARTIFACT_DIR.\n"
                   "# Estimated concurrency: %d (the configuration's concurrency x replicas).\n"
                   "set -u\n",
                   p->disagg ? "disagg" : "agg", aic_backend_name(p->backend), p->model_path,
                   gen_bench_concurrency(p));
    gen_sh_default(o, "HEAD_NODE_IP", "HEAD_NODE_IP", p->head_ip);
    aic_buf_printf(o, "ENDPOINT=\"${AICONFIGURATOR_BENCH_ENDPOINT:-http://${HEAD_NODE_IP}:%d}\"\n",
                   p->port);
    gen_sh_default(o, "MODEL", "AICONFIGURATOR_BENCH_MODEL", p->served);
    aic_buf_printf(o,
                   "ISL=\"${AICONFIGURATOR_BENCH_ISL:-%d}\"\n"
                   "OSL=\"${AICONFIGURATOR_BENCH_OSL:-%d}\"\n"
                   "LEVELS=\"${AICONFIGURATOR_BENCH_CONCURRENCY:-",
                   p->isl, p->osl);
    levels_text(p, o);
    aic_buf_puts(o, "}\"\nPER_LEVEL=\"${AICONFIGURATOR_BENCH_REQUESTS_PER_CONCURRENCY:-10}\"\n"
                    "OUT_DIR=\"${BENCH_ARTIFACT_DIR:-${TMPDIR:-/tmp}/bench_artifacts}\"\n"
                    "status=0\n");
    bench_loop(o, "");
    aic_buf_puts(o, "echo \"results: ${OUT_DIR}\"\nexit $status\n");
}

void gen_k8s_bench(const struct gen_plan *p, struct aic_buf *o)
{
    char name[192], url[384];

    snprintf(name, sizeof(name), "%s-benchmark", p->name);
    snprintf(url, sizeof(url), "http://%s-frontend.%s.svc.cluster.local:%d", p->name, p->ns,
             p->port);
    aic_buf_printf(o,
                   "# batch/v1 Job measuring the DynamoGraphDeployment of k8s_deploy.yaml with "
                   "aiperf, written by\n"
                   "# aiconfigurator. Apply after the deployment is ready:\n"
                   "#   kubectl apply -f k8s_bench.yaml; kubectl logs -f job/%s -n %s\n"
                   "# Estimated concurrency: %d (the configuration's concurrency x replicas).\n"
                   "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: ",
                   name, p->ns, gen_bench_concurrency(p));
    yw_scalar(o, name);
    aic_buf_puts(o, "\n  namespace: ");
    yw_scalar(o, p->ns);
    aic_buf_puts(o, "\nspec:\n  backoffLimit: 0\n  template:\n    spec:\n"
                    "      restartPolicy: Never\n      containers:\n"
                    "        - name: benchmark\n          image: python:3.12-slim\n"
                    "          command: [\"/bin/bash\", \"-c\"]\n          args:\n"
                    "            - |\n"
                    "              pip install --no-cache-dir aiperf >/dev/null\n"
                    "              status=0\n");
    bench_loop(o, "              ");
    aic_buf_puts(o, "              exit $status\n          env:\n");
    const char *vars[][2] = {{"ENDPOINT", url}, {"MODEL", p->served}, {"OUT_DIR", "/tmp/bench"}};
    for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
        aic_buf_printf(o, "            - name: %s\n              value: ", vars[i][0]);
        yw_scalar(o, vars[i][1]);
        aic_buf_puts(o, "\n");
    }
    aic_buf_printf(o,
                   "            - name: ISL\n              value: \"%d\"\n"
                   "            - name: OSL\n              value: \"%d\"\n"
                   "            - name: PER_LEVEL\n              value: \"10\"\n"
                   "            - name: LEVELS\n              value: \"",
                   p->isl, p->osl);
    levels_text(p, o);
    aic_buf_puts(o, "\"\n");
    if (p->hf_token[0]) {
        aic_buf_puts(o, "            - name: HF_TOKEN\n              value: ");
        yw_scalar(o, p->hf_token);
        aic_buf_puts(o, "\n");
    }
}
