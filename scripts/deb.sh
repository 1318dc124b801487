#!/bin/sh
# make deb: build the Debian package from a clean copy of this tree, so the build tree,
# `..` and the .buildinfo/.changes stay out of the way, then check it with lintian.
# Result: build/deb/evl_<version>_<arch>.deb (next to its .buildinfo and .changes).
set -eu
B=${B:-build}
ver=$(dpkg-parsechangelog -S Version)
arch=$(dpkg-architecture -qDEB_HOST_ARCH)
rm -rf "$B/deb" && mkdir -p "$B/deb"
out=$(cd "$B/deb" && pwd)
src=$out/src/evl-$ver
mkdir -p "$src"
# The source as it is in the working tree (committed or not), without build output.
tar --exclude=./build --exclude=./.git --exclude=./.ci -cf - . | tar -xf - -C "$src"
echo "deb: dpkg-buildpackage in $src (log: $out/build.log)"
if ! (cd "$src" && dpkg-buildpackage -us -uc -b) >"$out/build.log" 2>&1; then
	tail -n 30 "$out/build.log" >&2
	echo "deb: dpkg-buildpackage failed (log: $out/build.log)" >&2
	exit 1
fi
mv "$out"/src/evl_"$ver"_* "$out"/
deb=$out/evl_${ver}_$arch.deb
[ -f "$deb" ] || { echo "deb: $deb was not built" >&2; exit 1; }
echo "deb: lintian $deb"
lintian --fail-on error,warning "$deb"
echo "deb: $deb"
