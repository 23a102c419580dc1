/*
 * test_generate.c - deployment artifacts: for a dense (Qwen/Qwen3-32B) and a MoE
 * (Qwen/Qwen3-235B-A22B-FP8) configuration on trtllm, vllm and sglang, agg and disagg, every
 * YAML written parses; the manifest's services, replicas and GPU counts and the parallel sizes
 * in the launch arguments (and TRT-LLM engine YAMLs) read back equal to the row; run_N.sh
 * pass `bash -n`, are executable and never share a GPU; generator_config.yaml re-renders the
 * same manifest. The benchmark helpers run around the row's concurrency x replicas (not the
 * engines' max batch); --free-gpu-memory-fraction / --max-seq-len reach every engine config.
 * Failures (layout a backend cannot express, layout override, unknown key) leave no folder;
 * aic_generate_check gives the same verdict without writing. Naive sizing (tp x pp where the
 * power-of-two tp does not split the heads) and the support check.
 */
#include <dirent.h>
#include <libfyaml.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "aiconfigurator/generate.h"
#include "util/util.h"

static struct aic_model dense, moe;
static struct aic_system h200;
static char root[256];

static int setup(void **state)
{
    struct aic_error err = {0};
    (void)state;
    if (aic_model_load("Qwen/Qwen3-32B", NULL, &dense, &err) ||
        aic_model_load("Qwen/Qwen3-235B-A22B-FP8", NULL, &moe, &err) ||
        aic_system_load("h200_sxm", "default", &h200, &err)) {
        fprintf(stderr, "setup: %s\n", err.msg);
        return -1;
    }
    snprintf(root, sizeof(root), "/tmp/aic_test_generate_%d", (int)getpid());
    mkdir(root, 0755);
    return 0;
}

static int teardown(void **state)
{
    char cmd[300];
    (void)state;
    if (getenv("AIC_TEST_KEEP")) /* keep the generated folders for a look */
        return 0;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
    return system(cmd) == 0 ? 0 : -1;
}

/* ---- rows ------------------------------------------------------------------------------- */

static struct aic_layout L(int tp, int pp, int dp, int etp, int ep) {
    struct aic_layout l = {tp, pp, dp, etp, ep};
    return l;
}

static struct aic_search_row
agg_row(enum aic_backend b, struct aic_layout lay, int bs)
{
    struct aic_search_row r;
    memset(&r, 0, sizeof(r));
    r.exp = AIC_EXP_AGG;
    r.backend = b;
    r.lay = lay;
    r.bs = bs;
    r.workers = 1;
    r.q.gemm = r.q.moe = r.q.kv = r.q.fmha = AIC_Q_NONE;
    r.gpus = lay.tp * lay.pp * lay.dp;
    r.ttft_ms = 500;
    r.tpot_ms = 20;
    return r;
}

static struct aic_search_row disagg_row(enum aic_backend b, struct aic_layout p, int pbs, int pw,
                                        struct aic_layout d, int dbs, int dw)
{
    struct aic_search_row r = agg_row(b, p, pbs);
    r.exp = AIC_EXP_DISAGG;
    r.workers = pw;
    r.d_lay = d;
    r.d_bs = dbs;
    r.d_workers = dw;
    r.d_q = r.q;
    r.q.kv = AIC_Q_FP8;
    r.d_q.kv = AIC_Q_FP8;
    r.gpus = pw * p.tp * p.pp * p.dp + dw * d.tp * d.pp * d.dp;
    return r;
}

/* ---- YAML reading ------------------------------------------------------------------------- */

static struct fy_document *parse_file(const char *path)
{
    struct fy_parse_cfg cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.flags = FYPCF_QUIET;
    return fy_document_build_from_file(&cfg, path);
}

/* Loads every document of a file; returns the one whose kind is `kind` (others freed). */
static struct fy_document *doc_of_kind(const char *path, const char *kind, int *ndocs)
{
    struct fy_parse_cfg cfg;
    struct fy_parser *fyp;
    struct fy_document *doc, *found = NULL;
    char buf[64];

    memset(&cfg, 0, sizeof(cfg));
    cfg.flags = FYPCF_QUIET;
    fyp = fy_parser_create(&cfg);
    assert_non_null(fyp);
    assert_int_equal(fy_parser_set_input_file(fyp, path), 0);
    *ndocs = 0;
    while ((doc = fy_parse_load_document(fyp))) {
        (*ndocs)++;
        if (!found && fy_document_scanf(doc, "/kind %63s", buf) == 1 && !strcmp(buf, kind)) {
            found = doc;
            continue;
        }
        fy_parse_document_destroy(fyp, doc);
    }
    assert_false(fy_parser_get_stream_error(fyp));
    fy_parser_destroy(fyp);
    return found;
}

static const char *scalar(struct fy_node *base, const char *path, char *buf, size_t n)
{
    struct fy_node *x = fy_node_by_path(base, path, FY_NT, FYNWF_DONT_FOLLOW);
    size_t len;
    const char *s;
    if (!x || !fy_node_is_scalar(x) || !(s = fy_node_get_scalar(x, &len)))
        return NULL;
    snprintf(buf, n, "%.*s", (int)len, s);
    return buf;
}

static int int_at(struct fy_node *base, const char *path, int def)
{
    char buf[64];
    return scalar(base, path, buf, sizeof(buf)) ? atoi(buf) : def;
}

/* The worker's launch arguments as words: vLLM's args list, or the bash script's last line
 * (`exec python3 -m ...`) split on spaces with quotes removed. */
static int worker_words(struct fy_node *svc, char words[][160], int max)
{
    struct fy_node *args =
        fy_node_by_path(svc, "/extraPodSpec/mainContainer/args", FY_NT, FYNWF_DONT_FOLLOW);
    int n = 0;
    assert_non_null(args);
    assert_true(fy_node_is_sequence(args));
    if (fy_node_sequence_item_count(args) > 1) {
        void *it = NULL;
        struct fy_node *e;
        while ((e = fy_node_sequence_iterate(args, &it)) && n < max) {
            size_t len;
            const char *s = fy_node_get_scalar(e, &len);
            snprintf(words[n++], 160, "%.*s", (int)len, s);
        }
        return n;
    }
    {
        size_t len;
        const char *s = fy_node_get_scalar(fy_node_sequence_get_by_index(args, 0), &len);
        char *script = strndup(s, len), *exec = strstr(script, "exec python3"), *save = NULL, *t;
        assert_non_null(exec);
        for (t = strtok_r(exec, " \n", &save); t && n < max; t = strtok_r(NULL, " \n", &save)) {
            size_t l = strlen(t);
            if (l >= 2 && t[0] == '\'' && t[l - 1] == '\'') {
                t[l - 1] = 0;
                t++;
            }
            snprintf(words[n++], 160, "%s", t);
        }
        free(script);
        return n;
    }
}

