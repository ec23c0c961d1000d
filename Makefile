# make demo: set up .venv, check, audit, render and build (on torch's meta device) every network
# in specs/ into the gallery out/index.html; ends with a one-line-per-network summary table,
# then loads every page in headless Chromium when it is installed (`make chromium`).
# make test: set up .venv and run the whole test suite.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SPECS := $(wildcard specs/*.arch)
JOBS ?= 2

.PHONY: demo test install graphviz chromium fuzz bench lint clean vsix

install: $(STAMP) graphviz

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q torch==2.14.1 torchvision==0.29.1
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

# Debian's graphviz provides the `dot` binary the graphviz package drives.
graphviz:
	@command -v dot >/dev/null 2>&1 || { \
	  echo "installing Debian's graphviz (for dot)"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz) \
	  >/dev/null 2>&1 || sudo sh -c 'apt-get update -qq && apt-get install -y -qq graphviz' \
	  || echo "warning: could not install graphviz; render to .dot only"; }

# Debian's chromium drives the HTML renderer's browser test (skipped when it is missing).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium (for the browser test)"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) \
	  >/dev/null 2>&1 || echo "warning: could not install chromium; the browser test will skip"; }

demo: install
	$(BIN)/archspec gallery $(SPECS) -o out --jobs $(JOBS) --build
	$(BIN)/python tests/backends/render/pages_check.py out --shots out/test-artefacts

test: install chromium
	$(BIN)/ruff check archspec tests bench fuzz
	$(BIN)/python -m pytest -q -n $(JOBS) -p no:cacheprovider

fuzz: install
	HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest -q -n $(JOBS) -p no:cacheprovider \
	  tests/hardening/test_fuzz.py tests/hardening/test_differential.py tests/symbolic/test_proof.py

bench: install
	$(BIN)/python bench/run_all.py

# The VS Code extension (editors/vscode) as out/archspec.vsix, with the npm tooling.
vsix:
	mkdir -p out
	cd editors/vscode && npm install --no-audit --no-fund && \
	  npx @vscode/vsce package --allow-missing-repository --skip-license -o ../../out/archspec.vsix

lint: install
	$(BIN)/ruff check archspec tests bench fuzz

clean:
	rm -rf out build *.egg-info .pytest_cache
