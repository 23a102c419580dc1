/*
 * generate.c - entry points of the artifact generator: a configuration row (or a
 * generator_config.yaml) becomes a complete generator config, then a plan, then files.
 * All files go into a temporary sibling folder that is renamed onto the target at the end;
 * on any failure the temporary folder (and parents this call created) are removed.
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "generate/gen_int.h"

void aic_gen_req_init(struct aic_gen_req *r)
{
    memset(r, 0, sizeof(*r));
    r->wl.isl = 4000;
    r->wl.osl = 1000;
}

/* ---- row -> base config ---------------------------------------------------------------- */

static const char *quant_name(enum aic_quant q, enum aic_quant fallback)
{
    const struct aic_quant_info *qi = aic_quant_info(q != AIC_Q_NONE ? q : fallback);
    return qi ? qi->name : "bfloat16";
}

static int put_int(struct aic_gencfg *c, const char *sec, const char *key, int v,
                   struct aic_error *err)
{
    char buf[32];
    snprintf(buf, sizeof(buf), "%d", v);
    return gencfg_put(c, sec, key, buf, err);
}

static int put_dbl(struct aic_gencfg *c, const char *sec, const char *key, double v,
                   struct aic_error *err)
{
    char buf[64];
    snprintf(buf, sizeof(buf), "%.3f", v);
    return gencfg_put(c, sec, key, buf, err);
}

static int put_role(struct aic_gencfg *c, const struct aic_model *m, const char *role,
                    struct aic_layout lay, int bs, const struct aic_quant_cfg *q, int is_moe,
                    struct aic_error *err)
{
    char sec[32];
    int rc = 0;

    if (lay.tp < 1 || lay.pp < 1 || lay.dp < 1)
        return aic_err(err, AIC_ERR_USAGE,
                       "configuration has an invalid %s layout (tp %d, pp %d, dp %d)", role, lay.tp,
                       lay.pp, lay.dp);
    if (is_moe && lay.moe_tp <= 0 && lay.moe_ep <= 0) {
        lay.moe_tp = 1;
        lay.moe_ep = lay.tp * lay.dp;
    } else if (is_moe && lay.moe_tp <= 0) {
        lay.moe_tp = lay.tp * lay.dp / lay.moe_ep;
    } else if (is_moe && lay.moe_ep <= 0) {
        lay.moe_ep = lay.tp * lay.dp / lay.moe_tp;
    }
    snprintf(sec, sizeof(sec), "Workers.%s", role);
    rc = rc ? rc : put_int(c, sec, "tensor_parallel_size", lay.tp, err);
    rc = rc ? rc : put_int(c, sec, "pipeline_parallel_size", lay.pp, err);
    rc = rc ? rc : put_int(c, sec, "data_parallel_size", lay.dp, err);
    if (is_moe) {
        rc = rc ? rc : put_int(c, sec, "moe_tensor_parallel_size", lay.moe_tp, err);
        rc = rc ? rc : put_int(c, sec, "moe_expert_parallel_size", lay.moe_ep, err);
    }
    rc = rc ? rc : put_int(c, sec, "gpus_per_worker", lay.tp * lay.pp * lay.dp, err);
    if (bs > 0)
        rc = rc ? rc : put_int(c, sec, "max_batch_size", bs, err);
    rc = rc ? rc : gencfg_put(c, sec, "kv_cache_dtype", quant_name(q->kv, m->kv_quant), err);
    rc = rc ? rc : gencfg_put(c, sec, "gemm_quant_mode", quant_name(q->gemm, m->gemm_quant), err);
    if (is_moe)
        rc = rc ? rc : gencfg_put(c, sec, "moe_quant_mode", quant_name(q->moe, m->moe_quant), err);
    return rc;
}

/* Replicas the deployment runs: the row's own count, else as many as the budget holds.
 * *per (may be NULL) receives the GPUs of one replica. */
static int row_replicas(const struct aic_gen_req *req, const struct aic_search_row *row, int *per)
{
    int g0 = row->lay.tp * row->lay.pp * row->lay.dp;
    int g1 = row->d_lay.tp * row->d_lay.pp * row->d_lay.dp;
    int n = row->exp == AIC_EXP_DISAGG ? row->workers * g0 + row->d_workers * g1 : g0;

    if (per)
        *per = n;
    return row->replicas > 0 ? row->replicas : (n > 0 ? req->total_gpus / n : 0);
}

