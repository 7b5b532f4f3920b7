#!/usr/bin/env bash
# Builds the plugin in the source tree with warnings as errors:
# plugins/.libs/libjanus_duet.so. Usage: scripts/build.sh
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x configure ] || [ configure.ac -nt configure ] || [ Makefile.am -nt configure ]; then
	autoreconf -fi
fi
if [ ! -f Makefile ] || [ configure -nt Makefile ]; then
	./configure --enable-werror
fi
make -j"$(nproc)"
