#!/usr/bin/env bash
# make test-heavy: the hostile-file soak over every file of the shared
# corpus (make test runs every 6th): tests/e2e/soak.sh with WY_SOAK_ALL=1.
WY_SOAK_ALL=1 exec bash "$(dirname "$0")/../e2e/soak.sh"
