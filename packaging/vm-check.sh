#!/bin/sh
# Boots a Debian bookworm virtual machine with the guichet package installed as a site installs
# it, the shipped unit unchanged (cage on tty1 with its logind session, cgroup v2, the
# sessions' containment and WebKit's sandbox on), and checks from inside and outside:
#   - the welcome screen is drawn full-screen on the machine's real display: a screenshot of
#     the VM's screen taken by QEMU (target/screenshots/vm-welcome.png, what a person sees)
#     and one taken by `grim` inside the VM (target/screenshots/vm-grim-welcome.png);
#   - every process of the kiosk user, with its cgroup and PID namespace (WebKit's web process
#     in its own namespaces, inside the session's);
#   - `systemctl stop guichet` leaves no session folder, no process of the kiosk user and no
#     WebKit process.
#
#   packaging/vm-check.sh        as root, after packaging/check.sh (its cached root and packages)
#   GUICHET_VM_UNSAFE=1 packaging/vm-check.sh   the sessions without their containment units
#
# Why a VM: its own kernel, systemd as PID 1, cgroup v2, logind and a real tty1, as on a
# terminal (packaging/boot-check.sh, under systemd-nspawn, has none of the last three).
#
# Status (stop 19): the check passes as installed. The welcome is on the VM's display at
# 205 s of uptime under TCG (the build machine loaded), each view in its unit with WebKit's
# sandbox inside; after `systemctl stop guichet` the unit is inactive and nothing is left.
# What the earlier runs found, each fixed: cage could not take the seat without polkit (the
# package Depends on polkitd, libpam-systemd, dbus); every view died at start under Wayland
# (the unit passed an absolute WAYLAND_DISPLAY that WebKit's sandbox does not bind; now the
# socket is wayland-0 in the session's runtime folder, src/daemon/mounts.rs); under TCG and
# load a view took over 20 s to get ready and was killed as hung (now each failure doubles the
# wait, up to 160 s); and cage aborts on TERM leaving guichetd running, the unit "failed"
# (now ExecStop ends guichetd first, and guichetd takes its parent's end for a TERM).
# QEMU runs with TCG (software emulation) by default, since this build machine's nested KVM
# hangs before the guest kernel prints a line; GUICHET_VM_ACCEL=kvm uses KVM where it works.
# With TCG the check takes several minutes (boot ~80 s, WebKit's first start much longer).
# The VM's display is virtio-gpu (`-vga virtio`): wlroots' DRM backend needs PRIME import,
# which QEMU's default bochs display lacks ("PRIME import not supported"); a terminal's
# Intel, AMD or NVIDIA (nouveau) GPU has it.
set -eu

cd "$(dirname "$0")/.."
CACHE=${GUICHET_CHECK_CACHE:-/var/cache/guichet-check}
BASE=$CACHE/bookworm-minbase.tar
ACCEL=${GUICHET_VM_ACCEL:-tcg}
TIMEOUT=${GUICHET_VM_TIMEOUT:-2400}
T0=$(date +%s)
WORK=""
QEMU=""
step() { echo "== $(($(date +%s) - T0)) s: $*"; }
fail() {
    echo "vm-check: FAIL: $*" >&2
    exit 1
}
cleanup() {
    if [ -n "$QEMU" ]; then kill "$QEMU" 2>/dev/null || true; fi
    if [ -n "$WORK" ] && [ -z "${GUICHET_VM_KEEP:-}" ]; then rm -rf "$WORK"; fi
}
trap cleanup EXIT
[ "$(id -u)" -eq 0 ] || fail "run as root"
[ -f "$BASE" ] || fail "no cached root: run packaging/check.sh first"
command -v qemu-system-x86_64 >/dev/null || {
    apt-get install -y -qq --no-install-recommends qemu-system-x86 >/dev/null || fail "installing qemu-system-x86"
}

step "building the .deb (profile ${PROFILE:-dev})"
DEB=$(PROFILE=${PROFILE:-dev} packaging/build-deb.sh 2>/dev/null)

