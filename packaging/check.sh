#!/bin/sh
# The packaging check (issue 14). Run as root on Debian bookworm with the tools of
# packaging/dev-deps.sh plus lintian, mmdebstrap and ansible:
#   packaging/check.sh
# 1. builds the .deb (PROFILE=dev by default: the debug build the tests already made, so the
#    check takes minutes, not a release build; PROFILE=release checks the real thing),
# 2. checks its metadata and contents (dpkg-deb -I/-c), runs lintian (no error allowed; the
#    warnings are printed) and systemd-analyze verify and security on the unit,
# 3. installs it with apt into a fresh Debian bookworm root (mmdebstrap, cached in
#    $GUICHET_CHECK_CACHE, default /var/cache/guichet-check, with the downloaded packages),
#    checks the installed config, the users and groups, `dpkg -r` (keeps the config, the
#    user and the group) and `dpkg --purge` (removes them),
# 4. applies the Ansible role (packaging/ansible) to that root with the chroot connection:
#    it installs and configures guichet, and refuses a broken guichet.toml without touching
#    the one in place.
set -eu

cd "$(dirname "$0")/.."
T0=$(date +%s)
CACHE=${GUICHET_CHECK_CACHE:-/var/cache/guichet-check}
BASE=$CACHE/bookworm-minbase.tar
ROOT=""
WORK=$(mktemp -d /tmp/guichet-check.XXXXXX)

