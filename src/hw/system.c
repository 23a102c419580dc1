/*
 * system.c - GPU system specs: finds <name>.yaml along a search path, reads it with
 * libfyaml through one field table, resolves the perf-data folder, and answers the two
 * questions the engine asks of a system (collective bandwidth, NCCL memory reserve).
 */
#include <dirent.h>
#include <errno.h>
#include <libfyaml.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "aiconfigurator/system.h"
#include "aiconfigurator/model.h"
#include "util/util.h"
#include "util/yaml.h"

const char *const aic_system_names[] = {"a100_sxm", "b200_sxm", "gb200",
                                        "h100_sxm", "h200_sxm", NULL};

/* One numeric field of the spec: YAML path, where it goes, whether it must be there. */
enum field_kind { F_DOUBLE, F_INT };
static const struct sys_field {
    const char *path;
    size_t offset;
    enum field_kind kind;
    int required;
    double dflt;
} sys_fields[] = {
#define D(p, m, req, d)                                                                            \
    {                                                                                              \
        p, offsetof(struct aic_system, m), F_DOUBLE, req, d                                        \
    }
#define I(p, m, req, d)                                                                            \
    {                                                                                              \
        p, offsetof(struct aic_system, m), F_INT, req, d                                           \
    }
    D("/gpu/mem_bw", mem_bw_Bps, 1, 0),
    D("/gpu/mem_bw_empirical_scaling_factor", mem_bw_scale, 0, 0.8),
    D("/gpu/mem_empirical_constant_latency", mem_const_latency_s, 0, 3e-6),
    D("/gpu/mem_capacity", mem_capacity_bytes, 1, 0),
    D("/gpu/bfloat16_tc_flops", tc_flops[AIC_COMPUTE_BF16], 1, 0),
    D("/gpu/fp8_tc_flops", tc_flops[AIC_COMPUTE_FP8], 0, 0),
    D("/gpu/int8_tc_flops", tc_flops[AIC_COMPUTE_INT8], 0, 0),
    D("/gpu/fp4_tc_flops", tc_flops[AIC_COMPUTE_FP4], 0, 0),
    I("/gpu/sm_version", sm_version, 0, 0),
    I("/node/num_gpus_per_node", gpus_per_node, 1, 0),
    I("/node/num_gpus_per_rack", gpus_per_rack, 0, 0),
    D("/node/intra_node_bw", intra_node_bw_Bps, 1, 0),
    D("/node/inter_node_bw", inter_node_bw_Bps, 1, 0),
    D("/node/inter_rack_bw", inter_rack_bw_Bps, 0, 0),
    D("/node/pcie_bw", pcie_bw_Bps, 0, 0),
    D("/node/p2p_latency", p2p_latency_s, 0, 1e-5),
    D("/misc/nccl_mem/1", nccl_mem_bytes[0], 0, 0),
    D("/misc/nccl_mem/2", nccl_mem_bytes[1], 0, 358612992.0),
    D("/misc/nccl_mem/4", nccl_mem_bytes[2], 0, 411041792.0),
    D("/misc/nccl_mem/8", nccl_mem_bytes[3], 0, 411041792.0),
    D("/misc/other_mem", other_mem_bytes, 0, 3758096384.0),
#undef D
#undef I
};

/* ---- YAML reading -------------------------------------------------------------------- */

/* Builds the document, turning libfyaml's first diagnostic into "file:line:col: msg". */
static struct fy_document *load_yaml(const char *path, struct aic_error *err)
{
    return aic_yaml_parse(path, NULL, NULL, 0, err);
}

/* Copies a scalar node's text into buf; returns 0 when the node is not a scalar. */
static int scalar_text(struct fy_node *n, char *buf, size_t size)
{
    size_t len = 0;
    const char *s;
    if (!n || !fy_node_is_scalar(n) || !(s = fy_node_get_scalar(n, &len)))
        return 0;
    if (len >= size)
        len = size - 1;
    memcpy(buf, s, len);
    buf[len] = 0;
    return 1;
}

