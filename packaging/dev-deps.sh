#!/bin/sh
# Installs what building, running and testing guichet needs on Debian bookworm:
# the WebKitGTK/GTK development packages for wry, Xvfb and X tools for the end-to-end tests,
# cage, Xwayland and grim for the Wayland end-to-end test (tests/e2e_cage.rs),
# cupsd and the CUPS client tools for the print-job wipe and its test (tests/print_wipe.rs; a raw
# queue to file:///dev/null needs no filter package),
# imagemagick for screenshots, bubblewrap and xdg-dbus-proxy for the sessions' containment units
# and WebKit's web-process sandbox inside them, lintian, mmdebstrap, Ansible and systemd (its
# systemd-analyze) for the packaging check (packaging/check.sh, which .ci/run runs), and a Rust
# toolchain when none is on PATH; Debian's chromium, Node.js and npm with tests/axe's npm packages
# (puppeteer-core, axe-core) for the accessibility test (tests/axe.rs).
# Idempotent and quiet when everything is already there. Uses sudo when not root.
set -eu

PACKAGES="build-essential pkg-config ca-certificates curl
libwebkit2gtk-4.1-dev libgtk-3-dev libsoup-3.0-dev libjavascriptcoregtk-4.1-dev
xvfb xauth x11-utils xdotool imagemagick
cage xwayland grim
cups-daemon cups-client
bubblewrap xdg-dbus-proxy
lintian mmdebstrap ansible systemd
chromium"

if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi

missing=""
for p in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done

if [ -n "$missing" ]; then
    echo "dev-deps: installing:$missing" >&2
    $SUDO apt-get update -qq >/dev/null
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

# Node.js and npm for tests/axe (puppeteer-core and axe-core from the npm registry): Debian's,
# unless a node with its npm is already there (Debian's npm would conflict with it).
if ! command -v npm >/dev/null 2>&1; then
    echo "dev-deps: installing nodejs npm" >&2
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
axe_dir="$(dirname "$0")/../tests/axe"
if [ ! -d "$axe_dir/node_modules/puppeteer-core" ] ||
    [ "$axe_dir/package-lock.json" -nt "$axe_dir/node_modules/.package-lock.json" ]; then
    echo "dev-deps: npm ci in tests/axe" >&2
    (cd "$axe_dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi

# Debian's own rustc is too old for wry; use rustup's stable toolchain when cargo is absent.
if ! command -v cargo >/dev/null 2>&1 && [ ! -x "$HOME/.cargo/bin/cargo" ]; then
    echo "dev-deps: installing the Rust toolchain with rustup" >&2
    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal -c clippy,rustfmt >/dev/null
fi
# Make the toolchain reachable by the command that follows on the same line.
if ! command -v cargo >/dev/null 2>&1; then
    for tool in cargo rustc rustup; do
        $SUDO ln -sf "$HOME/.cargo/bin/$tool" "/usr/local/bin/$tool"
    done
fi
