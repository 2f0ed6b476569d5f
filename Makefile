# The README's commands. Each target creates the virtual environment if needed.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# JupyterLab settings of this project (py:percent files open as notebooks), layered over
# the user's own by JUPYTER_CONFIG_PATH: nothing is written into the home folder.
LAB_CONFIG := jupyter-config

.PHONY: report build test lint lab clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 > /dev/null
	touch $(STAMP)

build: $(STAMP)
	$(BIN)/indicators build

report: $(STAMP)
	$(BIN)/indicators build
	$(BIN)/indicators report

test: $(STAMP)
	$(BIN)/ruff check src tests benchmarks notebooks
	$(BIN)/python -m pytest

lab: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,lab]'
	$(BIN)/indicators build
	JUPYTER_CONFIG_PATH="$(CURDIR)/$(LAB_CONFIG)$${JUPYTER_CONFIG_PATH:+:$$JUPYTER_CONFIG_PATH}" \
		$(BIN)/jupyter lab notebooks/

clean:
	rm -rf $(VENV) data/processed/*.csv data/processed/*.parquet reports/*.html reports/*.pdf
