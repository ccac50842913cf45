# Common entry points; see README. PYTHON selects the interpreter
# (default python3, the same default as tools/install.sh).
PYTHON ?= python3
export PYTHON

.PHONY: install test demo lint benchmark

install:
	bash tools/install.sh

# Exit status is pytest's; exit 5 ("no tests ran") is reported explicitly.
test: install
	@$(PYTHON) -m pytest tests; rc=$$?; \
	if [ $$rc -eq 5 ]; then \
	  echo "make test: pytest collected no tests (exit 5); this is a failure." >&2; \
	fi; \
	exit $$rc

demo: install
	$(PYTHON) tools/run_demo.py

lint:
	$(PYTHON) -m ruff check .

benchmark:
	$(PYTHON) tools/analysis_tools/benchmark.py
