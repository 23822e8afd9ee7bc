# wenyuan: the two commands a newcomer needs are `make run` and `make test`.
# Each first installs the Debian packages it needs (scripts/deps.sh).

BUILD ?= build
DATA ?= var
PORT ?= 8080
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: all deps run test bench samples clean asan test-asan fuzz test-heavy test-cluster install deb test-package

all: $(BUILD)/wenyuan

deps:
	@scripts/deps.sh

$(BUILD)/Makefile: CMakeLists.txt
	@scripts/deps.sh
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS)

$(BUILD)/wenyuan: $(BUILD)/Makefile FORCE
	@cmake --build $(BUILD) -j $(JOBS)

FORCE:

# Install the binary and the site's files under PREFIX (DESTDIR for a
# staged install, as packages do): PREFIX/bin/wenyuan finds
# PREFIX/share/wenyuan/web and .../locale by itself.
PREFIX ?= /usr/local
install: all
	DESTDIR=$(DESTDIR) cmake --install $(BUILD) --prefix $(PREFIX)

# The Debian package (debian/, docs/operations.md), built by
# dpkg-buildpackage from a copy of the tree (the files git tracks or would
# track) in build-deb/src, so that nothing is written beside the checkout:
# build-deb/wenyuan_VERSION_ARCH.deb, with its .changes and .buildinfo.
DEB_OUT ?= build-deb
deb:
	@scripts/deps.sh --deb
	rm -rf $(DEB_OUT)/src && mkdir -p $(DEB_OUT)/src
	rm -f $(DEB_OUT)/wenyuan_* $(DEB_OUT)/wenyuan-dbgsym_*
	git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf - | tar -C $(DEB_OUT)/src -xf -
	cd $(DEB_OUT)/src && WY_COMMIT=$$(git -C $(CURDIR) describe --always --dirty --abbrev=12) \
		DEB_BUILD_OPTIONS="parallel=$(JOBS) $(DEB_BUILD_OPTIONS)" dpkg-buildpackage -us -uc -b
	@ls $(DEB_OUT)/*.deb

# Build the package, check it with lintian, install it on this machine
# (as root), serve a document from it as the systemd units would, then
# purge it (tests/pkg/deb.sh; not part of `make test`).
test-package:
	@scripts/deps.sh --deb
	tests/pkg/deb.sh

# Build, load the sample documents the project makes itself, serve the site.
run: all
	@scripts/samples.sh $(BUILD)/wenyuan $(DATA)
	$(BUILD)/wenyuan --data $(DATA) --http_port=$(PORT) serve

test:
	@scripts/deps.sh --test
	@$(MAKE) --no-print-directory all CMAKE_FLAGS="-DWY_WERROR=ON $(CMAKE_FLAGS)"
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# The same suite under AddressSanitizer + UBSan (`asan` is the old name).
test-asan:
	@$(MAKE) --no-print-directory test BUILD=build-asan CMAKE_FLAGS="-DWY_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug"

asan: test-asan

# Reliability that takes too long for `make test` (about 25 minutes;
# tests/heavy/run.sh, docs/reliability.md): 40 kill -9s during imports of
# 200 documents, full and read-only disks, wrk with 100 connections while
# documents convert, slowloris, every corpus file through the upload API;
# ends with a table of the figures.
# HEAVY_CRASH_ROUNDS=N, HEAVY_LOAD_SECONDS=N, HEAVY_PARTS="crash load".
HEAVY_PARTS ?=
test-heavy:
	@scripts/deps.sh --heavy
	@$(MAKE) --no-print-directory all CMAKE_FLAGS="-DWY_WERROR=ON $(CMAKE_FLAGS)"
	tests/heavy/run.sh $(BUILD) $(HEAVY_PARTS)

# The cluster test (tests/cluster/run.sh, docs/scale.md): PostgreSQL,
# radosgw, two serve processes behind nginx and two workers on hosts of
# their own; one serve and one worker killed mid-run; prints its table.
# Also part of `make test` (e2e.cluster).
test-cluster:
	@scripts/deps.sh --test
	@$(MAKE) --no-print-directory all CMAKE_FLAGS="-DWY_WERROR=ON $(CMAKE_FLAGS)"
	tests/cluster/run.sh $(BUILD)

# Fuzz every parser of untrusted input (tests/fuzz/) with libFuzzer, each
# target FUZZ_SECONDS on its corpus, in build-fuzz with clang; fails when a
# target finds a crash, a leak or a hang. FUZZ_TARGETS="query template" for some.
FUZZ_SECONDS ?= 30
FUZZ_TARGETS ?=
fuzz:
	@scripts/deps.sh --fuzz
	cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DWY_FUZZ=ON $(CMAKE_FLAGS)
	@cmake --build build-fuzz -j $(JOBS) --target wy-fuzz
	tests/fuzz/run.sh build-fuzz $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# Every benchmark (docs/bench.md), then one table of the issue's figures
# (bench/summary.py) from the rows they append to BENCH_RESULTS, which is
# emptied first. BENCH_ONLY="pipeline office http firstpage" runs some
# (search builds a 1.1M-page library, 10-20 min; ocr takes about 15).
# BENCH_RESULTS=FILE keeps the rows elsewhere.
# A benchmark that fails does not stop the others; make bench fails after
# the table.
BENCH_ALL = pipeline office http firstpage search ocr
BENCH_ONLY ?= $(BENCH_ALL)
BENCH_RESULTS ?= $(BUILD)/bench-results.tsv
bench:
	@for b in $(BENCH_ONLY); do case " $(BENCH_ALL) " in *" $$b "*) ;; \
		*) echo "make bench: no benchmark '$$b' (BENCH_ONLY: any of $(BENCH_ALL))" >&2; exit 2 ;; esac; done
	@$(MAKE) --no-print-directory all
	@scripts/deps.sh --bench
	@mkdir -p $(dir $(BENCH_RESULTS)) && : > $(BENCH_RESULTS)
	@failed=; for b in $(BENCH_ONLY); do \
		echo "== bench/$$b.sh"; \
		BENCH_RESULTS=$(abspath $(BENCH_RESULTS)) bench/$$b.sh $(BUILD)/wenyuan || failed="$$failed $$b"; \
	done; \
	echo; echo "== make bench: the issue's figures ($(BENCH_RESULTS))"; \
	bench/summary.py $(BENCH_RESULTS); \
	if [ -n "$$failed" ]; then echo "make bench: failed:$$failed" >&2; exit 1; fi

clean:
	rm -rf $(BUILD) build-asan build-fuzz build-deb
