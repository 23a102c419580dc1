/*
 * validate_int.h - internal interface of `cli validate` (cmd_validate.c): the measured CSV
 * read into memory (validate_csv.c), a row turned into an estimate request (validate_row.c),
 * and the error statistics and not-estimated reasons it prints (validate_stats.c).
 */
#ifndef AIC_CLI_VALIDATE_INT_H
#define AIC_CLI_VALIDATE_INT_H

#include <stddef.h>

#include "aiconfigurator/estimate.h"

struct cli_env;

/* Rows with a measured TTFT above this are queue-saturated: scored on their own line. */
#define TTFT_SATURATED_MS 20000.0

/* ---- the CSV (validate_csv.c) ---- */

struct csv_table {
    char **cells;  /* rows * ncols cell strings (malloc'd; NULL = empty) */
    char **header; /* ncols names */
    int ncols, nrows, cap_rows;
    /* parser state */
    char **cur; /* cells of the row being read */
    int cur_n, cur_cap, line, bad_line, bad_count;
    int nomem;
};

/* Reads and parses path; prints the problem and returns non-zero on failure. */
int table_read(const struct cli_env *env, const char *path, struct csv_table *t);
void table_free(struct csv_table *t);
/* Index of the column named `name` (a leading UTF-8 byte-order mark ignored), -1 when
 * absent. */
int col_index(const struct csv_table *t, const char *name);

/* ---- one row -> one request (validate_row.c) ---- */

/* Column indexes by header name (-1 when absent). */
/* clang-format off */
enum vcol {
    C_ID, C_BACKEND, C_MODEL, C_SYSTEM, C_MODE, C_ISL, C_OSL, C_GEMM_Q, C_MOE_Q, C_BS, C_TP, C_PP,
    C_DP, C_MOE_TP, C_MOE_EP, C_P_BS, C_P_WORKERS, C_P_TP, C_P_PP, C_P_DP, C_P_MOE_TP, C_P_MOE_EP,
    C_D_BS, C_D_WORKERS, C_D_TP, C_D_PP, C_D_DP, C_D_MOE_TP, C_D_MOE_EP, C_TTFT, C_TPOT, C_SOURCE,
    C_NEXTN, C_NEXTN_ACC, C_KV_Q, /* optional: not in e2e_measured.csv, a user's file may have them */
    C_PRECISION, C_PREFIX,
    C_COUNT
};
/* clang-format on */
extern const char *const vcol_names[C_COUNT];
/* Columns without which the file cannot be validated at all. */
#define VCOL_REQUIRED_N 8
extern const enum vcol vcol_required[VCOL_REQUIRED_N];

struct row {
    const struct csv_table *t;
    const int *col;
    int r;
};

/* The cell of column c in row w ("" when the column is absent or the cell empty), and as a
 * finite number (NAN otherwise). */
const char *row_cell(const struct row *w, enum vcol c);
const char *row_id(const struct row *w, char *buf, size_t n);
double row_num(const struct row *w, enum vcol c);
/* Builds the request of row w (db_explicit: the database mode was given); returns NULL or
 * the reason the row is not estimable. */
const char *row_req(struct aic_ctx *ctx, const struct row *w, struct aic_estimate_req *r,
                    int db_mode, int db_explicit);
/* The speed-of-light decode step of request r's decode worker, one token per step (SOL mode,
 * static, no MTP), into *floor_ms; res is scratch. 0, or non-zero when it cannot be had. */
int row_tpot_floor(struct aic_ctx *ctx, const struct aic_estimate_req *r,
                   struct aic_estimate_result *res, double *floor_ms);
/* NULL when row w's measured TTFT and TPOT are both positive finite numbers (the rows
 * validate scores), else the reason, written into buf ("bad measured TTFT ('abc' is not a
 * positive number of ms)"); such a row is not estimated. */
const char *row_measured(const struct row *w, char *buf, size_t len);

/* ---- statistics and reasons (validate_stats.c) ---- */

struct errs {
    double *v;
    int n, cap;
};

struct group {
    char key[160];
    int total, estimated;
    struct errs ttft, tpot, ttft_sat, tpot_sat; /* *_sat: measured TTFT > 20 s */
};

struct groups {
    struct group *g;
    int n, cap;
};

double errs_median(struct errs *e);
double errs_mean(const struct errs *e);
struct group *group_get(struct groups *gs, const char *key);
void group_free(struct group *g);
void groups_free(struct groups *gs);
/* Counts a row of group g: estimated or not, measured and predicted TTFT and TPOT, ms. */
int group_add(struct group *g, int ok, double mt, double pt, double mp, double pp);
void fmt_pct(char *buf, size_t len, double v);
/* Prints the groups of gs sorted by key, then `overall` when not NULL. */
void print_table(const char *title, struct groups *gs, const struct group *overall);

#define MAX_REASONS 64

struct reasons {
    char text[MAX_REASONS][96];
    int count[MAX_REASONS];
    int n, other;
};

void reason_add(struct reasons *rs, const char *why);
void reasons_sort(struct reasons *rs);
/* The short status of a failed estimate for PRED.csv. */
void short_status(char *dst, size_t len, const struct aic_error *err);

#endif
