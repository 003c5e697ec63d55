#!/bin/sh
# make compare's kvm-npt configuration: tools/compare/peers/run-kvm.sh with kvm_amd npt=1.
exec "$(dirname "$0")/../peers/run-kvm.sh" --npt 1 "$@"
