# `make run` and `make test` set everything up themselves (idempotently) on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup editors extension e2e-tools run test lint format schema coverage bench dist clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,dask]'
	touch $(STAMP)

run: setup
	$(BIN)/python examples/customer_scan/build_db.py
	$(BIN)/wct validate examples/customer_scan/runbook.yaml examples/simple_files/runbook.yaml
	$(BIN)/wct run examples/customer_scan/runbook.yaml

# Two workers, each test module on one of them (a module's fixtures, such as the real
# VS Code, are set up once): the editors' tests wait on their UIs while the other worker
# runs the CPU-bound tests. `make test PYTEST_WORKERS=0` runs them in this process.
PYTEST_WORKERS ?= 2

test: setup editors e2e-tools lint extension
	$(BIN)/python -m pytest -q -n $(PYTEST_WORKERS) --dist loadscope

# Editors the end-to-end tests drive: Neovim (Debian `neovim`, 0.7.2) and Emacs with Eglot
# and yaml-mode (`emacs-nox elpa-eglot elpa-yaml-mode`), installed once;
# openssl, which the Dask TLS test makes its certificates with; PostgreSQL and MariaDB, the
# servers the `postgresql` and `mysql` connectors' tests start (tests/database_servers.py).
# Without apt-get these tests fail: install the packages by hand.
editors:
	@command -v nvim >/dev/null && command -v openssl >/dev/null && command -v emacs >/dev/null && \
	  ls -d /usr/share/emacs/site-lisp/elpa/eglot-* /usr/share/emacs/site-lisp/elpa/yaml-mode-* >/dev/null 2>&1 && \
	  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && \
	  { command -v mariadbd || test -x /usr/sbin/mariadbd; } >/dev/null || { \
	  if command -v apt-get >/dev/null; then \
	    SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	    $$SUDO apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends \
	      neovim emacs-nox elpa-eglot elpa-yaml-mode openssl postgresql mariadb-server; \
	  else echo "install neovim, emacs-nox, elpa-eglot, elpa-yaml-mode, openssl, postgresql and mariadb-server to run every test"; fi; }

# The VS Code extension: dependencies (npm ci, once per lock file), type check, unit tests
# (`node --test`, a stubbed `vscode` module) and the packaged `.vsix` the e2e tests install.
EXT := vscode-extension
EXT_STAMP := $(EXT)/node_modules/.installed

$(EXT_STAMP): $(EXT)/package-lock.json
	cd $(EXT) && npm ci --no-audit --no-fund --loglevel=error
	touch $(EXT_STAMP)

extension: $(EXT_STAMP)
	cd $(EXT) && npm run --silent typecheck && npm run --silent test:unit && npm run --silent package

# What the real-VS-Code tests need (Chromium, Node 24, code-server), once, in $(EXT)/.e2e-tools.
e2e-tools:
	$(EXT)/scripts/install-e2e-tools.sh

# Both languages: ruff and mypy; the extension's eslint, prettier and generated types.
lint: setup $(EXT_STAMP)
	$(BIN)/ruff check core server tests benchmarks
	$(BIN)/ruff format --check core server tests benchmarks
	$(BIN)/mypy
	cd $(EXT) && npm run --silent lint

format: setup $(EXT_STAMP)
	$(BIN)/ruff check --fix core server tests benchmarks
	$(BIN)/ruff format core server tests benchmarks
	cd $(EXT) && npm run --silent format

# schemas/ (the runbook and message schemas, the server API schema) and the extension's
# types generated from the server API schema.
schema: setup $(EXT_STAMP)
	$(BIN)/wct schema --dir schemas
	$(BIN)/python -m waivern_lsp.api_schema schemas
	cd $(EXT) && npm run --silent generate-types

# How much of core/ and server/ the tests run, the `wct` and `wct lsp` processes they
# start included (coverage.py patches subprocesses: see [tool.coverage] in pyproject.toml).
coverage: setup editors e2e-tools extension
	rm -rf .coverage-data && mkdir .coverage-data
	$(BIN)/coverage run -m pytest -q
	$(BIN)/coverage combine -q
	$(BIN)/coverage report

# What a release publishes, in dist/: the sdist and the wheel (built in a clean, isolated
# environment; the wheel carries the user docs) and the VS Code extension, all with the
# version of waivern_orchestration.__version__. A stale *.egg-info (its SOURCES.txt) would
# add files to the sdist that pyproject.toml no longer lists: it goes first.
dist: setup extension
	rm -rf dist build *.egg-info
	$(BIN)/python -m build --outdir dist .
	version=$$($(BIN)/python -c 'import waivern_orchestration as w; print(w.__version__)') && \
	  cp $(EXT)/dist/waivern-runbooks.vsix dist/waivern-runbooks-$$version.vsix
	@ls -1 dist

# matching.py and scan.py measure against ripgrep (Debian `ripgrep`), installed here when
# apt-get is.
bench: setup
	@command -v rg >/dev/null || { \
	  if command -v apt-get >/dev/null; then \
	    SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	    $$SUDO apt-get install -y -qq --no-install-recommends ripgrep; \
	  else echo "rg not found: benchmarks/matching.py and scan.py measure without their floor"; fi; }
	cd benchmarks && ../$(BIN)/python analyse.py && ../$(BIN)/python execute.py && ../$(BIN)/python complete.py && ../$(BIN)/python lsp.py && ../$(BIN)/python matching.py && ../$(BIN)/python scan.py && ../$(BIN)/python distributed.py

clean:
	rm -rf $(VENV) dist build .mypy_cache .ruff_cache .pytest_cache .coverage-data $(EXT)/node_modules $(EXT)/dist $(EXT)/out
