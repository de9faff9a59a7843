# The two commands a newcomer needs: `make html` and `make test` (see README).
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
CHAPTER := chapter_cnn/transposed-conv.md
BUILD := _build
JB_FLAGS := -W --keep-going

.PHONY: html check update-outputs test lint figures clean

# Set-up: one virtual environment, every dependency pinned, installed in one step.
$(VENV)/.stamp: requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

# Build the book (cells executed, cached on code only), then gate the outputs.
html: $(VENV)/.stamp
	$(VENV)/bin/jupyter-book build . $(JB_FLAGS)
	$(PY) -m d2lvi gate --build-dir $(BUILD) $(CHAPTER)

# Fresh execution in a new kernel, compared with the stored outputs.
check: $(VENV)/.stamp
	$(PY) -m d2lvi gate --fresh $(CHAPTER)

# Accept new outputs on purpose; prints what changed.
update-outputs: $(VENV)/.stamp
	$(PY) -m d2lvi update-outputs $(CHAPTER)

figures: $(VENV)/.stamp
	$(PY) -m d2lvi.figure --output img/trans_conv.svg

test: $(VENV)/.stamp
	$(PY) -m ruff check d2lvi tests
	$(PY) -m pytest

clean:
	rm -rf $(BUILD)
