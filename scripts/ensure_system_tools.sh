#!/usr/bin/env bash
# Installs the system tools `make test` and `make demo` use for the C library (pkg-config for the quickstart
# build, cmake for the find_package check, valgrind for the memory check) when they are missing. A fresh CI
# machine runs as root with Debian's apt; elsewhere we only say what is missing.
set -euo pipefail

declare -A package_of=([pkg-config]=pkg-config [cmake]=cmake [valgrind]=valgrind)
missing=()
for tool in pkg-config cmake valgrind; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("${package_of[$tool]}")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "==> apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  exit 0
fi

echo "==> missing system tools: ${missing[*]} (install them with your package manager)" >&2
# pkg-config is needed to build the C quickstart the way users do; the others only enable extra checks.
command -v pkg-config >/dev/null 2>&1 || exit 1