step "the root: a kernel, systemd, udev, grim and the package (its Depends bring logind's PAM module, D-Bus, polkit)"
WORK=$(mktemp -d /var/tmp/guichet-vm.XXXXXX)
ROOT=$WORK/root
mkdir "$ROOT"
tar -C "$ROOT" -xf "$BASE"
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
find "$CACHE/archives" -name '*.deb' -exec cp {} "$ROOT/var/cache/apt/archives/" \;
cp "$DEB" "$ROOT/tmp/guichet.deb"
chroot "$ROOT" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends systemd systemd-sysv udev linux-image-amd64 grim \
    >"$WORK/apt.log" 2>&1 || {
    tail -n 20 "$WORK/apt.log" >&2
    fail "apt install"
}
# The package as the admin guide installs it: with its recommends (Mesa's drivers among them).
chroot "$ROOT" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq /tmp/guichet.deb >>"$WORK/apt.log" 2>&1 || {
    tail -n 20 "$WORK/apt.log" >&2
    fail "apt install"
}
find "$ROOT/var/cache/apt/archives" -maxdepth 1 -name '*.deb' -exec cp -n {} "$CACHE/archives/" \;
rm -f "$ROOT/tmp/guichet.deb" "$ROOT"/var/cache/apt/archives/*.deb
echo vm >"$ROOT/etc/hostname"

# The only addition to the installed system: a one-shot unit that checks and powers off. It
# reports on the serial line; the kiosk's unit and config are the package's.
cat >"$ROOT/usr/local/sbin/vmcheck" <<'EOF'
#!/bin/sh
say() { echo "VMCHECK: $*"; }
# guichetd runs in cage's logind session (PAMName=login), so its lines are the kiosk user's.
kiosk_log() { journalctl -b --no-pager _UID="$(id -u guichet)"; }
say "kernel $(uname -r); cgroup file system $(stat -fc %T /sys/fs/cgroup)"
shown=""
for _ in $(seq 1800); do
    if kiosk_log 2>/dev/null | grep -q 'view on screen'; then shown=yes; break; fi
    n=$((${n:-0} + 1))
    if [ $((n % 60)) -eq 0 ]; then
        say "waiting ($(cut -d' ' -f1 /proc/uptime) s): $(ps -u guichet -o comm= | sort | uniq -c | tr -s ' \n' ' ')"
        say "active VT: $(cat /sys/class/tty/tty0/active); DRM: $(ls /dev/dri 2>&1 | tr '\n' ' ')"
        for s in $(loginctl list-sessions --no-legend | awk '{print $1}'); do
            say "session $s: $(loginctl show-session "$s" -p Active -p State -p Seat -p VTNr -p TTY -p Type -p Class -p Leader | tr '\n' ' ')"
        done
        systemctl status guichet --no-pager 2>&1 | head -n 8
        kiosk_log | tail -n 12 | cut -c1-200
    fi
    sleep 1
done
if [ -z "$shown" ]; then
    say "no view on screen"
    systemctl status guichet --no-pager | head -n 20
    kiosk_log | tail -n 40
    say "RESULT FAIL"
    systemctl poweroff
    exit 1
fi
say "welcome on screen at $(cut -d' ' -f1 /proc/uptime) s of uptime"
kiosk_log | grep -E 'guichetd|cage' | grep -E 'starting|-> welcome|view on screen|WARN|ERROR' | cut -c1-200
say "guichetd's lines under journalctl -u guichet: $(journalctl -b -u guichet --no-pager | grep -c 'view on screen'); under journalctl -t env: $(journalctl -b -t env --no-pager | grep -c 'view on screen')"
say "guichet unit: $(systemctl is-active guichet), main process in $(cat /proc/$(systemctl show -P MainPID guichet)/cgroup)"
ps -u guichet -o pid,ppid,pidns,comm,cgroup:60 --sort=pid
WAYLAND_DISPLAY=wayland-0 XDG_RUNTIME_DIR=/run/guichet grim /var/tmp/grim-welcome.png && say "grim screenshot taken"
say "MARK-WELCOME"
sleep 15
systemctl stop guichet
state=$(systemctl is-active guichet)
say "guichet unit after stop: $state"
journalctl -b _UID="$(id -u guichet)" --no-pager --since=-20s | grep -aE 'wipe|exit|stopp' | cut -c1-200
pgrep -a -u guichet | cut -c1-120
left=$(ls /run/guichet/sessions 2>/dev/null | wc -l)
# The kiosk's own processes; the user manager logind started for its session (systemd --user,
# (sd-pam)) is logind's, and ends when the session is closed.
procs=$(pgrep -u guichet -x 'cage|guichetd|guichet-view|bwrap|xdg-dbus-proxy|WebKit.*' | wc -l)
webkit=$(pgrep -f WebKit | wc -l)
run=$(test -e /run/guichet && echo present || echo gone)
say "session folders left: $left; processes of guichet left: $procs; WebKit processes: $webkit; /run/guichet: $run"
if [ "$state" = inactive ] && [ "$left" -eq 0 ] && [ "$procs" -eq 0 ] && [ "$webkit" -eq 0 ] && [ "$run" = gone ]; then
    say "RESULT OK"
else
    say "RESULT FAIL"
fi
systemctl poweroff
EOF
chmod 755 "$ROOT/usr/local/sbin/vmcheck"
cat >"$ROOT/etc/systemd/system/vmcheck.service" <<'EOF'
[Unit]
Description=guichet VM check (packaging/vm-check.sh)
After=guichet.service
[Service]
Type=oneshot
ExecStart=/usr/local/sbin/vmcheck
StandardOutput=tty
StandardError=tty
TTYPath=/dev/ttyS0
[Install]
WantedBy=graphical.target
EOF
# The VM has no GPU: virtio-gpu without 3D. wlroots' GLES2 renderer on Mesa's software
# fallback (kms_swrast) crashes cage 0.1.4 at start (SIGSEGV, seen here); its pixman renderer
# draws with the CPU. A VM-only drop-in; a terminal's GPU needs none.
mkdir -p "$ROOT/etc/systemd/system/guichet.service.d"
printf '[Service]\nEnvironment=WLR_RENDERER=pixman\n' >"$ROOT/etc/systemd/system/guichet.service.d/vm-no-gpu.conf"
if [ -n "${GUICHET_VM_UNSAFE:-}" ]; then
    # To tell the containment from the rest: guichetd's hidden --unsafe-no-containment.
    printf '[Service]\nExecStart=\nExecStart=/usr/bin/env XDG_RUNTIME_DIR=/run/guichet /usr/bin/cage -- /usr/bin/guichetd --config /etc/guichet/guichet.toml --unsafe-no-containment\n' \
        >"$ROOT/etc/systemd/system/guichet.service.d/vm-unsafe.conf"
fi
chroot "$ROOT" systemctl enable vmcheck.service >/dev/null 2>&1
chroot "$ROOT" systemctl set-default graphical.target >/dev/null 2>&1
chroot "$ROOT" systemctl mask serial-getty@ttyS0.service >/dev/null 2>&1
[ -L "$ROOT/etc/systemd/system/graphical.target.wants/guichet.service" ] || fail "the package did not enable guichet.service"

step "the disk image"
truncate -s 4G "$WORK/disk.img"
mkfs.ext4 -q -F -L root -d "$ROOT" "$WORK/disk.img"
KERNEL=$(ls "$ROOT"/boot/vmlinuz-* | head -n 1)
INITRD=$(ls "$ROOT"/boot/initrd.img-* | head -n 1)

step "booting ($ACCEL); the check powers the VM off (${TIMEOUT} s at most)"
BOOT=$(date +%s)
SERIAL=$WORK/serial.log
MON=$WORK/monitor.sock
qemu-system-x86_64 -accel "$ACCEL" -m 2048 -smp 2 -kernel "$KERNEL" -initrd "$INITRD" \
    -append "root=/dev/vda rw console=ttyS0 quiet" \
    -drive "file=$WORK/disk.img,format=raw,if=virtio" -vga virtio -display none -nic none \
    -serial "file:$SERIAL" -monitor "unix:$MON,server,nowait" >"$WORK/qemu.log" 2>&1 &
QEMU=$!
monitor() {
    python3 -c 'import socket,sys,time
s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); time.sleep(0.3); s.recv(65536)
s.sendall((sys.argv[2]+"\n").encode()); time.sleep(2); s.recv(65536)' "$MON" "$1"
}
mkdir -p target/screenshots
shot=""
while kill -0 "$QEMU" 2>/dev/null; do
    if [ -z "$shot" ] && grep -aq 'VMCHECK: MARK-WELCOME' "$SERIAL" 2>/dev/null; then
        sleep 3
        monitor "screendump $WORK/screen.ppm"
        convert "$WORK/screen.ppm" target/screenshots/vm-welcome.png
        echo "screenshot of the VM's display: target/screenshots/vm-welcome.png"
        shot=yes
    fi
    [ $(($(date +%s) - BOOT)) -lt "$TIMEOUT" ] || fail "timed out; serial log: $(tail -c 2000 "$SERIAL")"
    sleep 2
done
QEMU=""
grep -a 'VMCHECK' "$SERIAL" | grep -v MARK- || true
sed -n '/VMCHECK: guichet unit:/,/VMCHECK: grim/p' "$SERIAL" | grep -av VMCHECK || true
debugfs -R "dump /var/tmp/grim-welcome.png target/screenshots/vm-grim-welcome.png" "$WORK/disk.img" 2>/dev/null &&
    echo "grim's screenshot: target/screenshots/vm-grim-welcome.png"
grep -aq 'VMCHECK: RESULT OK' "$SERIAL" || fail "see the lines above"
[ -n "$shot" ] || fail "no screenshot"
step "VM check passed"