static int node_line(struct fy_node *n, int *col)
{
    struct fy_token *t = fy_node_get_scalar_token(n);
    const struct fy_mark *m = t ? fy_token_start_mark(t) : NULL;
    *col = m ? m->column + 1 : 0;
    return m ? m->line + 1 : 0;
}

static int read_field(struct fy_node *root, const struct sys_field *f, const char *file,
                      struct aic_system *out, struct aic_error *err)
{
    struct fy_node *n = fy_node_by_path(root, f->path, FY_NT, FYNWF_DONT_FOLLOW);
    char text[128], *end;
    double v = f->dflt;
    int line, col;

    if (!n || fy_node_is_null(n)) {
        if (f->required)
            return aic_err(err, AIC_ERR_PARSE, "%s: required field '%s' is missing", file,
                           f->path + 1);
    } else {
        if (!scalar_text(n, text, sizeof(text)))
            return aic_err(err, AIC_ERR_PARSE, "%s: field '%s' must be a number", file,
                           f->path + 1);
        errno = 0;
        v = strtod(text, &end);
        line = node_line(n, &col);
        if (end == text || *end || errno)
            return aic_err(err, AIC_ERR_PARSE, "%s:%d:%d: field '%s' must be a number, got '%s'",
                           file, line, col, f->path + 1, text);
        /* a negative, NaN or huge number is a broken spec, never a faster GPU */
        if (!(v >= 0 && v <= (f->kind == F_INT ? 1e9 : 1e30)) || (f->required && v == 0))
            return aic_err(err, AIC_ERR_PARSE,
                           "%s:%d:%d: field '%s' must be a %s number%s, got '%s'", file, line, col,
                           f->path + 1, f->required ? "positive" : "non-negative",
                           f->kind == F_INT ? " up to 1e9" : "", text);
    }
    if (f->kind == F_INT)
        *(int *)((char *)out + f->offset) = (int)v;
    else
        *(double *)((char *)out + f->offset) = v;
    return AIC_OK;
}

/* Folder part of a path ("." when none). */
static void dir_of(const char *path, char *dst, size_t n)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        aic_strlcpy(dst, ".", n);
    else if (slash == path)
        aic_strlcpy(dst, "/", n);
    else
        snprintf(dst, n, "%.*s", (int)(slash - path), path);
}

/* out->data_dir: data_dir relative to the YAML's folder, made absolute (kept if missing). */
static void resolve_data_dir(struct fy_node *root, const char *file, struct aic_system *out)
{
    char rel[AIC_PATH_MAX], dir[AIC_PATH_MAX], absdir[PATH_MAX], joined[2 * AIC_PATH_MAX];
    char real[PATH_MAX];
    struct fy_node *n = fy_node_by_path(root, "/data_dir", FY_NT, FYNWF_DONT_FOLLOW);

    out->data_dir[0] = 0;
    if (!scalar_text(n, rel, sizeof(rel)) || !rel[0])
        return;
    if (rel[0] == '/') {
        aic_strlcpy(joined, rel, sizeof(joined));
    } else {
        dir_of(file, dir, sizeof(dir));
        if (!realpath(dir, absdir))
            aic_strlcpy(absdir, dir, sizeof(absdir));
        aic_path_join(joined, sizeof(joined), absdir, rel);
    }
    if (realpath(joined, real))
        aic_strlcpy(out->data_dir, real, sizeof(out->data_dir));
    else
        aic_strlcpy(out->data_dir, joined, sizeof(out->data_dir));
}

static void system_name_from_path(const char *path, char *dst, size_t n)
{
    const char *base = strrchr(path, '/');
    size_t len;
    base = base ? base + 1 : path;
    len = strlen(base);
    if (len > 5 && strcmp(base + len - 5, ".yaml") == 0)
        len -= 5;
    if (len >= n)
        len = n - 1;
    memcpy(dst, base, len);
    dst[len] = 0;
}

