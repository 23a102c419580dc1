/*
 * aiconfigurator.h - umbrella header of libaiconfigurator.
 */
#ifndef AICONFIGURATOR_H
#define AICONFIGURATOR_H

#include "aiconfigurator/error.h"
#include "aiconfigurator/quant.h"
#include "aiconfigurator/backend.h"
#include "aiconfigurator/model.h"
#include "aiconfigurator/system.h"
#include "aiconfigurator/perf.h"
#include "aiconfigurator/engine.h"
#include "aiconfigurator/estimate.h"

const char *aic_version(void);

#endif
