# Herald — the two set-up commands are `make run` and `make test`; both install what is missing.
SWIFT ?= swift
# python3-aiosmtpd is the SMTP server the reply-forwarding tests mail to (run with /usr/bin/python3);
# openssl makes the certificate of its STARTTLS test; curl runs README's quick tour and scrapes
# the metrics endpoint, whose output Debian's prometheus package checks (promtool). postgresql gives
# the store suite's PostgreSQL half its server binaries: the tests start a private cluster (initdb,
# pg_ctl) in a temporary folder, as nobody when run as root, on a Unix socket only.
APT_PACKAGES := libsqlite3-dev libcurl4-openssl-dev libsystemd-dev pkg-config tzdata sqlite3 python3-aiosmtpd openssl curl prometheus postgresql
BENCH_PACKAGES := nginx-light
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)
PREFIX ?= /usr/local
DESTDIR ?=
BINDIR ?= $(PREFIX)/bin
# heraldd alone; the Debian package puts it in /usr/sbin, as Debian does with daemons.
SBINDIR ?= $(BINDIR)
UNITDIR ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
DOCDIR ?= $(PREFIX)/share/doc/herald
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/vendor-completions
# heraldd's default configuration path and the unit's ConfigurationDirectory: not under PREFIX.
CONFDIR := /etc/herald
# Where `make install` takes the binaries from; `make release` puts them there.
BUILDDIR ?= .build/release
PROGRAMS := heraldd heraldctl herald-carrier-sim
TOOLS := heraldctl herald-carrier-sim
MAN_PAGES := man/heraldd.8 man/heraldctl.8 man/herald.toml.5 man/herald-outbox.7
MAN_PACKAGES := mandoc man-db
DEB_PACKAGES := debhelper lintian
DEB_TEST_PACKAGES := debootstrap
# The one place the version is written; heraldd --version, heraldctl --version and the admin
# socket's hello print it, and the Debian package's version must start with it.
VERSION := $(shell sed -n 's/^ *public static let current = "\(.*\)"$$/\1/p' Sources/HeraldControl/HeraldVersion.swift)

.PHONY: deps build run test chaos bench clean release install uninstall man lint-man deb deb-test

