# The two commands of the README:
#   make run   - set everything up and open the viewer on a bundled sample with the shipped model
#   make test  - set everything up and run the whole suite (ruff, import-linter, pytest)
SAMPLE ?= resources/samples/00017_hr.hea
VENV := .venv/bin

.PHONY: setup run test lint pytest bench fuzz clean

setup:
	@bash scripts/setup.sh

run: setup
	$(VENV)/ecg-viewer $(SAMPLE)

lint:
	$(VENV)/ruff check .
	$(VENV)/lint-imports

pytest:
	$(VENV)/python -m pytest

test: setup lint pytest

bench: setup
	@for b in bench/*.py; do echo "== $$b"; $(VENV)/python $$b || exit 1; done

# the long fuzz run of the readers (10,080 mutated files, 1,120 per family; ~10 min on 2 cores)
fuzz: setup
	PYTHONPATH=$(CURDIR) $(VENV)/python -m tests.fuzz.run --per-family 1120

clean:
	rm -rf .venv build dist .pytest_cache .ruff_cache