static int worker_counts(const struct aic_gen_req *req, const struct aic_search_row *row,
                         struct aic_gencfg *c, struct aic_error *err)
{
    int disagg = row->exp == AIC_EXP_DISAGG, per;
    int reps = row_replicas(req, row, &per);
    int rc;

    if (disagg && (row->workers < 1 || row->d_workers < 1))
        return aic_err(err, AIC_ERR_USAGE,
                       "disagg configuration needs >= 1 prefill and decode workers per replica "
                       "(got %dP%dD)",
                       row->workers, row->d_workers);
    if (reps < 1)
        return aic_err(err, AIC_ERR_USAGE,
                       "a GPU budget of %d is smaller than one replica of this configuration "
                       "(%d GPUs); raise --total-gpus",
                       req->total_gpus, per);
    if (!disagg)
        return put_int(c, "WorkerConfig", "agg_workers", reps, err);
    rc = put_int(c, "WorkerConfig", "prefill_workers", reps * row->workers, err);
    return rc ? rc : put_int(c, "WorkerConfig", "decode_workers", reps * row->d_workers, err);
}

/* The request's engine limits (--free-gpu-memory-fraction, --max-seq-len) for one role;
 * nothing when not given (the plan's defaults apply). */
static int put_limits(const struct aic_gen_req *req, const char *role, struct aic_gencfg *c,
                      struct aic_error *err)
{
    char sec[32], buf[32];
    int rc = AIC_OK;

    snprintf(sec, sizeof(sec), "Workers.%s", role);
    if (req->free_mem_fraction > 0) {
        snprintf(buf, sizeof(buf), "%.6g", req->free_mem_fraction);
        rc = gencfg_put(c, sec, "kv_cache_free_gpu_memory_fraction", buf, err);
    }
    if (!rc && req->max_seq_len > 0)
        rc = put_int(c, sec, "max_seq_len", req->max_seq_len, err);
    return rc;
}

static int put_workers(const struct aic_gen_req *req, const struct aic_search_row *row, int is_moe,
                       struct aic_gencfg *c, struct aic_error *err)
{
    const struct aic_model *m = req->model;
    int rc = worker_counts(req, row, c, err);

    if (row->exp != AIC_EXP_DISAGG) {
        rc = rc ? rc : put_role(c, m, "agg", row->lay, row->bs, &row->q, is_moe, err);
        return rc ? rc : put_limits(req, "agg", c, err);
    }
    rc = rc ? rc : put_role(c, m, "prefill", row->lay, row->bs, &row->q, is_moe, err);
    rc = rc ? rc : put_role(c, m, "decode", row->d_lay, row->d_bs, &row->d_q, is_moe, err);
    rc = rc ? rc : put_limits(req, "prefill", c, err);
    return rc ? rc : put_limits(req, "decode", c, err);
}

/* BenchConfig.estimated_concurrency: the concurrency the row was estimated at (one replica;
 * a row without an estimate: its batch, agg bs x pp x dp, disagg decode bs x dp x workers)
 * times the replicas deployed. The benchmark helpers run around it. */
static int put_bench(const struct aic_gen_req *req, const struct aic_search_row *row,
                     struct aic_gencfg *c, struct aic_error *err)
{
    double one = row->concurrency > 0         ? row->concurrency
                 : row->exp == AIC_EXP_DISAGG ? (double)row->d_bs * row->d_lay.dp * row->d_workers
                                              : (double)row->bs * row->lay.pp * row->lay.dp;
    double all = one * row_replicas(req, row, NULL);

    if (!(all >= 0.5))
        return AIC_OK;
    return put_int(c, "BenchConfig", "estimated_concurrency", (int)lround(all < 1e9 ? all : 1e9),
                   err);
}

static int put_workload(const struct aic_gen_req *req, const struct aic_search_row *row,
                        struct aic_gencfg *c, struct aic_error *err)
{
    int rc = put_int(c, "ModelConfig", "nextn", req->nextn > 0 ? req->nextn : 0, err);

