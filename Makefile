# urne — two commands: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
# The embedded default's data (SQLite database, uploads, mail): only `make clean-data` deletes it.
DATA := var

# What the tests need from Debian (README.md, "What `make test` needs"), as package:command, the
# command showing that the package is installed. `make deps` installs the missing ones.
DEBIAN_DEPS := chromium:chromium belenios-tool:belenios-tool gettext:msgfmt \
	poppler-utils:pdftotext espeak-ng:espeak-ng redis-server:redis-server
# Recursive (=), so that only the targets using them look the commands up.
missing_deps = $(strip $(foreach dep,$(DEBIAN_DEPS),$(if $(shell command -v $(word 2,$(subst :, ,$(dep))) 2>/dev/null),,$(word 1,$(subst :, ,$(dep))))))
sudo = $(if $(filter 0,$(shell id -u 2>/dev/null)),,sudo)

.PHONY: install deps demo test lint typecheck format pytest clean clean-data

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	touch $(STAMP)

$(NODE_STAMP): package.json package-lock.json
	npm ci --silent --no-audit --no-fund
	touch $(NODE_STAMP)

# Debian's packages (apt-get, through sudo unless root); nothing when all are there.
deps:
	@if [ -z "$(missing_deps)" ]; then echo "Debian packages the tests need: all installed."; fi
	$(if $(missing_deps),$(sudo) apt-get update -qq)
	$(if $(missing_deps),$(sudo) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(missing_deps))

demo: install
	URNE_DEMO=1 URNE_DEBUG=1 $(BIN)/urne demo

format:
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

lint: install
	$(BIN)/ruff format --check src tests bench
	$(BIN)/ruff check src tests bench

typecheck: install
	$(BIN)/mypy src tests bench

pytest: install $(NODE_STAMP)
	$(BIN)/pytest $(PYTEST_ARGS)

test: deps lint typecheck pytest

# Build products and caches only: the data in $(DATA)/ stays (`make clean-data` deletes it).
clean:
	rm -rf $(VENV) node_modules .mypy_cache .pytest_cache .ruff_cache

clean-data:
	@echo "Deleting $(DATA)/: the embedded database, uploaded files, imported electors files and mail."
	rm -rf $(DATA)
