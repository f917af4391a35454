#!/bin/sh
# Installs, checks, removes and purges a Herald .deb on a throwaway Debian bookworm made with
# debootstrap (minbase), twice: once creating the herald user with adduser, once with
# systemd-sysusers. `make deb-test` runs it; root only (debootstrap, chroot).
#
# The first run downloads bookworm into .build-root/ (git-ignored) and keeps it there with the
# packages apt fetched, so later runs copy it and need the network only for new dependencies.
set -eu

deb=${1:?usage: scripts/deb-test.sh dist/herald_VERSION_ARCH.deb}
[ "$(id -u)" -eq 0 ] || { echo "deb-test: needs root (debootstrap, chroot)" >&2; exit 1; }
[ -f "$deb" ] || { echo "deb-test: $deb does not exist; run make deb" >&2; exit 1; }
cache=${HERALD_DEB_TEST_CACHE:-.build-root}
mirror=${HERALD_DEB_TEST_MIRROR:-http://deb.debian.org/debian}
base=$cache/bookworm-minbase
archives=$cache/archives
version=$(dpkg-deb -f "$deb" Version)
upstream=${version%-*}

step() { printf '== %s\n' "$*"; }
ok() { printf 'ok   %s\n' "$*"; }
fail() { printf 'FAIL %s\n' "$*" >&2; exit 1; }
in_root() { chroot "$root" "$@"; }
check_exists() { for f in "$@"; do [ -e "$root$f" ] || fail "$f is missing"; done; ok "present: $*"; }
check_absent() { for f in "$@"; do [ ! -e "$root$f" ] || fail "$f is still there"; done; ok "gone: $*"; }

mkdir -p "$cache" "$archives"
if [ ! -x "$base/usr/bin/apt-get" ]; then
	step "debootstrap --variant=minbase bookworm into $base (first run only)"
	rm -rf --one-file-system "$base.partial"
	debootstrap --variant=minbase bookworm "$base.partial" "$mirror" > "$cache/debootstrap.log" 2>&1 \
		|| { tail -20 "$cache/debootstrap.log" >&2; fail "debootstrap (log: $cache/debootstrap.log)"; }
	cp /etc/resolv.conf "$base.partial/etc/resolv.conf"
	chroot "$base.partial" apt-get update -qq
	chroot "$base.partial" apt-get clean
	mv "$base.partial" "$base"
fi

root=$(mktemp -d "$cache/root.XXXXXX")
cleanup() {
	status=$?
	mountpoint -q "$root/proc" && umount "$root/proc"
	rm -rf --one-file-system "$root"
	[ "$status" -eq 0 ] && echo "deb-test: all checks passed ($deb)" || echo "deb-test: FAILED ($deb)" >&2
}
trap cleanup EXIT
step "copy of $base in $root"
cp -a "$base/." "$root/"
cp /etc/resolv.conf "$root/etc/resolv.conf"
mount -t proc proc "$root/proc"

# Installs Debian packages in the root from the shared cache of .debs, fetching what it lacks.
apt_install() {
	cp "$archives"/*.deb "$root/var/cache/apt/archives/" 2>/dev/null || true
	in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" > "$root/tmp/apt.log" 2>&1 \
		|| { in_root apt-get update -qq && in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" > "$root/tmp/apt.log" 2>&1; } \
		|| { cat "$root/tmp/apt.log" >&2; fail "apt-get install $*"; }
	cp "$root"/var/cache/apt/archives/*.deb "$archives/" 2>/dev/null || true
}

# The package's dependencies (first alternative of each), installed the ordinary way first, so
# that dpkg -i itself is what is tested.
depends=$(dpkg-deb -f "$deb" Depends | tr ',' '\n' | sed -e 's/|.*//' -e 's/(.*)//' -e 's/ //g' | grep -v '^$' | sort -u | tr '\n' ' ')
step "dependencies: $depends"
# shellcheck disable=SC2086
apt_install $depends
cp "$deb" "$root/tmp/herald.deb"

check_installed() {
	check_exists /usr/sbin/heraldd /usr/bin/heraldctl /usr/bin/herald-carrier-sim
	check_exists /lib/systemd/system/heraldd.service /usr/lib/sysusers.d/herald.conf
	check_exists /usr/share/man/man8/heraldd.8.gz /usr/share/man/man8/heraldctl.8.gz \
		/usr/share/man/man5/herald.toml.5.gz /usr/share/man/man7/herald-outbox.7.gz
	check_exists /usr/share/bash-completion/completions/heraldctl /usr/share/zsh/vendor-completions/_heraldctl
	check_exists /usr/share/doc/herald/copyright /usr/share/doc/herald/changelog.Debian.gz /usr/share/doc/herald/README.md
	check_exists /etc/herald/herald.toml /etc/herald/quiet-hours.toml
	grep -qx 'ExecStart=/usr/sbin/heraldd --config /etc/herald/herald.toml' "$root/lib/systemd/system/heraldd.service" \
		|| fail "the unit's ExecStart is not /usr/sbin/heraldd: $(grep ExecStart "$root/lib/systemd/system/heraldd.service")"
	ok "the unit starts /usr/sbin/heraldd"
	conffiles=$(in_root dpkg-query -W -f='${Conffiles}' herald | awk '{print $1}' | sort | tr '\n' ' ')
	[ "$conffiles" = "/etc/herald/herald.toml /etc/herald/quiet-hours.toml " ] || fail "conffiles: $conffiles"
	ok "conffiles: $conffiles"
	passwd=$(in_root getent passwd herald) || fail "no herald user"
	home=$(echo "$passwd" | cut -d: -f6)
	shell=$(echo "$passwd" | cut -d: -f7)
	uid=$(echo "$passwd" | cut -d: -f3)
	[ "$home" = /var/lib/herald ] && [ "$shell" = /usr/sbin/nologin ] && [ "$uid" -lt 1000 ] || fail "herald user: $passwd"
	in_root getent group herald > /dev/null || fail "no herald group"
	ok "system user and group herald: $passwd"
	[ "$(in_root heraldd --version)" = "$upstream" ] && [ "$(in_root heraldctl --version)" = "$upstream" ] \
		|| fail "--version: $(in_root heraldd --version) / $(in_root heraldctl --version), package $version"
	ok "heraldd --version and heraldctl --version: $upstream"
}

install_package() {
	in_root dpkg -i /tmp/herald.deb > "$root/tmp/dpkg.log" 2>&1 || { cat "$root/tmp/dpkg.log" >&2; fail "dpkg -i"; }
	sed 's/^/     /' "$root/tmp/dpkg.log"
	[ "$(in_root dpkg-query -W -f='${Status}' herald)" = "install ok installed" ] || fail "herald is not installed"
	ok "dpkg -i: herald $version installed"
}

step "round 1: dpkg -i without systemd-sysusers (adduser creates the user)"
in_root sh -c '! command -v systemd-sysusers' > /dev/null || fail "the minbase root already has systemd-sysusers"
install_package
check_installed

step "heraldd --check-config on the shipped configuration"
set +e
out=$(in_root heraldd --check-config /etc/herald/herald.toml 2>&1); status=$?
set -e
echo "$out" | sed 's/^/     /'
# The shipped file is deliberately incomplete: the account SID is the operator's to fill in,
# and the token is not read by --check-config at all.
[ "$status" -eq 78 ] && [ "$(echo "$out" | wc -l)" -eq 1 ] && echo "$out" | grep -q 'carrier.account_sid' \
	|| fail "expected exit 78 naming carrier.account_sid alone, got $status"
ok "exit 78, and carrier.account_sid is its only problem"
sed -i 's/^account_sid = ""$/account_sid = "AC0123456789abcdef0123456789abcdef"/' "$root/etc/herald/herald.toml"
out=$(in_root heraldd --check-config /etc/herald/herald.toml 2>&1) || fail "with account_sid set: $out"
echo "$out" | sed 's/^/     /'
in_root heraldctl config check /etc/herald/herald.toml > /dev/null || fail "heraldctl config check"
ok "with account_sid set: valid for heraldd --check-config and heraldctl config check"
in_root heraldctl segments --json "It's ready" | grep -q '"segments":1' || fail "heraldctl segments"
ok "heraldctl segments runs (offline command)"

step "reinstall: the edited conffile is kept"
install_package
grep -q '^account_sid = "AC0123456789abcdef0123456789abcdef"$' "$root/etc/herald/herald.toml" || fail "the edit is lost"
ok "/etc/herald/herald.toml keeps the operator's account_sid"

step "a queue database, as heraldd would leave it"
mkdir -p "$root/var/lib/herald"
head -c 65536 /dev/urandom > "$root/var/lib/herald/herald.db"
in_root chown -R herald:herald /var/lib/herald
sum=$(sha256sum < "$root/var/lib/herald/herald.db")
echo "secret" > "$root/etc/herald/carrier-token"

step "dpkg --remove"
in_root dpkg --remove herald > /dev/null
check_absent /usr/sbin/heraldd /usr/bin/heraldctl /usr/bin/herald-carrier-sim /lib/systemd/system/heraldd.service \
	/usr/share/man/man8/heraldd.8.gz /usr/share/bash-completion/completions/heraldctl
check_exists /etc/herald/herald.toml /var/lib/herald/herald.db

step "dpkg --purge"
in_root dpkg --purge herald > /dev/null
[ -z "$(in_root dpkg-query -W -f='${Status}' herald 2>/dev/null)" ] || [ "$(in_root dpkg-query -W -f='${db:Status-Abbrev}' herald 2>/dev/null)" = "un " ] \
	|| fail "herald still known to dpkg: $(in_root dpkg-query -W -f='${Status}' herald)"
check_absent /etc/herald/herald.toml /etc/herald/quiet-hours.toml /usr/share/doc/herald
[ "$(sha256sum < "$root/var/lib/herald/herald.db")" = "$sum" ] || fail "herald.db changed"
ok "/var/lib/herald/herald.db kept, unchanged"
check_exists /etc/herald/carrier-token
in_root getent passwd herald > /dev/null || fail "the herald user is gone"
ok "the herald user is kept (it owns /var/lib/herald)"

step "round 2: with systemd-sysusers (systemd-standalone-sysusers), on a root without the user"
in_root userdel herald
in_root getent group herald > /dev/null && in_root groupdel herald
apt_install systemd-standalone-sysusers
install_package
check_installed
step "dpkg --purge"
in_root dpkg --purge herald > /dev/null
check_absent /usr/sbin/heraldd /etc/herald/herald.toml
[ "$(sha256sum < "$root/var/lib/herald/herald.db")" = "$sum" ] || fail "herald.db changed"
ok "/var/lib/herald/herald.db kept, unchanged"
