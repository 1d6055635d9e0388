#!/bin/sh
# Boots a Debian bookworm root with the guichet package under `systemd-nspawn --boot` and
# checks that the unit runs: cage, inside the unit, draws into a private 1024x768 Xvfb of this
# machine (a drop-in sets WLR_BACKENDS=x11, since a container has no tty1, no seat and no GPU),
# the welcome screen shows (a screenshot in target/screenshots/boot-welcome.png), and
# `systemctl stop guichet` leaves no session folder and no guichet process.
#   packaging/boot-check.sh                         as installed: sessions in their units
#   GUICHET_BOOT_UNSAFE=1 packaging/boot-check.sh   guichetd's hidden --unsafe-no-containment
# Run as root after packaging/check.sh (it reuses its cached root and packages). Exits 1 when
# the welcome screen does not show within 60 s, after printing the unit's journal.
#
# What it found (stops 16-19): as installed, every view ended at start and the terminal said
# "out of order" (with GUICHET_BOOT_UNSAFE=1 the welcome showed). The cause was Wayland, not
# the container: guichetd handed the contained view an absolute WAYLAND_DISPLAY, and WebKit's
# sandbox, which binds $XDG_RUNTIME_DIR/$WAYLAND_DISPLAY for its web processes, bound nothing,
# so each web process died ("cannot open display", then the view's "readPIDFromPeer:
# Unexpected short read from PID socket"). Since 06096e6 the unit gets the compositor's socket
# as wayland-0 in the session's runtime folder, and no X11 (src/daemon/mounts.rs); the check
# passes as installed (273 s on the build machine under load, most of it making the root),
# with grim's screenshot taken on cage's own socket and the unit inactive after stop.
# tests/e2e_cage_contained.rs keeps it so in `cargo test`.
set -eu

cd "$(dirname "$0")/.."
CACHE=${GUICHET_CHECK_CACHE:-/var/cache/guichet-check}
BASE=$CACHE/bookworm-minbase.tar
DISPLAY_NUM=${GUICHET_BOOT_DISPLAY:-87}
T0=$(date +%s)
ROOT=""
XVFB=""
NSPAWN=""
step() { echo "== $(($(date +%s) - T0)) s: $*"; }
fail() {
    echo "boot-check: FAIL: $*" >&2
    exit 1
}
cleanup() {
    if [ -n "$NSPAWN" ]; then
        kill "$NSPAWN" 2>/dev/null || true
        wait "$NSPAWN" 2>/dev/null || true
    fi
    if [ -n "$XVFB" ]; then kill "$XVFB" 2>/dev/null || true; fi
    if [ -n "$ROOT" ]; then rm -rf "$ROOT"; fi
}
trap cleanup EXIT
[ "$(id -u)" -eq 0 ] || fail "run as root"
[ -f "$BASE" ] || fail "no cached root: run packaging/check.sh first"

step "building the .deb (profile ${PROFILE:-dev})"
DEB=$(PROFILE=${PROFILE:-dev} packaging/build-deb.sh 2>/dev/null)

step "the root: systemd, dbus and the package"
ROOT=$(mktemp -d /tmp/guichet-boot.XXXXXX)
tar -C "$ROOT" -xf "$BASE"
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
find "$CACHE/archives" -name '*.deb' -exec cp {} "$ROOT/var/cache/apt/archives/" \;
cp "$DEB" "$ROOT/tmp/guichet.deb"
chroot "$ROOT" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends systemd systemd-sysv dbus grim /tmp/guichet.deb >/dev/null 2>&1
find "$ROOT/var/cache/apt/archives" -maxdepth 1 -name '*.deb' -exec cp -n {} "$CACHE/archives/" \;
mkdir -p "$ROOT/etc/systemd/system/guichet.service.d"
cat >"$ROOT/etc/systemd/system/guichet.service.d/boot-check.conf" <<EOT
# boot-check only: no tty1, no seat, no GPU in a container; cage draws into Xvfb :$DISPLAY_NUM.
[Unit]
ConditionPathExists=
[Service]
PAMName=
TTYPath=
TTYReset=no
TTYVHangup=no
TTYVTDisallocate=no
StandardInput=null
UtmpIdentifier=
Environment=WLR_BACKENDS=x11 WLR_RENDERER=pixman DISPLAY=:$DISPLAY_NUM
EOT
if [ -n "${GUICHET_BOOT_UNSAFE:-}" ]; then
    cat >>"$ROOT/etc/systemd/system/guichet.service.d/boot-check.conf" <<'EOT'