    rc = rc ? rc : put_int(c, "ModelConfig", "prefix", req->wl.prefix, err);
    rc = rc ? rc : put_int(c, "NodeConfig", "num_gpus_per_node", req->system->gpus_per_node, err);
    rc = rc ? rc : gencfg_put(c, "NodeConfig", "system_name", req->system->name, err);
    rc = rc ? rc : put_int(c, "SlaConfig", "isl", req->wl.isl, err);
    rc = rc ? rc : put_int(c, "SlaConfig", "osl", req->wl.osl, err);
    if (req->ttft_ms > 0 || row->ttft_ms > 0)
        rc = rc ? rc
                : put_dbl(c, "SlaConfig", "ttft", req->ttft_ms > 0 ? req->ttft_ms : row->ttft_ms,
                          err);
    if (req->tpot_ms > 0 || row->tpot_ms > 0)
        rc = rc ? rc
                : put_dbl(c, "SlaConfig", "tpot", req->tpot_ms > 0 ? req->tpot_ms : row->tpot_ms,
                          err);
    return rc ? rc : put_bench(req, row, c, err);
}

static int base_config(const struct aic_gen_req *req, const struct aic_search_row *row,
                       struct aic_gencfg *c, struct aic_error *err)
{
    const struct aic_model *m = req->model;
    int is_moe = m->family == AIC_FAMILY_MOE || m->family == AIC_FAMILY_MLA_MOE;
    int disagg = row->exp == AIC_EXP_DISAGG, rc = 0;
    const char *ver = req->backend_version && *req->backend_version ? req->backend_version : NULL;

    if ((int)row->backend < 0 || row->backend >= AIC_BACKEND_COUNT)
        return aic_err(err, AIC_ERR_USAGE, "configuration row has no backend");
    rc = gencfg_put(c, "", "backend", aic_backend_name(row->backend), err);
    if (!rc && ver)
        rc = gencfg_put(c, "", "backend_version", ver, err);
    if (!rc && req->template_version && *req->template_version)
        rc = gencfg_put(c, "", "config_template_version", req->template_version, err);
    if (!rc && req->dynamo_version && *req->dynamo_version)
        rc = gencfg_put(c, "", "generator_dynamo_version", req->dynamo_version, err);
    rc = rc ? rc : gencfg_put(c, "ServiceConfig", "model_path", m->id, err);
    rc = rc ? rc
            : gencfg_put(c, "K8sConfig", "name_prefix",
                         req->name_prefix && *req->name_prefix ? req->name_prefix : "dynamo", err);
    rc = rc ? rc : gencfg_put(c, "DynConfig", "mode", disagg ? "disagg" : "agg", err);
    rc = rc ? rc : put_workers(req, row, is_moe, c, err);
    rc = rc ? rc : gencfg_put(c, "ModelConfig", "is_moe", is_moe ? "true" : "false", err);
    return rc ? rc : put_workload(req, row, c, err);
}

/* Merges user overrides over base; layout keys must agree with the base values. */
static int merge_checked(struct aic_gencfg *base, const struct aic_gencfg *ov,
                         struct aic_error *err)
{
    for (size_t i = 0; ov && i < ov->n; i++) {
        const struct gen_item *it = &ov->items[i];
        const struct gen_key *k = gen_key_find(it->section, it->key);
        const char *have = aic_gencfg_get(base, it->section, it->key);
        int rc;
        if (k && k->layout && have && strcmp(have, it->val) &&
            !(k->type == GK_INT && atoi(have) == atoi(it->val))) {
            return aic_err(err, AIC_ERR_USAGE,
                           "%s%s%s = %s disagrees with the configuration (%s); the layout of a "
                           "configuration cannot be overridden",
                           it->section, *it->section ? "." : "", it->key, it->val, have);
        }
        if (k && k->layout && !have && !strncmp(it->section, "Workers.", 8))
            return aic_err(err, AIC_ERR_USAGE, "%s.%s: this configuration has no %s worker",
                           it->section, it->key, it->section + 8);
        if ((rc = gencfg_put(base, it->section, it->key, it->val, err)) != AIC_OK)
            return rc;
    }
    return AIC_OK;
}

/* ---- files --------------------------------------------------------------------------------- */

static int write_file(const char *dir, const char *name, const char *text, int exec,
                      struct aic_error *err)
{
    char path[AIC_PATH_MAX + 64];
    FILE *f;
    size_t n = strlen(text);

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    if (!(f = fopen(path, "w")))
        return aic_err(err, AIC_ERR_IO, "cannot write %s: %s", path, strerror(errno));
    if (fwrite(text, 1, n, f) != n || fclose(f) != 0)
        return aic_err(err, AIC_ERR_IO, "cannot write %s: %s", path, strerror(errno));
    if (exec && chmod(path, 0755) != 0)
        return aic_err(err, AIC_ERR_IO, "cannot chmod %s: %s", path, strerror(errno));
    return AIC_OK;
}

