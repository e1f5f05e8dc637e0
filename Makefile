# swash — make demo: build and inspect an example provider archive; make test: the whole test suite.
SWIFT ?= swift
SHARED ?= ../shared
TEST_DEPS ?= docker-registry skopeo apache2-utils curl

.PHONY: deps build release test demo clean

deps:
	@Scripts/install-deps $(TEST_DEPS)

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release --product swash

test:
	@Scripts/install-deps --python $(TEST_DEPS)
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	@if [ -x "$(SHARED)/tools/toml-test-run" ]; then \
		echo "== toml-test (TOML 1.0.0 cases from $(SHARED)/corpora)"; \
		$(SHARED)/tools/toml-test-run --corpus $(SHARED)/corpora/toml-test -- "$$($(SWIFT) build --show-bin-path)/toml-decoder" | tail -n 5 | tee .build/toml-test.out; \
		grep -qx '709 passed, 0 failed' .build/toml-test.out; \
	else \
		echo "note: $(SHARED) is absent; skipping the toml-test conformance run"; \
	fi

demo: release
	@Scripts/demo

clean:
	rm -rf .build
