#!/bin/sh
# Install into a scratch prefix, then build a consumer against it with
# find_package(sampo) and with pkg-config, and run both.
set -eu
build="$1"; src="$2"; work="$3"
rm -rf "$work"; mkdir -p "$work"
cmake --install "$build" --prefix "$work/prefix" >/dev/null
test -f "$work/prefix/include/sampo.h"
test -f "$work/prefix/lib/pkgconfig/sampo.pc" || test -f "$work/prefix/lib/x86_64-linux-gnu/pkgconfig/sampo.pc"
cmake -S "$src/tests/misc/consumer" -B "$work/consumer" -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/consumer" >/dev/null
LD_LIBRARY_PATH="$(dirname "$(find "$work/prefix" -name 'libsampo.so' | head -1)")" "$work/consumer/consumer"
pc=$(find "$work/prefix" -name sampo.pc | head -1)
PKG_CONFIG_PATH=$(dirname "$pc") cc -o "$work/consumer-pc" "$src/tests/misc/consumer/consumer.c" \
    $(PKG_CONFIG_PATH=$(dirname "$pc") pkg-config --cflags --libs sampo)
LD_LIBRARY_PATH="$(dirname "$(find "$work/prefix" -name 'libsampo.so' | head -1)")" "$work/consumer-pc"
echo "check-install: find_package(sampo) and pkg-config consumers built and ran"
