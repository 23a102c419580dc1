/*
 * cli_opts.c - the generic option parser and help generator behind every mode.
 *
 * Walks tables of struct cli_opt (see cli.h): long options only, '_' and '-' equivalent,
 * `--name value` or `--name=value`, numbers range-checked, enums matched case-insensitively,
 * unknown names answered with the closest known one. Nothing here prints except
 * cli_parse() and cli_print_help().
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli/cli.h"
#include "util/util.h"

/* "cli " for the modes of `aiconfigurator cli`, "" for top-level words (webapp). */
static const char *cli_mode_prefix(const char *mode)
{
    return strcmp(mode, "webapp") ? "cli " : "";
}

static const char *const log_level_names[] = {"DEBUG", "INFO",     "WARNING",
                                              "ERROR", "CRITICAL", NULL};

const struct cli_opt cli_global_opts[] = {
    {"log-level", NULL, CLI_ENUM, offsetof(struct cli_env, log_level), 0, 0, log_level_names,
     "LEVEL", "logging threshold (default INFO; env AICONFIGURATOR_LOG_LEVEL)"},
    {"debug", NULL, CLI_FLAG, offsetof(struct cli_env, debug), 0, 0, NULL, NULL,
     "same as --log-level DEBUG (deprecated)"},
    {"no-color", "no-colour", CLI_FLAG, offsetof(struct cli_env, no_color), 0, 0, NULL, NULL,
     "no ANSI colours (also off when NO_COLOR is set or stdout is not a terminal)"},
    {"systems-paths", NULL, CLI_STRING, offsetof(struct cli_env, systems_paths), 0, 0, NULL,
     "P1,P2",
     "where system specs and perf data live; `default` = bundled "
     "(env AIC_SYSTEMS_PATHS when absent)"},
    {0},
};

/* ---- lookup ------------------------------------------------------------------------- */

/* Whether `want` (already normalised) equals name `n` with '_' read as '-'. */
static int name_eq(const char *n, size_t nlen, const char *want)
{
    size_t i;
    for (i = 0; i < nlen && want[i]; i++) {
        char c = n[i] == '_' ? '-' : n[i];
        if (c != want[i])
            return 0;
    }
    return i == nlen && want[i] == 0;
}

/* Whether option o is called `want` (by name or one of its aliases). */
static int opt_matches(const struct cli_opt *o, const char *want)
{
    if (name_eq(o->name, strlen(o->name), want))
        return 1;
    for (const char *a = o->aliases; a && *a;) {
        size_t n = strcspn(a, " ");
        if (n && name_eq(a, n, want))
            return 1;
        a += n;
        while (*a == ' ')
            a++;
    }
    return 0;
}

/* Calls fn for every name and alias of every option (for suggestions). */
static void closest_in(const struct cli_opt *opts, const char *want, char *best, size_t bestlen,
                       int *best_d)
{
    for (const struct cli_opt *o = opts; o->name; o++) {
        const char *a = o->name;
        char tmp[64];
        for (int first = 1; a && *a; first = 0) {
            size_t n = first ? strlen(a) : strcspn(a, " ");
            if (n >= sizeof(tmp))
                n = sizeof(tmp) - 1;
            memcpy(tmp, a, n);
            tmp[n] = 0;
            int d = aic_edit_distance(tmp, want);
            if (d < *best_d) {
                *best_d = d;
                aic_strlcpy(best, tmp, bestlen);
            }
            a = first ? o->aliases : a + n;
            while (a && *a == ' ')
                a++;
        }
    }
}

static void set_msg(char *msg, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_msg(char *msg, size_t len, const char *fmt, ...)
{
    va_list ap;
    if (!msg || !len)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, len, fmt, ap);
    va_end(ap);
}

static void list_choices(const char *const *choices, char *buf, size_t len)
{
    size_t n = 0;
    buf[0] = 0;
    for (int i = 0; choices && choices[i] && n < len; i++)
        n += (size_t)snprintf(buf + n, len - n, "%s%s", i ? ", " : "", choices[i]);
}

