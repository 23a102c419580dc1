/*
 * backend.c - names of the serving frameworks.
 */
#include <strings.h>

#include "aiconfigurator/backend.h"

static const char *const backend_names[AIC_BACKEND_COUNT] = {"trtllm", "vllm", "sglang"};

const char *aic_backend_name(enum aic_backend b)
{
    if ((int)b < 0 || b >= AIC_BACKEND_COUNT)
        return "unknown";
    return backend_names[b];
}

int aic_backend_parse(const char *name)
{
    if (!name)
        return -1;
    for (int i = 0; i < AIC_BACKEND_COUNT; i++)
        if (!strcasecmp(name, backend_names[i]))
            return i;
    if (!strcasecmp(name, "tensorrt-llm") || !strcasecmp(name, "tensorrt_llm"))
        return AIC_BACKEND_TRTLLM;
    return -1;
}
