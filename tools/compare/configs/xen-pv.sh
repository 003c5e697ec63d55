#!/bin/sh
# make compare's xen-pv configuration: tools/compare/peers/run-xen.sh with a PV domU.
exec "$(dirname "$0")/../peers/run-xen.sh" --type pv "$@"
