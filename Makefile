# Common entry points; see README. PYTHON selects the interpreter
# (default python3, the same default as tools/install.sh).
PYTHON ?= python3
export PYTHON

.PHONY: install test test-all demo lint benchmark

install:
	bash tools/install.sh

# Exit status is pytest's; exit 5 ("no tests ran") is reported explicitly.
# `make test` is the fast suite: it skips the runs marked `e2e` (whole
# Runner/subprocess runs), `dist` (multi-process) and `slow` (the quick demo);
# `make test-all` (what CI runs) includes them.
PYTEST_MARKS ?= not slow and not e2e and not dist
test: install
	@$(PYTHON) -m pytest tests -m "$(PYTEST_MARKS)"; rc=$$?; \
	if [ $$rc -eq 5 ]; then \
	  echo "make test: pytest collected no tests (exit 5); this is a failure." >&2; \
	fi; \
	exit $$rc

test-all:
	@$(MAKE) --no-print-directory test PYTEST_MARKS=

demo: install
	$(PYTHON) tools/run_demo.py

lint:
	$(PYTHON) -m ruff check .

benchmark:
	$(PYTHON) tools/analysis_tools/benchmark.py
