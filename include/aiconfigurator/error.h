/*
 * error.h - status codes and the error object every library call fills.
 *
 * The library never prints and never exits. A failing function returns a negative
 * AIC_ERR_* code and, when the caller passed a non-NULL struct aic_error, writes one
 * line into it that says what was wrong and how to fix it. The command line maps
 * AIC_ERR_USAGE to exit status 2 and every other error to exit status 1.
 *
 * Ownership: struct aic_error is a plain value owned by the caller (usually on the stack).
 */
#ifndef AIC_ERROR_H
#define AIC_ERROR_H

#include <stddef.h>

enum aic_status {
    AIC_OK = 0,
    AIC_ERR_USAGE = -1, /* bad input from the user: flag value, unknown name, impossible layout */
    AIC_ERR_NOTFOUND = -2, /* a file, model, system, backend or version does not exist */
    AIC_ERR_PARSE = -3,    /* a file exists but is malformed (JSON, YAML, CSV) */
    AIC_ERR_NODATA = -4,   /* the perf database has no data for an op (SILICON mode) */
    AIC_ERR_OOM = -5,      /* the configuration does not fit in GPU memory */
    AIC_ERR_NOMEM = -6,    /* host allocation failed */
    AIC_ERR_IO = -7,       /* reading or writing a file failed */
    AIC_ERR_RUNTIME = -8,  /* anything else */
};

#define AIC_ERROR_MSG_MAX 512

struct aic_error {
    int code;                    /* one of enum aic_status */
    char msg[AIC_ERROR_MSG_MAX]; /* one line, no trailing newline */
};

/* Fills err (if non-NULL) with code and a printf-style message; returns code. */
int aic_err(struct aic_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prepends "prefix: " to err->msg (used to add context while an error travels up). */
void aic_err_prefix(struct aic_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Short name of a status code ("usage", "not found", ...). Never NULL. */
const char *aic_status_name(int code);

#endif
