# urne — two commands: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
# The embedded default's data (SQLite database, uploads, mail): only `make clean-data` deletes it.
DATA := var

# What the tests need from Debian (README.md, "What `make test` needs"), as package:test, the test
# showing that the package is installed: a command on the PATH, or a file (a path starting with /,
# wildcards allowed). `make deps` installs the missing ones. Recursive (=), so that only the targets
# using them look the commands and files up.
DEBIAN_DEPS = chromium:chromium belenios-tool:belenios-tool gettext:msgfmt \
	poppler-utils:pdftotext espeak-ng:espeak-ng redis-server:redis-server \
	haproxy:haproxy $(BUILD_DEPS)
# What `make install` needs to build gmpy2 from source against Debian's GMP (README.md, "Why gmpy2
# is built from source"): a C compiler, Python's headers (those of $(PYTHON)), GMP, MPFR and MPC.
BUILD_DEPS = gcc:cc python3-dev:$(python_include)/Python.h libgmp-dev:/usr/include/*/gmp.h \
	libmpfr-dev:/usr/include/mpfr.h libmpc-dev:/usr/include/mpc.h
python_include = $(shell $(PYTHON) -c 'import sysconfig; print(sysconfig.get_path("include"))' 2>/dev/null)
dep_present = $(if $(filter /%,$(1)),$(wildcard $(1)),$(shell command -v $(1) 2>/dev/null))
missing_in = $(strip $(foreach dep,$(1),$(if $(call dep_present,$(word 2,$(subst :, ,$(dep)))),,$(word 1,$(subst :, ,$(dep))))))
missing_deps = $(call missing_in,$(DEBIAN_DEPS))
missing_build_deps = $(call missing_in,$(BUILD_DEPS))
# Exits 0 when the gmpy2 of the environment runs on the system's libgmp (not a copy of its own).
GMP_CHECK := import gmpy2; libs = {line.split()[-1] for line in open('/proc/self/maps') if 'libgmp' in line}; \
	print('gmpy2', gmpy2.version(), gmpy2.mp_version(), *libs); \
	raise SystemExit(not libs or any('site-packages' in lib for lib in libs))
sudo = $(if $(filter 0,$(shell id -u 2>/dev/null)),,sudo)

.PHONY: install deps demo test lint typecheck format pytest clean clean-data stack stack-stop test-stack

install: $(STAMP)

# gmpy2 is built from its source against Debian's GMP (--no-binary gmpy2; every other package as
# usual): its PyPI wheel carries a GMP of its own, slower for the verifier's 2048-bit powmod. An
# environment made before gets its gmpy2 rebuilt; the last line fails if it is not on the system's.
$(STAMP): pyproject.toml constraints.txt Makefile
	$(if $(missing_build_deps),$(error gmpy2 is built against Debian's GMP and these Debian packages are missing: $(missing_build_deps). `make deps` installs them))
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -c constraints.txt --no-binary gmpy2 -e ".[dev]"
	$(BIN)/python -c "$(GMP_CHECK)" >/dev/null || $(BIN)/python -m pip install --quiet \
		-c constraints.txt --no-binary gmpy2 --force-reinstall --no-deps gmpy2
	$(BIN)/python -c "$(GMP_CHECK)"
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

# The production stack on loopback (deploy/stack.py, docs/deployment.md): HAProxy on
# http://127.0.0.1:8080/ (URNE_STACK_PORT), two gunicorn nodes, a Celery worker, a Redis of its own,
# the database urne_stack of the local PostgreSQL (URNE_STACK_DATABASE_URL); secrets drawn at the
# first start into $(DATA)/stack/secrets/. `make stack-stop` stops it.
stack: install deps
	$(BIN)/python deploy/stack.py start

stack-stop:
	$(BIN)/python deploy/stack.py stop

# The stack's own tests (tests/operations/: the stack, its faults, its overload answer), which
# start whole stacks with a private PostgreSQL: slow, also part of `make test`.
test-stack: install deps
	$(BIN)/pytest -p no:cacheprovider tests/operations -k "stack or faults or overload"

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
