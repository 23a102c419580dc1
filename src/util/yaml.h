/*
 * yaml.h - parsing a YAML document with libfyaml and turning its first diagnostic into our
 * one-line error "origin:line:col: malformed YAML: message".
 *
 * Internal header (not installed).
 */
#ifndef AIC_UTIL_YAML_H
#define AIC_UTIL_YAML_H

#include <libfyaml.h>

#include "aiconfigurator/error.h"

/* Parses the file `path` when it is non-NULL, else `text`. `origin` names the input in
 * messages (NULL: path, or "value"). With `resolve`, anchors, aliases and `<<:` merge keys
 * are resolved. Returns the document (caller destroys it with fy_document_destroy) or NULL
 * with AIC_ERR_PARSE in err. */
struct fy_document *aic_yaml_parse(const char *path, const char *text, const char *origin,
                                   int resolve, struct aic_error *err);

#endif
