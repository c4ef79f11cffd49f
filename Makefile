# LifeCircle — the two commands are `make run` and `make test`.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
HOST   ?= 127.0.0.1
PORT   ?= 8000
PYTEST_ARGS ?=

.PHONY: run test test-embedded setup install messages compilemessages lint format seed vendor check-deploy clean bench-ledger bench-timeline bench-chat bench-redpacket bench-danmaku schemathesis

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

compilemessages: $(STAMP)
	$(BIN)/pybabel compile --domain django --directory locale --statistics 2>&1 | grep -v '^$$' || true
	@$(BIN)/pybabel compile --domain django --directory locale >/dev/null 2>&1

setup: install compilemessages
	$(BIN)/python manage.py migrate --noinput -v0
	$(BIN)/python manage.py seed-demo

run: setup
	$(BIN)/python manage.py collectstatic --noinput -v0
	$(BIN)/uvicorn config.asgi:application --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check .

test: setup lint
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)

# The suite on the embedded defaults (SQLite, in-memory layer) even where services are set;
# tests that need PostgreSQL or Redis are deselected here (they run in `make test` in CI).
test-embedded: install compilemessages
	env -u LIFECIRCLE_DATABASE_URL -u LIFECIRCLE_REDIS_URL \
	  $(BIN)/pytest -n 2 -m "not postgres and not redis" $(PYTEST_ARGS)

# Extract every translatable string into the three catalogs (then translate the new ones).
messages: install
	$(BIN)/python manage.py makemessages --no-obsolete --no-location -l en -l zh_Hans -l zh_Hant \
	  --ignore '.venv/*' --ignore 'data/*' --ignore 'bench/*'

format: install
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

seed: install
	$(BIN)/python manage.py seed-demo

check-deploy: install
	LIFECIRCLE_DEBUG=0 LIFECIRCLE_SECRET_KEY=$$(openssl rand -hex 40) \
	LIFECIRCLE_FIELD_ENCRYPTION_KEYS=$$($(BIN)/python -c 'from cryptography.fernet import Fernet;print(Fernet.generate_key().decode())') \
	LIFECIRCLE_FIELD_FINGERPRINT_KEY=$$(openssl rand -hex 32) LIFECIRCLE_ALLOWED_HOSTS=lifecircle.example \
	$(BIN)/python manage.py check --deploy --fail-level WARNING

vendor:
	cd /tmp && npm pack htmx.org@2.0.11 --silent && tar xzf htmx.org-2.0.11.tgz && cp package/dist/htmx.min.js $(CURDIR)/static/vendor/
	cd /tmp && npm pack hls.js@1.6.15 --silent && tar xzf hls.js-1.6.15.tgz && cp package/dist/hls.min.js $(CURDIR)/static/vendor/ \
	  && cp package/LICENSE $(CURDIR)/static/vendor/hls.js.LICENSE

clean:
	rm -rf $(VENV) data

# The ledger benchmark on PostgreSQL (loopback only, its own database, ~1 min): pgbench vs the
# app's transfer through uvicorn, and tips into one hot account. BENCH_DATABASE_URL overrides
# the database; BENCH_ARGS e.g. "--duration 20 --clients 64".
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/lifecircle_bench
BENCH_ARGS ?=
bench-ledger: install
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python bench/ledger.py $(BENCH_ARGS)

# The home-timeline benchmark on PostgreSQL (loopback only, its own database; ~5 min, the
# first run seeds 10,000 users x 200 friends and 1,000,000 posts in ~1 min, later runs reuse
# them). Runs bench/ledger.py first for the timeline ÷ transfers ratio. BENCH_TIMELINE_ARGS
# e.g. "--duration 30 --clients 64", "--ledger auto" (reuse its last saved output), "--reseed".
BENCH_TIMELINE_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/lifecircle_bench_timeline
BENCH_TIMELINE_ARGS ?=
bench-timeline: install
	BENCH_TIMELINE_DATABASE_URL=$(BENCH_TIMELINE_DATABASE_URL) $(BIN)/python bench/timeline.py $(BENCH_TIMELINE_ARGS)

# The chat benchmark on PostgreSQL + Redis (loopback only, its own database, Redis db 5; ~2 min):
# two uvicorn processes, 200 WebSocket clients in pairs across them, chat.send at fixed rates
# (open loop), shipped settings then a VARIANT with a psycopg pool. See docs/chat.md.
# BENCH_CHAT_ARGS e.g. "--rates 50,100,200 --duration 20", "--pool 0" (skip the variant).
BENCH_CHAT_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/lifecircle_bench_chat
BENCH_CHAT_ARGS ?=
bench-chat: install
	BENCH_CHAT_DATABASE_URL=$(BENCH_CHAT_DATABASE_URL) $(BIN)/python bench/chat.py $(BENCH_CHAT_ARGS)

# The red-packet benchmark on PostgreSQL (loopback only, its own database): many grabbers on
# many packets at once, with bench/ledger.py's transfers/s in the same run for the ratio.
BENCH_REDPACKET_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/lifecircle_bench_redpacket
BENCH_REDPACKET_ARGS ?=
bench-redpacket: install
	BENCH_DATABASE_URL=$(BENCH_REDPACKET_DATABASE_URL) $(BIN)/python bench/redpacket.py $(BENCH_REDPACKET_ARGS)

# The danmaku benchmark (loopback only): the server in its own processes, a load process with
# M viewer WebSockets and K senders; then the same load through Channels' group_send baseline.
BENCH_DANMAKU_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/lifecircle_bench_danmaku
BENCH_DANMAKU_ARGS ?=
bench-danmaku: install
	BENCH_DATABASE_URL=$(BENCH_DANMAKU_DATABASE_URL) $(BIN)/python bench/danmaku.py $(BENCH_DANMAKU_ARGS)

# The API against its own OpenAPI document (loopback only, ~3 min, stops by itself): a throw-away
# database (SQLite, or SCHEMATHESIS_DATABASE_URL, dropped and created anew), a seeded user with a
# bearer token, uvicorn on a free port, `schemathesis run` with every check and the stateful phase.
# SCHEMATHESIS_ARGS e.g. "--max-time 60", "--seed 1".
SCHEMATHESIS_ARGS ?=
schemathesis: install
	$(BIN)/python tests/contract/run_schemathesis.py $(SCHEMATHESIS_ARGS)