static int flag_int(char words[][160], int n, const char *flag, int def)
{
    for (int i = 0; i + 1 < n; i++)
        if (!strcmp(words[i], flag))
            return atoi(words[i + 1]);
    return def;
}

static int has_flag(char words[][160], int n, const char *flag)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(words[i], flag))
            return 1;
    return 0;
}

/* The (tp, dp, moe_tp, moe_ep) a backend will run, as implied by its flags. */
static struct aic_layout implied(enum aic_backend b, int is_moe, char w[][160], int n,
                                 struct fy_document *engine)
{
    struct aic_layout l = {0, 1, 1, 1, 1};
    int tpf = flag_int(w, n, "--tensor-parallel-size", -1);
    l.pp = flag_int(w, n, "--pipeline-parallel-size", -1);
    if (b == AIC_BACKEND_VLLM) {
        l.tp = tpf;
        l.dp = flag_int(w, n, "--data-parallel-size", 1);
        l.moe_ep = has_flag(w, n, "--enable-expert-parallel") ? l.tp * l.dp : 1;
        l.moe_tp = is_moe ? l.tp * l.dp / l.moe_ep : 1;
    } else if (b == AIC_BACKEND_SGLANG) {
        l.dp = flag_int(w, n, "--data-parallel-size", 1);
        l.tp = has_flag(w, n, "--enable-dp-attention") ? tpf / l.dp : tpf;
        l.moe_ep = flag_int(w, n, "--expert-parallel-size", 1);
        l.moe_tp = is_moe ? tpf / l.moe_ep : 1;
        /* attention DP with pure expert parallelism launches DeepEP (the modeled regime) */
        assert_int_equal(has_flag(w, n, "--moe-a2a-backend") ||
                             has_flag(w, n, "--enable-deepep-moe"),
                         is_moe && l.dp > 1 && l.moe_tp == 1 && l.moe_ep > 1);
    } else {
        struct fy_node *r = fy_document_root(engine);
        char buf[16];
        int world = int_at(r, "/tensor_parallel_size", -1);
        int adp = scalar(r, "/enable_attention_dp", buf, sizeof(buf)) && !strcmp(buf, "true");
        assert_int_equal(world, tpf);
        assert_int_equal(int_at(r, "/pipeline_parallel_size", -1), l.pp);
        l.tp = adp ? 1 : world;
        l.dp = adp ? world : 1;
        if (is_moe) {
            l.moe_ep = int_at(r, "/moe_expert_parallel_size", -1);
            l.moe_tp = int_at(r, "/moe_tensor_parallel_size", -1);
            assert_int_equal(flag_int(w, n, "--expert-parallel-size", -1), l.moe_ep);
        }
    }
    return l;
}

/* ---- checks -------------------------------------------------------------------------------- */

static const char *svc_name(enum aic_backend b, int role)
{
    static const char *const n[3][3] = {
        {"TRTLLMWorker", "TRTLLMPrefillWorker", "TRTLLMDecodeWorker"},
        {"VllmWorker", "VllmPrefillWorker", "VllmDecodeWorker"},
        {"SGLangWorker", "SGLangPrefillWorker", "SGLangDecodeWorker"}};
    return n[b][role];
}

static void check_every_yaml_parses(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;
    assert_non_null(d);
    while ((e = readdir(d))) {
        size_t l = strlen(e->d_name);
        char path[600];
        int nd = 0;
        if (l < 5 || strcmp(e->d_name + l - 5, ".yaml"))
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        doc_of_kind(path, "-", &nd);
        if (nd < 1)
            fail_msg("%s does not parse", path);
        n++;
    }
    closedir(d);
    assert_true(n >= 2);
}

/* bash -n, +x, disjoint GPUs per node; returns the GPUs the scripts hand out. */
static int check_scripts(const char *dir, int gpn)
{
    int total = 0;
    for (int i = 0;; i++) {
        char path[600], cmd[700], line[8192];
        int used[64] = {0};
        struct stat st;
        FILE *f;
        snprintf(path, sizeof(path), "%s/run_%d.sh", dir, i);
        if (stat(path, &st)) {
            assert_true(i > 0);
            break;
        }
        assert_true(st.st_mode & S_IXUSR);
        snprintf(cmd, sizeof(cmd), "bash -n '%s'", path);
        if (system(cmd) != 0)
            fail_msg("bash -n %s failed", path);
        f = fopen(path, "r");
        assert_non_null(f);
        while (fgets(line, sizeof(line), f)) {
            char *p = strstr(line, "CUDA_VISIBLE_DEVICES=");
            if (!p || p != line)
                continue;
            p += strlen("CUDA_VISIBLE_DEVICES=");
            while (*p >= '0' && *p <= '9') {
                int g = (int)strtol(p, &p, 10);
                assert_true(g < gpn);
                assert_int_equal(used[g], 0);
                used[g] = 1;
                total++;
                if (*p == ',')
                    p++;
            }
        }
        fclose(f);
        if (i == 0) { /* frontend and trap on node 0 */
            snprintf(cmd, sizeof(cmd), "grep -q 'dynamo.frontend' '%s' && grep -q '^trap ' '%s'",
                     path, path);
            assert_int_equal(system(cmd), 0);
        }
    }
    return total;
}

/* The benchmark helpers: k8s_bench.yaml is a Job whose endpoint is the frontend service of
 * the deployment's DGD, bench_run.sh is valid bash, and both loop over the same ascending
 * concurrency levels starting 1 2 8. */
