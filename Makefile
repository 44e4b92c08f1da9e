# callvault: `make demo` and `make test` do all set-up from nothing.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DATA_DIR ?= callvault-data
SAMPLES ?= ../shared/data
APT_PACKAGES := ffmpeg espeak-ng sox chromium faketime
# Everything the suite exercises: tests, the offline diarizer and pyannote (torch 2.11.0 +
# torchaudio 2.11.0, one pairing for both), DER tooling, Ray and the web app.
EXTRAS ?= test,diarize,pyannote,bench,ray,web
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: setup system-deps demo test bench clean

setup: system-deps $(STAMP)

# Debian packages the pipeline and the tests run: ffmpeg (decode), espeak-ng (synthesised calls), sox,
# chromium (the web app's browser tests; playwright cannot download browsers here), faketime (CLI clock tests).
system-deps:
	@missing=""; for tool in ffmpeg ffprobe espeak-ng sox chromium faketime; do command -v $$tool >/dev/null || missing=1; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages: $(APT_PACKAGES)"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(APT_PACKAGES) >/dev/null; \
	fi

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[$(EXTRAS)]'
	touch $(STAMP)

# Process the reference calls in ../shared/data, or a synthesised call when they are absent.
demo: setup
	@if ls $(SAMPLES)/*.wav >/dev/null 2>&1; then inputs="$(SAMPLES)"; \
	else mkdir -p $(DATA_DIR)/inbox && $(BIN)/python -m callvault.synth $(DATA_DIR)/inbox/demo-call.wav >/dev/null && inputs="$(DATA_DIR)/inbox"; fi; \
	$(BIN)/callvault --data-dir $(DATA_DIR) process $$inputs; \
	echo "outputs: $$(cd $(DATA_DIR) && pwd)/calls"; \
	echo "web app: $(BIN)/callvault --data-dir $(DATA_DIR) users add admin --role admin"; \
	echo "         $(BIN)/callvault --data-dir $(DATA_DIR) serve --port 8080   # then open http://127.0.0.1:8080/"

test: setup
	$(BIN)/python -m pytest

bench: setup
	for b in transcribe detect consent pretexting diarize vault search web batch stored_leaks; do $(BIN)/python bench/$$b.py || exit 1; done

clean:
	rm -rf $(VENV) $(DATA_DIR) .pytest_cache
