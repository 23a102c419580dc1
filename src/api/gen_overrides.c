/*
 * gen_overrides.c - the generator override parameters shared by generate, default and
 * recommend (generator_config, generator_set, generated_config_version,
 * generator_dynamo_version) applied to a struct aic_gencfg.
 */
#include <stdio.h>

#include "aiconfigurator/generate.h"
#include "api/api_int.h"

int api_gen_overrides(struct api_call *c, const struct api_gen_p *g, int load_file,
                      struct aic_gencfg *cfg)
{
    char buf[1200];
    int rc = 0;

    if (load_file && g->config)
        rc = aic_gencfg_load_file(cfg, g->config, c->err);
    for (int i = 0; !rc && i < g->sets.n; i++)
        rc = aic_gencfg_set(cfg, g->sets.v[i], c->err);
    if (!rc && g->tmpl_version) {
        snprintf(buf, sizeof(buf), "config_template_version=\"%s\"", g->tmpl_version);
        rc = aic_gencfg_set(cfg, buf, c->err);
    }
    if (!rc && g->dynamo_version) {
        snprintf(buf, sizeof(buf), "generator_dynamo_version=\"%s\"", g->dynamo_version);
        rc = aic_gencfg_set(cfg, buf, c->err);
    }
    return rc;
}
