# SPDX-License-Identifier: GPL-2.0-or-later
# The two commands of the README, and the usual targets around them.
#   make demo   install what is missing, build, build the test image, run it
#   make check  the same set-up, then every test (unit, ASan/UBSan, fuzz, system)
BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
PREFIX     ?= /usr/local
IMAGES     ?= $(BUILD)/test-images

.PHONY: all deps host build asan fuzz images demo check unit install clean lint flags-table

all: build

deps:
	@sh scripts/install-deps.sh

host:
	@sh tests/setup-host.sh

# Unit tests and fuzz targets are picked up by name when meson configures,
# so every build re-runs the (quick) configure step: a new test file is
# never silently left out.
SETUP = meson setup $(if $(wildcard $(1)/build.ninja),--reconfigure) $(1)

build:
	$(call SETUP,$(BUILD)) --prefix=$(PREFIX) >/dev/null
	ninja -C $(BUILD)

asan:
	$(call SETUP,$(ASAN_BUILD)) -Db_sanitize=address,undefined -Dbuildtype=debug \
	    -Db_lundef=false >/dev/null
	ninja -C $(ASAN_BUILD)

fuzz:
	CC=clang $(call SETUP,$(FUZZ_BUILD)) -Dfuzz=true -Db_sanitize=address,undefined \
	    -Db_lundef=false -Dbuildtype=debug >/dev/null
	ninja -C $(FUZZ_BUILD)

images: build
	sh tests/images/build.sh $(IMAGES)

install: build
	DESTDIR=$(DESTDIR) meson install -C $(BUILD) --no-rebuild

demo: deps build images
	sh scripts/demo.sh $(BUILD)/husk $(IMAGES)

unit: build
	meson test -C $(BUILD) --print-errorlogs

lint:
	sh scripts/lint.sh

# docs/flags.md is generated from the binary's command table; the doc test
# (tests/system/015-docs.bats) fails until it is regenerated.
flags-table: build
	sh scripts/flags-table.sh $(BUILD)/husk > docs/flags.md.tmp && mv docs/flags.md.tmp docs/flags.md

check: deps host build asan fuzz images
	bash tests/run-all.sh

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
