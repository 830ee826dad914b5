# Streamz for Swift — developer entry points.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

SWIFT ?= swift
TEST_FLAGS ?=

.PHONY: help deps build test test-crash soak demo bench clean

help:
	@echo "Targets:"
	@echo "  make deps    install Debian packages (librdkafka, libpq, postgresql, kcat, ...)"
	@echo "  make build   swift build"
	@echo "  make test    swift test against a throwaway PostgreSQL (TEST_FLAGS=...)"
	@echo "  make test-crash  only the window pipelines' crash-loop tests (exactly-once)"
	@echo "  make soak    streamz run killed with SIGKILL 20 times over 400,000 clicks (SOAK_RECORDS, SOAK_KILLS)"
	@echo "  make demo    build the release streamz binary and run 'streamz demo'"
	@echo "  make bench   run every benchmark (release), each beside its same-run baseline, and write"
	@echo "              BENCHMARKS.md with a chart (BENCH_QUICK=1: a quick check; see scripts/bench-report.sh)"
	@echo "  make clean   remove .build and Benchmarks/.build"
	@echo "Variables: SWIFT=$(SWIFT) TEST_FLAGS=$(TEST_FLAGS)"

deps:
	scripts/install-deps.sh

build: deps
	$(SWIFT) build

# The window pipelines' crash-loop tests (also part of `make test`), alone.
CRASH_TESTS := exactlyOnceSurvivesCrashesAnywhere|rowsReachKafkaAndStateIsCheckpointedInPostgres

test: deps
	scripts/with-postgres.sh $(SWIFT) test $(TEST_FLAGS)

test-crash: deps
	scripts/with-postgres.sh $(SWIFT) test --filter '$(CRASH_TESTS)' $(TEST_FLAGS)

# The long crash loop: the same black-box test as in `make test`, bigger.
SOAK_RECORDS ?= 400000
SOAK_KILLS ?= 20
soak: deps
	STREAMZ_CRASH_RECORDS=$(SOAK_RECORDS) STREAMZ_CRASH_KILLS=$(SOAK_KILLS) \
		scripts/with-postgres.sh $(SWIFT) test --filter 'CrashLoopTests' $(TEST_FLAGS)

demo: deps
	$(SWIFT) build -c release --product streamz
	scripts/with-postgres.sh .build/release/streamz demo

# Core operators, Kafka passthrough vs C, `streamz run` topic-to-topic and window vs C,
# Kafka → window → PostgreSQL, latency at 10k msg/s; writes BENCHMARKS.md and
# Benchmarks/chart.png, raw output in Benchmarks/results/.
bench: deps
	SWIFT=$(SWIFT) scripts/bench-report.sh

clean:
	rm -rf .build Benchmarks/.build