# Installs only the Debian packages that are not there yet.
define apt_install
	@missing=""; for p in $(1); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		$(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi
endef

deps:
	$(call apt_install,$(APT_PACKAGES))

build: deps
	$(SWIFT) build

# Starts the carrier simulator and heraldd in the foreground on ./var (git-ignored).
run: build
	scripts/dev-run.sh

# One test target at a time, heaviest last: on 2 cores the daemon suites' real processes and
# sockets starve the timing-sensitive carrier tests (connection reuse, timeouts) when all run
# together, and the 100,000-member broadcast keeps both cores busy for minutes on its own. The
# crash test (ChaosTests) runs alone too: its simulator lives in the test process, and beside the
# other daemon suites it has been starved for seconds, longer than heraldd's lookup_delay. Last,
# three release heraldd on one PostgreSQL queue (test-shared-queue, below). The daemon suites that
# push thousands of texts (HEAVY_DAEMON_SUITES) run one at a time after the others: all together on
# 2 cores they starved each other's timing checks (1,000 texts not delivered in 60 s, inbound
# webhooks unanswered after 10 s).
HEAVY_DAEMON_SUITES := DeliveryPathTests|ConsentBatchTests|WindowDispatchTests|CrashRecoveryTests|PostgresOutageTests
test: deps
	$(call apt_install,$(MAN_PACKAGES))
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --filter 'HeraldCoreTests|HeraldConfigTests|HeraldControlTests|HeraldStoreTests|PackagingTests'
	$(SWIFT) test --skip-build --filter HeraldCarrierTests
	$(SWIFT) test --skip-build --filter HeraldDaemonTests --skip 'BroadcastScaleTests|ChaosTests|SharedQueueTests|$(HEAVY_DAEMON_SUITES)'
	for suite in $(subst |, ,$(HEAVY_DAEMON_SUITES)); do $(SWIFT) test --skip-build --filter "HeraldDaemonTests.$$suite" || exit 1; done
	$(SWIFT) test --skip-build --filter ChaosTests
	$(SWIFT) test --skip-build --filter BroadcastScaleTests
	$(MAKE) test-shared-queue

# Not part of `make test` (which runs the 3,000-text version): 20,000 texts through the real
# heraldd, SIGKILLed 10 times, against a simulator without dedupe that faults all the time; once
# with unknown_outcome = lookup (must end with each text delivered exactly once), then with repost
# to show the duplicates that costs. Prints both runs' counts. HERALD_CHAOS_TEXTS and
# HERALD_CHAOS_KILLS change the size.
chaos: deps
	$(SWIFT) build --build-tests
	HERALD_CHAOS=1 $(SWIFT) test --skip-build --filter 'ChaosTests/makeChaos'

# Three heraldd on one PostgreSQL queue, one SIGKILLed, 30,000 texts (docs/instances.md); part of
# `make test`. On a release heraldd: three debug builds cannot keep their senders' rates on 2 cores.
test-shared-queue: deps
	$(SWIFT) build --build-tests
	$(SWIFT) build -c release --product heraldd
	HERALD_TEST_HERALDD=$(CURDIR)/.build/release/heraldd $(SWIFT) test --skip-build --filter SharedQueueTests

# heraldd and heraldctl too: the external bench drives the real release binaries (scripts/bench.sh).
bench: deps
	$(call apt_install,$(BENCH_PACKAGES))
	for p in heraldd heraldctl herald-bench; do $(SWIFT) build -c release --product $$p || exit 1; done
	scripts/bench.sh

# Static Swift runtime: the installed binaries must not depend on the toolchain's location.
release: deps
	for p in $(PROGRAMS); do $(SWIFT) build -c release --static-swift-stdlib --product $$p || exit 1; done

# `make release && sudo make install`. Builds nothing itself, so root never writes into .build.
# An existing herald.toml or quiet-hours.toml is kept; the shipped ones also go to DOCDIR.
# heraldctl's shell completions come from the binary being installed (the bash one is sourced,
# not run: no #! line).
install:
	@for p in $(PROGRAMS); do [ -x "$(BUILDDIR)/$$p" ] || { echo "$(BUILDDIR)/$$p is missing: run make release first" >&2; exit 1; }; done
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SBINDIR) $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(DOCDIR) $(DESTDIR)$(CONFDIR) \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man7 $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR)
	install -m 0755 $(BUILDDIR)/heraldd $(DESTDIR)$(SBINDIR)/
	install -m 0755 $(addprefix $(BUILDDIR)/,$(TOOLS)) $(DESTDIR)$(BINDIR)/
	sed -e 's|^ExecStart=/usr/local/bin/|ExecStart=$(SBINDIR)/|' \
		-e 's|^Documentation=file:.*|Documentation=file:$(DOCDIR)/README.md|' \
		systemd/heraldd.service > $(DESTDIR)$(UNITDIR)/heraldd.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/heraldd.service
	install -m 0644 systemd/herald.sysusers $(DESTDIR)$(SYSUSERSDIR)/herald.conf
	install -m 0644 README.md etc/herald/herald.toml etc/herald/quiet-hours.toml $(DESTDIR)$(DOCDIR)/
	install -d $(DESTDIR)$(DOCDIR)/docs
	install -m 0644 docs/*.md $(DESTDIR)$(DOCDIR)/docs/
	install -m 0644 man/herald.toml.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 0644 man/herald-outbox.7 $(DESTDIR)$(MANDIR)/man7/
	install -m 0644 man/heraldd.8 man/heraldctl.8 $(DESTDIR)$(MANDIR)/man8/
	$(BUILDDIR)/heraldctl --generate-completion-script bash > $(DESTDIR)$(BASHCOMPDIR)/heraldctl
	sed -i '1{/^#!/d}' $(DESTDIR)$(BASHCOMPDIR)/heraldctl
	$(BUILDDIR)/heraldctl --generate-completion-script zsh > $(DESTDIR)$(ZSHCOMPDIR)/_heraldctl
	chmod 0644 $(DESTDIR)$(BASHCOMPDIR)/heraldctl $(DESTDIR)$(ZSHCOMPDIR)/_heraldctl
	@for f in herald.toml quiet-hours.toml; do \
		if [ -e "$(DESTDIR)$(CONFDIR)/$$f" ]; then echo "kept $(DESTDIR)$(CONFDIR)/$$f (the shipped one is $(DESTDIR)$(DOCDIR)/$$f)"; \
		else install -m 0644 etc/herald/$$f $(DESTDIR)$(CONFDIR)/$$f; fi; \
	done
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" -eq 0 ]; then \
		systemd-sysusers $(SYSUSERSDIR)/herald.conf; \
		if [ -d /run/systemd/system ]; then systemctl daemon-reload; fi; \
		echo "next: set carrier.account_sid in $(CONFDIR)/herald.toml, put the auth token in $(CONFDIR)/carrier-token (mode 0600), systemctl enable --now heraldd"; \
	fi

# Leaves $(CONFDIR), /var/lib/herald (the queue) and the herald user alone: they are the operator's.
uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/heraldd $(addprefix $(DESTDIR)$(BINDIR)/,$(PROGRAMS)) $(DESTDIR)$(UNITDIR)/heraldd.service \
		$(DESTDIR)$(SYSUSERSDIR)/herald.conf
	rm -f $(DESTDIR)$(MANDIR)/man5/herald.toml.5 $(DESTDIR)$(MANDIR)/man7/herald-outbox.7 \
		$(DESTDIR)$(MANDIR)/man8/heraldd.8 $(DESTDIR)$(MANDIR)/man8/heraldctl.8 \
		$(DESTDIR)$(BASHCOMPDIR)/heraldctl $(DESTDIR)$(ZSHCOMPDIR)/_heraldctl
	rm -rf $(DESTDIR)$(DOCDIR)
	@if [ -z "$(DESTDIR)" ] && [ -d /run/systemd/system ]; then systemctl daemon-reload; fi

# Regenerates man/heraldctl.8 from heraldctl's argument parser, with swift-argument-parser's
# generate-manual: the tool its `swift package plugin generate-manual` runs. Called directly,
# because the plugin first builds every product (herald-bench too) and gives no way to mend
# what the tool drops (non-ASCII characters); see scripts/gen-heraldctl-man.py.
man: deps
	$(call apt_install,$(MAN_PACKAGES))
	$(SWIFT) build --product heraldctl
	$(SWIFT) build --product generate-manual
	bin=$$($(SWIFT) build --show-bin-path) && \
		scripts/gen-heraldctl-man.py --tool "$$bin/generate-manual" --heraldctl "$$bin/heraldctl" --date "$$(date -u +%F)" --output man/heraldctl.8

# mandoc's linter, warnings included, then man(1) renders each page as a reader would get it.
lint-man:
	$(call apt_install,$(MAN_PACKAGES))
	mandoc -Tlint -Wwarning $(MAN_PAGES)
	@for p in $(MAN_PAGES); do MANPAGER=cat MANWIDTH=80 man -l $$p > /dev/null || exit 1; done
	@echo "man pages: lint-clean and readable: $(MAN_PAGES)"

# dist/herald_<version>_<arch>.deb from the release binaries, by debhelper from debian/ (which
# runs `make install DESTDIR=debian/herald PREFIX=/usr`), then lintian. The Debian version is
# debian/changelog's; its upstream part must be $(VERSION).
deb: release lint-man
	$(call apt_install,$(DEB_PACKAGES))
	@v=$$(dpkg-parsechangelog -S Version); [ "$${v%-*}" = "$(VERSION)" ] || { \
		echo "debian/changelog is at $$v but the version is $(VERSION): add an entry, e.g. dch -v $(VERSION)-1" >&2; exit 1; }
	mkdir -p dist
	rm -rf debian/herald debian/.debhelper debian/files debian/herald.substvars debian/debhelper-build-stamp
	debian/rules binary
	lintian --fail-on error,warning --info dist/herald_$$(dpkg-parsechangelog -S Version)_$$(dpkg --print-architecture).deb

# Installs and purges the package on a throwaway Debian bookworm (debootstrap, cached in
# .build-root/): needs the network on its first run and root throughout. Not part of `make test`.
deb-test: deb
	$(call apt_install,$(DEB_TEST_PACKAGES))
	$(SUDO) scripts/deb-test.sh dist/herald_$$(dpkg-parsechangelog -S Version)_$$(dpkg --print-architecture).deb

clean:
	rm -rf .build var dist
