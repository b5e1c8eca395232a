#!/bin/sh
# Set-up on a fresh Debian 12 machine: install the build dependencies,
# build vpcitrap, and run its main job on a bundled real trace.
set -e
cd "$(dirname "$0")"
SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
$SUDO apt-get update -q
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
	build-essential autoconf automake pkg-config libpci-dev libcunit1-dev libxen-dev \
	pciutils xz-utils
./autogen.sh
./configure
make -j"$(nproc)"
echo "== vpcitrap replay examples/q35-realloc.trace --final (last lines)"
./tools/vpcitrap replay examples/q35-realloc.trace --final | tail -n 12
