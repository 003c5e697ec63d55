#!/bin/sh
# make compare's kvm-shadow configuration: tools/compare/peers/run-kvm.sh with kvm_amd npt=0.
exec "$(dirname "$0")/../peers/run-kvm.sh" --npt 0 "$@"
