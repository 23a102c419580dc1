/*
 * cmd_webapp.c - `aiconfigurator webapp`: starts the local web app (src/web) on
 * 127.0.0.1:7860 by default, prints its URL and serves until Ctrl-C / SIGTERM, then stops
 * cleanly. AIConfigurator's spellings --server-name / --server-port are accepted, and its
 * feature switches (--enable-agg, ...) are accepted and ignored (every tab is always on).
 */
#include <signal.h>
#include <stddef.h>
#include <stdio.h>

#include "cli/cli.h"
#include "web/web.h"

struct web_cli_opts {
    const char *host;
    int port;
    int ignored;
};

#define O(f) offsetof(struct web_cli_opts, f)
static const struct cli_opt web_table[] = {
    {"host", "server-name", CLI_STRING, O(host), 0, 0, NULL, "ADDR",
     "address to listen on (default 127.0.0.1; 0.0.0.0 exposes the app to the network)"},
    {"port", "server-port", CLI_INT, O(port), 0, 65535, NULL, "N",
     "TCP port (default 7860; 0 = any free port)"},
    {"enable-agg", "enable-disagg-pd-ratio enable-profiling experimental", CLI_FLAG, O(ignored), 0,
     0, NULL, NULL, "accepted for compatibility; ignored"},
    {0},
};
#undef O

static const char web_summary[] =
    "Serves the web app: a page to search configurations (default), estimate one deployment "
    "and view the Pareto frontier, plus the JSON API at POST /api.";

int cmd_webapp(struct cli_env *env, int argc, char **argv)
{
    struct web_cli_opts o = {.port = AIC_WEB_DEFAULT_PORT};
    const struct cli_optset sets[] = {{web_table, &o, NULL}};
    struct aic_web_opts wo = {0};
    struct aic_error err = {0};
    struct aic_web *w = NULL;
    sigset_t stop;
    int sig = 0, rc = cli_parse(env, "webapp", web_summary, sets, 1, argc, argv);

    if (rc != CLI_OK)
        return rc;
    if (env->systems_paths && cli_check_systems_paths(env, env->systems_paths))
        return CLI_USAGE;
    wo.host = o.host;
    wo.port = (unsigned)o.port;
    wo.systems_paths = env->systems_paths;
    /* block the stop signals before the server's threads exist, so they inherit the mask
     * and only sigwait() below sees them */
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    if (aic_web_start(&wo, &w, &err))
        return cli_lib_error(env, &err);
    printf("aiconfigurator webapp %s: serving %s (Ctrl-C to stop)\n", AIC_VERSION, aic_web_url(w));
    fflush(stdout);
    sigwait(&stop, &sig);
    cli_log(env, CLI_LOG_INFO, "stopping the web app (signal %d)", sig);
    aic_web_stop(w);
    return CLI_OK;
}
