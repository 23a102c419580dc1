/*
 * cli.h - the command-line adapter: command table, option tables, shared output helpers.
 *
 * How the executable is put together
 * ----------------------------------
 *   aiconfigurator [GLOBAL] version
 *   aiconfigurator [GLOBAL] cli <mode> [options]
 *
 * main.c walks a table of modes (cli_modes[] in main.c). Each row carries the mode's name,
 * a one-line summary and its handler `int cmd_<mode>(struct cli_env *env, int argc,
 * char **argv)`. Handlers are declared below *weak*: a row whose handler is not linked in
 * yet prints "not implemented yet" and exits 2, so the row can exist before its file does.
 *
 * Adding a mode (e.g. `cli default`):
 *   1. write src/cli/cmd_default.c defining cmd_default() (prototype below);
 *   2. if the mode is new, add its prototype here and one row to cli_modes[] in main.c;
 *   3. re-run `cmake --preset dev` (sources are globbed).
 *
 * Inside a handler: declare a struct holding the mode's options, a table of struct cli_opt
 * describing them (name, aliases, type, offsetof into that struct, range, help), fill
 * defaults, then call cli_parse(). cli_parse() also accepts the global flags (log level,
 * colour, systems paths) into env, prints generated help for -h/--help (returns CLI_DONE),
 * and on a bad flag prints one "error: ..." line and returns CLI_USAGE (exit status 2).
 *
 *   struct my_opts { int isl; char *model; };
 *   static const struct cli_opt my_table[] = {
 *       {"model-path", "model", CLI_STRING, offsetof(struct my_opts, model), .help = "..."},
 *       {"isl", NULL, CLI_INT, offsetof(struct my_opts, isl), 1, 1e7, .help = "input tokens"},
 *       {0}};
 *   int cmd_my(struct cli_env *env, int argc, char **argv) {
 *       struct my_opts o = {.isl = 1024};
 *       const struct cli_optset sets[] = {{my_table, &o, NULL}};
 *       int rc = cli_parse(env, "my", "What my mode does.", sets, 1, argc, argv);
 *       if (rc != CLI_OK) return rc;   // handlers return enum cli_rc
 *       ...
 *   }
 *
 * Long option names are written with dashes; the parser maps '_' to '-' in what the user
 * typed, so `--total_gpus` and `--total-gpus` are the same flag. `--flag value` and
 * `--flag=value` both work. Exit statuses: 0 success, 2 usage error, 1 runtime error.
 *
 * Ownership: string options point into argv (never freed). struct cli_env lives in main().
 */
#ifndef AIC_CLI_H
#define AIC_CLI_H

#include <stddef.h>
#include <stdio.h>

#include "aiconfigurator/aiconfigurator.h"

/* ---- options ------------------------------------------------------------------------ */

enum cli_opt_type {
    CLI_INT,      /* int; min/max checked when max > min */
    CLI_INT_AUTO, /* int, or the word "auto" stored as -1 */
    CLI_FLOAT,    /* double; min/max checked when max > min */
    CLI_STRING,   /* const char * into argv */
    CLI_FLAG,     /* int set to 1; `--flag=X` allowed only when choices lists X */
    CLI_ENUM,     /* int: index into choices (case-insensitive match) */
};

struct cli_opt {
    const char *name;    /* long name with dashes, without "--"; NULL ends a table */
    const char *aliases; /* space-separated other long names, or NULL */
    enum cli_opt_type type;
    size_t offset;              /* offsetof() into the struct the table fills */
    double min, max;            /* inclusive range for numbers (ignored when max <= min) */
    const char *const *choices; /* CLI_ENUM / CLI_FLAG values, NULL-terminated */
    const char *metavar;        /* shown in help ("N", "MS", "NAME") */
    const char *help;           /* one line; may mention the default */
};

/* One table and the struct it fills. help (optional): {"name", "help line", ..., NULL}
 * pairs that replace a shared table's help line in this mode's --help (mode defaults). */
struct cli_optset {
    const struct cli_opt *opts;
    void *dst;
    const char *const *help;
};

/* Upper bound on options per table (for the `given` bookkeeping). */
#define CLI_MAX_OPTS 128
/* Upper bound on a mode's optsets (the global options are one more); more are ignored. */
#define CLI_MAX_SETS 4

