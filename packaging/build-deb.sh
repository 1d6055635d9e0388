#!/bin/sh
# Builds the Debian package with cargo-deb ([package.metadata.deb] in Cargo.toml):
#   packaging/build-deb.sh            release build (what a site installs)
#   PROFILE=dev packaging/build-deb.sh  the debug build, much faster (packaging/check.sh)
# Prints the absolute path of the .deb. Installs the pinned cargo-deb when it is missing.
# Before cargo-deb it writes into target/deb-assets/: the man pages from the clap definitions
# (examples/mangen.rs) and the installed config, the example one without the checkout's
# "../policies" pack folder.
set -eu

CARGO_DEB_VERSION=3.8.0
cd "$(dirname "$0")/.."
PROFILE=${PROFILE:-release}

if ! cargo deb --version 2>/dev/null | grep -qx "cargo-deb $CARGO_DEB_VERSION"; then
    echo "build-deb: installing cargo-deb $CARGO_DEB_VERSION" >&2
    cargo install --locked cargo-deb --version "$CARGO_DEB_VERSION" >&2
fi

ASSETS=target/deb-assets
rm -rf "$ASSETS"
mkdir -p "$ASSETS/man"
cargo run --quiet --example mangen -- "$ASSETS/man" >/dev/null
sed 's|^pack_dirs = \["../policies", |pack_dirs = [|' kiosk-config/guichet.toml > "$ASSETS/guichet.toml"
if ! grep -qx 'pack_dirs = \["/usr/share/guichet/policies", "/etc/guichet/policies.d"\]' "$ASSETS/guichet.toml"; then
    echo "build-deb: pack_dirs in kiosk-config/guichet.toml changed; update packaging/build-deb.sh" >&2
    exit 1
fi

# cargo-deb prints the path of the package it wrote.
cargo deb --profile "$PROFILE" 2>&1 >/dev/null | grep -v '^ *\(Compiling\|Finished\|Running\)' >&2 || true
# An absolute path: the caller may use it from another folder (Ansible resolves a relative
# one against its role).
realpath "$(ls -t target/debian/guichet_*.deb "${CARGO_TARGET_DIR:-target}"/debian/guichet_*.deb 2>/dev/null | head -n 1)"
