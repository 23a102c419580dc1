/*
 * error.c - filling struct aic_error.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "aiconfigurator/error.h"
#include "util/util.h"

int aic_err(struct aic_error *err, int code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
        va_end(ap);
        aic_utf8_trim(err->msg);
        err->code = code;
    }
    return code;
}

void aic_err_prefix(struct aic_error *err, const char *fmt, ...)
{
    char prefix[AIC_ERROR_MSG_MAX];
    char old[AIC_ERROR_MSG_MAX];
    va_list ap;

    if (!err)
        return;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof(prefix), fmt, ap);
    va_end(ap);
    memcpy(old, err->msg, sizeof(old));
    snprintf(err->msg, sizeof(err->msg), "%s: %s", prefix, old);
    aic_utf8_trim(err->msg);
}

const char *aic_status_name(int code)
{
    switch (code) {
    case AIC_OK:
        return "ok";
    case AIC_ERR_USAGE:
        return "usage";
    case AIC_ERR_NOTFOUND:
        return "not found";
    case AIC_ERR_PARSE:
        return "parse error";
    case AIC_ERR_NODATA:
        return "no perf data";
    case AIC_ERR_OOM:
        return "out of memory";
    case AIC_ERR_NOMEM:
        return "host out of memory";
    case AIC_ERR_IO:
        return "i/o error";
    default:
        return "error";
    }
}
