# The two commands: `make run` (the local demo) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# The suite runs against the real services; override to point elsewhere.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/socialcare
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0

.PHONY: run test install migrate bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --disable-pip-version-check -q --upgrade pip
	$(BIN)/pip install --disable-pip-version-check -q -e '.[dev]'
	touch $@

install: $(BIN)/.installed

run: install
	mkdir -p var
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py migrate --noinput
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py seed_demo
	DEBUG=$${DEBUG:-true} $(BIN)/uvicorn socialcare.asgi:application --host $(HOST) --port $(PORT) --lifespan on

# Each run gets its own database and Redis key prefix, so two runs never meet.
SERVICES_ENV = DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
  SECRET_KEY=$${SECRET_KEY:-test-only-secret} FIELD_ENCRYPTION_KEY=$${FIELD_ENCRYPTION_KEY:-test-only-key}
RUN_ID := $(shell date +%s)$(shell echo $$PPID)

test: install
	$(SERVICES_ENV) TEST_DATABASE_NAME=test_socialcare_$(RUN_ID) REDIS_PREFIX=sctest$(RUN_ID) \
	  $(BIN)/pytest $(PYTEST_ARGS)

BENCHES ?= ingest poll route sla_sweep sentiment

bench: install
	for b in $(BENCHES); do \
	  $(SERVICES_ENV) DATABASE_URL=$${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/socialcare_bench} \
	    REDIS_PREFIX=scbench$(RUN_ID) $(BIN)/python bench/$$b.py || exit 1; \
	done

clean:
	rm -rf $(VENV) var staticfiles

# Translations (docs/i18n.md). `messages` re-extracts every marked string into the Spanish
# catalogue (needs GNU gettext's xgettext) and compiles it; `compilemessages` only compiles,
# with polib, so it needs nothing but Python and writes the same .mo on every machine.
I18N_IGNORE := $(addprefix --ignore=,.venv bench tests var staticfiles)
I18N_PO := locale/es/LC_MESSAGES/django.po
.PHONY: messages compilemessages

messages: install
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py makemessages -l es $(I18N_IGNORE)
	$(MAKE) --no-print-directory compilemessages

compilemessages: install
	$(BIN)/python -c "import polib, sys; polib.pofile(sys.argv[1]).save_as_mofile(sys.argv[1][:-3] + '.mo')" $(I18N_PO)
