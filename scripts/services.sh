#!/usr/bin/env bash
# Starts and stops the private services the platform needs on loopback:
# PostgreSQL, Redis and the local Stripe-compatible server. Data lives under .data/ (gitignored).
# DATABASE_URL / REDIS_URL / STRIPE_MODE=live skip the matching local service.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
DATA="$ROOT/.data"
PG_PORT=${PG_PORT:-54329}
REDIS_PORT=${REDIS_PORT:-63790}
STRIPE_PORT=${STRIPE_PORT:-8420}

say() { printf '\033[1;34m==>\033[0m %s\n' "$*"; }

pg_bindir() {
  if command -v pg_config >/dev/null && [ -x "$(pg_config --bindir)/initdb" ]; then pg_config --bindir; return; fi
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1
}

as_pg_user() {
  # initdb and postgres refuse to run as root: use Debian's postgres system user then.
  # From / : the postgres user may not be allowed into the current directory (a checkout under /root).
  if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

ensure_packages() {
  local missing=()
  [ -n "$(pg_bindir)" ] || missing+=(postgresql)
  command -v redis-server >/dev/null || missing+=(redis-server)
  if [ ${#missing[@]} -gt 0 ]; then
    say "Installing ${missing[*]} with apt-get"
    if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null
    else sudo apt-get update -qq && sudo apt-get install -y -qq "${missing[@]}" >/dev/null; fi
  fi
}

start_postgres() {
  if [ -n "${DATABASE_URL:-}" ]; then say "PostgreSQL: using DATABASE_URL"; return; fi
  local bin; bin=$(pg_bindir)
  local dir="$DATA/postgres"
  mkdir -p "$DATA"
  if [ ! -s "$dir/PG_VERSION" ]; then
    say "PostgreSQL: initialising a private cluster in $dir"
    if [ "$(id -u)" = 0 ] && ! runuser -u postgres -- test -x "$DATA"; then
      # The postgres user cannot reach this checkout (e.g. under /root): keep the cluster in its home and
      # link it here, so .data/postgres still names it and `make stop` finds it.
      local home_dir="/var/lib/postgresql/cloudfactory-$(printf '%s' "$ROOT" | sha1sum | cut -c1-12)"
      mkdir -p "$home_dir" && chown postgres: "$home_dir"
      rm -rf "$dir" && ln -s "$home_dir" "$dir"
    fi
    mkdir -p "$dir"
    dir=$(readlink -f "$dir")
    [ "$(id -u)" = 0 ] && chown postgres: "$dir" && chmod 700 "$dir"
    as_pg_user "$bin/initdb" -D "$dir" -U cloudfactory --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  dir=$(readlink -f "$dir")
  if as_pg_user "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
    say "PostgreSQL: already running on 127.0.0.1:$PG_PORT"
  else
    say "PostgreSQL: starting on 127.0.0.1:$PG_PORT"
    as_pg_user "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w -o "-p $PG_PORT -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null
  fi
  if ! "$bin/psql" -h 127.0.0.1 -p "$PG_PORT" -U cloudfactory -d postgres -tAc "select 1 from pg_database where datname='cloudfactory'" | grep -q 1; then
    say "PostgreSQL: creating database cloudfactory"
    "$bin/createdb" -h 127.0.0.1 -p "$PG_PORT" -U cloudfactory cloudfactory
  fi
}

start_redis() {
  if [ -n "${REDIS_URL:-}" ]; then say "Redis: using REDIS_URL"; return; fi
  mkdir -p "$DATA/redis"
  if redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then
    say "Redis: already running on 127.0.0.1:$REDIS_PORT"
  else
    say "Redis: starting on 127.0.0.1:$REDIS_PORT"
    redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$DATA/redis" --daemonize yes \
      --pidfile "$DATA/redis/redis.pid" --logfile "$DATA/redis/redis.log" --appendonly yes >/dev/null
    for _ in $(seq 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
  fi
}

start_stripe() {
  if [ "${STRIPE_MODE:-local}" = live ]; then say "Stripe: using real Stripe keys (STRIPE_MODE=live)"; return; fi
  mkdir -p "$DATA/stripe"
  if curl -fs "http://127.0.0.1:$STRIPE_PORT/_test/health" >/dev/null 2>&1; then
    say "Local Stripe server: already running on 127.0.0.1:$STRIPE_PORT"
  else
    say "Local Stripe server: starting on 127.0.0.1:$STRIPE_PORT"
    nohup .venv/bin/python -m tools.stripe_local --host 127.0.0.1 --port "$STRIPE_PORT" \
      >"$DATA/stripe/server.log" 2>&1 &
    echo $! >"$DATA/stripe/server.pid"
    for _ in $(seq 100); do
      curl -fs "http://127.0.0.1:$STRIPE_PORT/_test/health" >/dev/null 2>&1 && return
      sleep 0.1
    done
    echo "Local Stripe server did not start; see $DATA/stripe/server.log" >&2; exit 1
  fi
}

stop_all() {
  local bin; bin=$(pg_bindir)
  local pgdata; pgdata=$(readlink -f "$DATA/postgres" 2>/dev/null || echo "$DATA/postgres")
  if [ -s "$pgdata/PG_VERSION" ] && as_pg_user "$bin/pg_ctl" -D "$pgdata" status >/dev/null 2>&1; then
    say "PostgreSQL: stopping"; as_pg_user "$bin/pg_ctl" -D "$pgdata" -m fast stop >/dev/null
  fi
  if redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then say "Redis: stopping"; redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true; fi
  if [ -s "$DATA/stripe/server.pid" ]; then
    say "Local Stripe server: stopping"; kill "$(cat "$DATA/stripe/server.pid")" 2>/dev/null || true; rm -f "$DATA/stripe/server.pid"
  fi
}

case "${1:-start}" in
  start) ensure_packages; start_postgres; start_redis; start_stripe ;;
  stop) stop_all ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
