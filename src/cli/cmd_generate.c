/*
 * cmd_generate.c - `aiconfigurator cli generate`: the naive configuration (no sweep) and its
 * deployment artifacts, or a re-render of a saved generator_config.yaml.
 *
 *   cli generate --model_path M --total_gpus N --system S [--backend B] [--save_dir DIR]
 *   cli generate --generator-config DIR/generator_config.yaml --save_dir NEW_DIR
 *   cli generate --generator-help [deploy|backend]
 *
 * Generator options shared with the sweep modes: --generator-config FILE, repeatable
 * --generator-set Section.key=value, --generated_config_version V, --dynamo-version V, and
 * the cluster shortcuts --namespace, --model-cache NAME[:MOUNT[:SUBPATH]], --transport,
 * --image-pull-secret (they win over --generator-set); they live in cli_gen.c, shared with
 * `cli default`, `cli recommend` and `cli exp`.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "aiconfigurator/generate.h"
#include "cli/cli.h"
#include "cli/cli_gen.h"

struct gen_opts {
    const char *model, *system, *backend_version, *save_dir;
    int backend, total_gpus, isl, osl, prefix;
    struct cli_gen_opts g; /* generator flags (cli_gen.c) */
};

static const char *const backend_choices[] = {"trtllm", "vllm", "sglang", NULL};

#define O(f) offsetof(struct gen_opts, f)
static const struct cli_opt gen_table[] = {
    {"model-path", "model hf-id", CLI_STRING, O(model), 0, 0, NULL, "ID|DIR",
     "Hugging Face id, local directory with config.json, or legacy name (required)"},
    {"total-gpus", NULL, CLI_INT, O(total_gpus), 1, 1e6, NULL, "N", "GPU budget (required)"},
    {"system", NULL, CLI_STRING, O(system), 0, 0, NULL, "NAME",
     "GPU system, e.g. h200_sxm (required)"},
    {"backend", NULL, CLI_ENUM, O(backend), 0, 0, backend_choices, NULL,
     "serving framework (default trtllm)"},
    {"backend-version", "perf-db-version", CLI_STRING, O(backend_version), 0, 0, NULL, "VER",
     "backend version (default: newest perf data for the system)"},
    {"save-dir", NULL, CLI_STRING, O(save_dir), 0, 0, NULL, "DIR",
     "where to write (default ./output)"},
    {"isl", NULL, CLI_INT, O(isl), 1, 1e7, NULL, "N", "input tokens per request (default 4000)"},
    {"osl", NULL, CLI_INT, O(osl), 1, 1e7, NULL, "N", "output tokens per request (default 1000)"},
    {"prefix", NULL, CLI_INT, O(prefix), 0, 1e7, NULL, "N",
     "cached prefix tokens (default 0; > 0 enables the KV router)"},
    {0},
};
#undef O

static const char gen_summary[] =
    "Writes a naive configuration (smallest power-of-two TP, or TP x PP where that TP does not "
    "split the heads, that holds the model; replicas filling the GPUs) "
    "and its deployment artifacts, without a sweep. Extra: --generator-set Section.key=value "
    "(repeatable), --generator-help [deploy|backend].";

static void list_files(const char *dir)
{
    char cmd[64];
    for (int i = 0;; i++) {
        char path[2048];
        snprintf(cmd, sizeof(cmd), "run_%d.sh", i);
        snprintf(path, sizeof(path), "%s/%s", dir, cmd);
        if (access(path, F_OK))
            break;
        printf("  - %s\n", cmd);
    }
    static const char *const files[] = {
        "k8s_deploy.yaml",       "agg_config.yaml", "prefill_config.yaml", "decode_config.yaml",
        "generator_config.yaml", "bench_run.sh",    "k8s_bench.yaml",      NULL};
    for (int i = 0; files[i]; i++) {
        char path[2048];
        snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
        if (!access(path, F_OK))
            printf("  - %s\n", files[i]);
    }
}

/* The value of an integer key in the generator_config.yaml written into dir (def when it
 * cannot be read), so that the summary shows what the artifacts hold after the overrides. */
static int written_int(const char *dir, const char *sec, const char *key, int def)
{
    char path[2048];
    struct aic_gencfg *c = aic_gencfg_new();
    struct aic_error err = {0};
    const char *v;
    int out = def;

    snprintf(path, sizeof(path), "%s/generator_config.yaml", dir);
    if (c && !aic_gencfg_load_file(c, path, &err) && (v = aic_gencfg_get(c, sec, key)) && *v)
        out = atoi(v);
    aic_gencfg_free(c);
    return out;
}

