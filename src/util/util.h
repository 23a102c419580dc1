/*
 * util.h - small helpers shared inside the library: files, paths, strings, growable
 * buffers (git's strbuf idea), edit distance for "did you mean" messages.
 *
 * Internal header (not installed).
 */
#ifndef AIC_UTIL_H
#define AIC_UTIL_H

#include <stddef.h>
#include <stdio.h>

#include "aiconfigurator/error.h"

/* Reads a whole file into a NUL-terminated malloc'd buffer (caller frees). Missing file
 * -> AIC_ERR_NOTFOUND, read error -> AIC_ERR_IO. len may be NULL. */
int aic_read_file(const char *path, char **out, size_t *len, struct aic_error *err);

int aic_is_dir(const char *path);
int aic_is_file(const char *path);

/* Copies src into dst of size n, always NUL-terminated; returns strlen(src). */
size_t aic_strlcpy(char *dst, const char *src, size_t n);

/* Makes s valid UTF-8 for JSON: drops a sequence cut off at its end (a message truncated to
 * its buffer) and replaces any other invalid byte (a file name, a URL) with '?'. */
void aic_utf8_trim(char *s);

/* 1 when s is valid UTF-8 without control characters (one line of printable text). */
int aic_text_ok(const char *s);

/* Joins a and b with one '/', into dst of size n. */
void aic_path_join(char *dst, size_t n, const char *a, const char *b);

/* Levenshtein distance, case-insensitive (for "closest ids" suggestions). */
int aic_edit_distance(const char *a, const char *b);

/* Room for one more item in a growable array of n items (each `size` bytes, *cap allocated,
 * doubling from `first`): returns the array, reallocated when full, with *cap updated; NULL
 * when out of memory (the old array and *cap unchanged). Start from NULL and *cap = 0. */
void *aic_grow(void *items, int n, int *cap, size_t size, int first);

/* Growable string. Zero-initialise (struct aic_buf b = {0}), append, then free. */
struct aic_buf {
    char *s; /* NUL-terminated (NULL while empty) */
    size_t len;
    size_t cap;
};
int aic_buf_add(struct aic_buf *b, const char *s, size_t n);
int aic_buf_puts(struct aic_buf *b, const char *s);
int aic_buf_printf(struct aic_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *aic_buf_str(const struct aic_buf *b); /* "" while empty */
void aic_buf_release(struct aic_buf *b);

/* Monotonic clock in seconds (benchmarks, progress). */
double aic_now_s(void);

#endif