/* ---- storing a value ---------------------------------------------------------------- */

static int range_msg(const struct cli_opt *o, double v, char *msg, size_t len)
{
    if (o->max <= o->min || (v >= o->min && v <= o->max))
        return CLI_OK;
    if (o->type == CLI_INT || o->type == CLI_INT_AUTO) {
        if (v < o->min && o->min == 1)
            set_msg(msg, len, "--%s must be a positive integer (got %.0f)", o->name, v);
        else
            set_msg(msg, len, "--%s must be between %.0f and %.0f (got %.0f)", o->name, o->min,
                    o->max, v);
    } else {
        set_msg(msg, len, "--%s must be between %g and %g (got %.15g)", o->name, o->min, o->max, v);
    }
    return CLI_USAGE;
}

static int store_int(const struct cli_opt *o, void *dst, const char *val, char *msg, size_t len)
{
    char *end;
    long v;

    if (o->type == CLI_INT_AUTO && !strcasecmp(val, "auto")) {
        *(int *)((char *)dst + o->offset) = -1;
        return CLI_OK;
    }
    errno = 0;
    v = strtol(val, &end, 10);
    if (end == val || *end || errno) {
        set_msg(msg, len, "--%s expects an integer%s, got '%s'", o->name,
                o->type == CLI_INT_AUTO ? " or 'auto'" : "", val);
        return CLI_USAGE;
    }
    if (v < -2147483647L || v > 2147483647L) {
        set_msg(msg, len, "--%s value '%s' is out of range", o->name, val);
        return CLI_USAGE;
    }
    if (range_msg(o, (double)v, msg, len))
        return CLI_USAGE;
    *(int *)((char *)dst + o->offset) = (int)v;
    return CLI_OK;
}

static int store_float(const struct cli_opt *o, void *dst, const char *val, char *msg, size_t len)
{
    char *end;
    double v;

    errno = 0;
    v = strtod(val, &end);
    if (end == val || *end || errno || !isfinite(v)) {
        set_msg(msg, len, "--%s expects a number, got '%s'", o->name, val);
        return CLI_USAGE;
    }
    if (range_msg(o, v, msg, len))
        return CLI_USAGE;
    *(double *)((char *)dst + o->offset) = v;
    return CLI_OK;
}

static int find_choice(const char *const *choices, const char *val)
{
    for (int i = 0; choices && choices[i]; i++)
        if (!strcasecmp(choices[i], val))
            return i;
    return -1;
}

static int store(const struct cli_opt *o, void *dst, const char *val, char *msg, size_t len)
{
    char list[512];
    int idx;

    switch (o->type) {
    case CLI_INT:
    case CLI_INT_AUTO:
        return store_int(o, dst, val, msg, len);
    case CLI_FLOAT:
        return store_float(o, dst, val, msg, len);
    case CLI_STRING:
        *(const char **)((char *)dst + o->offset) = val;
        return CLI_OK;
    case CLI_FLAG:
        if (val && find_choice(o->choices, val) < 0) {
            list_choices(o->choices, list, sizeof(list));
            if (o->choices)
                set_msg(msg, len, "--%s: unknown value '%s' (valid: %s)", o->name, val, list);
            else
                set_msg(msg, len, "--%s takes no value (got '%s'); write just --%s", o->name, val,
                        o->name);
            return CLI_USAGE;
        }
        *(int *)((char *)dst + o->offset) = 1;
        return CLI_OK;
    case CLI_ENUM:
        idx = find_choice(o->choices, val);
        if (idx < 0) {
            list_choices(o->choices, list, sizeof(list));
            set_msg(msg, len, "--%s: unknown value '%s' (valid: %s)", o->name, val, list);
            return CLI_USAGE;
        }
        *(int *)((char *)dst + o->offset) = idx;
        return CLI_OK;
    }
    return CLI_USAGE;
}

/* ---- the loop ----------------------------------------------------------------------- */

