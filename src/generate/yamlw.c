/*
 * yamlw.c - text helpers for the generated files: YAML scalars quoted only when a YAML 1.1
 * or 1.2 reader could take them for something else (bool, null, number, indicator), bash
 * single quoting, and a parse-back check of every YAML text before it is kept.
 */
#include <ctype.h>
#include <libfyaml.h>
#include <string.h>
#include <strings.h>

#include "generate/gen_int.h"

/* Words YAML 1.1 reads as booleans or null. */
static int is_special_word(const char *s)
{
    static const char *const w[] = {"y",     "n",    "yes", "no",   "on",   "off", "true",
                                    "false", "null", "~",   ".inf", ".nan", NULL};
    for (int i = 0; w[i]; i++)
        if (!strcasecmp(s, w[i]))
            return 1;
    return 0;
}

static int plain_ok(const char *s)
{
    size_t n = strlen(s);

    if (!n || is_special_word(s))
        return 0;
    if (isdigit((unsigned char)s[0]) || s[0] == '.' || s[0] == '+')
        return 0;
    if (s[0] == '-' && (n == 1 || isdigit((unsigned char)s[1]) || s[1] == '.'))
        return 0;
    if (s[n - 1] == ':')
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!isalnum(c) && !strchr("_./-:=@+", c))
            return 0;
    }
    return 1;
}

void yw_scalar(struct aic_buf *b, const char *s)
{
    if (plain_ok(s)) {
        aic_buf_puts(b, s);
        return;
    }
    aic_buf_puts(b, "\"");
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"':
            aic_buf_puts(b, "\\\"");
            break;
        case '\\':
            aic_buf_puts(b, "\\\\");
            break;
        case '\n':
            aic_buf_puts(b, "\\n");
            break;
        case '\t':
            aic_buf_puts(b, "\\t");
            break;
        default:
            if (*p < 0x20)
                aic_buf_printf(b, "\\u%04x", *p);
            else
                aic_buf_add(b, (const char *)p, 1);
        }
    }
    aic_buf_puts(b, "\"");
}

void sh_quote(struct aic_buf *b, const char *s)
{
    int plain = *s != 0;
    for (const char *p = s; *p; p++)
        if (!isalnum((unsigned char)*p) && !strchr("_./-:=@+,", *p))
            plain = 0;
    if (plain) {
        aic_buf_puts(b, s);
        return;
    }
    aic_buf_puts(b, "'");
    for (const char *p = s; *p; p++) {
        if (*p == '\'')
            aic_buf_puts(b, "'\\''");
        else
            aic_buf_add(b, p, 1);
    }
    aic_buf_puts(b, "'");
}

void gen_sh_default(struct aic_buf *o, const char *var, const char *env, const char *value)
{
    aic_buf_printf(o, "%s=\"${%s:-}\"\n[ -n \"$%s\" ] || %s=", var, env, var, var);
    sh_quote(o, value);
    aic_buf_puts(o, "\n");
}

int yw_check(const char *text, const char *name, struct aic_error *err)
{
    struct fy_parse_cfg cfg;
    struct fy_parser *fyp;
    struct fy_document *doc;
    int bad, ndocs = 0;

    memset(&cfg, 0, sizeof(cfg));
    cfg.flags = FYPCF_QUIET | FYPCF_DISABLE_RECYCLING;
    if (!(fyp = fy_parser_create(&cfg)))
        return aic_err(err, AIC_ERR_NOMEM, "out of memory");
    if (fy_parser_set_string(fyp, text, strlen(text))) {
        fy_parser_destroy(fyp);
        return aic_err(err, AIC_ERR_NOMEM, "out of memory");
    }
    while ((doc = fy_parse_load_document(fyp))) {
        ndocs++;
        fy_parse_document_destroy(fyp, doc);
    }
    bad = fy_parser_get_stream_error(fyp);
    fy_parser_destroy(fyp);
    if (bad || !ndocs)
        return aic_err(err, AIC_ERR_RUNTIME,
                       "internal error: generated %s is not valid YAML; please report it", name);
    return AIC_OK;
}