static int write_yaml(const char *dir, const char *name, const char *text, struct aic_error *err)
{
    int rc = yw_check(text, name, err);
    return rc ? rc : write_file(dir, name, text, 0, err);
}

int gen_write_all(const struct gen_plan *p, const struct aic_gencfg *c, const char *dir,
                  struct aic_error *err)
{
    struct aic_buf b = {0};
    struct aic_buf *scripts;
    int rc, nodes, max_nodes;

    aic_buf_puts(&b, "# Generator input of this deployment (aiconfigurator). Re-render with\n"
                     "#   aiconfigurator cli generate --generator-config generator_config.yaml "
                     "--save_dir DIR\n");
    gencfg_dump(c, &b);
    rc = write_yaml(dir, "generator_config.yaml", aic_buf_str(&b), err);
    aic_buf_release(&b);
    if (rc)
        return rc;
    if ((rc = gen_k8s(p, &b, err)) == AIC_OK)
        rc = write_yaml(dir, "k8s_deploy.yaml", aic_buf_str(&b), err);
    aic_buf_release(&b);
    if (!rc) {
        gen_k8s_bench(p, &b);
        rc = write_yaml(dir, "k8s_bench.yaml", aic_buf_str(&b), err);
        aic_buf_release(&b);
    }
    if (!rc) {
        gen_bench_sh(p, &b);
        rc = write_file(dir, "bench_run.sh", aic_buf_str(&b), 1, err);
        aic_buf_release(&b);
    }
    for (int i = 0; !rc && p->backend == AIC_BACKEND_TRTLLM && i < p->n_w; i++) {
        char name[64];
        snprintf(name, sizeof(name), "%s_config.yaml", gen_role_name(p->w[i].role));
        gen_engine_yaml(p, &p->w[i], &b);
        rc = write_yaml(dir, name, aic_buf_str(&b), err);
        aic_buf_release(&b);
    }
    if (rc)
        return rc;
    max_nodes = gen_pack_nodes(p);
    if (max_nodes < 1 || max_nodes > GEN_MAX_NODES)
        max_nodes = GEN_MAX_NODES;
    if (!(scripts = calloc((size_t)max_nodes, sizeof(*scripts))))
        return aic_err(err, AIC_ERR_NOMEM, "out of memory");
    nodes = gen_run_scripts(p, scripts, max_nodes, err);
    rc = nodes < 0 ? nodes : AIC_OK;
    for (int i = 0; !rc && i < nodes; i++) {
        char name[32];
        snprintf(name, sizeof(name), "run_%d.sh", i);
        rc = write_file(dir, name, aic_buf_str(&scripts[i]), 1, err);
    }
    for (int i = 0; i < max_nodes; i++)
        aic_buf_release(&scripts[i]);
    free(scripts);
    return rc;
}

/* ---- folders --------------------------------------------------------------------------------- */

#define MAX_MADE 32

struct made_dirs {
    char path[MAX_MADE][AIC_PATH_MAX];
    int n;
};

/* mkdir -p of dir's parents, remembering what was created. */
static int make_parents(const char *dir, struct made_dirs *md, struct aic_error *err)
{
    char tmp[AIC_PATH_MAX];
    size_t len = aic_strlcpy(tmp, dir, sizeof(tmp));

    if (len >= sizeof(tmp) - 32)
        return aic_err(err, AIC_ERR_USAGE, "output path too long: %s", dir);
    while (len > 1 && tmp[len - 1] == '/')
        tmp[--len] = 0;
    for (char *s = tmp + 1; *s; s++) {
        if (*s != '/')
            continue;
        if (!strchr(s + 1, '/') && !s[1])
            break;
        *s = 0;
        if (!aic_is_dir(tmp)) {
            if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
                return aic_err(err, AIC_ERR_IO, "cannot create folder %s: %s", tmp,
                               strerror(errno));
            if (md->n < MAX_MADE)
                aic_strlcpy(md->path[md->n++], tmp, AIC_PATH_MAX);
        }
        *s = '/';
    }
    return AIC_OK;
}

