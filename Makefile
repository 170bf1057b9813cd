# The README's two commands: `make run` and `make test`. Both create .venv when
# missing and are quick on a second run (stamp files skip finished installs).

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
# Debian packages Qt's xcb platform plugin needs for a real window, plus Xvfb
# for the real-window tests and cairo for CairoSVG (the SVG export test).
APT_PACKAGES := xvfb xauth libxcb-icccm4 libxcb-keysyms1 libxcb-cursor0 \
	libxkbcommon-x11-0 libegl1 libfontconfig1 libdbus-1-3 fonts-dejavu-core libcairo2

.PHONY: run test lint sysdeps headless bench screenshot clean

run: $(VENV)/.installed
	$(PY) main.py

headless: $(VENV)/.installed
	$(PY) main.py --headless --preset book-ch11 --print-every 1000

test: $(VENV)/.installed-test sysdeps
	$(VENV)/bin/ruff check .
	QT_QPA_PLATFORM=offscreen OPENBLAS_NUM_THREADS=1 $(PY) -m pytest

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check .

bench: $(VENV)/.installed
	$(PY) -m nnfs_gui.bench all

screenshot: $(VENV)/.installed sysdeps
	$(PY) scripts/make_screenshot.py docs/screenshot.png
	$(PY) scripts/make_screenshot.py docs/compare.png --compare --epochs 3000
	$(PY) scripts/docs_figures.py all

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

# Installs the missing apt packages when root with apt-get; otherwise prints the
# exact command and stops.
sysdeps:
	@missing=""; \
	for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  else \
	    echo "Qt needs these system packages for a real window; please run:"; \
	    echo "  sudo apt-get install -y$$missing"; exit 1; \
	  fi; \
	fi

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build dist *.egg-info
