# swash — make demo: build and inspect an example provider archive; make test: the whole test suite.
SWIFT ?= swift
SHARED ?= ../shared
# What the tests need beyond the build: registries and their clients, the Go toolchain and qemu for the
# cross builds, Debian's Rust with its Windows standard library and mingw for a real Rust cross build, man-db for
# the installed man page, openssl for the test CA (TLS and token registries), GNU time for peak-RSS checks.
TEST_DEPS ?= docker-registry skopeo apache2-utils curl golang-go qemu-user-static gcc-aarch64-linux-gnu \
	gcc-mingw-w64-x86-64 libstd-rust-dev-windows rustc cargo man-db bsdextrautils openssl time

# make install PREFIX=/usr/local DESTDIR=: bin/swash, man page, bash/zsh/fish completions (CONFIGURATION=debug
# installs the debug build; make test does, into a temporary prefix, to check what is installed).
PREFIX ?= /usr/local
DESTDIR ?=
CONFIGURATION ?= release
MANUAL = .build/plugins/GenerateManual/outputs/swash/swash.1

.PHONY: deps build release test toml-test demo templates clean version install uninstall check-install artifactbundle

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
	@$(MAKE) --no-print-directory check-install

# Installs the debug build into a temporary DESTDIR and checks the binary, the man page (rendered by man -l)
# and the completions (bash completes `swash par `), then uninstalls and checks that nothing is left.
check-install:
	@Scripts/check-install

install: deps
	$(SWIFT) build -c $(CONFIGURATION) --product swash
	$(SWIFT) package plugin generate-manual --configuration $(CONFIGURATION) --authors "the swash developers"
	@PREFIX="$(PREFIX)" DESTDIR="$(DESTDIR)" Scripts/install install \
		"$$($(SWIFT) build -c $(CONFIGURATION) --show-bin-path)/swash" $(MANUAL)

uninstall:
	@PREFIX="$(PREFIX)" DESTDIR="$(DESTDIR)" Scripts/install uninstall

# The plugin's prebuilt tool (docs/plugin.md): a release build with the Swift runtime linked in, in its own
# scratch directory, packed as Artifacts/swash.artifactbundle (+ .zip and its checksum for a release).
artifactbundle:
	@Scripts/install-deps libcurl4-openssl-dev
	$(SWIFT) build -c release --product swash --static-swift-stdlib --scratch-path .build-static
	Scripts/artifactbundle "$$($(SWIFT) build -c release --static-swift-stdlib --scratch-path .build-static --show-bin-path)/swash" Artifacts
	@# SwiftPM caches evaluated manifests by their text: forget them, so Package.swift sees the new bundle.
	$(SWIFT) package purge-cache

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
	rm -rf .build .build-static Artifacts
	$(SWIFT) package purge-cache

# The version, from its one source (Sources/SwashCore/Version.swift), for the release process.
version:
	@sed -n 's/.*static let current = "\(.*\)".*/\1/p' Sources/SwashCore/Version.swift