ExecStart=
ExecStart=/usr/bin/env XDG_RUNTIME_DIR=/run/guichet /usr/bin/cage -- /usr/bin/guichetd --config /etc/guichet/guichet.toml --unsafe-no-containment
EOT
fi
chroot "$ROOT" systemctl mask console-getty.service getty@tty1.service >/dev/null 2>&1
chroot "$ROOT" systemctl set-default graphical.target >/dev/null 2>&1

step "Xvfb :$DISPLAY_NUM and systemd-nspawn --boot"
Xvfb ":$DISPLAY_NUM" -screen 0 1024x768x24 -nolisten tcp >/dev/null 2>&1 &
XVFB=$!
# --register=no --keep-unit: this machine's PID 1 is not systemd. The container shares the
# network namespace, so cage reaches Xvfb's abstract socket.
systemd-nspawn --quiet --boot --register=no --keep-unit -D "$ROOT" --console=passive >/dev/null 2>&1 &
NSPAWN=$!
INIT=""
for _ in $(seq 100); do
    INIT=$(pgrep -P "$NSPAWN" systemd || true)
    [ -n "$INIT" ] && break
    sleep 0.2
done
[ -n "$INIT" ] || fail "the container did not boot"
in_ct() { nsenter -t "$INIT" -a "$@"; }

step "waiting for the welcome screen (60 s at most)"
shown=""
for _ in $(seq 120); do
    if in_ct journalctl -u guichet --no-pager 2>/dev/null | grep -q 'view on screen'; then
        shown=yes
        break
    fi
    sleep 0.5
done
if [ -z "$shown" ]; then
    in_ct systemctl status guichet --no-pager 2>&1 | head -n 12 >&2 || true
    in_ct journalctl -u guichet --no-pager 2>&1 | grep -v 'output.c' | tail -n 15 >&2 || true
    fail "no view on screen"
fi
mkdir -p target/screenshots
import -display ":$DISPLAY_NUM" -window root target/screenshots/boot-welcome.png
echo "screenshot: target/screenshots/boot-welcome.png"
# What cage itself shows, taken on its Wayland socket inside the container.
in_ct setpriv --reuid=guichet --regid=guichet --clear-groups env -i XDG_RUNTIME_DIR=/run/guichet \
    WAYLAND_DISPLAY=wayland-0 grim /var/tmp/grim-welcome.png || fail "grim"
cp "$ROOT/var/tmp/grim-welcome.png" target/screenshots/boot-grim-welcome.png
echo "grim's screenshot: target/screenshots/boot-grim-welcome.png"
in_ct journalctl -u guichet --no-pager | grep -E 'guichetd starting|state: starting -> welcome|view on screen' | cut -c1-160

step "systemctl stop guichet"
in_ct systemctl stop guichet
state=$(in_ct systemctl is-active guichet || true)
[ "$state" = inactive ] || fail "the unit is $state after stop"
left=$(in_ct sh -c 'ls /run/guichet/sessions 2>/dev/null | wc -l')
[ "$left" -eq 0 ] || fail "$left session folders left"
! in_ct pgrep -u guichet -f 'WebKit|guichet-view|cage' >/dev/null || fail "processes of guichet left"
! in_ct test -e /run/guichet || fail "/run/guichet left"
echo "ok: the unit inactive, no session folder, no WebKit process, /run/guichet gone"
step "boot check passed"