int aic_system_parse_file(const char *path, struct aic_system *out, struct aic_error *err)
{
    struct fy_document *doc;
    struct fy_node *root, *ver;
    int rc = AIC_OK;

    memset(out, 0, sizeof(*out));
    if (!aic_is_file(path))
        return aic_err(err, AIC_ERR_NOTFOUND, "system spec '%s' does not exist", path);
    if (!(doc = load_yaml(path, err)))
        return AIC_ERR_PARSE;
    root = fy_document_root(doc);
    if (!root || !fy_node_is_mapping(root)) {
        fy_document_destroy(doc);
        return aic_err(err, AIC_ERR_PARSE,
                       "%s: expected a mapping with gpu:, node: and misc:", path);
    }
    system_name_from_path(path, out->name, sizeof(out->name));
    aic_strlcpy(out->spec_path, path, sizeof(out->spec_path));
    for (size_t i = 0; i < sizeof(sys_fields) / sizeof(sys_fields[0]) && !rc; i++)
        rc = read_field(root, &sys_fields[i], path, out, err);
    if (!rc) {
        ver = fy_node_by_path(root, "/misc/nccl_version", FY_NT, FYNWF_DONT_FOLLOW);
        scalar_text(ver, out->nccl_version, sizeof(out->nccl_version));
        resolve_data_dir(root, path, out);
    }
    fy_document_destroy(doc);
    return rc;
}

/* ---- the search path ----------------------------------------------------------------- */

#define MAX_PATH_ENTRIES 32

struct search_path {
    char dirs[MAX_PATH_ENTRIES][AIC_PATH_MAX];
    int count;
};

/* Splits "a, default ,b" into folders; every entry must be an existing directory. */
static int split_paths(const char *paths, struct search_path *sp, struct aic_error *err)
{
    const char *p = paths;
    sp->count = 0;
    while (*p) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        char entry[AIC_PATH_MAX];
        while (len && (*p == ' ' || *p == '\t')) {
            p++;
            len--;
        }
        while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
            len--;
        snprintf(entry, sizeof(entry), "%.*s", (int)len, p);
        if (entry[0]) {
            char *dst = sp->dirs[sp->count];
            if (sp->count == MAX_PATH_ENTRIES)
                return aic_err(err, AIC_ERR_USAGE, "--systems-paths has more than %d entries",
                               MAX_PATH_ENTRIES);
            if (strcmp(entry, "default") == 0)
                aic_path_join(dst, AIC_PATH_MAX, aic_data_dir(), "systems");
            else
                aic_strlcpy(dst, entry, AIC_PATH_MAX);
            if (!aic_is_dir(dst))
                return aic_err(err, AIC_ERR_IO,
                               "invalid systems path '%s' (--systems-paths or "
                               "AIC_SYSTEMS_PATHS): not a directory; give existing "
                               "directories separated by commas (`default` = bundled)",
                               entry);
            sp->count++;
        }
        if (!comma)
            break;
        p = comma + 1;
    }
    if (sp->count == 0)
        return aic_err(err, AIC_ERR_USAGE,
                       "--systems-paths is empty; give folders holding "
                       "<system>.yaml, or 'default'");
    return AIC_OK;
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* "unknown system 'x'; known systems: a, b (searched: ...)" */
static int unknown_system(const char *name, const struct search_path *sp, struct aic_error *err)
{
    char *names[256];
    int n = 0;
    struct aic_buf known = {0}, dirs = {0};

    for (int i = 0; i < sp->count; i++) {
        DIR *d = opendir(sp->dirs[i]);
        struct dirent *e;
        aic_buf_printf(&dirs, "%s%s", i ? ", " : "", sp->dirs[i]);
        while (d && (e = readdir(d)) && n < 256) {
            size_t len = strlen(e->d_name);
            char nm[64];
            int dup = 0;
            char path[2 * AIC_PATH_MAX];
            if (len <= 5 || strcmp(e->d_name + len - 5, ".yaml") != 0 || e->d_name[0] == '.')
                continue;
            snprintf(path, sizeof(path), "%s/%s", sp->dirs[i], e->d_name);
            if (!aic_is_file(path))
                continue;
            system_name_from_path(e->d_name, nm, sizeof(nm));
            for (int k = 0; k < n && !dup; k++)
                dup = strcmp(names[k], nm) == 0;
            if (!dup && (names[n] = strdup(nm)))
                n++;
        }
        if (d)
            closedir(d);
    }
    qsort(names, (size_t)n, sizeof(names[0]), cmp_name);
    for (int k = 0; k < n; k++) {
        aic_buf_printf(&known, "%s%s", k ? ", " : "", names[k]);
        free(names[k]);
    }
    aic_err(err, AIC_ERR_USAGE, "unknown system '%s'; known systems: %s (searched: %s)", name,
            n ? aic_buf_str(&known) : "none", aic_buf_str(&dirs));
    aic_buf_release(&known);
    aic_buf_release(&dirs);
    return AIC_ERR_USAGE;
}