static void summary(const struct cli_env *env, const struct aic_model *m, const struct gen_opts *o,
                    const char *version, const struct aic_naive_info *ni, const char *dir)
{
    const char *bold = cli_color(env, "bold"), *rst = cli_color(env, "reset");
    const char *yel = cli_color(env, "yellow");
    int reps = written_int(dir, "WorkerConfig", "agg_workers", ni->replicas);
    int bs = written_int(dir, "Workers.agg", "max_batch_size", 128);
    int per = ni->tp * ni->pp;
    long used = (long)reps * per;
    printf("%s============================================================%s\n", bold, rst);
    printf("  %sNaive Configuration Generated Successfully%s\n", bold, rst);
    printf("%s============================================================%s\n", bold, rst);
    printf("  Model:           %s\n", m->id);
    printf("  System:          %s\n", o->system);
    printf("  Backend:         %s (%s)\n", backend_choices[o->backend], version);
    printf("  Total GPUs:      %d (using %ld)\n", o->total_gpus, used);
    printf("  Parallelism:     TP=%d, PP=%d\n", ni->tp, ni->pp);
    printf("  Replicas:        %d (each using %d GPUs)\n", reps, per);
    printf("  Max Batch Size:  %d\n", bs);
    printf("  Output:          %s\n", dir);
    printf("------------------------------------------------------------\n");
    printf("  Generated files:\n");
    list_files(dir);
    printf("%s============================================================%s\n", bold, rst);
    if (used > o->total_gpus)
        printf("%sWARNING: WorkerConfig.agg_workers = %d needs %ld GPUs, more than --total-gpus "
               "%d.%s\n",
               yel, reps, used, o->total_gpus, rst);
    printf("%sWARNING: this is a NAIVE configuration: the smallest power-of-two GPU count\n"
           "that holds 1.5x the bf16 weights (tensor parallel, pipeline stages where that TP\n"
           "does not split the attention heads), with no memory validation and no performance\n"
           "optimization. For production, run `aiconfigurator cli default` to search for the\n"
           "best configuration.%s\n",
           yel, rst);
    printf("To deploy, run the generated shell script or apply the k8s manifest.\n");
}

/* A folder-name-safe form of a model id: a local directory becomes its basename (as the
 * search's --save-dir names it), '/' and anything but [A-Za-z0-9_.-] become '_'. */
static void sanitize(const char *in, char *out, size_t n)
{
    size_t j = 0, len;
    char tmp[1024];

    if (in[0] == '/' || in[0] == '.') {
        const char *slash;
        snprintf(tmp, sizeof(tmp), "%s", in);
        len = strlen(tmp);
        while (len > 1 && tmp[len - 1] == '/')
            tmp[--len] = 0;
        slash = strrchr(tmp, '/');
        in = slash && slash[1] ? slash + 1 : tmp;
    }
    for (; *in && j + 1 < n; in++) {
        char c = *in;
        int ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                 c == '_' || c == '.' || c == '-';
        out[j++] = ok ? c : '_';
    }
    out[j] = 0;
}

static int rerender(struct cli_env *env, const struct gen_opts *o)
{
    struct aic_gencfg *cfg = NULL;
    struct aic_error err = {0};
    int rc;

    if (!o->save_dir)
        return cli_error(env, 1,
                         "re-rendering --generator-config needs --save-dir NEW_DIR "
                         "(or give --model-path to generate a naive configuration)");
    rc = cli_gen_build(env, &o->g, 0, &cfg);
    if (rc == CLI_OK && aic_generate_from_config(o->g.gen_config, cfg, o->save_dir, &err))
        rc = cli_lib_error(env, &err);
    aic_gencfg_free(cfg);
    if (rc == CLI_OK)
        printf("Artifacts re-rendered from %s into %s\n", o->g.gen_config, o->save_dir);
    return rc;
}

/* The backend version the artifacts name: the one given, else the newest perf database on
 * the systems paths, else the newest we know. */
/* Whether v is one of the comma-separated perf database versions (any dotted version
 * number when there is no perf data to check against). */
static int version_ok(const char *v, const char *versions)
{
    size_t n = strlen(v);
    if (!*versions)
        return cli_gen_version_shape(v);
    for (const char *s = versions; *s;) {
        size_t k = strcspn(s, ",");
        if (k == n && !strncmp(s, v, n))
            return 1;
        s += k;
        s += *s == ',';
        while (*s == ' ')
            s++;
    }
    return 0;
}

/* The newest version of a backend we know of, for when no perf data names one. */
static const char *known_version(int backend)
{
    return backend == AIC_BACKEND_TRTLLM ? "1.3.0rc23"
           : backend == AIC_BACKEND_VLLM ? "0.24.0"
                                         : "0.5.16";
}

/* *version "" when --backend-version names no known version (versions_out: the known). */
static void naive_version(const struct gen_opts *o, const struct aic_system *sys, char *version,
                          size_t len, char *versions_out, size_t vlen)
{
    char versions[256] = "";

    aic_perfdb_versions(sys, (enum aic_backend)o->backend, versions, sizeof(versions));
    if (o->backend_version && !version_ok(o->backend_version, versions)) {
        *version = 0;
        snprintf(versions_out, vlen, "%s", versions);
    } else if (o->backend_version)
        snprintf(version, len, "%s", o->backend_version);
    else if (*versions)
        snprintf(version, len, "%.*s", (int)strcspn(versions, ","), versions);
    else
        snprintf(version, len, "%s", known_version(o->backend));
}

