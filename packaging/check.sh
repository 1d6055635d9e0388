#!/bin/sh
# The packaging check (issue 14; .ci/run runs it). Run as root on Debian bookworm after
# packaging/dev-deps.sh, which installs its tools (lintian, mmdebstrap, ansible, systemd):
#   packaging/check.sh
# 1. builds the .deb (PROFILE=dev by default: the debug build the tests already made, so the
#    check takes minutes, not a release build; PROFILE=release checks the real thing),
# 2. checks its metadata and contents (dpkg-deb -I/-c), runs lintian (no error allowed; the
#    warnings are printed) and systemd-analyze verify and security on the unit,
# 3. installs it with apt into a fresh Debian bookworm root (mmdebstrap, cached in
#    $GUICHET_CHECK_CACHE, default /var/cache/guichet-check, with the downloaded packages),
#    checks the installed config, the users and groups, `dpkg -r` (keeps the config, the
#    user and the group) and `dpkg --purge` (removes them),
# 4. follows the admin guide (packaging/README.md) sections 1 to 8 in that root: every
#    command that can run in a chroot, as the guide writes it (CUPS included, its cupsd
#    started by hand); what cannot is said where it would be,
# 5. applies the Ansible role (packaging/ansible) to that root with the chroot connection:
#    it installs and configures guichet, and refuses a broken guichet.toml, and a broken pack
#    override, without touching the config or /etc/guichet/policies.d in place.
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
CUPSD=""
cleanup() {
    if [ -n "$CUPSD" ]; then kill "$CUPSD" 2>/dev/null || true; fi
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
for dep in libwebkit2gtk-4.1-0 libgtk-3-0 cage xwayland bubblewrap xdg-dbus-proxy fonts-dejavu-core adduser \
    libpam-systemd dbus polkitd procps; do
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
[ -d "$ROOT/etc/guichet/policies.d" ] || fail "no /etc/guichet/policies.d"
[ "$(in_root stat -c %U:%a /var/lib/guichet/stats)" = guichet:750 ] || fail "/var/lib/guichet/stats"
# The postinst again, as an upgrade runs it: idempotent.
in_root env DPKG_MAINTSCRIPT_PACKAGE=guichet DPKG_MAINTSCRIPT_NAME=postinst /var/lib/dpkg/info/guichet.postinst configure 0.1.0-1 || fail "postinst twice"
echo "ok: installed; check-config passes; user guichet ($groups), group $staff; postinst idempotent"

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

# The admin guide (packaging/README.md), followed step by step in the root as a new site admin
# would, from a machine where guichet is not installed (purged above; its Depends stay).
# Commands run as the guide writes them, except where a chroot cannot: said at each place.
guide=/root
as_guichet() {
    chroot --userspec=guichet:guichet "$ROOT" env -i PATH=/usr/bin:/bin LC_ALL=C "$@"
}
step "guide 1: install"
debname=$(basename "$DEB")
cp "$DEB" "$ROOT$guide/$debname"
# The guide's `apt install ./guichet_<version>_amd64.deb`, with -y and without the
# recommends (udisks2 and its ~100 MB of dependencies change no command of the guide).
in_root sh -c "cd $guide && apt install -y --no-install-recommends ./$debname" >"$WORK/guide-apt.log" 2>&1 || {
    tail -n 30 "$WORK/guide-apt.log" >&2
    fail "guide: apt install ./$debname"
}
# No display manager in the root: the line must still run through.
# The guide's lines for the display manager; with a display manager's link as Debian makes
# it (the unit behind it is not installed here).
ln -s /lib/systemd/system/lightdm.service "$ROOT/etc/systemd/system/display-manager.service"
in_root sh -c 'systemctl disable gdm3 lightdm sddm 2>/dev/null
rm -f /etc/systemd/system/display-manager.service
systemctl set-default graphical.target' >/dev/null 2>&1 || fail "guide: set-default"
[ ! -L "$ROOT/etc/systemd/system/display-manager.service" ] || fail "guide: the display manager link stays"
[ "$(readlink "$ROOT/etc/systemd/system/default.target")" = /lib/systemd/system/graphical.target ] ||
    fail "guide: default target"
# Not in a chroot: `reboot` and `systemctl start guichet` (no systemd runs here; the boot check
# packaging/boot-check.sh runs the unit).

step "guide 2: choose the packs"
sed -i 's/^packs = \[\(.*\)\]$/packs = [\1, "be-wallonia"]/' "$ROOT/etc/guichet/guichet.toml"
grep -q '^packs = .*"be-wallonia"\]$' "$ROOT/etc/guichet/guichet.toml" || fail "fixture: packs"
in_root guichetctl check-config | grep '^packs: 7 ' >/dev/null || fail "guide: check-config with be-wallonia"
in_root guichetctl policy list | grep 'be-wallonia' >/dev/null || fail "guide: policy list"
in_root guichetctl policy explain 'https://www.mypension.be/fr' || fail "guide: policy explain"
# A site copy of a shipped pack, edited: it replaces the shipped one.
cp "$ROOT/usr/share/guichet/policies/be-mobility.toml" "$ROOT/etc/guichet/policies.d/"
sed -i 's/^allow = \["www.belgiantrain.be"\]$/allow = ["www.belgiantrain.be", "www.sncb.be"]/' \
    "$ROOT/etc/guichet/policies.d/be-mobility.toml"
in_root guichetctl check-config >/dev/null || fail "guide: check-config with a pack override"
in_root guichetctl policy explain 'https://www.sncb.be/' | grep '^allow sncb-nmbs ' >/dev/null ||
    fail "guide: the pack override is not the one used"

step "guide 3: set the printer (CUPS in the root)"
# The guide's `apt install cups`, without the recommends (drivers, avahi).
in_root apt-get install -y -qq --no-install-recommends cups >"$WORK/cups.log" 2>&1 || {
    tail -n 30 "$WORK/cups.log" >&2
    fail "guide: apt install cups"
}
save_archives
start_cupsd() {
    chroot "$ROOT" /usr/sbin/cupsd -f </dev/null >/dev/null 2>&1 &
    CUPSD=$!
    i=0
    until [ -S "$ROOT/run/cups/cups.sock" ] && in_root lpstat -r >/dev/null 2>&1; do
        i=$((i + 1))
        [ $i -lt 50 ] || fail "cupsd does not start"
        sleep 0.2
    done
}
stop_cupsd() {
    kill "$CUPSD"
    wait "$CUPSD" || true
    CUPSD=""
    rm -f "$ROOT/run/cups/cups.sock"
}
# No systemd in a chroot: cupsd is started by hand where the guide's machine has cups.service.
start_cupsd
# The guide's lpadmin line; the printer's address is the only change: there is no printer at
# 192.168.1.50 here (nothing answers on localhost:8631 either; lpadmin makes the queue all the
# same, and jobs wait for the printer, which is what the purge below needs).
in_root lpadmin -p accueil-laser -E -v ipp://localhost:8631/ipp/print -m everywhere || fail "guide: lpadmin"
in_root lpstat -p accueil-laser >/dev/null || fail "guide: no queue accueil-laser"
printf '\n[printing]\nprinter = "accueil-laser"\n' >>"$ROOT/etc/guichet/guichet.toml"
in_root guichetctl check-config >/dev/null || fail "guide: check-config with [printing]"
# What guichet does at every wipe (src/daemon/wipe/printjobs.rs), as the kiosk user: CUPS's
# default policy refuses it, the guide's change of cupsd.conf allows it.
echo "a document" >"$ROOT/tmp/document.txt"
chmod 644 "$ROOT/tmp/document.txt"
as_guichet lp -d accueil-laser /tmp/document.txt >/dev/null || fail "lp as guichet"
if as_guichet cancel -uguichet -a -x 2>"$WORK/cancel.err"; then
    fail "CUPS let guichet purge its jobs before the guide's change"
fi
grep -q Forbidden "$WORK/cancel.err" || fail "cancel refused for another reason: $(cat "$WORK/cancel.err")"
# The guide's command for the <Limit> blocks that list Purge-Jobs, then its restart of CUPS
# (by hand here, as the start).
in_root sed -i '/<Limit .*Purge-Jobs/,/<\/Limit>/ s/^\( *Require user @OWNER @SYSTEM\)$/\1 guichet/' /etc/cups/cupsd.conf
[ "$(in_root grep -c 'Require user @OWNER @SYSTEM guichet$' /etc/cups/cupsd.conf)" = 3 ] || fail "guide: cupsd.conf"
stop_cupsd
start_cupsd
[ "$(in_root sh -c 'setpriv --reuid guichet --regid guichet --clear-groups cancel -uguichet -a -x && echo allowed')" = allowed ] ||
    fail "guide: CUPS still refuses guichet's Purge-Jobs"
stop_cupsd
echo "ok: queue accueil-laser, [printing] checked; Purge-Jobs by guichet refused, then allowed"

step "guide 4: a local service"
sed -i 's/^extra = \[\]/extra = ["www.ma-commune.be", "*.ma-commune.be"]/' "$ROOT/etc/guichet/guichet.toml"
grep -q '^extra = \["www.ma-commune.be"' "$ROOT/etc/guichet/guichet.toml" || fail "fixture: extra"
in_root guichetctl policy explain 'https://www.ma-commune.be/' | grep '^allow local ' >/dev/null || fail "guide: local service"

step "guide 5: a helper in the staff group"
in_root adduser --quiet --disabled-password --gecos '' marie
in_root adduser marie guichet-staff >/dev/null || fail "guide: adduser marie guichet-staff"
in_root id -nG marie | grep -qw guichet-staff || fail "guide: marie is not in guichet-staff"
# status, ack, reset and pause talk to a running guichetd: none runs in a chroot (the boot
# check runs them). Here only that marie's command reaches the socket of the config.
chroot --userspec=marie:marie "$ROOT" env -i PATH=/usr/bin:/bin guichetctl status 2>"$WORK/status.err" &&
    fail "guichetctl status answered without guichetd"
grep -q 'guichetd is not running (nothing listens on /run/guichet/control.sock)' "$WORK/status.err" ||
    fail "guide: guichetctl status as marie: $(cat "$WORK/status.err")"

step "guide 6: read the statistics (offline, from the folder)"
# A day as guichetd writes it (src/stats/store.rs), today.
today=$(in_root date +%F)
printf '{"format":1,"day":"%s","counts":{"sessions_completed":5,"services":{"myminfin":4}}}' "$today" \
    >"$ROOT/var/lib/guichet/stats/$today.json"
in_root chown guichet:guichet "/var/lib/guichet/stats/$today.json"
in_root guichetctl stats --dir /var/lib/guichet/stats >"$WORK/stats.txt" || fail "guide: stats --dir"
grep -q myminfin "$WORK/stats.txt" || fail "guide: stats --dir shows no service"
# The guide's csv export, from the folder (its online form needs guichetd).
in_root sh -c "cd $guide && guichetctl stats --from $(echo "$today" | cut -c1-4)-01-01 --by month --format csv --dir /var/lib/guichet/stats > year.csv" ||
    fail "guide: stats csv"
grep -q ',sessions_completed,,5,' "$ROOT$guide/year.csv" || fail "guide: the csv: $(head -n 5 "$ROOT$guide/year.csv")"
in_root guichetctl stats --format openmetrics --dir /var/lib/guichet/stats | grep '^# EOF$' >/dev/null ||
    fail "stats openmetrics"
echo "ok: stats table, csv by month, openmetrics"

step "guide 7: update"
# The same package again over itself (apt's --reinstall: the same version is otherwise
# "already the newest"), then a newer one whose example config changed: the site's edited
# config is kept with the guide's --force-confold, the package's new one beside it.
site_sum=$(sha256sum <"$ROOT/etc/guichet/guichet.toml")
in_root sh -c "cd $guide && apt install -y --reinstall ./$debname" >"$WORK/guide-apt.log" 2>&1 || {
    tail -n 30 "$WORK/guide-apt.log" >&2
    fail "guide: apt install --reinstall"
}
[ "$site_sum" = "$(sha256sum <"$ROOT/etc/guichet/guichet.toml")" ] || fail "reinstall changed the config"
newer="$WORK/newer"
dpkg-deb -R "$DEB" "$newer"
version=$(sed -n 's/^Version: //p' "$newer/DEBIAN/control")
sed -i "s/^Version: .*/Version: $version+1/" "$newer/DEBIAN/control"
echo "# changed in the next version" >>"$newer/etc/guichet/guichet.toml"
(cd "$newer" && find . -type f ! -path './DEBIAN/*' -printf '%P\n' | xargs md5sum >DEBIAN/md5sums)
newname=$(echo "$debname" | sed "s/_${version}_/_${version}+1_/")
dpkg-deb -Zgzip -z1 --root-owner-group -b "$newer" "$ROOT$guide/$newname" >/dev/null
in_root sh -c "cd $guide && apt -o Dpkg::Options::=--force-confold install -y ./$newname" >"$WORK/guide-apt.log" 2>&1 || {
    tail -n 30 "$WORK/guide-apt.log" >&2
    fail "guide: update with --force-confold"
}
[ "$(in_root dpkg-query -W -f '${Version}' guichet)" = "$version+1" ] || fail "guide: not updated"
[ "$site_sum" = "$(sha256sum <"$ROOT/etc/guichet/guichet.toml")" ] || fail "the update changed the site's config"
[ -f "$ROOT/etc/guichet/guichet.toml.dpkg-dist" ] || fail "no guichet.toml.dpkg-dist"
in_root guichetctl check-config >/dev/null || fail "check-config after the update"
echo "ok: reinstalled, updated to $version+1; the site's config kept, the new example in guichet.toml.dpkg-dist"

step "guide 8: uninstall"
in_root apt remove -y guichet >/dev/null 2>&1 || fail "guide: apt remove"
[ "$site_sum" = "$(sha256sum <"$ROOT/etc/guichet/guichet.toml")" ] || fail "apt remove changed the config"
[ -f "$ROOT/etc/guichet/policies.d/be-mobility.toml" ] || fail "apt remove removed the pack override"
[ -f "$ROOT/var/lib/guichet/stats/$today.json" ] || fail "apt remove removed the statistics"
in_root getent passwd guichet >/dev/null || fail "apt remove removed the user"
in_root getent group guichet-staff >/dev/null || fail "apt remove removed the staff group"
in_root apt purge -y guichet >/dev/null 2>&1 || fail "guide: apt purge"
[ ! -e "$ROOT/etc/guichet" ] || fail "apt purge left /etc/guichet: $(find "$ROOT/etc/guichet")"
[ ! -e "$ROOT/var/lib/guichet" ] || fail "apt purge left /var/lib/guichet"
! in_root getent passwd guichet >/dev/null || fail "apt purge left the user"
! in_root getent group guichet-staff >/dev/null || fail "apt purge left the staff group"
in_root deluser --quiet marie 2>/dev/null
echo "ok: the guide's commands, sections 1 to 8"

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