/* The first spec found names the system; when its data folder does not exist (the bundled
 * specs carry no tables), the perf data comes from the first later entry that has them, so
 * "default,../shared/perfdb" reads the tables of ../shared/perfdb. */
static void later_data_dir(const char *name, const struct search_path *sp, int from,
                           struct aic_system *out)
{
    char file[AIC_PATH_MAX + 80];
    struct aic_system other;
    struct aic_error e;

    if (out->data_dir[0] && aic_is_dir(out->data_dir))
        return;
    for (int i = from; i < sp->count; i++) {
        snprintf(file, sizeof(file), "%s/%s.yaml", sp->dirs[i], name);
        if (aic_is_file(file) && aic_system_parse_file(file, &other, &e) == AIC_OK &&
            aic_is_dir(other.data_dir)) {
            aic_strlcpy(out->data_dir, other.data_dir, sizeof(out->data_dir));
            return;
        }
    }
}

int aic_system_load(const char *name, const char *paths, struct aic_system *out,
                    struct aic_error *err)
{
    struct search_path sp;
    char file[AIC_PATH_MAX + 80];
    int rc;

    memset(out, 0, sizeof(*out));
    if (!paths) {
        paths = getenv("AIC_SYSTEMS_PATHS");
        if (!paths || !*paths)
            paths = AIC_SYSTEMS_PATHS_DEFAULT;
    }
    if ((rc = split_paths(paths, &sp, err)))
        return rc;
    if (!name || !*name || strchr(name, '/') || strlen(name) > 60)
        return unknown_system(name ? name : "", &sp, err);
    for (int i = 0; i < sp.count; i++) {
        snprintf(file, sizeof(file), "%s/%s.yaml", sp.dirs[i], name);
        if (aic_is_file(file)) {
            if ((rc = aic_system_parse_file(file, out, err)))
                return rc;
            later_data_dir(name, &sp, i + 1, out);
            return AIC_OK;
        }
    }
    return unknown_system(name, &sp, err);
}

/* ---- derived values ------------------------------------------------------------------ */

double aic_system_comm_bw(const struct aic_system *sys, int n_gpus)
{
    if (n_gpus <= sys->gpus_per_node)
        return sys->intra_node_bw_Bps;
    if (sys->gpus_per_rack > 0 && n_gpus > sys->gpus_per_rack && sys->inter_rack_bw_Bps > 0)
        return sys->inter_rack_bw_Bps;
    return sys->inter_node_bw_Bps;
}

double aic_system_nccl_mem(const struct aic_system *sys, int tp)
{
    if (tp <= 1)
        return sys->nccl_mem_bytes[0];
    if (tp == 2)
        return sys->nccl_mem_bytes[1];
    if (tp <= 4)
        return sys->nccl_mem_bytes[2];
    return sys->nccl_mem_bytes[3];
}
