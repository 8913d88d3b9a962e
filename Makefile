# Two entry points for a fresh clone: `make demo` and `make test`.
# Each creates .venv from requirements.lock (exact pins) when it is missing or stale.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench lock clean

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --no-deps -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/dangjian demo

test: $(STAMP)
	$(BIN)/python -m pytest

# Regenerate requirements.lock from requirements.in in a scratch environment.
lock:
	rm -rf /tmp/dangjian-lock && $(PYTHON) -m venv /tmp/dangjian-lock
	/tmp/dangjian-lock/bin/python -m pip install --quiet --upgrade pip
	/tmp/dangjian-lock/bin/python -m pip install --quiet -r requirements.in
	{ echo "# Exact set installed by make; regenerate with make lock (from requirements.in)."; \
	  /tmp/dangjian-lock/bin/python -m pip freeze --exclude-editable | sort -f; } > requirements.lock

clean:
	rm -rf $(VENV)
