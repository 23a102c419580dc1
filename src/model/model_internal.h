/*
 * model_internal.h - declarations shared between the model parser and the model loader.
 *
 * Internal header (not installed).
 */
#ifndef AIC_MODEL_INTERNAL_H
#define AIC_MODEL_INTERNAL_H

#include "aiconfigurator/model.h"

#define AIC_PATH_MAX_MODEL 1024

/* aic_model_parse() with the file names to quote in error messages. */
int aic_model_parse_named(const char *config_json, const char *quant_json, const char *id,
                          const char *cfg_file, const char *quant_file, struct aic_model *out,
                          struct aic_error *err);

#endif
