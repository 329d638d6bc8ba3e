# Smart Dairy ERP — the two commands a newcomer needs are `make demo` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

.PHONY: help setup demo stop test lint bench ml-train

help:
	@echo "make demo   set up if needed, start PostgreSQL, Mosquitto and Odoo with the suite + demo data"
	@echo "make test   set up if needed, lint, then run the whole test suite on a fresh database"
	@echo "make stop   stop what make demo started"
	@echo "make setup  install system packages, Python requirements, Odoo 18; write .local/ config"
	@echo "make lint   ruff + pylint-odoo"
	@echo "make bench  run the benchmarks in bench/ (JSON lines into .local/bench/)"
	@echo "make ml-train  train the herd models in the demo DB (ML_SOURCE=sim|db|both) and score"

setup:
	@scripts/setup.sh

demo:
	@scripts/demo.sh

stop:
	@scripts/stop.sh

test:
	@scripts/test.sh

lint:
	@scripts/lint.sh

bench:
	@scripts/bench.sh

ml-train:
	@scripts/ml_train.sh