/* ---- environment shared by every mode ----------------------------------------------- */

enum cli_log_level {
    CLI_LOG_DEBUG = 0,
    CLI_LOG_INFO,
    CLI_LOG_WARNING,
    CLI_LOG_ERROR,
    CLI_LOG_CRITICAL
};

struct cli_env {
    const char *prog;          /* argv[0] basename, for messages */
    int log_level;             /* enum cli_log_level */
    int log_level_set;         /* --log-level given */
    int debug;                 /* --debug */
    int no_color;              /* --no-color */
    const char *systems_paths; /* --systems-paths; NULL = env AIC_SYSTEMS_PATHS / default */
    int color;                 /* resolved: stdout is a TTY, no NO_COLOR, no --no-color */
    FILE *log;                 /* where log lines go (stdout; stderr while printing JSON) */
    /* which options of each optset were given on the command line (set by cli_parse) */
    unsigned char given[CLI_MAX_SETS + 1][CLI_MAX_OPTS];
    const struct cli_opt *given_tables[CLI_MAX_SETS + 1];
};

/* Status of the parser and handlers (not exit codes; see cli_exit_code). */
enum cli_rc {
    CLI_OK = 0,
    CLI_DONE = 1,  /* help printed: exit 0 */
    CLI_USAGE = 2, /* usage error already printed: exit 2 */
    CLI_FAIL = 3,  /* runtime error already printed: exit 1 */
};

/* Initialises env from the environment (AICONFIGURATOR_LOG_LEVEL, NO_COLOR). */
void cli_env_init(struct cli_env *env, const char *argv0);

/* Resolves env->color and env->log_level after the global flags were parsed. */
void cli_env_finish(struct cli_env *env);

/* The global flags' table (fills struct cli_env). */
extern const struct cli_opt cli_global_opts[];

/*
 * Parses argv[0..argc) (argv[0] is the first option, not the program) against the given
 * optsets plus the global flags. At most 3 optsets. Records given options in env->given.
 * Prints help and returns CLI_DONE on -h/--help; prints "error: ..." and returns CLI_USAGE
 * on a bad flag. `mode` names the command in messages ("estimate"); `summary` heads --help.
 */
int cli_parse(struct cli_env *env, const char *mode, const char *summary,
              const struct cli_optset *sets, int nsets, int argc, char **argv);

/* Low-level parse without printing (unit tests): returns CLI_OK, CLI_DONE for --help or
 * CLI_USAGE with the message in msg. given may be NULL; else [nsets][CLI_MAX_OPTS]. */
int cli_parse_quiet(const struct cli_optset *sets, int nsets, int argc, char **argv,
                    unsigned char given[][CLI_MAX_OPTS], char *msg, size_t msglen);

/* Whether option `name` of optset `set` (CLI_ANY_SET: of any optset) was given in the last
 * cli_parse(). */
#define CLI_ANY_SET (-1)
int cli_given(const struct cli_env *env, int set, const char *name);

/* Prints generated help for a mode's optsets (plus global flags) to f. */
void cli_print_help(FILE *f, const char *prog, const char *mode, const char *summary,
                    const struct cli_optset *sets, int nsets);

/* ---- output helpers ----------------------------------------------------------------- */

