# secscore: make demo (the dashboard on the bundled example), make test (everything).
# Every target installs what it needs first, so both work on a fresh machine.

SHELL := /bin/bash
SWIFT ?= swift
CC ?= cc
CONFIG ?= debug
SWIFT_BUILD := $(SWIFT) build -c $(CONFIG)
BIN = $(shell $(SWIFT_BUILD) --show-bin-path)
CBUILD := .build/c-$(CONFIG)

# Swift products the tests and the demo run. Building products one by one
# (not a bare `swift build`) keeps SwiftPM from compiling swift-protobuf's
# bundled protoc, which takes many minutes and which nothing here needs.
SWIFT_PRODUCTS := secscore secscore-plugin-admin-mfa secscore-plugin-alert-response secscore-plugin-spending-budget \
  example-plugin-swift test-plugin-swift test-host-embedder

# The C SDK and the C plugins built on it, with the C compiler alone.
C_SDK_SOURCES := Sources/CSecScorePlugin/sdk.c $(wildcard Sources/CSecScorePlugin/generated/secscore/*/v1/*.pb-c.c)
C_SDK_HEADERS := $(shell find Sources/CSecScorePlugin/include -name '*.h')
C_FLAGS := -std=c11 -Wall -Wextra -Werror -I Sources/CSecScorePlugin/include $(if $(filter release,$(CONFIG)),-O2,-O1 -g)
C_PLUGINS := secscore-plugin-security-contact=Plugins/SecurityContact secscore-plugin-customer-mfa=Plugins/CustomerMFA \
  example-plugin-c=Examples/CPlugin test-plugin-misbehaving=Tests/Fixtures/MisbehavingPlugin

APT_PACKAGES := libprotobuf-c-dev protobuf-compiler protobuf-c-compiler pkg-config libsqlite3-dev

.PHONY: bench bench-collect bench-history
.PHONY: check-task-closures install uninstall all deps test-deps screenshots build swift-products c-plugins test check-generated check-standalone generate demo clean conformance record-golden fuzz fuzz-smoke soak soak-smoke

all: build

## deps: install the Debian packages the build needs (only what is missing).
deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=""; [ "$$(id -u)" -ne 0 ] && SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

build: deps swift-products c-plugins

swift-products:
	@echo "building $(SWIFT_PRODUCTS)"
	@for p in $(SWIFT_PRODUCTS); do $(SWIFT_BUILD) --quiet --product $$p || exit 1; done

$(CBUILD)/libsecscore-plugin.a: $(C_SDK_SOURCES) $(C_SDK_HEADERS) Makefile
	@mkdir -p $(CBUILD)/obj
	@objs=""; for src in $(C_SDK_SOURCES); do \
	  obj=$(CBUILD)/obj/$$(echo $$src | tr / _ | sed 's/\.c$$/.o/'); \
	  $(CC) $(C_FLAGS) -c $$src -o $$obj || exit 1; objs="$$objs $$obj"; \
	done; rm -f $@; ar rcs $@ $$objs
	@echo "built $@"

## c-plugins: every C plugin, next to the Swift products so discovery finds them.
c-plugins: $(CBUILD)/libsecscore-plugin.a
	@mkdir -p "$(BIN)"
	@for entry in $(C_PLUGINS); do \
	  name=$${entry%%=*}; dir=$${entry#*=}; \
	  $(CC) $(C_FLAGS) -o "$(BIN)/$$name" $$dir/*.c $(CBUILD)/libsecscore-plugin.a -lprotobuf-c || exit 1; \
	done
	@echo "built C plugins into $(BIN)"

## generate: regenerate the committed protobuf code from Protos/.
generate: deps
	scripts/generate-protos.sh

## check-generated: fail when the committed protobuf code (the main package's
## and the benchmarks' gRPC service) is stale.
check-generated: deps
	scripts/generate-protos.sh --check
	Benchmarks/scripts/generate-grpc.sh --check

## check-task-closures: no typed do/catch inside a task's closure (Swift
## 6.3.1 -O miscompiles it; debug tests cannot see it), and the check itself
## still finds the shape that crashed `evaluate --fleet`.
check-task-closures:
	python3 scripts/check-task-closures.py Sources
	@python3 scripts/check-task-closures.py Tests/Fixtures/TaskClosures/Accepted.swift.txt
	@! python3 scripts/check-task-closures.py Tests/Fixtures/TaskClosures/Miscompiled.swift.txt >/dev/null \
	  || { echo "check-task-closures.py no longer finds the miscompiled shape"; exit 1; }

# Every shipped plugin must pass the conformance suite.
SHIPPED_PLUGINS := secscore-plugin-admin-mfa secscore-plugin-alert-response secscore-plugin-spending-budget \
  secscore-plugin-security-contact secscore-plugin-customer-mfa example-plugin-swift example-plugin-c

## conformance: run `secscore plugin check` on every shipped and example plugin.
conformance: build
	@for p in $(SHIPPED_PLUGINS); do "$(BIN)/secscore" plugin check "$(BIN)/$$p" || exit 1; done

## check-standalone: prove a clone with nothing beside it has every file the
## tests, the demo, the benchmarks, the fuzzers and the soak read.
check-standalone:
	scripts/check-standalone.sh

## test-deps: what only the tests need: headless Chromium renders the HTML
## reports (HTMLRenderTests), with a font for its screenshots.
TEST_APT_PACKAGES := chromium fonts-dejavu-core
test-deps:
	@missing=""; for p in $(TEST_APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=""; [ "$$(id -u)" -ne 0 ] && SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

## screenshots: render the HTML report and the fleet overview of the bundled
## examples in headless Chromium into docs/ (committed).
screenshots: build test-deps
	scripts/screenshots.sh "$(BIN)/secscore"

## test: the generated-code check, plugin conformance, the standalone check,
## the whole suite, then short runs of the soak and the fuzzers (full runs:
## make soak, make fuzz).
test: build test-deps check-generated check-task-closures conformance
	scripts/check-standalone.sh
	$(SWIFT) test -c $(CONFIG)
	$(MAKE) --no-print-directory soak-smoke fuzz-smoke

## install: a release build of secscore and the shipped plugins under PREFIX
## (default /usr/local): the programs in PREFIX/libexec/secscore (plugins are
## found next to secscore), a link PREFIX/bin/secscore, and the example
## snapshots in PREFIX/share/secscore/examples. DESTDIR stages a package.
PREFIX ?= /usr/local
INSTALL_SWIFT := secscore secscore-plugin-admin-mfa secscore-plugin-alert-response secscore-plugin-spending-budget
INSTALL_C := secscore-plugin-security-contact secscore-plugin-customer-mfa
install: deps
	@for p in $(INSTALL_SWIFT); do $(SWIFT) build -c release --quiet --product $$p || exit 1; done
	@$(MAKE) --no-print-directory c-plugins CONFIG=release
	@rel=$$($(SWIFT) build -c release --show-bin-path); \
	dest="$(DESTDIR)$(PREFIX)/libexec/secscore"; \
	install -d "$$dest" "$(DESTDIR)$(PREFIX)/bin" "$(DESTDIR)$(PREFIX)/share/secscore/examples" || exit 1; \
	for p in $(INSTALL_SWIFT) $(INSTALL_C); do install -m 755 "$$rel/$$p" "$$dest/$$p" || exit 1; done; \
	rm -rf "$$dest/secscore_SecScoreModel.resources"; cp -R "$$rel/secscore_SecScoreModel.resources" "$$dest/" || exit 1; \
	ln -sfn ../libexec/secscore/secscore "$(DESTDIR)$(PREFIX)/bin/secscore"; \
	cp -R Examples/snapshots/. "$(DESTDIR)$(PREFIX)/share/secscore/examples/"; \
	echo "installed secscore into $(DESTDIR)$(PREFIX) (bin/secscore, libexec/secscore, share/secscore)"

## uninstall: remove what install wrote under PREFIX.
uninstall:
	rm -rf "$(DESTDIR)$(PREFIX)/libexec/secscore" "$(DESTDIR)$(PREFIX)/share/secscore"
	rm -f "$(DESTDIR)$(PREFIX)/bin/secscore"

## demo: evaluate the bundled example and print the dashboard.
demo: build
	@"$(BIN)/secscore" evaluate --as-of 2025-11-15 --fail-on none

## record-golden: rewrite Examples/expected/ after an intended change (review the diff).
record-golden: build
	RECORD_GOLDEN=1 $(SWIFT) test -c $(CONFIG) --filter GoldenReportTests

## fuzz: build the libFuzzer targets and run each for FUZZ_SECONDS (default 300).
FUZZ_SECONDS ?= 300
fuzz: deps
	scripts/fuzz.sh $(FUZZ_SECONDS)

## fuzz-smoke: the same targets for a few seconds each, so they keep building.
fuzz-smoke: deps
	scripts/fuzz.sh 5

## soak: a fleet of SOAK_PARTNERS generated partners while SOAK_FAULTS faults
## hit the plugins; checks nothing was lost or changed and nothing leaked.
SOAK_PARTNERS ?= 1000
SOAK_FAULTS ?= 60
SOAK_USERS ?= 200
soak: build
	@$(SWIFT_BUILD) --quiet --product secscore-soak
	"$(BIN)/secscore-soak" --partners $(SOAK_PARTNERS) --faults $(SOAK_FAULTS) --users $(SOAK_USERS)

## soak-smoke: a short soak for make test.
soak-smoke: build
	@$(SWIFT_BUILD) --quiet --product secscore-soak
	"$(BIN)/secscore-soak" --partners 120 --faults 12 --users 60

## bench: every suite of secscore-bench (rpc, throughput, spawn, scale) side
## by side in one run, then the targets table (BENCHMARKS.md). Builds what it
## needs first: the release products, and every program of the Benchmarks
## package (gRPC's dependencies the first time: about 20 minutes on 2 cores).
## BENCH_ARGS passes options, e.g. BENCH_ARGS="rpc spawn" or "--max-scale m".
BENCH_PRODUCTS := secscore-bench bench-grpc-server bench-plugin-echo secscore-bench-json
BENCH_ARGS ?= all --json
bench: deps
	@$(MAKE) --no-print-directory CONFIG=release build
	@echo "building the benchmark programs ($(BENCH_PRODUCTS))"
	@# SwiftPM keeps the Benchmarks package's build plan when only a file
	@# of its path dependency (this package) was added: it then fails to
	@# find new symbols. Dropping the plan costs a few seconds of planning.
	@rm -f Benchmarks/.build/release.yaml Benchmarks/.build/release/description.json
	@cd Benchmarks && for p in $(BENCH_PRODUCTS); do $(SWIFT) build -c release --quiet --product $$p || exit 1; done
	@mkdir -p .build
	set -o pipefail; "$$(cd Benchmarks && $(SWIFT) build -c release --show-bin-path)/secscore-bench" $(BENCH_ARGS) | tee .build/bench-latest.txt

## bench-history: record 1,000 partners x 90 daily runs into a history
## database and query it (BENCHMARKS.md). Release build.
bench-history:
	$(SWIFT) build -c release --product secscore-history-bench
	"$$($(SWIFT) build -c release --show-bin-path)/secscore-history-bench" --partners 1000 --days 90

## bench-collect: secscore collect against the loopback fake under Microsoft's
## throttling limits (10,000 users, 500 customers; BENCHMARKS.md). Takes ~2 min.
BENCH_USERS ?= 10000
BENCH_CUSTOMERS ?= 500
bench-collect: swift-products
	@$(SWIFT_BUILD) --quiet --product secscore-collect-bench
	"$(BIN)/secscore-collect-bench" "$(BIN)/secscore" --users $(BENCH_USERS) --customers $(BENCH_CUSTOMERS)

clean:
	rm -rf .build