static void remove_flat(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[AIC_PATH_MAX + 300];

    while (d && (e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        unlink(path);
    }
    if (d)
        closedir(d);
    rmdir(dir);
}

static int dir_empty(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int empty = 1;
    while (d && (e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            empty = 0;
    if (d)
        closedir(d);
    return empty;
}

static int render(const struct aic_gencfg *c, const char *dir, struct aic_error *err)
{
    struct gen_plan *p;
    struct made_dirs *md;
    char tmp[AIC_PATH_MAX + 16];
    int rc;

    if (!dir || !*dir)
        return aic_err(err, AIC_ERR_USAGE, "no output folder given");
    if (aic_is_file(dir) || (aic_is_dir(dir) && !dir_empty(dir)))
        return aic_err(err, AIC_ERR_IO, "output folder %s already exists and is not empty", dir);
    p = calloc(1, sizeof(*p));
    md = calloc(1, sizeof(*md));
    if (!p || !md) {
        free(p);
        free(md);
        return aic_err(err, AIC_ERR_NOMEM, "out of memory");
    }
    rc = gen_plan_build(c, p, err);
    if (!rc)
        rc = make_parents(dir, md, err);
    if (!rc) {
        snprintf(tmp, sizeof(tmp), "%s.tmpXXXXXX", dir);
        if (!mkdtemp(tmp))
            rc = aic_err(err, AIC_ERR_IO, "cannot create a folder next to %s: %s", dir,
                         strerror(errno));
        else if ((rc = gen_write_all(p, c, tmp, err)) != AIC_OK)
            remove_flat(tmp);
        else if (chmod(tmp, 0755) != 0 || rename(tmp, dir) != 0) {
            rc = aic_err(err, AIC_ERR_IO, "cannot move the artifacts to %s: %s", dir,
                         strerror(errno));
            remove_flat(tmp);
        }
    }
    if (rc)
        for (int i = md->n - 1; i >= 0; i--)
            rmdir(md->path[i]);
    free(p);
    free(md);
    return rc;
}

int aic_generate_artifacts(const struct aic_gen_req *req, const struct aic_search_row *row,
                           const char *dir, struct aic_error *err)
{
    struct aic_gencfg *c;
    int rc;

    if (!req || !req->model || !req->system || !row)
        return aic_err(err, AIC_ERR_USAGE,
                       "generate: model, system and configuration are required");
    if (!(c = aic_gencfg_new()))
        return aic_err(err, AIC_ERR_NOMEM, "out of memory");
    rc = base_config(req, row, c, err);
    if (!rc)
        rc = merge_checked(c, req->cfg, err);
    if (!rc)
        rc = render(c, dir, err);
    aic_gencfg_free(c);
    return rc;
}

int aic_generate_check(const struct aic_gen_req *req, const struct aic_search_row *row,
                       struct aic_error *err)
{
    struct aic_gencfg *c;
    struct gen_plan *p;
    int rc;

    if (!req || !req->model || !req->system || !row)
        return aic_err(err, AIC_ERR_USAGE,
                       "generate: model, system and configuration are required");
    c = aic_gencfg_new();
    p = calloc(1, sizeof(*p));
    rc = c && p ? base_config(req, row, c, err) : aic_err(err, AIC_ERR_NOMEM, "out of memory");
    if (!rc)
        rc = merge_checked(c, req->cfg, err);
    if (!rc)
        rc = gen_plan_build(c, p, err);
    free(p);
    aic_gencfg_free(c);
    return rc;
}

int aic_generate_from_config(const char *config_path, const struct aic_gencfg *overrides,
                             const char *dir, struct aic_error *err)
{
    struct aic_gencfg *c = aic_gencfg_new();
    int rc;

    if (!c)
        return aic_err(err, AIC_ERR_NOMEM, "out of memory");
    rc = aic_gencfg_load_file(c, config_path, err);
    if (!rc && !aic_gencfg_get(c, "DynConfig", "mode"))
        rc = aic_err(err, AIC_ERR_USAGE,
                     "%s is not a complete generator config (no DynConfig.mode); use a "
                     "generator_config.yaml written by aiconfigurator",
                     config_path);
    if (!rc)
        rc = merge_checked(c, overrides, err);
    if (!rc)
        rc = render(c, dir, err);
    aic_gencfg_free(c);
    return rc;
}
