#!/bin/sh
# make compare's xen-pvh configuration: tools/compare/peers/run-xen.sh with a PVH domU.
exec "$(dirname "$0")/../peers/run-xen.sh" --type pvh "$@"
