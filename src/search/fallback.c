/*
 * fallback.c - the database-mode fallback of a search request: without perf data for the
 * system and backend along the systems paths, and without an explicit mode or version, the
 * search runs the EMPIRICAL model (search.h, aic_search_req_fallback()). Every surface
 * (cli default/recommend, the JSON API) decides it here and words the warning itself.
 */
#include "aiconfigurator/perf.h"
#include "aiconfigurator/search.h"

int aic_search_req_fallback(struct aic_ctx *ctx, struct aic_search_req *req, int db_mode_given,
                            int *fell_back, struct aic_error *err)
{
    const struct aic_system *sys;
    char versions[256] = "";
    int rc;

    *fell_back = 0;
    if (db_mode_given || (req->backend_version && *req->backend_version))
        return 0;
    if ((rc = aic_ctx_get_system(ctx, req->system, &sys, err)))
        return rc;
    for (int b = 0; b < AIC_BACKEND_COUNT && !versions[0]; b++)
        if (req->backend == AIC_BACKEND_AUTO || req->backend == b)
            aic_perfdb_versions(sys, (enum aic_backend)b, versions, sizeof(versions));
    if (versions[0])
        return 0;
    req->db_mode = AIC_DB_EMPIRICAL;
    *fell_back = 1;
    return 0;
}