static void check_bench(const char *dir, const char *dgd_name)
{
    char path[600], buf[256], want[512], cmd[1400];
    int nd = 0;
    struct fy_document *job;
    struct fy_node *env;
    const char *levels = NULL;

    snprintf(path, sizeof(path), "%s/k8s_bench.yaml", dir);
    job = doc_of_kind(path, "Job", &nd);
    assert_non_null(job);
    snprintf(want, sizeof(want), "%s-benchmark", dgd_name);
    assert_string_equal(scalar(fy_document_root(job), "/metadata/name", buf, sizeof(buf)), want);
    env = fy_node_by_path(fy_document_root(job), "/spec/template/spec/containers/0/env", FY_NT,
                          FYNWF_DONT_FOLLOW);
    assert_non_null(env);
    for (int i = 0; i < fy_node_sequence_item_count(env); i++) {
        struct fy_node *e = fy_node_sequence_get_by_index(env, i);
        char name[64], val[256];
        scalar(e, "/name", name, sizeof(name));
        scalar(e, "/value", val, sizeof(val));
        if (!strcmp(name, "ENDPOINT")) {
            snprintf(want, sizeof(want), "http://%s-frontend.", dgd_name);
            assert_true(!strncmp(val, want, strlen(want)));
        }
        if (!strcmp(name, "LEVELS")) {
            static char lv[256];
            snprintf(lv, sizeof(lv), "%s", val);
            levels = lv;
        }
    }
    assert_non_null(levels);
    assert_true(!strncmp(levels, "1 2 8 ", 6));
    for (const char *q = levels; *q;) { /* ascending, no repeats */
        char *end;
        long a = strtol(q, &end, 10), b;
        if (!*end)
            break;
        b = strtol(end, NULL, 10);
        assert_true(b > a);
        q = end + 1;
    }
    fy_document_destroy(job);
    snprintf(cmd, sizeof(cmd),
             "bash -n '%1$s/bench_run.sh' && test -x '%1$s/bench_run.sh' && "
             "grep -q 'AICONFIGURATOR_BENCH_CONCURRENCY:-%2$s}' '%1$s/bench_run.sh'",
             dir, levels);
    assert_int_equal(system(cmd), 0);
}

/* Generates row into a fresh folder and checks it against the row. */
static void check_case(const struct aic_model *m, const struct aic_search_row *row, int total,
                       const char *tag)
{
    struct aic_gen_req req;
    struct aic_error err = {0};
    char dir[512], path[600], redir[512], buf[64];
    int is_moe = m->family == AIC_FAMILY_MOE || m->family == AIC_FAMILY_MLA_MOE;
    int disagg = row->exp == AIC_EXP_DISAGG, nd = 0, gpus_scripts = 0, expect_gpus = 0;
    struct fy_document *dgd;
    struct fy_node *services;

    aic_gen_req_init(&req);
    req.model = m;
    req.system = &h200;
    req.total_gpus = total;
    snprintf(dir, sizeof(dir), "%s/%s/%s", root, tag, aic_backend_name(row->backend));
    if (aic_generate_artifacts(&req, row, dir, &err))
        fail_msg("%s/%s: %s", tag, aic_backend_name(row->backend), err.msg);
    check_every_yaml_parses(dir);

    snprintf(path, sizeof(path), "%s/k8s_deploy.yaml", dir);
    dgd = doc_of_kind(path, "DynamoGraphDeployment", &nd);
    assert_non_null(dgd);
    assert_string_equal(scalar(fy_document_root(dgd), "/apiVersion", buf, sizeof(buf)),
                        "nvidia.com/v1alpha1");
    services = fy_node_by_path(fy_document_root(dgd), "/spec/services", FY_NT, FYNWF_DONT_FOLLOW);
    assert_non_null(services);
    assert_int_equal(fy_node_mapping_item_count(services), disagg ? 3 : 2);
    assert_non_null(fy_node_mapping_lookup_by_string(services, "Frontend", FY_NT));
    for (int i = 0; i < (disagg ? 2 : 1); i++) {
        int role = disagg ? 1 + i : 0;
        struct aic_layout lay = i ? row->d_lay : row->lay;
        int g = lay.tp * lay.pp * lay.dp;
        int per = disagg ? row->workers * row->lay.tp * row->lay.pp * row->lay.dp +
                               row->d_workers * row->d_lay.tp * row->d_lay.pp * row->d_lay.dp
                         : g;
        int reps = total / per, count = disagg ? reps * (i ? row->d_workers : row->workers) : reps;
        struct fy_node *svc =
            fy_node_mapping_lookup_by_string(services, svc_name(row->backend, role), FY_NT);
        char words[200][160];
        int n, nodes;
        struct fy_document *eng = NULL;
        struct aic_layout got;

        if (!svc)
            fail_msg("%s: no service %s", tag, svc_name(row->backend, role));
        assert_int_equal(int_at(svc, "/replicas", -1), count);
        nodes = int_at(svc, "/multinode/nodeCount", 1);
        assert_int_equal(int_at(svc, "/resources/limits/gpu", -1) * nodes, g);
        assert_int_equal(nodes, (g + 7) / 8);
        if (disagg)
            assert_string_equal(scalar(svc, "/subComponentType", buf, sizeof(buf)),
                                i ? "decode" : "prefill");
        n = worker_words(svc, words, 200);
        if (row->backend == AIC_BACKEND_TRTLLM) {
            snprintf(path, sizeof(path), "%s/%s_config.yaml", dir,
                     disagg ? (i ? "decode" : "prefill") : "agg");
            eng = parse_file(path);
            assert_non_null(eng);
        }
        got = implied(row->backend, is_moe, words, n, eng);
        assert_int_equal(got.tp, lay.tp);
        assert_int_equal(got.pp, lay.pp);
        assert_int_equal(got.dp, lay.dp);
        if (is_moe) {
            assert_int_equal(got.moe_tp, lay.moe_tp);
            assert_int_equal(got.moe_ep, lay.moe_ep);
        }
        if (eng)
            fy_document_destroy(eng);
        expect_gpus += count * g;
    }
    check_bench(dir, scalar(fy_document_root(dgd), "/metadata/name", buf, sizeof(buf)));
    fy_document_destroy(dgd);
    gpus_scripts = check_scripts(dir, 8);
    /* TRT-LLM multi-node workers start from one mpirun line (their other nodes have none) */
    if (row->backend != AIC_BACKEND_TRTLLM || (row->d_lay.tp * row->d_lay.dp <= 8))
        assert_int_equal(gpus_scripts, expect_gpus);

    /* generator_config.yaml re-renders the same manifest */
    snprintf(path, sizeof(path), "%s/generator_config.yaml", dir);
    snprintf(redir, sizeof(redir), "%s-rerender", dir);
    if (aic_generate_from_config(path, NULL, redir, &err))
        fail_msg("re-render %s: %s", tag, err.msg);
    {
        char cmd[1400];
        snprintf(cmd, sizeof(cmd),
                 "cmp -s '%s/k8s_deploy.yaml' '%s/k8s_deploy.yaml' && "
                 "cmp -s '%s/run_0.sh' '%s/run_0.sh'",
                 dir, redir, dir, redir);
        assert_int_equal(system(cmd), 0);
    }
}

