/*
 * cli_out.c - what every mode shares for talking to the user: the environment (log level,
 * colour, systems paths), one-line errors on stderr, log lines, exit-status mapping.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "util/util.h"

static int level_from_name(const char *s)
{
    static const char *const names[] = {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"};
    for (int i = 0; s && i < 5; i++)
        if (!strcasecmp(s, names[i]))
            return i;
    if (s && !strcasecmp(s, "WARN"))
        return CLI_LOG_WARNING;
    return -1;
}

void cli_env_init(struct cli_env *env, const char *argv0)
{
    const char *slash = argv0 ? strrchr(argv0, '/') : NULL;

    memset(env, 0, sizeof(*env));
    env->prog = "aiconfigurator";
    (void)slash;
    env->log_level = CLI_LOG_INFO;
    env->log = stdout; /* as AIConfigurator: logs and results share stdout */
}

void cli_env_finish(struct cli_env *env)
{
    const char *nc = getenv("NO_COLOR");

    if (!env->log_level_set) {
        int l = level_from_name(getenv("AICONFIGURATOR_LOG_LEVEL"));
        env->log_level = l >= 0 ? l : env->debug ? CLI_LOG_DEBUG : CLI_LOG_INFO;
    }
    env->color = !env->no_color && !(nc && nc[0]) && isatty(STDOUT_FILENO);
}

const char *cli_color(const struct cli_env *env, const char *what)
{
    static const struct {
        const char *name, *seq;
    } codes[] = {{"bold", "\033[1m"},    {"red", "\033[31m"}, {"green", "\033[32m"},
                 {"yellow", "\033[33m"}, {"dim", "\033[2m"},  {"reset", "\033[0m"},
                 {"cyan", "\033[36m"}};

    if (!env || !env->color)
        return "";
    for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
        if (!strcmp(codes[i].name, what))
            return codes[i].seq;
    return "";
}

/* Writes one formatted message and its newline; control characters that came in with
 * user input (a newline in a flag value, a form feed in a config file) are escaped, so a
 * message stays one line. */
static void put_line(FILE *f, const char *fmt, va_list ap)
{
    char small[1024], *msg = small;
    va_list copy;
    int n;

    va_copy(copy, ap);
    n = vsnprintf(small, sizeof(small), fmt, ap);
    if (n >= (int)sizeof(small) && (msg = malloc((size_t)n + 1)))
        vsnprintf(msg, (size_t)n + 1, fmt, copy);
    va_end(copy);
    if (!msg)
        msg = small;
    for (const unsigned char *c = (const unsigned char *)msg; n > 0 && *c; c++) {
        if (*c == '\n' || *c == '\r' || *c == '\t')
            fprintf(f, "\\%c", *c == '\n' ? 'n' : *c == '\r' ? 'r' : 't');
        else if (*c < 0x20 || *c == 0x7f)
            fprintf(f, "\\x%02x", *c);
        else if (c[0] == 0xE2 && c[1] == 0x80 && (c[2] == 0xA8 || c[2] == 0xA9)) /* U+2028/9 */
            fprintf(f, "\\u%04x", 0x2000 + c[2] - 0x80), c += 2;
        else
            fputc(*c, f);
    }
    fputc('\n', f);
    if (msg != small)
        free(msg);
}

int cli_error(const struct cli_env *env, int usage, const char *fmt, ...)
{
    va_list ap;
    int tty = env && !env->no_color && !getenv("NO_COLOR") && isatty(STDERR_FILENO);

    fprintf(stderr, "%serror:%s ", tty ? "\033[31m" : "", tty ? "\033[0m" : "");
    va_start(ap, fmt);
    put_line(stderr, fmt, ap);
    va_end(ap);
    return usage ? CLI_USAGE : CLI_FAIL;
}

int cli_lib_error(const struct cli_env *env, const struct aic_error *err)
{
    const char *msg = err && err->msg[0] ? err->msg : "unknown error";
    int usage = err && err->code == AIC_ERR_USAGE;
    return cli_error(env, usage, "%s", msg);
}

void cli_log(const struct cli_env *env, int level, const char *fmt, ...)
{
    static const char letters[] = "DIWEC";
    char stamp[16] = "";
    time_t now = time(NULL);
    struct tm tmv;
    va_list ap;
    FILE *f = env->log ? env->log : stdout;

    if (level < env->log_level)
        return;
    if (localtime_r(&now, &tmv))
        strftime(stamp, sizeof(stamp), "%H:%M:%S", &tmv);
    fprintf(f, "%s%s [aiconfigurator]%s ", cli_color(env, "dim"), stamp, cli_color(env, "reset"));
    fprintf(f, "%s[%c]%s ",
            level >= CLI_LOG_ERROR     ? cli_color(env, "red")
            : level == CLI_LOG_WARNING ? cli_color(env, "yellow")
                                       : "",
            letters[level < 0   ? 0
                    : level > 4 ? 4
                                : level],
            cli_color(env, "reset"));
    va_start(ap, fmt);
    put_line(f, fmt, ap);
    va_end(ap);
}

int cli_exit_code(int rc)
{
    switch (rc) {
    case CLI_OK:
    case CLI_DONE:
        return 0;
    case CLI_USAGE:
        return 2;
    default:
        return 1;
    }
}

int cli_check_systems_paths(const struct cli_env *env, const char *paths)
{
    const char *p = paths;

    if (!*p)
        return cli_error(env, 1,
                         "Invalid --systems-paths: empty; give a comma-separated list "
                         "of directories (`default` = bundled)");
    while (*p) {
        size_t n = strcspn(p, ",");
        char dir[AIC_PATH_MAX];

        if (n >= sizeof(dir))
            n = sizeof(dir) - 1;
        memcpy(dir, p, n);
        dir[n] = 0;
        if (n && strcmp(dir, "default") && !aic_is_dir(dir))
            return cli_error(env, 0,
                             "Invalid --systems-paths: '%s' is not a directory; give existing "
                             "directories separated by commas (`default` = bundled)",
                             dir);
        p += n;
        if (*p == ',')
            p++;
    }
    return CLI_OK;
}

void cli_warns_cb(void *user, const char *msg)
{
    struct cli_warns *w = user;
    cli_log(w->env, CLI_LOG_WARNING, "%s", msg);
    if (w->n < CLI_MAX_WARNS && (w->line[w->n] = strdup(msg)))
        w->n++;
}

void cli_warns_free(struct cli_warns *w)
{
    for (size_t i = 0; i < w->n; i++)
        free(w->line[i]);
    w->n = 0;
}
