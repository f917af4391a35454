# Herald — the two set-up commands are `make run` and `make test`; both install what is missing.
SWIFT ?= swift
APT_PACKAGES := libsqlite3-dev libcurl4-openssl-dev libsystemd-dev pkg-config tzdata sqlite3
BENCH_PACKAGES := nginx-light
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)
PREFIX ?= /usr/local
DESTDIR ?=

.PHONY: deps build run test bench clean

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

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

bench: deps
	$(call apt_install,$(BENCH_PACKAGES))
	$(SWIFT) build -c release --product herald-bench
	scripts/bench.sh

clean:
	rm -rf .build var