static const enum aic_backend backends[] = {AIC_BACKEND_TRTLLM, AIC_BACKEND_VLLM,
                                            AIC_BACKEND_SGLANG};

static void test_dense_agg(void **state)
{
    (void)state;
    for (int b = 0; b < 3; b++) {
        struct aic_search_row r = agg_row(backends[b], L(4, 1, 1, 1, 1), 64);
        check_case(&dense, &r, 16, "dense_agg");
    }
}

static void test_dense_disagg(void **state)
{
    (void)state;
    for (int b = 0; b < 3; b++) {
        struct aic_search_row r =
            disagg_row(backends[b], L(2, 1, 1, 1, 1), 1, 2, L(4, 1, 1, 1, 1), 96, 1);
        check_case(&dense, &r, 16, "dense_disagg");
    }
}

static void test_moe_agg(void **state)
{
    (void)state;
    for (int b = 0; b < 3; b++) {
        /* DEP8: attention DP 8, experts over 8 GPUs */
        struct aic_search_row r = agg_row(backends[b], L(1, 1, 8, 1, 8), 32);
        check_case(&moe, &r, 16, "moe_agg_dep8");
        /* TP4 attention with 4-way MoE tensor parallel (no EP) */
        r = agg_row(backends[b], L(4, 1, 1, 4, 1), 64);
        check_case(&moe, &r, 8, "moe_agg_tp4");
    }
}

static void test_moe_disagg(void **state)
{
    (void)state;
    for (int b = 0; b < 3; b++) {
        /* prefill TEP4 x2, decode DEP16 spanning two nodes */
        struct aic_search_row r =
            disagg_row(backends[b], L(4, 1, 1, 1, 4), 2, 2, L(1, 1, 16, 1, 16), 64, 1);
        check_case(&moe, &r, 48, "moe_disagg");
    }
}

/* TensorRT-LLM's moe_config backend follows the GPU, the expert format and the layout. */
static void test_trtllm_moe_backend(void **state)
{
    static const struct {
        const char *model, *system;
        struct aic_layout lay;
        enum aic_quant moe_q;
        const char *want;
    } cases[] = {
        {"Qwen/Qwen3-235B-A22B-FP8", "h200_sxm", {4, 1, 1, 4, 1}, AIC_Q_NONE, "CUTLASS"},
        {"Qwen/Qwen3-235B-A22B-FP8", "b200_sxm", {4, 1, 1, 4, 1}, AIC_Q_NONE, "TRTLLM"},
        {"Qwen/Qwen3-235B-A22B-FP8", "b200_sxm", {4, 1, 1, 4, 1}, AIC_Q_BF16, "CUTLASS"},
        {"Qwen/Qwen3-235B-A22B-FP8", "b200_sxm", {1, 1, 16, 1, 16}, AIC_Q_NONE, "WIDEEP"},
        {"Qwen/Qwen3-235B-A22B-FP8", "gb200", {1, 1, 8, 1, 8}, AIC_Q_NONE, "WIDEEP"},
        {"Qwen/Qwen3-235B-A22B-FP8", "gb200", {4, 1, 1, 1, 4}, AIC_Q_NVFP4, "TRTLLM"},
        {"openai/gpt-oss-120b", "h200_sxm", {2, 1, 1, 2, 1}, AIC_Q_NONE, "TRITON"},
        {"openai/gpt-oss-120b", "b200_sxm", {2, 1, 1, 2, 1}, AIC_Q_NONE, "TRTLLM"},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct aic_model m;
        struct aic_system sys;
        struct aic_gen_req req;
        struct aic_error err = {0};
        struct aic_search_row r = agg_row(AIC_BACKEND_TRTLLM, cases[i].lay, 32);
        char dir[400], cmd[900];

        assert_int_equal(aic_model_load(cases[i].model, NULL, &m, &err), AIC_OK);
        assert_int_equal(aic_system_load(cases[i].system, "default", &sys, &err), AIC_OK);
        r.q.moe = cases[i].moe_q;
        aic_gen_req_init(&req);
        req.model = &m;
        req.system = &sys;
        req.total_gpus = r.gpus;
        snprintf(dir, sizeof(dir), "%s/moe_backend_%zu", root, i);
        if (aic_generate_artifacts(&req, &r, dir, &err))
            fail_msg("case %zu: %s", i, err.msg);
        snprintf(cmd, sizeof(cmd),
                 "grep -A1 '^moe_config:' %s/agg_config.yaml | grep -q 'backend: %s$'", dir,
                 cases[i].want);
        if (system(cmd) != 0)
            fail_msg("case %zu (%s on %s): want moe backend %s", i, cases[i].model, cases[i].system,
                     cases[i].want);
    }
}

/* ---- rules and versions ---------------------------------------------------------------------- */