/* Reports the --backend-version naive_version() rejected (known: the perf database's). */
static int bad_version(const struct cli_env *env, const struct gen_opts *o,
                       const struct aic_system *sys, const char *known)
{
    if (*known)
        return cli_error(env, 0,
                         "no perf data for %s/%s %s; available: %s (pass one as "
                         "--backend-version)",
                         sys->name, backend_choices[o->backend], o->backend_version, known);
    return cli_error(env, 1, "--backend-version '%s' is not a version number (e.g. %s)",
                     o->backend_version, known_version(o->backend));
}

/* The output folder SAVE_DIR/<model>_naive_tp<T>_pp<P>_<6 pseudo-random digits>. */
static void naive_dir(char *dir, size_t len, const struct gen_opts *o, const char *model_id,
                      const struct aic_naive_info *ni)
{
    char mname[256];

    sanitize(model_id, mname, sizeof(mname));
    snprintf(dir, len, "%s/%s_naive_tp%d_pp%d_%06d", o->save_dir ? o->save_dir : "./output", mname,
             ni->tp, ni->pp,
             (int)(((unsigned)time(NULL) * 2654435761u ^ (unsigned)getpid()) % 1000000u));
}

static int naive(struct cli_env *env, const struct gen_opts *o)
{
    struct aic_ctx *ctx = aic_ctx_new(env->systems_paths);
    struct aic_error err = {0};
    const struct aic_model *m;
    const struct aic_system *sys;
    struct aic_gencfg *cfg = NULL;
    struct aic_search_row row;
    struct aic_naive_info ni;
    struct aic_gen_req req;
    char version[32], prefix[256], dir[2048], known[256] = "";
    int rc = CLI_OK;

    if (!ctx) {
        rc = cli_error(env, 0, "out of memory");
        goto out;
    }
    if (aic_ctx_get_model(ctx, o->model, &m, &err) ||
        aic_ctx_get_system(ctx, o->system, &sys, &err)) {
        rc = cli_lib_error(env, &err);
        goto out;
    }
    if ((rc = cli_gen_build(env, &o->g, 1, &cfg)) != CLI_OK)
        goto out;
    if (aic_generate_naive(m, sys, (enum aic_backend)o->backend, o->total_gpus, &row, &ni, &err)) {
        rc = cli_lib_error(env, &err);
        goto out;
    }
    naive_version(o, sys, version, sizeof(version), known, sizeof(known));
    if (!*version) {
        rc = bad_version(env, o, sys, known);
        goto out;
    }
    aic_gen_req_init(&req);
    req.model = m;
    req.system = sys;
    req.backend_version = version;
    req.template_version = o->g.tmpl_version;
    req.dynamo_version = o->g.dynamo_version;
    req.wl.isl = o->isl;
    req.wl.osl = o->osl;
    req.wl.prefix = o->prefix;
    req.total_gpus = o->total_gpus;
    sanitize(m->id, prefix, sizeof(prefix));
    req.name_prefix = prefix;
    req.cfg = cfg;
    naive_dir(dir, sizeof(dir), o, m->id, &ni);
    cli_log(env, CLI_LOG_INFO, "naive configuration: %s tp%d pp%d x %d replicas on %s", m->id,
            ni.tp, ni.pp, ni.replicas, sys->name);
    if (aic_generate_artifacts(&req, &row, dir, &err)) {
        rc = cli_lib_error(env, &err);
        goto out;
    }
    summary(env, m, o, version, &ni, dir);
out:
    aic_gencfg_free(cfg);
    aic_ctx_free(ctx);
    return rc;
}

int cmd_generate(struct cli_env *env, int argc, char **argv)
{
    struct gen_opts o = {.isl = 4000, .osl = 1000};
    const struct cli_optset sets[] = {{gen_table, &o, NULL}, {cli_gen_table, &o.g, NULL}};
    int rc = cli_gen_help(env, argc, argv);

    if (rc != CLI_OK)
        return rc;
    if ((rc = cli_gen_take_sets(env, &argc, argv, &o.g)) == CLI_OK)
        rc = cli_parse(env, "generate", gen_summary, sets, 2, argc, argv);
    if (rc == CLI_OK && o.save_dir && !*o.save_dir)
        rc = cli_error(env, 1, "--save-dir must not be empty");
    else if (rc == CLI_OK && o.prefix >= o.isl)
        rc = cli_error(env, 1, "--prefix (%d) must be smaller than --isl (%d)", o.prefix, o.isl);
    if (rc == CLI_OK && o.g.gen_config && !o.model)
        rc = rerender(env, &o);
    else if (rc == CLI_OK) {
        if (!o.model)
            rc = cli_error(env, 1, "--model-path is required (e.g. Qwen/Qwen3-32B)");
        else if (!cli_given(env, 0, "total-gpus"))
            rc = cli_error(env, 1, "--total-gpus is required");
        else if (!o.system)
            rc = cli_error(env, 1, "--system is required (e.g. h200_sxm, h100_sxm)");
        else
            rc = naive(env, &o);
    }
    cli_gen_opts_free(&o.g);
    return rc;
}