/* "error: <msg>" on stderr (red on a TTY). Returns CLI_USAGE or CLI_FAIL per `usage`. */
int cli_error(const struct cli_env *env, int usage, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Reports a library error (one line) and returns CLI_USAGE for AIC_ERR_USAGE else CLI_FAIL. */
int cli_lib_error(const struct cli_env *env, const struct aic_error *err);

/* Log line "HH:MM:SS [aiconfigurator] [I] msg" on env->log when level >= env->log_level. */
void cli_log(const struct cli_env *env, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Warnings a library callback reports while saving: logged as they come, kept for --json. */
#define CLI_MAX_WARNS 32
struct cli_warns {
    const struct cli_env *env;
    char *line[CLI_MAX_WARNS];
    size_t n;
};
void cli_warns_cb(void *user, const char *msg); /* user: struct cli_warns * */
void cli_warns_free(struct cli_warns *w);

/* ANSI sequence when env->color, else "" ("bold", "red", "green", "yellow", "dim", "reset"). */
const char *cli_color(const struct cli_env *env, const char *what);

/* Maps enum cli_rc to the process exit status (0, 2, 1). */
int cli_exit_code(int rc);

/* Checks a --systems-paths value: every entry but "default" must be a directory. */
int cli_check_systems_paths(const struct cli_env *env, const char *paths);

/* ---- helpers for modes that build estimate requests (cli_req.c) --------------------- */

/* "tp4pp1dp1etp1ep4" (AIConfigurator's layout spelling). */
void cli_layout_str(const struct aic_layout *lay, char *buf, size_t len);

/* Parses a quantization option value for `use` (enum aic_quant_use); NULL/"" -> AIC_Q_NONE.
 * Unknown -> -2 with "unknown --<flag> 'x' (valid: ...)" in msg. */
int cli_quant_arg(const char *flag, const char *val, unsigned use, char *msg, size_t len);

/* Name of a quant mode for output ("auto" for AIC_Q_NONE). */
const char *cli_quant_name(enum aic_quant q);

/* ---- the request options shared by `cli default`/`recommend` and `cli estimate` ------ */

/* The serving constants (--ttft-overhead-ms, --ttft-step-iters, --ttft-queue-share,
 * --ttft-handoff-iters, --step-host-ms, --step-host-per-req-ms, --ttft-stream-ms,
 * --ttft-prompt-ms;
 * cli_ttft_table in cli_req.c); only the given ones replace the backend's. */
struct cli_ttft_opts {
    struct aic_ttft_consts v; /* the values read; which were given is cli_given()'s */
};
extern const struct cli_opt cli_ttft_table[];

/* The given members of o into t (set bits from cli_given()). */
void cli_ttft_consts(const struct cli_env *env, const struct cli_ttft_opts *o,
                     struct aic_ttft_consts *t);

/* Model, system, perf database, workload, quantization, MTP and memory knobs (cli_req.c).
 * Strings point into argv; nextn -1 = auto. */
struct cli_req_opts {
    const char *model, *system, *decode_system, *backend_version, *transfer_policy;
    const char *gemm_q, *kv_q, *fmha_q, *moe_q, *comm_q;
    int db_mode, isl, osl, prefix, nextn, max_seq_len;
    double nextn_accepted, free_mem;
    struct cli_ttft_opts ttft; /* filled through cli_ttft_table, a separate optset */
};

/* Option table filling struct cli_req_opts. Modes give their defaults in the optset's help
 * pairs for "database-mode", "isl" and "osl". */
extern const struct cli_opt cli_req_table[];

/* --model-path and --system given, --prefix below --isl; else prints why (CLI_USAGE). */
int cli_req_check(struct cli_env *env, const struct cli_req_opts *o);

/* The quant modes into q and the MTP draft tokens into *nextn (auto: the checkpoint's),
 * through the library's aic_req_quant()/aic_req_nextn(). Prints the problem: a bad quant
 * name is a usage error, a bad nextn combination a runtime one (as before). */
int cli_req_resolve(struct cli_env *env, struct aic_ctx *ctx, const struct cli_req_opts *o,
                    struct aic_quant_cfg *q, int *nextn);

/* ---- modes (weak: a row whose handler is missing reports "not implemented") --------- */

#define CLI_WEAK __attribute__((weak))
int cmd_default(struct cli_env *env, int argc, char **argv) CLI_WEAK;
int cmd_recommend(struct cli_env *env, int argc, char **argv) CLI_WEAK;
int cmd_exp(struct cli_env *env, int argc, char **argv) CLI_WEAK;
int cmd_generate(struct cli_env *env, int argc, char **argv) CLI_WEAK;
int cmd_support(struct cli_env *env, int argc, char **argv) CLI_WEAK;
int cmd_estimate(struct cli_env *env, int argc, char **argv) CLI_WEAK;
int cmd_validate(struct cli_env *env, int argc, char **argv) CLI_WEAK;
/* top-level word `aiconfigurator webapp` (not a `cli` mode) */
int cmd_webapp(struct cli_env *env, int argc, char **argv) CLI_WEAK;

/* Handlers return enum cli_rc. */

#endif