static void test_rules_and_templates(void **state)
{
    struct aic_gen_req req;
    struct aic_error err = {0};
    struct aic_gencfg *cfg = aic_gencfg_new();
    struct aic_search_row r =
        disagg_row(AIC_BACKEND_VLLM, L(2, 1, 1, 1, 1), 1, 1, L(4, 1, 1, 1, 1), 96, 1);
    char dir[400], cmd[900];
    (void)state;

    aic_gen_req_init(&req);
    req.model = &dense;
    req.system = &h200;
    req.total_gpus = 6;
    req.template_version = "0.14.1"; /* Dynamo 0.9: --is-prefill-worker */
    snprintf(dir, sizeof(dir), "%s/rules/vllm_old", root);
    assert_int_equal(aic_generate_artifacts(&req, &r, dir, &err), AIC_OK);
    snprintf(
        cmd, sizeof(cmd),
        "grep -q -- '- --is-prefill-worker' %1$s/k8s_deploy.yaml && "
        "! grep -q -- '--disaggregation-mode' %1$s/k8s_deploy.yaml && "
        "grep -q 'vllm-runtime:0.9.0' %1$s/k8s_deploy.yaml && "
        "grep -A1 -- '- --max-num-batched-tokens' %1$s/k8s_deploy.yaml | grep -q '\"5500\"' && "
        "grep -A1 -- '- --max-num-seqs' %1$s/k8s_deploy.yaml | grep -q '\"512\"' && "
        "grep -A1 -- '- --kv-cache-dtype' %1$s/k8s_deploy.yaml | grep -q 'fp8'",
        dir);
    assert_int_equal(system(cmd), 0);

    /* TRT-LLM: batch = bs, max_num_tokens rounded to 32, old template keys for 0.20 */
    r = agg_row(AIC_BACKEND_TRTLLM, L(2, 1, 1, 1, 1), 100);
    req.total_gpus = 2;
    req.template_version = "0.20.0";
    assert_int_equal(aic_gencfg_set(cfg, "Workers.agg.kv_cache_free_gpu_memory_fraction=0.7", &err),
                     AIC_OK);
    assert_int_equal(aic_gencfg_set(cfg, "K8sConfig.k8s_namespace=prod", &err), AIC_OK);
    assert_int_equal(aic_gencfg_set(cfg, "K8sConfig.k8s_pvc_name=model-cache", &err), AIC_OK);
    assert_int_equal(aic_gencfg_set(cfg, "K8sConfig.extra_env=[FOO=on]", &err), AIC_OK);
    req.cfg = cfg;
    snprintf(dir, sizeof(dir), "%s/rules/trt", root);
    assert_int_equal(aic_generate_artifacts(&req, &r, dir, &err), AIC_OK);
    snprintf(cmd, sizeof(cmd),
             "grep -q '^max_batch_size: 100$' %1$s/agg_config.yaml && "
             "grep -q '^max_num_tokens: 4608$' %1$s/agg_config.yaml && "
             "grep -q '^use_cuda_graph: true' %1$s/agg_config.yaml && "
             "grep -q 'free_gpu_memory_fraction: 0.7' %1$s/agg_config.yaml && "
             "grep -q 'namespace: prod' %1$s/k8s_deploy.yaml && "
             "grep -q 'claimName: model-cache' %1$s/k8s_deploy.yaml && "
             "grep -q 'value: \"on\"' %1$s/k8s_deploy.yaml",
             dir);
    assert_int_equal(system(cmd), 0);
    aic_gencfg_free(cfg);
}

/* ---- failures ------------------------------------------------------------------------------ */

static void assert_no_folder(const char *parent)
{
    DIR *d = opendir(parent);
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            fail_msg("left behind: %s/%s", parent, e->d_name);
    if (d)
        closedir(d);
}

static void test_failures_leave_nothing(void **state)
{
    struct aic_gen_req req;
    struct aic_error err = {0};
    struct aic_gencfg *cfg = aic_gencfg_new();
    struct aic_search_row r;
    char parent[400], dir[500];
    (void)state;

    snprintf(parent, sizeof(parent), "%s/fail", root);
    mkdir(parent, 0755);
    snprintf(dir, sizeof(dir), "%s/sub/top1", parent);
    aic_gen_req_init(&req);
    req.model = &moe;
    req.system = &h200;
    req.total_gpus = 8;

    /* vLLM cannot run moe_tp 2 x moe_ep 4 */
    r = agg_row(AIC_BACKEND_VLLM, L(8, 1, 1, 2, 4), 64);
    assert_int_equal(aic_generate_artifacts(&req, &r, dir, &err), AIC_ERR_USAGE);
    assert_non_null(strstr(err.msg, "vLLM"));
    assert_no_folder(parent);

    /* MoE layout that does not multiply out */
    r = agg_row(AIC_BACKEND_SGLANG, L(8, 1, 1, 1, 4), 64);
    assert_int_equal(aic_generate_artifacts(&req, &r, dir, &err), AIC_ERR_USAGE);
    assert_no_folder(parent);

    /* layout override */
    r = agg_row(AIC_BACKEND_TRTLLM, L(8, 1, 1, 1, 8), 64);
    assert_int_equal(aic_gencfg_set(cfg, "Workers.agg.moe_expert_parallel_size=4", &err), AIC_OK);
    req.cfg = cfg;
    assert_int_equal(aic_generate_artifacts(&req, &r, dir, &err), AIC_ERR_USAGE);
    assert_non_null(strstr(err.msg, "disagrees"));
    assert_no_folder(parent);
    aic_gencfg_free(cfg);

    /* budget smaller than a replica */
    req.cfg = NULL;
    req.total_gpus = 4;
    assert_int_equal(aic_generate_artifacts(&req, &r, dir, &err), AIC_ERR_USAGE);
    assert_no_folder(parent);
}

/* ---- benchmark concurrency and engine limits ------------------------------------------------ */

/* Text of dir/name (static buffer, "" when missing). */
static const char *slurp(const char *dir, const char *name)
{
    static char buf[65536];
    char path[600];
    FILE *f;
    size_t n = 0;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    if ((f = fopen(path, "r"))) {
        n = fread(buf, 1, sizeof(buf) - 1, f);
        fclose(f);
    }
    buf[n] = 0;
    return buf;
}

/* The default concurrency list of bench_run.sh in dir, checked equal to k8s_bench.yaml's. */
static const char *bench_levels(const char *dir)
{
    static char lv[256];
    const char *key = "AICONFIGURATOR_BENCH_CONCURRENCY:-",
               *s = strstr(slurp(dir, "bench_run.sh"), key);
    char want[300];

    assert_non_null(s);
    s += strlen(key);
    snprintf(lv, sizeof(lv), "%.*s", (int)strcspn(s, "}"), s);
    snprintf(want, sizeof(want), "- name: LEVELS\n              value: \"%s\"\n", lv);
    assert_non_null(strstr(slurp(dir, "k8s_bench.yaml"), want));
    return lv;
}

static void gen_ok(const struct aic_gen_req *req, const struct aic_search_row *r, const char *dir)
{
    struct aic_error err = {0};
    if (aic_generate_artifacts(req, r, dir, &err))
        fail_msg("%s: %s", dir, err.msg);
}

/* bench_run.sh and k8s_bench.yaml run around the row's concurrency x replicas (0.95x, 1x,
 * 1.05x), not the engines' max batch, which keeps its own rule. */