step() { echo "== $(($(date +%s) - T0)) s: $*"; }
fail() {
    echo "check: FAIL: $*" >&2
    exit 1
}
cleanup() {
    if [ -n "$ROOT" ]; then rm -rf "$ROOT"; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

[ "$(id -u)" -eq 0 ] || fail "run as root (mmdebstrap, chroot)"

step "building the .deb (profile ${PROFILE:-dev})"
DEB=$(PROFILE=${PROFILE:-dev} packaging/build-deb.sh 2>"$WORK/build.log") || {
    cat "$WORK/build.log" >&2
    fail "build"
}
[ -f "$DEB" ] || fail "no .deb built"
echo "$DEB"

step "metadata and contents"
dpkg-deb -I "$DEB" >"$WORK/info"
dpkg-deb -c "$DEB" >"$WORK/list"
depends=$(sed -n 's/^ Depends: //p' "$WORK/info")
for dep in libwebkit2gtk-4.1-0 libgtk-3-0 cage xwayland bubblewrap xdg-dbus-proxy fonts-dejavu-core adduser; do
    echo ", $depends," | grep -q "[ ,]$dep[ ,(]" || fail "Depends lacks $dep: $depends"
done
grep -qx ' Recommends: cups-client, udisks2' "$WORK/info" || fail "Recommends"
for f in usr/bin/guichetd usr/bin/guichetctl usr/bin/guichet-view etc/guichet/guichet.toml \
    usr/share/guichet/policies/be-login.toml usr/lib/systemd/system/guichet.service \
    usr/share/man/man8/guichetd.8.gz usr/share/man/man8/guichet-view.8.gz \
    usr/share/man/man1/guichetctl.1.gz \
    usr/share/man/man1/guichetctl-restart.1.gz usr/share/man/man5/guichet.toml.5.gz \
    usr/share/doc/guichet/admin-guide.md usr/share/doc/guichet/copyright; do
    grep -q " \./$f\$" "$WORK/list" || fail "$f is not in the package"
done
dpkg-deb --info "$DEB" conffiles | grep -qx /etc/guichet/guichet.toml || fail "the config is not a conffile"
echo "ok: Depends, Recommends, $(wc -l <"$WORK/list") entries, conffile"

step "lintian"
lintian --tag-display-limit 0 "$DEB" >"$WORK/lintian" 2>/dev/null || true
if grep -q '^E:' "$WORK/lintian"; then
    cat "$WORK/lintian" >&2
    fail "lintian errors"
fi
echo "lintian: 0 errors, $(grep -c '^W:' "$WORK/lintian" || true) warnings:"
grep '^W:' "$WORK/lintian" || true
# The one warning left is that of a first package with no Debian bug to close; any other is new.
if grep '^W:' "$WORK/lintian" | grep -v ': initial-upload-closes-no-bugs' | grep -q .; then
    fail "lintian warnings besides initial-upload-closes-no-bugs"
fi

step "systemd unit"
systemd-analyze verify --man=no packaging/systemd/guichet.service
systemd-analyze security --offline=true packaging/systemd/guichet.service | tail -n 1

step "a fresh bookworm root"
if [ ! -f "$BASE" ]; then
    mkdir -p "$CACHE"
    mmdebstrap --quiet --variant=minbase --include=ca-certificates,adduser,init-system-helpers \
        --skip=cleanup/apt/lists bookworm "$CACHE/new.tar" http://deb.debian.org/debian
    mv "$CACHE/new.tar" "$BASE"
fi
ROOT=$(mktemp -d /tmp/guichet-root.XXXXXX)
tar -C "$ROOT" -xf "$BASE"
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
mkdir -p "$CACHE/archives"
find "$CACHE/archives" -name '*.deb' -exec cp {} "$ROOT/var/cache/apt/archives/" \;
in_root() {
    chroot "$ROOT" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 "$@"
}
save_archives() {
    find "$ROOT/var/cache/apt/archives" -maxdepth 1 -name '*.deb' -exec cp -n {} "$CACHE/archives/" \;
}

step "apt install of the .deb (its Depends from the Debian mirror)"
cp "$DEB" "$ROOT/tmp/guichet.deb"
in_root apt-get install -y -qq --no-install-recommends /tmp/guichet.deb >"$WORK/apt.log" 2>&1 || {
    tail -n 30 "$WORK/apt.log" >&2
    fail "apt install"
}
save_archives
in_root guichetctl check-config --config /etc/guichet/guichet.toml || fail "check-config on the installed config"
staff=$(sed -n 's/^staff_group = "\(.*\)"/\1/p' "$ROOT/etc/guichet/guichet.toml")
[ "$staff" = guichet-staff ] || fail "the installed config names staff group '$staff'"
in_root getent passwd guichet | grep -q ':/usr/sbin/nologin$' || fail "user guichet with nologin"
in_root getent shadow guichet | cut -d: -f2 | grep -qx '[*!]*' || fail "guichet has a password"
groups=$(in_root id -nG guichet)
for g in guichet video input render "$staff"; do
    echo " $groups " | grep -q " $g " || fail "guichet is not in $g ($groups)"
done
in_root getent group "$staff" >/dev/null || fail "group $staff"
[ "$(in_root stat -c %U /var/lib/guichet)" = guichet ] || fail "/var/lib/guichet owner"
[ -L "$ROOT/etc/systemd/system/graphical.target.wants/guichet.service" ] || fail "the unit is not enabled"
# The postinst again, as an upgrade runs it: idempotent.
in_root env DPKG_MAINTSCRIPT_PACKAGE=guichet DPKG_MAINTSCRIPT_NAME=postinst /var/lib/dpkg/info/guichet.postinst configure 0.1.0-1 || fail "postinst twice"
echo "ok: installed; check-config passes; user guichet ($groups), group $staff; postinst idempotent"

step "the admin guide's offline commands (packaging/README.md), in the root"
in_root guichetctl check-config >/dev/null || fail "guide: check-config"
in_root guichetctl policy list >/dev/null || fail "guide: policy list"
in_root guichetctl policy explain 'https://www.mypension.be/fr' || fail "guide: policy explain"
# Step 2: a site copy of a shipped pack in /etc/guichet/policies.d.
mkdir -p "$ROOT/etc/guichet/policies.d"
cp "$ROOT/usr/share/guichet/policies/be-mobility.toml" "$ROOT/etc/guichet/policies.d/"
in_root guichetctl check-config >/dev/null || fail "guide: a pack override"
# Step 4: a local service.
sed -i 's/^extra = \[\]/extra = ["www.ma-commune.be", "*.ma-commune.be"]/' "$ROOT/etc/guichet/guichet.toml"
in_root guichetctl policy explain 'https://www.ma-commune.be/' | grep -q '^allow local' || fail "guide: local service"
# Step 5: a helper in the staff group.
in_root adduser --quiet --disabled-password --gecos '' marie
in_root adduser --quiet marie "$staff"
in_root id -nG marie | grep -qw "$staff" || fail "guide: staff group"
in_root deluser --quiet marie
cp target/deb-assets/guichet.toml "$ROOT/etc/guichet/guichet.toml"
rm -r "$ROOT/etc/guichet/policies.d"
echo "ok: check-config, policy list/explain, a pack override, a local service, a helper in $staff"

step "dpkg -r keeps the config, the user and the group"
in_root dpkg -r guichet >/dev/null
[ -f "$ROOT/etc/guichet/guichet.toml" ] || fail "dpkg -r removed the config"
[ ! -e "$ROOT/usr/bin/guichetd" ] || fail "dpkg -r left guichetd"
in_root getent passwd guichet >/dev/null || fail "dpkg -r removed the user"
in_root getent group "$staff" >/dev/null || fail "dpkg -r removed the staff group"
step "dpkg --purge removes them"
in_root dpkg --purge guichet >/dev/null
[ ! -e "$ROOT/etc/guichet" ] || fail "purge left /etc/guichet"
[ ! -e "$ROOT/var/lib/guichet" ] || fail "purge left /var/lib/guichet"
! in_root getent passwd guichet >/dev/null || fail "purge left the user"
! in_root getent group "$staff" >/dev/null || fail "purge left the staff group"
! in_root getent group guichet >/dev/null || fail "purge left the group guichet"
echo "ok: remove and purge"

step "Ansible role (chroot connection): install and configure"
in_root apt-get install -y -qq --no-install-recommends python3-apt >"$WORK/apt.log" 2>&1 || {
    tail -n 30 "$WORK/apt.log" >&2
    fail "python3-apt for Ansible"
}
save_archives
site="$WORK/site"
mkdir -p "$site/packs"
sed -e 's/^name = .*/name = "EPN Ansible — poste 7"/' \
    -e 's|^# openmetrics_file = .*|openmetrics_file = "/var/lib/prometheus/node-exporter/guichet.prom"|' \
    target/deb-assets/guichet.toml >"$site/guichet.toml"
grep -q '^openmetrics_file = ' "$site/guichet.toml" || fail "fixture: openmetrics_file"
# A site override of a shipped pack (same id, in /etc/guichet/policies.d).
cp policies/be-mobility.toml "$site/packs/be-mobility.toml"
play() {
    ANSIBLE_NOCOLOR=1 ANSIBLE_STDOUT_CALLBACK=default ANSIBLE_RETRY_FILES_ENABLED=0 \
        ansible-playbook -i "$ROOT," -c chroot packaging/ansible/site.yml \
        -e guichet_hosts=all -e "guichet_deb=$DEB" -e "guichet_packs_dir=$site/packs" "$@"
}
play -e "guichet_config=$site/guichet.toml" >"$WORK/ansible.log" 2>&1 || {
    tail -n 40 "$WORK/ansible.log" >&2
    fail "ansible-playbook"
}
grep -A1 '^PLAY RECAP' "$WORK/ansible.log" | tail -n 1
cmp -s "$site/guichet.toml" "$ROOT/etc/guichet/guichet.toml" || fail "the site's config is not in place"
cmp -s "$site/packs/be-mobility.toml" "$ROOT/etc/guichet/policies.d/be-mobility.toml" || fail "pack override"
[ "$(in_root stat -c %G:%a /var/lib/prometheus/node-exporter)" = guichet:775 ] || fail "textfile folder"
in_root guichetctl check-config --config /etc/guichet/guichet.toml >/dev/null || fail "check-config after Ansible"
echo "ok: installed and configured by the role"

# The task of the play that failed, from its log.
failed_task() { awk '/^TASK \[/ { t = $0 } /^fatal:/ { print t; exit }' "$1"; }
# /etc/guichet/policies.d as it is: names, contents, modes and modification times.
packs_state() { tar -C "$ROOT/etc/guichet" --sort=name -cf - policies.d | sha256sum; }
CHECK_TASK='TASK [guichet : Check the staged config and pack overrides'

step "Ansible role: a broken guichet.toml is refused, the one in place stays"
sed 's/^idle_timeout_secs = .*/idle_timeout_secs = 5/' "$site/guichet.toml" >"$site/broken.toml"
before=$(sha256sum <"$ROOT/etc/guichet/guichet.toml")
packs_before=$(packs_state)
if play -e "guichet_config=$site/broken.toml" >"$WORK/ansible-broken.log" 2>&1; then
    fail "the role accepted a broken guichet.toml"
fi
failed_task "$WORK/ansible-broken.log" | grep -qF "$CHECK_TASK" || {
    tail -n 20 "$WORK/ansible-broken.log" >&2
    fail "the play failed for another reason than the check"
}
grep -o 'idle_timeout_secs = 5 is out of range' "$WORK/ansible-broken.log" | head -n 1
after=$(sha256sum <"$ROOT/etc/guichet/guichet.toml")
[ "$before" = "$after" ] || fail "the config in place changed"
[ "$packs_before" = "$(packs_state)" ] || fail "policies.d changed"
echo "ok: refused; sha256 before = after = ${before%% *}"

step "Ansible role: a broken pack override is refused, policies.d and the config stay"
# A valid change of be-mobility next to a broken pack the config does not enable (yet): none
# of them is placed.
mkdir "$site/packs-broken"
{
    cat policies/be-mobility.toml
    echo "# changed by the site"
} >"$site/packs-broken/be-mobility.toml"
sed 's|^allow = \["www.leforem.be"\]|allow = ["ftp://www.leforem.be"]|' policies/be-wallonia.toml \
    >"$site/packs-broken/be-wallonia.toml"
grep -q 'ftp://' "$site/packs-broken/be-wallonia.toml" || fail "fixture: broken be-wallonia"
if play -e "guichet_config=$site/guichet.toml" -e "guichet_packs_dir=$site/packs-broken" \
    >"$WORK/ansible-pack.log" 2>&1; then
    fail "the role accepted a broken pack override"
fi
failed_task "$WORK/ansible-pack.log" | grep -qF "$CHECK_TASK" || {
    tail -n 20 "$WORK/ansible-pack.log" >&2
    fail "the play failed for another reason than the check"
}
grep -o 'be-wallonia.toml:[0-9]*:[0-9]*: bad rule [^:]*' "$WORK/ansible-pack.log" | head -n 1 |
    grep . || fail "the error does not name the broken pack"
[ "$packs_before" = "$(packs_state)" ] || fail "policies.d changed"
[ "$before" = "$(sha256sum <"$ROOT/etc/guichet/guichet.toml")" ] || fail "the config in place changed"
! ls -d "$ROOT"/tmp/guichet-stage.* 2>/dev/null || fail "the staging folder was left"
echo "ok: refused; policies.d sha256 before = after = ${packs_before%% *}"

step "all checks passed"
