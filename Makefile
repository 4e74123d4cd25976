# The two commands a new user needs: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
PORT   ?= 5000

.PHONY: run test test-deps chromium system-deps catalogues messages bench clean

# A stamp per dependency set: reinstall when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

## run: start the kiosk on http://127.0.0.1:5000 (embedded SQLite, default questionnaire)
run: $(VENV)/.installed catalogues
	$(BIN)/kiosk init
	$(BIN)/kiosk places import questionnaires/data/lieux_03.csv
	$(BIN)/kiosk serve --port $(PORT)

## test: install what the tests need (Chromium included) and run the whole suite
# The suite runs on every core (pytest-xdist), a test module at a time per worker: a
# module's servers and filled databases are made once, by the worker that runs it.
test: $(VENV)/.installed-test system-deps catalogues
	$(BIN)/pytest -n auto --dist loadfile
	$(BIN)/python bench/kiosk_flow.py --smoke
	$(BIN)/python bench/languages.py --smoke
	$(BIN)/python bench/hub_sync.py --smoke
	$(BIN)/python bench/hub_dashboard.py --smoke
	$(BIN)/python bench/hub_export.py --smoke
	$(BIN)/python bench/mediators.py --smoke
	$(BIN)/python bench/bus.py --smoke

test-deps: $(VENV)/.installed-test system-deps

# Debian's Chromium drives the browser tests (Playwright's own download is not used);
# espeak-ng and opus-tools make read-aloud clips (a test synthesises some); zbar-tools'
# zbarimg reads the result's QR codes back, as a phone camera would.
# shellcheck and systemd (systemd-analyze verify, systemd-sysusers --root) check deploy/
# and run its install script into a scratch root; poppler-utils' pdftotext reads the
# sheet the bus prints back; caddy validates the hub's reverse-proxy example.
SYSTEM_TOOLS := chromium:chromium espeak-ng:espeak-ng opusenc:opus-tools zbarimg:zbar-tools \
                shellcheck:shellcheck systemd-analyze:systemd systemd-sysusers:systemd \
                pdftotext:poppler-utils caddy:caddy
system-deps:
	@missing=""; for pair in $(SYSTEM_TOOLS); do \
	  command -v $${pair%%:*} >/dev/null 2>&1 || missing="$$missing $${pair#*:}"; done; \
	if [ -n "$$missing" ]; then echo "Installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q $$missing; fi

chromium: system-deps

## catalogues: compile the gettext catalogues (.po -> .mo)
catalogues: $(VENV)/.installed
	@if ls translations/*/LC_MESSAGES/*.po >/dev/null 2>&1; then \
	  $(BIN)/kiosk i18n compile; fi

## messages: extract the resident strings (translations/messages.pot) and the hub's
## staff pages (translations/hub.pot, their own domain)
messages: $(VENV)/.installed
	$(BIN)/kiosk i18n extract

## bench: the full benchmarks (figures and ratios against a baseline, same run)
bench: $(VENV)/.installed-test
	$(BIN)/python bench/kiosk_flow.py
	$(BIN)/python bench/languages.py
	$(BIN)/python bench/hub_sync.py
	$(BIN)/python bench/hub_dashboard.py
	$(BIN)/python bench/hub_export.py
	$(BIN)/python bench/mediators.py
	$(BIN)/python bench/bus.py

clean:
	rm -rf $(VENV) instance build dist *.egg-info .pytest_cache