static void test_bench_concurrency(void **state)
{
    struct aic_gen_req req;
    struct aic_error err = {0};
    struct aic_search_row r = agg_row(AIC_BACKEND_VLLM, L(2, 1, 1, 1, 1), 24);
    struct aic_gencfg *cfg = aic_gencfg_new();
    char dir[400], redir[400], cmd[1400];
    (void)state;

    aic_gen_req_init(&req);
    req.model = &dense;
    req.system = &h200;
    req.total_gpus = 4; /* 2 replicas of tp2 */
    r.concurrency = 24;
    snprintf(dir, sizeof(dir), "%s/bench/vllm_agg", root);
    gen_ok(&req, &r, dir);
    assert_string_equal(bench_levels(dir), "1 2 8 16 32 46 48 50 64 128");
    assert_non_null(
        strstr(slurp(dir, "generator_config.yaml"), "BenchConfig:\n  estimated_concurrency: 48\n"));
    assert_non_null(strstr(slurp(dir, "bench_run.sh"), "# Estimated concurrency: 48 "));
    assert_non_null(
        strstr(slurp(dir, "k8s_deploy.yaml"), "- --max-num-seqs\n            - \"512\""));

    /* a generator_config.yaml without BenchConfig (older files): the simulated batch x workers */
    snprintf(redir, sizeof(redir), "%s/bench/legacy", root);
    snprintf(cmd, sizeof(cmd),
             "grep -v -e '^BenchConfig:' -e 'estimated_concurrency' %s/generator_config.yaml "
             ">%s/bench/legacy.yaml",
             dir, root);
    assert_int_equal(system(cmd), 0);
    snprintf(cmd, sizeof(cmd), "%s/bench/legacy.yaml", root);
    assert_int_equal(aic_generate_from_config(cmd, NULL, redir, &err), AIC_OK);
    assert_string_equal(bench_levels(redir), "1 2 8 16 32 46 48 50 64 128");

    /* the user's BenchConfig.estimated_concurrency wins */
    assert_int_equal(aic_gencfg_set(cfg, "BenchConfig.estimated_concurrency=1000", &err), AIC_OK);
    req.cfg = cfg;
    snprintf(dir, sizeof(dir), "%s/bench/vllm_set", root);
    gen_ok(&req, &r, dir);
    assert_string_equal(bench_levels(dir), "1 2 8 16 32 64 128 950 1000 1050");
    req.cfg = NULL;
    aic_gencfg_free(cfg);

    /* TRT-LLM disagg: decode bs 32 x dp 1 x 2 workers = 64 per replica, 2 replicas */
    r = disagg_row(AIC_BACKEND_TRTLLM, L(1, 1, 1, 1, 1), 1, 1, L(2, 1, 1, 1, 1), 32, 2);
    r.concurrency = 64;
    req.total_gpus = 10;
    snprintf(dir, sizeof(dir), "%s/bench/trt_disagg", root);
    gen_ok(&req, &r, dir);
    assert_string_equal(bench_levels(dir), "1 2 8 16 32 64 122 128 134");
    assert_non_null(strstr(slurp(dir, "decode_config.yaml"), "max_batch_size: 32\n"));

    /* no estimate (the naive configuration of cli generate): its batch x pp x dp x replicas */
    r = agg_row(AIC_BACKEND_SGLANG, L(1, 1, 1, 1, 1), 100);
    req.total_gpus = 3;
    snprintf(dir, sizeof(dir), "%s/bench/sglang_naive", root);
    gen_ok(&req, &r, dir);
    assert_string_equal(bench_levels(dir), "1 2 8 16 32 64 128 285 300 315");
    assert_non_null(strstr(slurp(dir, "k8s_deploy.yaml"), "--max-running-requests 512 "));
}

/* --free-gpu-memory-fraction / --max-seq-len of the request reach every worker in the
 * backend's spelling; without them the defaults stay. */
static void test_engine_limits(void **state)
{
    struct aic_gen_req req;
    struct aic_search_row r = agg_row(AIC_BACKEND_TRTLLM, L(2, 1, 1, 1, 1), 64);
    char dir[400];
    const char *t;
    (void)state;

    aic_gen_req_init(&req); /* isl 4000, osl 1000 */
    req.model = &dense;
    req.system = &h200;
    req.total_gpus = 2;
    snprintf(dir, sizeof(dir), "%s/limits/trt_default", root);
    gen_ok(&req, &r, dir);
    t = slurp(dir, "agg_config.yaml");
    assert_non_null(strstr(t, "\nmax_seq_len: 5500\n"));
    assert_non_null(strstr(t, "  free_gpu_memory_fraction: 0.8\n"));

    req.free_mem_fraction = 0.65;
    req.max_seq_len = 9000;
    snprintf(dir, sizeof(dir), "%s/limits/trt", root);
    gen_ok(&req, &r, dir);
    t = slurp(dir, "agg_config.yaml");
    assert_non_null(strstr(t, "\nmax_seq_len: 9000\n"));
    assert_non_null(strstr(t, "  free_gpu_memory_fraction: 0.65\n"));
    assert_non_null(strstr(slurp(dir, "generator_config.yaml"),
                           "    kv_cache_free_gpu_memory_fraction: 0.65\n"));

    r = disagg_row(AIC_BACKEND_VLLM, L(1, 1, 1, 1, 1), 1, 1, L(2, 1, 1, 1, 1), 32, 1);
    req.total_gpus = 3;
    snprintf(dir, sizeof(dir), "%s/limits/vllm", root);
    gen_ok(&req, &r, dir);
    t = slurp(dir, "k8s_deploy.yaml");
    for (int i = 0; i < 2; i++) { /* prefill and decode */
        assert_non_null(t = strstr(t, "- --max-model-len\n            - \"9000\"\n"
                                      "            - --gpu-memory-utilization\n"
                                      "            - \"0.65\"\n"));
        t++;
    }

    r = agg_row(AIC_BACKEND_SGLANG, L(2, 1, 1, 1, 1), 64);
    req.total_gpus = 2;
    snprintf(dir, sizeof(dir), "%s/limits/sglang", root);
    gen_ok(&req, &r, dir);
    assert_non_null(
        strstr(slurp(dir, "k8s_deploy.yaml"), "--context-length 9000 --mem-fraction-static 0.65 "));
    req.free_mem_fraction = 0;
    req.max_seq_len = 0;
    snprintf(dir, sizeof(dir), "%s/limits/sglang_default", root);
    gen_ok(&req, &r, dir);
    t = slurp(dir, "k8s_deploy.yaml");
    assert_non_null(strstr(t, "--context-length 6500 "));
    assert_null(strstr(t, "--mem-fraction-static"));
}

