#!/bin/sh
# make compare's xen-hvm configuration: tools/compare/peers/run-xen.sh with a HVM domU.
exec "$(dirname "$0")/../peers/run-xen.sh" --type hvm "$@"
