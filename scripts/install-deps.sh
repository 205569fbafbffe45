#!/bin/sh
# Install what sampo needs from Debian 12 packages, and nothing that is
# already there.  Safe to run again.  Runs apt-get as root (through sudo
# when not root).  Usage: scripts/install-deps.sh [--lab]
#   --lab   also the tools of the MPTCP lab and benchmarks (tshark, tcpdump,
#           nftables, ethtool, mptcpize, clang for fuzzing)
#
# PKGS is all that the tests of scripts/run-tests.sh need. Without some of
# it a test would be skipped, which CI's guard (scripts/check-ctest-run.py)
# fails: swig and python3-dev (no python.* tests registered at all),
# python3-pandas (python.TestFrames, python.TestNotebook), jupyter-nbconvert,
# python3-ipykernel, python3-matplotlib (python.TestNotebook), python3
# (golden.sflow.mptcp-v0, and the golden truth checks, which fail without
# it); abi.abidiff fails without abigail-tools; libwiretap-dev, libwsutil-dev
# and libglib2.0-dev build the wiretap reader of multi-link-type pcapng, and
# wireshark-common (mergecap, editcap), iproute2 and ethtool are what the
# cli_inputs tests build their captures and network namespaces with;
# tshark computes the Community IDs that misc.records_join compares with;
# jq is in the examples of docs/cli.md and the manual page (docs.examples);
# libnetfilter-queue-dev builds sampo-nf (the NFQUEUE firewall) and iptables
# writes the -j NFQUEUE rules of its test (nf.inline: the nftables queue
# statement does not work on every kernel, docs/sampo-nf.md).
set -eu
PKGS="build-essential cmake pkg-config clang-format libssl-dev uthash-dev libpcap-dev libtrace3-dev libwiretap-dev libwsutil-dev libglib2.0-dev libcriterion-dev abigail-tools
swig python3-dev python3-numpy python3-pandas python3-matplotlib jupyter-nbconvert python3-ipykernel
wireshark-common tshark iproute2 ethtool jq libnetfilter-queue-dev iptables"
if [ "${1:-}" = "--lab" ]; then
    PKGS="$PKGS tcpdump iproute2 nftables ethtool mptcpd clang libclang-rt-14-dev valgrind hyperfine"
fi
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && { echo "install-deps: everything is installed"; exit 0; }
echo "install-deps: installing:$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