/* aic_generate_check: the generator's verdict on a row without writing anything. */
static void test_check(void **state)
{
    struct aic_gen_req req;
    struct aic_error err = {0};
    struct aic_gencfg *cfg = aic_gencfg_new();
    struct aic_search_row r = agg_row(AIC_BACKEND_VLLM, L(8, 1, 1, 2, 4), 64);
    char parent[400];
    (void)state;

    snprintf(parent, sizeof(parent), "%s/check", root);
    mkdir(parent, 0755);
    aic_gen_req_init(&req);
    req.model = &moe;
    req.system = &h200;
    req.total_gpus = 8;
    assert_int_equal(aic_generate_check(&req, &r, &err), AIC_ERR_USAGE);
    assert_non_null(strstr(err.msg, "vLLM cannot run moe_tp 2 with moe_ep 4"));
    r = agg_row(AIC_BACKEND_VLLM, L(8, 1, 1, 1, 8), 64);
    assert_int_equal(aic_generate_check(&req, &r, &err), AIC_OK);
    assert_int_equal(aic_gencfg_set(cfg, "Workers.agg.tensor_parallel_size=4", &err), AIC_OK);
    req.cfg = cfg;
    assert_int_equal(aic_generate_check(&req, &r, &err), AIC_ERR_USAGE);
    assert_non_null(strstr(err.msg, "tensor_parallel_size = 4 disagrees"));
    req.cfg = NULL;
    r.replicas = 20000; /* more workers than the generator writes */
    assert_int_equal(aic_generate_check(&req, &r, &err), AIC_ERR_USAGE);
    assert_non_null(strstr(err.msg, "WorkerConfig.agg_workers must be between 0 and 16384"));
    assert_no_folder(parent);
    aic_gencfg_free(cfg);
}

static void test_unknown_keys(void **state)
{
    struct aic_gencfg *cfg = aic_gencfg_new();
    struct aic_error err = {0};
    char path[400];
    FILE *f;
    (void)state;

    assert_int_equal(aic_gencfg_set(cfg, "K8sConfig.k8s_namespaces=x", &err), AIC_ERR_USAGE);
    assert_non_null(strstr(err.msg, "k8s_namespace"));
    assert_int_equal(aic_gencfg_set(cfg, "K8s.k8s_namespace=x", &err), AIC_ERR_USAGE);
    assert_non_null(strstr(err.msg, "K8sConfig"));
    assert_int_equal(aic_gencfg_set(cfg, "Workers.mixed.max_batch_size=4", &err), AIC_ERR_USAGE);
    assert_int_equal(aic_gencfg_set(cfg, "Workers.decode.max_batch_size=many", &err),
                     AIC_ERR_USAGE);
    assert_int_equal(aic_gencfg_set(cfg, "Workers.decode.cuda_graph_batch_sizes=[1, 2, 8]", &err),
                     AIC_OK);
    assert_string_equal(aic_gencfg_get(cfg, "Workers.decode", "cuda_graph_batch_sizes"), "1,2,8");
    assert_int_equal(aic_gencfg_set(cfg, "DynConfig.enable_router=yes", &err), AIC_OK);
    assert_string_equal(aic_gencfg_get(cfg, "DynConfig", "enable_router"), "true");

    snprintf(path, sizeof(path), "%s/bad_gen.yaml", root);
    f = fopen(path, "w");
    fputs("ServiceConfig:\n  model_path: /models/x\nNodeConfig:\n  gpus: 4\n", f);
    fclose(f);
    assert_int_equal(aic_gencfg_load_file(cfg, path, &err), AIC_ERR_USAGE);
    assert_non_null(strstr(err.msg, "num_gpus_per_node"));
    aic_gencfg_free(cfg);
}

static void test_help(void **state)
{
    char *a = aic_gen_help("deploy", -1), *b = aic_gen_help("backend", AIC_BACKEND_VLLM);
    (void)state;
    assert_non_null(a);
    assert_non_null(strstr(a, "K8sConfig:"));
    assert_non_null(strstr(a, "k8s_namespace: dynamo"));
    assert_non_null(b);
    assert_non_null(strstr(b, "--max-num-seqs"));
    assert_null(strstr(b, "--max-running-requests"));
    assert_null(aic_gen_help("nope", -1));
    free(a);
    free(b);
}

/* ---- naive and support --------------------------------------------------------------------- */

static void test_naive(void **state)
{
    double bytes;
    struct aic_system h100;
    struct aic_search_row r;
    struct aic_naive_info ni;
    struct aic_error err = {0};
    (void)state;

    assert_int_equal(aic_system_load("h100_sxm", "default", &h100, &err), AIC_OK);
    /* Qwen3-32B: 32.76 B params (GQA projections, untied LM head) -> 61.02 GiB bf16 */
    assert_int_equal(aic_naive_weight_bytes(&dense, &bytes, &err), AIC_OK);
    assert_float_equal(bytes / (1 << 30), 61.02, 0.01);
    assert_int_equal(aic_generate_naive(&dense, &h200, AIC_BACKEND_TRTLLM, 8, &r, &ni, &err), 0);
    assert_int_equal(ni.tp, 1);
    assert_int_equal(r.replicas, 8);
    assert_int_equal(aic_generate_naive(&dense, &h100, AIC_BACKEND_VLLM, 8, &r, &ni, &err), 0);
    assert_int_equal(r.lay.tp, 2);
    assert_int_equal(r.replicas, 4);
    /* Qwen3-235B: 8 x H200 fits at tp 8 (MoE as moe_tp 8, ep 1); 8 x H100 does not */
    assert_int_equal(aic_generate_naive(&moe, &h200, AIC_BACKEND_TRTLLM, 8, &r, &ni, &err), 0);
    assert_int_equal(r.lay.tp, 8);
    assert_int_equal(r.lay.moe_tp, 8);
    assert_int_equal(r.lay.moe_ep, 1);
    assert_int_equal(aic_generate_naive(&moe, &h100, AIC_BACKEND_TRTLLM, 8, &r, &ni, &err),
                     AIC_ERR_OOM);
    assert_non_null(strstr(err.msg, "--total-gpus"));
    assert_int_equal(aic_generate_naive(&moe, &h100, AIC_BACKEND_TRTLLM, 16, &r, &ni, &err), 0);
    assert_int_equal(r.lay.tp, 16);
    assert_int_equal(aic_generate_node_count(&r, 8, 16), 2);
}

/* The naive sizing counts the weights as the engine does: the dense layers of an MoE model as
 * dense MLPs (AIConfigurator's formula makes all of them MoE layers), tied embeddings once.
 * Published sizes: Maverick 400 B (24 of 48 layers dense; the formula gave 780 B), DeepSeek-V3
 * 671 B without its MTP layer (3 dense layers), Llama 3.2 1B 1.24 B (tied). */
