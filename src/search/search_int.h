/*
 * search_int.h - internal interfaces between the search's files (not installed).
 *
 *   space.c      layout enumeration, batch / ctx-token lists, SLA target lists
 *   sweep_agg.c  aggregated sweep of one backend
 *   sweep_disagg.c  disaggregated sweep of one backend (workers + rate matching)
 *   search.c     the driver: backends, merging, cluster metric, picking, recommend
 */
#ifndef AIC_SEARCH_INT_H
#define AIC_SEARCH_INT_H

#include "aiconfigurator/search.h"

#define AIC_MAX_LAYOUTS 256
#define AIC_MAX_TARGETS 128

/* One SLA target of the sweep: a (TTFT, TPOT) pair. */
struct aic_target {
    double ttft_ms, tpot_ms;
};

/* Growable array of rows. */
struct aic_rows {
    struct aic_search_row *v;
    size_t n, cap;
};
int aic_rows_push(struct aic_rows *r, const struct aic_search_row *row);
void aic_rows_free(struct aic_rows *r);

/* What one experiment's sweep saw, to explain an empty result. */
struct aic_sweep_stats {
    long n_eval;                 /* engine evaluations */
    int n_layouts, n_layouts_ok; /* enumerated / built and with at least one fitting point */
    int n_oom_layouts;           /* layouts whose smallest batch already does not fit */
    int n_nodata;                /* points skipped for missing perf data */
    int n_fit;                   /* evaluated points that fit in memory */
    double best_ttft_ms;         /* lowest TTFT among fitting points (INFINITY if none) */
    char best_ttft_desc[96];
    double best_tpot_ms; /* lowest TPOT among fitting points meeting TTFT */
};

/* Layout lists. phase: 0 agg, 1 prefill, 2 decode. Returns the count (<= cap). */
int aic_space_layouts(const struct aic_model *m, enum aic_backend be, const char *system,
                      int max_gpus, int phase, struct aic_layout *out, int cap);
/* Agg batch sizes (44 values <= 512), decode batch sizes (96 values). */
int aic_space_agg_batches(int *out, int cap);
int aic_space_decode_batches(int *out, int cap);
/* ctx_tokens candidates (§4.4), ascending. */
int aic_space_ctx_tokens(int isl, int chunked, int *out, int cap);
/* SLA targets: the TPOT grid (or request-latency pairs), sorted. */
int aic_space_targets(const struct aic_search_req *r, struct aic_target *out, int cap);

/* Common worker options of the request with a latency correction. */
void aic_search_worker_opts(const struct aic_search_req *r, double correction,
                            struct aic_worker_opts *o);

/* cli exp overrides (req->space): the role's overrides or NULL; layouts from the role's
 * candidate lists (aic_space_layouts when it has none; phase 0 agg, 1 prefill, 2 decode);
 * worker options with the role's quant applied over the request's. */
const struct aic_search_role *aic_search_role_of(const struct aic_search_req *r, int phase);
int aic_space_role_layouts(const struct aic_search_req *r, const struct aic_model *m,
                           enum aic_backend be, const char *system, int max_gpus, int phase,
                           struct aic_layout *out, int cap);
void aic_search_role_opts(const struct aic_search_req *r, int phase, double correction,
                          struct aic_worker_opts *o);

int aic_sweep_agg(const struct aic_search_req *r, const struct aic_model *m, struct aic_perfdb *db,
                  enum aic_backend be, const char *system, int max_gpus, const struct aic_target *t,
                  int nt, struct aic_rows *out, struct aic_sweep_stats *st, struct aic_error *err);

int aic_sweep_disagg(const struct aic_search_req *r, const struct aic_model *m,
                     struct aic_perfdb *pdb, struct aic_perfdb *ddb, enum aic_backend be,
                     const char *system, int max_gpus, int max_replica_gpus,
                     const struct aic_target *t, int nt, struct aic_rows *out,
                     struct aic_sweep_stats *st, struct aic_error *err);

#endif
