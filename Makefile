# swash — make demo: build and inspect an example provider archive; make test: the whole test suite.
SWIFT ?= swift
SHARED ?= ../shared
# What the tests need beyond the build: registries and their clients, the Go toolchain and qemu for the
# cross builds, Debian's Rust with its Windows standard library and mingw for a real Rust cross build.
TEST_DEPS ?= docker-registry skopeo apache2-utils curl golang-go qemu-user-static gcc-aarch64-linux-gnu \
	gcc-mingw-w64-x86-64 libstd-rust-dev-windows rustc cargo

.PHONY: deps build release test toml-test demo templates clean version

# Only what building swash needs (libarchive, libsodium, libdeflate, zlib, pkg-config): make demo installs no
# test packages.
deps:
	@Scripts/install-deps

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release --product swash

test:
	@Scripts/install-deps --python $(TEST_DEPS)
	$(SWIFT) build --build-tests
	@Scripts/check-imports
	@$(MAKE) --no-print-directory toml-test
	$(SWIFT) test --skip-build

# toml-test conformance of TOMLLite through toml-decoder: the full runner output goes to .build/toml-test.out;
# the FAIL lines and the summary are shown, and anything but exactly "709 passed, 0 failed" fails.
toml-test:
	@if [ -x "$(SHARED)/tools/toml-test-run" ]; then \
		$(SWIFT) build --product toml-decoder >/dev/null || exit 1; \
		out=.build/toml-test.out; \
		echo "== toml-test --strict (TOML 1.0.0 cases from $(SHARED)/corpora; full output in $$out)"; \
		$(SHARED)/tools/toml-test-run --strict --corpus $(SHARED)/corpora/toml-test \
			-- "$$($(SWIFT) build --show-bin-path)/toml-decoder" >$$out 2>&1; \
		grep '^FAIL ' $$out; \
		summary=$$(grep -E '^[0-9]+ passed, [0-9]+ failed$$' $$out | tail -n 1); \
		echo "$${summary:-toml-test: no summary line, see $$out}"; \
		[ "$$summary" = "709 passed, 0 failed" ]; \
	else \
		echo "note: $(SHARED) is absent; skipping the toml-test conformance run"; \
	fi

demo: release
	@Scripts/demo

# Regenerates Sources/SwashCore/NewProjectTemplates.swift from Templates/ (a test fails when they drift).
templates:
	python3 Scripts/embed-templates

clean:
	rm -rf .build

# The version, from its one source (Sources/SwashCore/Version.swift), for the release process.
version:
	@sed -n 's/.*static let current = "\(.*\)".*/\1/p' Sources/SwashCore/Version.swift