static int unknown_flag(const struct cli_optset *sets, int nsets, const char *want, char *msg,
                        size_t len)
{
    char best[64] = "";
    int d = 1 << 20;

    for (int s = 0; s < nsets; s++)
        closest_in(sets[s].opts, want, best, sizeof(best), &d);
    closest_in(cli_global_opts, want, best, sizeof(best), &d);
    if (best[0] && d <= 2 + (int)strlen(want) / 3)
        set_msg(msg, len, "unknown option --%s; did you mean --%s?", want, best);
    else
        set_msg(msg, len, "unknown option --%s", want);
    return CLI_USAGE;
}

/* Normalises "--Total_GPUs=8" into name "total-gpus" (case kept) and value "8". */
static void split_arg(const char *arg, char *name, size_t len, const char **val)
{
    size_t i;
    const char *eq = strchr(arg, '=');
    size_t n = eq ? (size_t)(eq - arg) : strlen(arg);

    for (i = 0; i < n && i + 1 < len; i++)
        name[i] = arg[i] == '_' ? '-' : arg[i];
    name[i] = 0;
    *val = eq ? eq + 1 : NULL;
}

static int needs_value(enum cli_opt_type t)
{
    return t != CLI_FLAG;
}

int cli_parse_quiet(const struct cli_optset *sets, int nsets, int argc, char **argv,
                    unsigned char given[][CLI_MAX_OPTS], char *msg, size_t msglen)
{
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *val;
        char name[128];
        const struct cli_opt *o = NULL;
        int si = 0, oi = 0;

        if (!strcmp(a, "-h") || !strcmp(a, "--help"))
            return CLI_DONE;
        if (a[0] != '-' || !a[1] ||
            (a[1] != '-' && (isdigit((unsigned char)a[1]) || a[1] == '.'))) {
            set_msg(msg, msglen, "unexpected argument '%s' (options start with --)", a);
            return CLI_USAGE;
        }
        if (a[1] != '-') {
            set_msg(msg, msglen, "unknown option %s; long options take two dashes (--%s)", a,
                    a + 1);
            return CLI_USAGE;
        }
        split_arg(a + 2, name, sizeof(name), &val);
        for (si = 0; si < nsets && !o; si++)
            for (oi = 0; sets[si].opts[oi].name; oi++)
                if (opt_matches(&sets[si].opts[oi], name)) {
                    o = &sets[si].opts[oi];
                    break;
                }
        if (o)
            si--;
        if (!o && !name[0]) {
            set_msg(msg, msglen, "unexpected argument '--'");
            return CLI_USAGE;
        }
        if (!o)
            return unknown_flag(sets, nsets, name, msg, msglen);
        if (!val && needs_value(o->type)) {
            if (i + 1 >= argc ||
                (argv[i + 1][0] == '-' && argv[i + 1][1] == '-' && o->type != CLI_FLOAT &&
                 o->type != CLI_INT && o->type != CLI_INT_AUTO)) {
                set_msg(msg, msglen, "--%s needs a value%s%s", o->name, o->metavar ? " " : "",
                        o->metavar ? o->metavar : "");
                return CLI_USAGE;
            }
            val = argv[++i];
        }
        if (store(o, sets[si].dst, val, msg, msglen))
            return CLI_USAGE;
        if (given && oi < CLI_MAX_OPTS)
            given[si][oi] = 1;
    }
    return CLI_OK;
}

/* ---- help --------------------------------------------------------------------------- */

/* The help line of o: the mode's replacement from `over` pairs when it has one. */
static const char *help_line(const struct cli_opt *o, const char *const *over)
{
    for (; over && over[0] && over[1]; over += 2)
        if (!strcmp(over[0], o->name))
            return over[1];
    return o->help ? o->help : "";
}

