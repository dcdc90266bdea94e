#!/bin/sh
# Fetch Debian cloud kernels (6.1 from the release suite, 6.12 from its backports suite) into a
# private cache without touching the system's apt state: the sources entry is derived at run time
# from the machine's own /etc/apt/sources.list.d/debian.sources (no host name lives in this repo).
# Usage: bin/fetch-kernels.sh [cache-dir]   (default ~/.cache/memhp/kernels)
set -eu
CACHE=${1:-${MEMHP_KERNEL_CACHE:-$HOME/.cache/memhp/kernels}}
mkdir -p "$CACHE/apt/lists/partial" "$CACHE/apt/cache/archives/partial" "$CACHE/debs"
SRC=/etc/apt/sources.list.d/debian.sources
[ -r "$SRC" ] || { echo "fetch-kernels: $SRC not found (a Debian 12 machine is assumed)" >&2; exit 2; }
# First stanza that names the release suite; rewrite its suites to release + backports.
awk 'BEGIN{RS="";ORS="\n\n"} /Suites:[^\n]*bookworm( |$|\n)/ && !done {
  gsub(/Suites:[^\n]*/, "Suites: bookworm bookworm-backports"); print; done=1 }' "$SRC" > "$CACHE/apt/memhp.sources"
APT="-o Dir::Etc::sourcelist=$CACHE/apt/memhp.sources -o Dir::Etc::sourceparts=- \
 -o Dir::State::Lists=$CACHE/apt/lists -o Dir::Cache=$CACHE/apt/cache -o Dir::State::status=/var/lib/dpkg/status \
 -o APT::Get::List-Cleanup=0 -o APT::Sandbox::User=root"
# shellcheck disable=SC2086
apt-get $APT -qq update
pick() { # newest package matching a pattern
  # shellcheck disable=SC2086
  apt-cache $APT pkgnames linux-image- | grep -E "$1" | sort -V | tail -1
}
for spec in '6.1:^linux-image-6\.1\.0-[0-9]+-cloud-amd64$' '6.12:^linux-image-6\.12\.[0-9.+~a-z0-9-]*-cloud-amd64$'; do
  name=${spec%%:*}; pat=${spec#*:}
  pkg=$(pick "$pat")
  [ -n "$pkg" ] || { echo "fetch-kernels: no package matches $pat" >&2; exit 1; }
  dest="$CACHE/$name"
  if [ -f "$dest/.pkg" ] && [ "$(cat "$dest/.pkg")" = "$pkg" ]; then echo "$name: $pkg (cached)"; continue; fi
  rm -rf "$dest"; mkdir -p "$dest"
  # shellcheck disable=SC2086
  (cd "$CACHE/debs" && apt-get $APT -qq download "$pkg")
  dpkg-deb -x "$(ls -t "$CACHE/debs/${pkg}_"*.deb | head -1)" "$dest/root"
  ln -sf "$(ls "$dest"/root/boot/vmlinuz-* | head -1)" "$dest/bzImage"
  ln -sf "$(ls "$dest"/root/boot/config-* | head -1)" "$dest/config"
  ln -sf "$(ls -d "$dest"/root/lib/modules/* | head -1)" "$dest/modules"
  echo "$pkg" > "$dest/.pkg"
  echo "$name: $pkg"
done
