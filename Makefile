# The two commands a newcomer needs: `make html` and `make test` (see README).
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
LINT_VENV := .venv-lint
BUILD := _build
JB_FLAGS := -W --keep-going
# Debian packages, by what this machine's release provides ([tool.d2lvi.debian] of
# pyproject.toml; Debian 12 has Noto Sans Mono in fonts-noto-mono, 13 in fonts-noto-core):
# the tests' (a real browser, the Vietnamese spelling dictionary) and the PDF edition's.
APT_PACKAGES = $(shell PYTHONPATH=. $(PYTHON) -m d2lvi.build.debian test)
PDF_APT_PACKAGES = $(shell PYTHONPATH=. $(PYTHON) -m d2lvi.build.debian pdf)
# make pdf EDITION=song-ngu: the bilingual edition (each English original after its translation).
EDITION ?= vi

.PHONY: bench html check update-outputs test lint figures system-deps clean assets weight
.PHONY: status stale import
.PHONY: notebooks test-colab pdf pdf-deps

# Set-up: one virtual environment, every dependency pinned, installed in one step.
$(VENV)/.stamp: requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -r requirements.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

# The translation checker's own small environment: no MXNet, no Sphinx.
$(LINT_VENV)/.stamp: requirements-lint.txt
	test -x $(LINT_VENV)/bin/python || $(PYTHON) -m venv $(LINT_VENV)
	$(LINT_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-lint.txt
	touch $@

# The book's sections: every chapter_*/ file of _toc.yml. FILE=chapter_cnn/pooling.md (or
# FILES=...) narrows a command to some of them.
FILES ?= $(FILE)

# The translation checker, in its own light environment (no MXNet, no Sphinx):
# prints path:line:col: CODE message for every section (FILE=... for one). STRICT=1 is CI's
# run: the rules with a stricter CI severity (the glossary's TR303, TR304) fail it too.
lint: $(LINT_VENV)/.stamp
	PYTHONPATH=. $(LINT_VENV)/bin/python -m d2lvi check $(if $(STRICT),--strict) $(FILES)

# Translation progress: one row per section; per Phần with FILE=...; UPSTREAM=... to compare
# with another English than the pinned one.
status: $(LINT_VENV)/.stamp
	PYTHONPATH=. $(LINT_VENV)/bin/python -m d2lvi status $(if $(UPSTREAM),--upstream $(UPSTREAM)) $(FILES)

# Blocks a new upstream English changes: make stale UPSTREAM=path/to/new.md [FILE=section]
# (the section is found from the file name when FILE is not given).
stale: $(LINT_VENV)/.stamp
	@test -n "$(UPSTREAM)" || { echo "dùng: make stale UPSTREAM=đường/dẫn/bản-gốc-mới.md [FILE=mục]"; exit 2; }
	PYTHONPATH=. $(LINT_VENV)/bin/python -m d2lvi stale $(UPSTREAM) $(FILES)

# Bring a d2l-vn section into the book: make import SRC=path/to/NAME_vn.md [INTO=chapter_cnn]
# (a template, or a plain d2l-en section); executes it once and stores its outputs.
import: $(VENV)/.stamp
	@test -n "$(SRC)" || { echo "dùng: make import SRC=đường/dẫn/NAME_vn.md [INTO=chapter_…]"; exit 2; }
	$(PY) -m d2lvi import $(SRC) $(if $(INTO),--into $(INTO))

# Installs Debian packages only when one is missing (CI runs as root; else sudo):
# $(call apt_install,PACKAGES,EXTRA apt-get OPTIONS).
define apt_install
	@missing=$$(for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "apt-get install $$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(2) $$missing >/dev/null; \
	fi
endef

system-deps:
	$(call apt_install,$(APT_PACKAGES),)

pdf-deps:
	$(call apt_install,$(PDF_APT_PACKAGES),--no-install-recommends)

# Node packages pinned in package-lock.json (MathJax, run at build time to typeset the math;
# axe-core for the browser tests), installed again only when the lock file is newer than
# the last install.
node_modules/.package-lock.json: package-lock.json
	@command -v npm >/dev/null || $(MAKE) system-deps APT_PACKAGES="nodejs npm"
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

assets: node_modules/.package-lock.json

# Build the book (cells executed, cached on code only); the output gate runs inside the
# build (d2lvi.site.gate) and fails it on any divergence. When no input changed since the
# last successful build, Sphinx is not started at all (~1.7 s of imports and set-up) and only
# the gate runs, against the same execution cache the pages were rendered from. Otherwise
# `python -m d2lvi build` runs `jupyter-book build` in a child of a warm process that has
# imported Jupyter Book, Sphinx and the extensions already (d2lvi/build/server.py; started on
# first use, gone after `build_server_idle_minutes`; D2LVI_BUILD_SERVER=0 builds directly).
BUILT := $(BUILD)/html/.d2lvi-built
# Every file and folder the pages can depend on (folders too, as `dir/.` so that no folder is
# taken for the phony target of the same name: their times change when a file is added or
# removed). Tests, caches and the build itself are left out.
BOOK_INPUTS := $(shell find . \( -path ./_build -o -path ./.git -o -path './.venv*' \
	-o -path ./node_modules -o -path ./tests -o -name __pycache__ -o -name '.*_cache' \
	-o -path ./.hypothesis -o -name '*.egg-info' \) -prune -o -type d -printf '%p/.\n' \
	-o -print)

# The execution cache is an input too: without it (deleted), build again.
EXECUTIONS := $(BUILD)/.jupyter_cache/executed/.
$(EXECUTIONS): ;

# A PDF built or removed since the last build: the pages get or lose their "Tải PDF" link
# (d2lvi.site.pdflink; the folder's time changes when a file comes or goes).
$(BUILT): $(VENV)/.stamp node_modules/.package-lock.json $(EXECUTIONS) $(BOOK_INPUTS) \
	$(wildcard $(BUILD)/pdf/. $(BUILD)/pdf/*.pdf)
	$(PY) -m d2lvi build . $(JB_FLAGS)
	touch $(BUILD)/.gated-by-build $@

html: $(VENV)/.stamp assets $(BUILT)
	@if [ -e $(BUILD)/.gated-by-build ]; then rm $(BUILD)/.gated-by-build; else \
	  echo "Không có gì thay đổi kể từ lần dựng trước: chỉ chạy cổng so sánh đầu ra."; \
	  $(PY) -m d2lvi gate --build-dir $(BUILD); \
	fi

# The PDF edition: _build/pdf/book.pdf (EDITION=song-ngu: _build/pdf/book-song-ngu.pdf).
# After `make html` (cells executed and gated), Jupyter Book's LaTeX builder reuses its
# doctrees and execution cache (nothing is executed again), then XeLaTeX through latexmk;
# a LaTeX error is one line with the source file and line. Then the HTML pages get their
# "Tải PDF" link (the PDF is copied into _build/html).
pdf: pdf-deps html
	$(PY) -m d2lvi pdf --edition $(EDITION) $(JB_FLAGS)
	@$(MAKE) --no-print-directory html

# Fresh execution in a new kernel, compared with the stored outputs (every section with code,
# or FILE=...).
check: $(VENV)/.stamp
	$(PY) -m d2lvi gate --fresh $(FILES)

# Accept new outputs on purpose (FILE=... for one section); prints what changed.
update-outputs: $(VENV)/.stamp
	$(PY) -m d2lvi update-outputs $(FILES)

figures: $(VENV)/.stamp
	$(PY) -m d2lvi figure --output img/trans_conv.svg

# The Colab notebooks under notebooks/, generated from the chapters: run after editing a
# chapter and commit them with it (`make test` fails while they are out of date).
notebooks: $(VENV)/.stamp
	$(PY) -m d2lvi notebooks $(FILES)

# Only the notebooks' run on a fresh Colab-like Python 3.12 runtime (1–2 min; in `make test` too).
test-colab: $(VENV)/.stamp
	$(PY) -m pytest tests/export/test_colab.py

test: $(VENV)/.stamp system-deps pdf-deps assets
	$(PY) -m ruff check d2lvi tests
	$(PY) -m pytest

# What the chapter page costs: HTML + every asset Chromium loads, biggest first.
weight: html system-deps
	$(PY) -m d2lvi.build.weight --build-dir $(BUILD)/html

# Build-speed benchmark: books of 1, 8 and 30 sections built by d2lvi and by plain Jupyter Book
# (medians, ratios within one run; ~15 min). ARGS=--loop: the one-section edit loop instead.
bench: $(VENV)/.stamp $(LINT_VENV)/.stamp assets
	$(PY) -m d2lvi.build.bench $(ARGS)

clean:
	-test ! -x $(PY) || $(PY) -m d2lvi server stop
	rm -rf $(BUILD)