static void help_table(FILE *f, const struct cli_opt *opts, const char *const *over)
{
    for (const struct cli_opt *o = opts; o->name; o++) {
        const char *help = help_line(o, over);
        char head[400];
        size_t n = (size_t)snprintf(head, sizeof(head), "  --%s", o->name);
        for (const char *a = o->aliases; a && *a && n < sizeof(head);) {
            size_t k = strcspn(a, " ");
            n += (size_t)snprintf(head + n, sizeof(head) - n, ", --%.*s", (int)k, a);
            a += k;
            while (*a == ' ')
                a++;
        }
        if (o->type == CLI_ENUM && n < sizeof(head)) {
            char list[256];
            size_t m = 0;
            for (int i = 0; o->choices[i] && m < sizeof(list); i++)
                m += (size_t)snprintf(list + m, sizeof(list) - m, "%s%s", i ? "|" : "",
                                      o->choices[i]);
            snprintf(head + n, sizeof(head) - n, " {%s}", list);
        } else if (o->type != CLI_FLAG && n < sizeof(head)) {
            snprintf(head + n, sizeof(head) - n, " %s",
                     o->metavar              ? o->metavar
                     : o->type == CLI_STRING ? "STR"
                                             : "N");
        }
        if (strlen(head) > 38)
            fprintf(f, "%s\n%40s%s\n", head, "", help);
        else
            fprintf(f, "%-40s%s\n", head, help);
    }
}

void cli_print_help(FILE *f, const char *prog, const char *mode, const char *summary,
                    const struct cli_optset *sets, int nsets)
{
    fprintf(f, "usage: %s %s%s [options]\n\n", prog, cli_mode_prefix(mode), mode);
    if (summary)
        fprintf(f, "%s\n\n", summary);
    fprintf(f, "options:\n");
    for (int s = 0; s < nsets; s++)
        help_table(f, sets[s].opts, sets[s].help);
    fprintf(f, "\nglobal options:\n");
    help_table(f, cli_global_opts, NULL);
    fprintf(f, "  -h, --help                            this help\n\n"
               "Underscore spellings (--total_gpus) and --flag=value are accepted.\n");
}

/* ---- with printing ------------------------------------------------------------------ */

int cli_parse(struct cli_env *env, const char *mode, const char *summary,
              const struct cli_optset *sets, int nsets, int argc, char **argv)
{
    struct cli_optset all[CLI_MAX_SETS + 1];
    char msg[640];
    int rc;

    if (nsets > CLI_MAX_SETS)
        nsets = CLI_MAX_SETS;
    memcpy(all, sets, sizeof(*sets) * (size_t)nsets);
    all[nsets].opts = cli_global_opts;
    all[nsets].dst = env;
    all[nsets].help = NULL;
    memset(env->given, 0, sizeof(env->given));
    memset(env->given_tables, 0, sizeof(env->given_tables));
    for (int s = 0; s <= nsets; s++)
        env->given_tables[s] = all[s].opts;
    rc = cli_parse_quiet(all, nsets + 1, argc, argv, env->given, msg, sizeof(msg));
    if (env->given[nsets][0])
        env->log_level_set = 1;
    cli_env_finish(env);
    if (rc == CLI_DONE) {
        cli_print_help(stdout, env->prog, mode, summary, sets, nsets);
        return CLI_DONE;
    }
    if (rc != CLI_OK) {
        cli_error(env, 1, "%s (see: %s %s%s --help)", msg, env->prog, cli_mode_prefix(mode), mode);
        return CLI_USAGE;
    }
    if (env->systems_paths && cli_check_systems_paths(env, env->systems_paths))
        return CLI_FAIL;
    return CLI_OK;
}

int cli_given(const struct cli_env *env, int set, const char *name)
{
    if (set == CLI_ANY_SET) {
        for (int s = 0; s <= CLI_MAX_SETS; s++)
            if (cli_given(env, s, name))
                return 1;
        return 0;
    }
    if (set < 0 || set > CLI_MAX_SETS || !env->given_tables[set])
        return 0;
    for (int i = 0; env->given_tables[set][i].name && i < CLI_MAX_OPTS; i++)
        if (!strcmp(env->given_tables[set][i].name, name))
            return env->given[set][i];
    return 0;
}