static void test_naive_weights(void **state)
{
    static const struct {
        const char *id;
        double params_b; /* bf16 bytes / 2, in billions */
        int tp_h200;     /* the naive tp on 8 x H200 or more (0: needs more than 64 GPUs) */
    } cases[] = {
        {"meta-llama/Llama-4-Maverick-17B-128E-Instruct", 400.71, 8},
        {"deepseek-ai/DeepSeek-V3", 671.03, 16},
        {"meta-llama/Llama-3.2-1B", 1.2357, 1},
        {"meta-llama/Llama-3.1-405B", 405.85, 16},
    };
    struct aic_model m;
    struct aic_search_row r;
    struct aic_naive_info ni;
    struct aic_error err = {0};
    double bytes;
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(aic_model_load(cases[i].id, NULL, &m, &err), AIC_OK);
        assert_int_equal(aic_naive_weight_bytes(&m, &bytes, &err), AIC_OK);
        assert_float_equal(bytes / 2e9, cases[i].params_b, cases[i].params_b * 1e-4);
        assert_int_equal(aic_generate_naive(&m, &h200, AIC_BACKEND_TRTLLM, 64, &r, &ni, &err),
                         AIC_OK);
        assert_float_equal(ni.weight_bytes_bf16, bytes, 0);
        assert_int_equal(r.lay.tp, cases[i].tp_h200);
    }
}

/* The naive GPU count as tp where it splits the heads (Llama-3.1-405B: 128 heads, 8 KV heads,
 * tp 16 on H100), else tp halved and pp doubled: Maverick's 40 heads on H100 need 16 GPUs,
 * which AIConfigurator emits as tp 16 (no backend starts it); here tp 8 pp 2, a layout the
 * engine accepts. */
static void test_naive_pipeline(void **state)
{
    struct aic_system h100;
    struct aic_model mav, big;
    struct aic_search_row r;
    struct aic_naive_info ni;
    struct aic_perfdb *db = NULL;
    struct aic_worker w;
    struct aic_worker_opts opts;
    struct aic_error err = {0};
    (void)state;

    assert_int_equal(aic_system_load("h100_sxm", "default", &h100, &err), AIC_OK);
    assert_int_equal(
        aic_model_load("meta-llama/Llama-4-Maverick-17B-128E-Instruct", NULL, &mav, &err), AIC_OK);
    assert_false(aic_tp_splits_heads(&mav, 16));
    assert_true(aic_tp_splits_heads(&mav, 8));
    assert_int_equal(aic_generate_naive(&mav, &h100, AIC_BACKEND_TRTLLM, 64, &r, &ni, &err),
                     AIC_OK);
    assert_int_equal(ni.tp, 8);
    assert_int_equal(ni.pp, 2);
    assert_int_equal(ni.replicas, 4);
    assert_int_equal(r.lay.tp, 8);
    assert_int_equal(r.lay.pp, 2);
    assert_int_equal(r.lay.moe_tp, 8);
    assert_int_equal(r.lay.moe_ep, 1);
    assert_int_equal(r.gpus, 16);
    assert_int_equal(r.replicas, 4);
    assert_int_equal(aic_perfdb_open(&h100, AIC_BACKEND_TRTLLM, NULL, AIC_DB_SOL, &db, &err),
                     AIC_OK);
    memset(&opts, 0, sizeof(opts));
    opts.quant = r.q;
    assert_int_equal(aic_worker_init(&w, &mav, db, r.lay, &opts, &err), AIC_OK);
    assert_int_equal(aic_worker_gpus(&w), 16);
    aic_worker_release(&w);
    aic_perfdb_free(db);
    /* fewer GPUs than tp x pp -> the budget error names GPUs per worker */
    assert_int_equal(aic_generate_naive(&mav, &h100, AIC_BACKEND_TRTLLM, 8, &r, &ni, &err),
                     AIC_ERR_OOM);
    assert_non_null(strstr(err.msg, "16 GPUs per worker (tp x pp)"));
    /* a power-of-two tp that already splits the heads is kept, pp 1 */
    assert_int_equal(aic_model_load("meta-llama/Llama-3.1-405B", NULL, &big, &err), AIC_OK);
    assert_int_equal(aic_generate_naive(&big, &h100, AIC_BACKEND_TRTLLM, 64, &r, &ni, &err),
                     AIC_OK);
    assert_int_equal(ni.tp, 16);
    assert_int_equal(ni.pp, 1);
    assert_int_equal(r.lay.pp, 1);
    assert_int_equal(r.replicas, 4);
}

static void test_support(void **state)
{
    const char *db = getenv("AIC_TEST_PERFDB");
    struct aic_support s;
    struct aic_error err = {0};
    (void)state;

    if (!db || !aic_is_dir(db))
        skip();
    assert_int_equal(aic_support_check(&dense, "h200_sxm", AIC_BACKEND_TRTLLM, NULL, db, &s, &err),
                     AIC_OK);
    assert_true(s.agg && s.disagg);
    assert_string_equal(s.version, "1.3.0rc23");
    /* 235B fp8 (~240 GB) fits one 8 x 80 GiB node; bf16 235B would not fit 8 x A100 */
    assert_int_equal(aic_support_check(&moe, "h100_sxm", AIC_BACKEND_VLLM, NULL, db, &s, &err),
                     AIC_OK);
    assert_true(s.agg);
    assert_int_equal(aic_support_check(&dense, "h200_sxm", AIC_BACKEND_VLLM, "9.9.9", db, &s, &err),
                     AIC_OK);
    assert_true(s.no_data && !s.agg);
    assert_int_equal(aic_support_check(&dense, "no_such", AIC_BACKEND_VLLM, NULL, db, &s, &err),
                     AIC_ERR_USAGE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dense_agg),
        cmocka_unit_test(test_dense_disagg),
        cmocka_unit_test(test_moe_agg),
        cmocka_unit_test(test_moe_disagg),
        cmocka_unit_test(test_trtllm_moe_backend),
        cmocka_unit_test(test_rules_and_templates),
        cmocka_unit_test(test_failures_leave_nothing),
        cmocka_unit_test(test_bench_concurrency),
        cmocka_unit_test(test_engine_limits),
        cmocka_unit_test(test_check),
        cmocka_unit_test(test_unknown_keys),
        cmocka_unit_test(test_help),
        cmocka_unit_test(test_naive),
        cmocka_unit_test(test_naive_weights),
        cmocka_unit_test(test_naive_pipeline),
        cmocka_unit_test(test_support),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
