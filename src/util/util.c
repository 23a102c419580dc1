/*
 * util.c - files, paths, strings, growable buffers.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "util/util.h"

int aic_read_file(const char *path, char **out, size_t *len, struct aic_error *err)
{
    FILE *f = fopen(path, "rb");
    struct stat st = {0};
    char *buf;
    long size;

    *out = NULL;
    if (!f)
        return aic_err(err, errno == ENOENT ? AIC_ERR_NOTFOUND : AIC_ERR_IO, "cannot open %s: %s",
                       path, strerror(errno));
    /* fopen() opens a directory, whose "size" ftell() reports as LONG_MAX; a device or pipe
     * has no size either: only a regular file can be read this way */
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        int dir = S_ISDIR(st.st_mode);
        fclose(f);
        return aic_err(err, AIC_ERR_IO, "cannot read %s: it is %s", path,
                       dir ? "a directory, not a file" : "not a regular file");
    }
    if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return aic_err(err, AIC_ERR_IO, "cannot read %s: %s", path, strerror(errno));
    }
    buf = malloc((size_t)size + 1);
    if (!buf) {
        fclose(f);
        return aic_err(err, AIC_ERR_NOMEM, "out of memory reading %s", path);
    }
    if (size > 0 && fread(buf, 1, (size_t)size, f) != (size_t)size) {
        free(buf);
        fclose(f);
        return aic_err(err, AIC_ERR_IO, "cannot read %s", path);
    }
    fclose(f);
    buf[size] = 0;
    *out = buf;
    if (len)
        *len = (size_t)size;
    return AIC_OK;
}

int aic_is_dir(const char *path)
{
    struct stat st;
    return path && stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int aic_is_file(const char *path)
{
    struct stat st;
    return path && stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Length of the valid UTF-8 sequence at s (1-4), 0 when it is not one; `left` bytes remain. */
static size_t utf8_len(const unsigned char *s, size_t left)
{
    size_t n = s[0] < 0x80                   ? 1
               : s[0] >= 0xC2 && s[0] < 0xE0 ? 2
               : s[0] >= 0xE0 && s[0] < 0xF0 ? 3
               : s[0] >= 0xF0 && s[0] < 0xF5 ? 4
                                             : 0;
    if (!n || n > left)
        return 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    if ((n == 3 && s[0] == 0xE0 && s[1] < 0xA0) || (n == 4 && s[0] == 0xF0 && s[1] < 0x90) ||
        (n == 4 && s[0] == 0xF4 && s[1] >= 0x90) || (n == 3 && s[0] == 0xED && s[1] >= 0xA0))
        return 0; /* overlong, beyond U+10FFFF, or a surrogate */
    return n;
}

int aic_text_ok(const char *s)
{
    size_t len = strlen(s), n;

    for (size_t i = 0; i < len; i += n) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f || !(n = utf8_len((const unsigned char *)s + i, len - i)))
            return 0;
    }
    return 1;
}

void aic_utf8_trim(char *s)
{
    size_t len = strlen(s), i = 0;

    while (i < len) {
        size_t n = utf8_len((const unsigned char *)s + i, len - i);
        if (n) {
            i += n;
        } else if (len - i < 4 && (unsigned char)s[i] >= 0xC2) {
            s[i] = 0; /* a sequence cut off at the end */
            return;
        } else {
            s[i++] = '?';
        }
    }
}

size_t aic_strlcpy(char *dst, const char *src, size_t n)
{
    size_t l = strlen(src);
    if (n) {
        size_t c = l < n - 1 ? l : n - 1;
        memcpy(dst, src, c);
        dst[c] = 0;
    }
    return l;
}

void aic_path_join(char *dst, size_t n, const char *a, const char *b)
{
    size_t la = strlen(a);
    if (la && a[la - 1] == '/')
        snprintf(dst, n, "%s%s", a, b);
    else
        snprintf(dst, n, "%s/%s", a, b);
}

int aic_edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    int *row = malloc((lb + 1) * sizeof(int));
    int res;

    if (!row)
        return 1 << 20;
    for (size_t j = 0; j <= lb; j++)
        row[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        int prev = row[0];
        row[0] = (int)i;
        for (size_t j = 1; j <= lb; j++) {
            int cur = row[j];
            int cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
            int best = prev + cost;
            if (row[j] + 1 < best)
                best = row[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            prev = cur;
        }
    }
    res = row[lb];
    free(row);
    return res;
}

void *aic_grow(void *items, int n, int *cap, size_t size, int first)
{
    int nc;
    void *v;

    if (n < *cap)
        return items;
    nc = *cap > 0 ? 2 * *cap : first;
    v = realloc(items, (size_t)nc * size);
    if (v)
        *cap = nc;
    return v;
}

static int buf_grow(struct aic_buf *b, size_t extra)
{
    size_t need = b->len + extra + 1;
    if (need > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 256;
        char *s;
        while (cap < need)
            cap *= 2;
        s = realloc(b->s, cap);
        if (!s)
            return AIC_ERR_NOMEM;
        b->s = s;
        b->cap = cap;
    }
    return AIC_OK;
}

int aic_buf_add(struct aic_buf *b, const char *s, size_t n)
{
    if (buf_grow(b, n))
        return AIC_ERR_NOMEM;
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = 0;
    return AIC_OK;
}

int aic_buf_puts(struct aic_buf *b, const char *s)
{
    return aic_buf_add(b, s, strlen(s));
}

int aic_buf_printf(struct aic_buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || buf_grow(b, (size_t)n))
        return AIC_ERR_NOMEM;
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return AIC_OK;
}

const char *aic_buf_str(const struct aic_buf *b)
{
    return b->s ? b->s : "";
}

void aic_buf_release(struct aic_buf *b)
{
    free(b->s);
    b->s = NULL;
    b->len = b->cap = 0;
}

double aic_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}
