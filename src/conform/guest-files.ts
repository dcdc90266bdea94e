/**
 * The guest's userspace: /init and the helper scripts the host calls over the
 * command channel. Busybox only; every helper prints tagged lines the host
 * parses (observe.ts), and does its work in few processes, because each fork
 * costs milliseconds under TCG.
 */

/** /init: mount the pseudo file systems, load the modules, serve a shell on ttyS1. */
export const INIT = `#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs dev /dev
mount -t debugfs debugfs /sys/kernel/debug
for m in $(cat /lib/modules.load); do insmod /lib/modules/$m 2>/dev/null || echo "memhp-init: insmod $m failed"; done
dmesg -c >/dev/null
# Keep ttyS1 open (its settings live as long as it is) with echo off, and read the commands as a
# script: a non-interactive shell neither echoes nor prompts nor edits lines.
exec 3<>/dev/ttyS1
stty -echo -onlcr <&3
echo MEMHP-READY >&3
exec sh /dev/ttyS1 >&3 2>&3
`;

/**
 * obs: the observation after a step, as "K<TAB>key<TAB>value" lines:
 * F = a sysfs file (path below /sys), L = a symlink (path → target name),
 * I = a System RAM line of /proc/iomem, Z = /proc/zoneinfo counters,
 * D = new kernel log lines (then cleared).
 */
export const OBS = `#!/bin/sh
cd /sys
grep -H . devices/system/memory/block_size_bytes devices/system/memory/auto_online_blocks devices/system/memory/memory*/phys_index devices/system/memory/memory*/state devices/system/memory/memory*/online devices/system/memory/memory*/valid_zones devices/system/memory/memory*/removable devices/system/memory/memory*/phys_device devices/system/node/possible devices/system/node/online devices/system/node/has_memory devices/system/node/has_normal_memory module/memory_hotplug/parameters/* firmware/memmap/*/* 2>/dev/null | sed 's/:/\\t/;s/^/F\\t/'
for l in devices/system/memory/memory*/node* devices/system/node/node*/memory*; do [ -L "$l" ] && echo "L	$l"; done
grep 'System RAM' /proc/iomem | sed 's/^/I\\t/'
awk '/^Node/{z=$2" "$4} /^ *(present|managed|spanned) /{print "Z\\t"z" "$1"\\t"$2} /start_pfn/{print "Z\\t"z" start_pfn\\t"$2}' /proc/zoneinfo
dmesg -c | sed 's/^\\[[ 0-9.]*\\] //' | head -n 60 | sed 's/^/D\\t/'
`;

/**
 * mw <seconds> <path> <value>: writes value (with a newline, as echo does) to
 * path and prints "W<TAB>rc<TAB>stderr". A write that runs past its deadline
 * is interrupted with SIGINT (offline_pages() returns -EINTR on a pending
 * signal) and reported as rc 124.
 */
export const MW = `#!/bin/sh
timeout -s INT "$1" sh -c 'echo "$1" > "$2"' _ "$3" "$2" 2>/tmp/werr
rc=$?
printf 'W\\t%s\\t%s\\n' "$rc" "$(tr '\\n' ' ' </tmp/werr)"
`;
