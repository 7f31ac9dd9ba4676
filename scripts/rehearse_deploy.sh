#!/usr/bin/env bash
# A multi-host deploy rehearsed on one machine (docs/deploy.md): the files in deploy/ run as separate processes
# with their own host names, queues and ports, against one PostgreSQL (through PgBouncer in session mode) and one
# Redis, behind Caddy terminating TLS:
#
#   web-a, web-b      gunicorn -c deploy/gunicorn.conf.py on 127.0.0.1:18001 / :18002 (HOSTNAME differs)
#   worker-1          pools webhooks, money and planning                  celery -n <pool>@worker-1
#   worker-2          pools batch, uploads and general (email,celery)     celery -n <pool>@worker-2
#   beat-1            the one celery beat
#   proxy             caddy on https://*.cloudfactory.localhost:18443 (its own local CA), round-robin over web-a and web-b
#   pgbouncer         127.0.0.1:16432 -> PostgreSQL 127.0.0.1:$PG_PORT, database cf_rehearsal
#
# It deploys as an operator would (migrate_schemas through PgBouncer, platform_setup, collectstatic, a network),
# starts everything, then checks and prints: /healthz and /readyz of each web host, real pages of a network
# through the TLS proxy (served by both web hosts), /metrics kept off the proxy, a task round trip through every
# queue answered by the right pool on the right host (deploy_check), PgBouncer carrying the connections in session
# mode, and beat running. Everything it started is stopped at the end (--keep leaves it running; logs stay in
# .data/rehearsal/). Exit status 0 only if every check passed.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
RUN="$ROOT/.data/rehearsal"
PG_PORT=${PG_PORT:-54329}
REDIS_PORT=${REDIS_PORT:-63790}
PGBOUNCER_PORT=${REHEARSAL_PGBOUNCER_PORT:-16432}
WEB_PORTS=(18001 18002)
WEB_HOSTS=(web-a web-b)
HTTPS_PORT=${REHEARSAL_HTTPS_PORT:-18443}
HTTP_PORT=${REHEARSAL_HTTP_PORT:-18080}
DB=${REHEARSAL_DATABASE:-cf_rehearsal}
REDIS_DB=${REHEARSAL_REDIS_DB:-13}
NETWORK=rehearsal
KEEP=0
[ "${1:-}" = "--keep" ] && KEEP=1

say() { printf '\033[1;34m==>\033[0m %s\n' "$*"; }
ok() { printf '  \033[1;32mok\033[0m   %s\n' "$*"; }
FAILED=()
bad() { printf '  \033[1;31mFAIL\033[0m %s\n' "$*"; FAILED+=("$1"); }

pg_bindir() {  # as scripts/services.sh finds PostgreSQL
  if command -v pg_config >/dev/null && [ -x "$(pg_config --bindir)/initdb" ]; then pg_config --bindir; return; fi
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1
}
PGBIN=$(pg_bindir)

ensure_tools() {
  local missing=()
  command -v pgbouncer >/dev/null || [ -x /usr/sbin/pgbouncer ] || missing+=(pgbouncer)
  command -v caddy >/dev/null || missing+=(caddy)
  if [ ${#missing[@]} -gt 0 ]; then
    say "Installing ${missing[*]} with apt-get"
    local sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
    $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  # Debian starts a system-wide pgbouncer on 6432 when it installs one; the rehearsal runs its own.
}

PIDS=()
stop_all() {
  [ "$KEEP" = 1 ] && { say "Left running (--keep): ${PIDS[*]}"; return; }
  say "Stopping what the rehearsal started"
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  [ -f "$RUN/pgbouncer.pid" ] && kill "$(cat "$RUN/pgbouncer.pid")" 2>/dev/null || true
}
trap stop_all EXIT

# start NAME HOST CMD...: one "host" = one process group with its own HOSTNAME and log.
start() {
  local name=$1 host=$2; shift 2
  HOSTNAME=$host setsid "$@" >"$RUN/$name.log" 2>&1 &
  PIDS+=($!)
}

wait_until() {  # wait_until SECONDS CMD...
  local seconds=$1; shift
  for _ in $(seq $((seconds * 5))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
  return 1
}

ensure_tools
"$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" && redis-cli -p "$REDIS_PORT" ping >/dev/null \
  || { echo "PostgreSQL ($PG_PORT) and Redis ($REDIS_PORT) must be running: ./scripts/services.sh start" >&2; exit 1; }
mkdir -p "$RUN"
rm -f "$RUN"/*.log

# --- Shared environment: the same on every host (deploy/systemd/cloudfactory.env.example), generated keys.
KEYS="$RUN/keys.env"
if [ ! -s "$KEYS" ]; then
  .venv/bin/python - >"$KEYS" <<'PY'
import secrets
from cryptography.fernet import Fernet
print(f"DJANGO_SECRET_KEY={secrets.token_urlsafe(50)}")
print(f"FIELD_ENCRYPTION_KEY={Fernet.generate_key().decode()}")
print(f"METRICS_TOKEN={secrets.token_urlsafe(24)}")
PY
fi
set -a
# shellcheck disable=SC1090
. "$KEYS"
DJANGO_SETTINGS_MODULE=config.settings.production
PLATFORM_DOMAIN=cloudfactory.localhost
PLATFORM_PORT=$HTTPS_PORT
DATABASE_URL=postgres://cloudfactory@127.0.0.1:$PGBOUNCER_PORT/$DB
REDIS_URL=redis://127.0.0.1:$REDIS_PORT/$REDIS_DB
MEDIA_DIR=.data/rehearsal/media
STRIPE_LOCAL_URL=http://127.0.0.1:${STRIPE_PORT:-8420}
TRUSTED_PROXY_COUNT=1
FORWARDED_ALLOW_IPS=127.0.0.1
LOG_FORMAT=json
set +a

# --- The database host: PostgreSQL (the private cluster) and PgBouncer from deploy/pgbouncer/pgbouncer.ini.
say "Database host: PostgreSQL on $PG_PORT, PgBouncer (session mode) on $PGBOUNCER_PORT, database $DB"
if ! "$PGBIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U cloudfactory -d postgres -tAc \
  "select 1 from pg_database where datname='$DB'" | grep -q 1; then
  "$PGBIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U cloudfactory "$DB"
fi
sed -e "s/^cloudfactory = .*/$DB = host=127.0.0.1 port=$PG_PORT dbname=$DB/" \
  -e "s/^listen_addr = .*/listen_addr = 127.0.0.1/" -e "s/^listen_port = .*/listen_port = $PGBOUNCER_PORT/" \
  -e "s/^auth_type = .*/auth_type = trust/" -e "s|^auth_file = .*|auth_file = $RUN/userlist.txt|" \
  -e "s/^admin_users = .*/admin_users = cloudfactory/" -e "s/^stats_users = .*/stats_users = cloudfactory/" \
  -e "s|^logfile = .*|logfile = $RUN/pgbouncer.log|" -e "s|^pidfile = .*|pidfile = $RUN/pgbouncer.pid|" \
  -e "s/^max_db_connections = .*/max_db_connections = 40/" \
  deploy/pgbouncer/pgbouncer.ini >"$RUN/pgbouncer.ini"
echo '"cloudfactory" ""' >"$RUN/userlist.txt"
if [ "$(id -u)" = 0 ]; then chown -R postgres: "$RUN/pgbouncer.ini" "$RUN/userlist.txt"; touch "$RUN/pgbouncer.log"; chown postgres: "$RUN/pgbouncer.log"; chmod 777 "$RUN"; fi
[ -f "$RUN/pgbouncer.pid" ] && kill "$(cat "$RUN/pgbouncer.pid")" 2>/dev/null && sleep 0.5 || true
if [ "$(id -u)" = 0 ]; then runuser -u postgres -- pgbouncer -d "$RUN/pgbouncer.ini"; else pgbouncer -d "$RUN/pgbouncer.ini"; fi
wait_until 10 "$PGBIN/psql" -h 127.0.0.1 -p "$PGBOUNCER_PORT" -U cloudfactory -d "$DB" -tAc "select 1" \
  || { echo "PgBouncer did not start: $RUN/pgbouncer.log" >&2; exit 1; }

# --- The deploy step, once, from one host, through PgBouncer (as an operator's release job would run it).
say "Release: migrate_schemas, platform_setup, collectstatic, network '$NETWORK'"
redis-cli -p "$REDIS_PORT" -n "$REDIS_DB" flushdb >/dev/null  # this rehearsal's broker and cache only
.venv/bin/python manage.py migrate_schemas --shared -v0
.venv/bin/python manage.py platform_setup >/dev/null
.venv/bin/python manage.py migrate_schemas --tenant -v0
.venv/bin/python manage.py collectstatic --noinput -v0
if ! .venv/bin/python manage.py shell -c "from apps.tenants.models import Tenant; import sys; sys.exit(0 if Tenant.objects.filter(slug='$NETWORK').exists() else 1)"; then
  .venv/bin/python manage.py create_tenant --name "Rehearsal Works" --subdomain "$NETWORK" \
    --admin-email "owner@$NETWORK.test" --admin-password "rehearsal-password-1" >/dev/null
fi

# --- The hosts.
say "Starting web-a, web-b, worker-1, worker-2, beat-1 and the TLS proxy"
for i in 0 1; do
  start "${WEB_HOSTS[$i]}" "${WEB_HOSTS[$i]}" env GUNICORN_BIND="127.0.0.1:${WEB_PORTS[$i]}" WEB_CONCURRENCY=2 \
    PROMETHEUS_MULTIPROC_DIR="$RUN/metrics-${WEB_HOSTS[$i]}" \
    .venv/bin/gunicorn -c deploy/gunicorn.conf.py config.wsgi
done
pool() {  # pool NAME HOST: queues and CPU priority from deploy/systemd/pools/NAME.env, one process each
  local name=$1 host=$2 queues port nice
  queues=$(sed -n 's/^CELERY_QUEUES=//p' "deploy/systemd/pools/$name.env")
  port=$((10000 + $(sed -n 's/^CELERY_METRICS_PORT=//p' "deploy/systemd/pools/$name.env")))
  nice=$(sed -n 's/^CELERY_NICE=//p' "deploy/systemd/pools/$name.env")
  start "$name@$host" "$host" env CELERY_METRICS_PORT="$port" PROMETHEUS_MULTIPROC_DIR="$RUN/metrics-$name@$host" \
    nice -n "$nice" .venv/bin/celery -A config worker --loglevel=INFO --queues="$queues" \
    --concurrency=1 --hostname="$name@$host" --without-gossip
}
pool webhooks worker-1
pool money worker-1
pool planning worker-1
pool batch worker-2
pool uploads worker-2
pool general worker-2
start beat-1 beat-1 .venv/bin/celery -A config beat --loglevel=INFO --schedule="$RUN/celerybeat-schedule"
start proxy proxy env XDG_DATA_HOME="$RUN/caddy-data" XDG_CONFIG_HOME="$RUN/caddy-config" CADDY_TLS=internal CADDY_LB_POLICY=round_robin \
  CADDY_HTTPS_PORT="$HTTPS_PORT" CADDY_HTTP_PORT="$HTTP_PORT" \
  WEB_UPSTREAMS="127.0.0.1:${WEB_PORTS[0]} 127.0.0.1:${WEB_PORTS[1]}" \
  caddy run --config deploy/Caddyfile --adapter caddyfile

# --- Checks.
say "Checks"
for i in 0 1; do
  url="http://127.0.0.1:${WEB_PORTS[$i]}"
  if wait_until 60 curl -fsS "$url/healthz"; then ok "${WEB_HOSTS[$i]} $url/healthz: $(curl -sS "$url/healthz")"
  else bad "${WEB_HOSTS[$i]} /healthz" "see $RUN/${WEB_HOSTS[$i]}.log"; fi
  code=$(curl -s -o "$RUN/readyz-$i.json" -w '%{http_code}' "$url/readyz")
  if [ "$code" = 200 ]; then ok "${WEB_HOSTS[$i]} /readyz 200: $(cat "$RUN/readyz-$i.json")"
  else bad "${WEB_HOSTS[$i]} /readyz $code: $(cat "$RUN/readyz-$i.json")"; fi
done

CA="$RUN/caddy-data/caddy/pki/authorities/local/root.crt"
wait_until 30 test -s "$CA" || bad "caddy local CA not created: $RUN/proxy.log"
tls() { curl -sS --cacert "$CA" --resolve "$1:$HTTPS_PORT:127.0.0.1" "${@:2}"; }
wait_until 30 tls "$NETWORK.$PLATFORM_DOMAIN" -o /dev/null "https://$NETWORK.$PLATFORM_DOMAIN:$HTTPS_PORT/healthz" || true
for page in / /catalog/ /accounts/login/; do
  for _ in 1 2; do
    result=$(tls "$NETWORK.$PLATFORM_DOMAIN" -o /dev/null -w '%{http_code} %{ssl_verify_result}' \
      -D "$RUN/headers.txt" "https://$NETWORK.$PLATFORM_DOMAIN:$HTTPS_PORT$page" || echo "000 -")
    rid=$(sed -n 's/^x-request-id: *//Ip' "$RUN/headers.txt" | tr -d '\r')
    if [ "${result%% *}" = 200 ]; then ok "https://$NETWORK.$PLATFORM_DOMAIN:$HTTPS_PORT$page 200 over verified TLS, request id $rid"
    else bad "https://$NETWORK.$PLATFORM_DOMAIN$page: $result"; fi
  done
done
code=$(tls "$PLATFORM_DOMAIN" -o /dev/null -w '%{http_code}' "https://$PLATFORM_DOMAIN:$HTTPS_PORT/" || true)
[ "$code" = 200 ] && ok "public site https://$PLATFORM_DOMAIN:$HTTPS_PORT/ 200" || bad "public site: $code"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HTTP_PORT/" -H "Host: $NETWORK.$PLATFORM_DOMAIN" || true)
[ "${code:0:1}" = 3 ] && ok "plain HTTP is redirected to HTTPS ($code)" || bad "plain HTTP answered $code"
served_a=$(grep -c '"GET /' "$RUN/web-a.log" || true); served_b=$(grep -c '"GET /' "$RUN/web-b.log" || true)
if [ "$served_a" -gt 0 ] && [ "$served_b" -gt 0 ]; then ok "the proxy spread the pages: web-a served $served_a, web-b $served_b"
else bad "one web host served nothing (web-a $served_a, web-b $served_b)"; fi
code=$(tls "$NETWORK.$PLATFORM_DOMAIN" -o /dev/null -w '%{http_code}' "https://$NETWORK.$PLATFORM_DOMAIN:$HTTPS_PORT/metrics" || true)
[ "$code" = 404 ] && ok "/metrics through the public proxy: 404" || bad "/metrics through the proxy: $code"
metrics=$(curl -sS -H "Authorization: Bearer $METRICS_TOKEN" "http://127.0.0.1:${WEB_PORTS[0]}/metrics" || true)
if grep -q 'cloudfactory_celery_queue_length{queue="webhooks"}' <<<"$metrics" \
  && grep -q 'django_http_requests_latency_seconds_by_view_method_count' <<<"$metrics"; then
  ok "web-a /metrics with the token: $(grep -c '^[a-z]' <<<"$metrics") samples (queue lengths, latency by view)"
else bad "web-a /metrics lacks queue lengths or request latency"; fi
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:${WEB_PORTS[0]}/metrics" -H "Authorization: Bearer wrong")
[ "$code" = 403 ] && ok "/metrics with a wrong token: 403" || bad "/metrics with a wrong token: $code"

for name in webhooks@worker-1 money@worker-1 planning@worker-1 batch@worker-2 uploads@worker-2 general@worker-2; do
  wait_until 60 grep -q "$name ready" "$RUN/$name.log" || bad "$name did not start: $RUN/$name.log"
done
if .venv/bin/python manage.py deploy_check --network "$NETWORK" --timeout 60 \
  --web "http://127.0.0.1:${WEB_PORTS[0]}" --web "http://127.0.0.1:${WEB_PORTS[1]}" >"$RUN/deploy_check.jsonl"; then
  .venv/bin/python - "$RUN/deploy_check.jsonl" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    row = json.loads(line)
    if row.get("check") == "task_round_trip":
        a = row["answer"]
        print(f"  \033[1;32mok\033[0m   queue {row['queue']:<9} -> {a['worker']:<18} network {a['network']}  {a['ms']} ms")
PY
else
  bad "deploy_check: $(tail -1 "$RUN/deploy_check.jsonl")"
fi
expected="webhooks:webhooks@worker-1 money:money@worker-1 planning:planning@worker-1 batch:batch@worker-2 uploads:uploads@worker-2 email:general@worker-2 celery:general@worker-2"
for pair in $expected; do
  grep -q "\"queue\": \"${pair%%:*}\", \"answer\": {\"worker\": \"${pair#*:}\"" "$RUN/deploy_check.jsonl" \
    || bad "queue ${pair%%:*} was not answered by ${pair#*:}"
done

money_port=$((10000 + $(sed -n 's/^CELERY_METRICS_PORT=//p' deploy/systemd/pools/money.env)))
tasks=$(curl -sS "http://127.0.0.1:$money_port/metrics" \
  | grep '^cloudfactory_celery_task_seconds_count{' | grep 'tenants.deploy_echo' | grep SUCCESS || true)
[ -n "$tasks" ] && ok "money@worker-1 serves its task durations on :$money_port: $tasks" \
  || bad "money@worker-1 /metrics on :$money_port has no deploy_echo durations"

pools=$("$PGBIN/psql" -h 127.0.0.1 -p "$PGBOUNCER_PORT" -U cloudfactory -d pgbouncer -tA -F' ' -c "SHOW POOLS" \
  | awk -v db="$DB" '$1 == db {print "cl_active=" $3 " sv_active=" $7 " sv_idle=" $8 " mode=" $NF}')
mode=$("$PGBIN/psql" -h 127.0.0.1 -p "$PGBOUNCER_PORT" -U cloudfactory -d pgbouncer -tA -c "SHOW CONFIG" \
  | awk -F'|' '$1 == "pool_mode" {print $2}')
[ "$mode" = session ] && ok "PgBouncer pool_mode=$mode, $DB: $pools" || bad "PgBouncer pool_mode is '$mode'"
if kill -0 "${PIDS[7]}" 2>/dev/null && grep -q "beat: Starting" "$RUN/beat-1.log"; then ok "beat-1 running (one beat)"
else bad "beat-1 not running: $RUN/beat-1.log"; fi

echo
if [ ${#FAILED[@]} -eq 0 ]; then say "Rehearsal passed: 2 web hosts, 5 pools on 2 worker hosts, 1 beat, TLS proxy, PgBouncer"
else say "Rehearsal FAILED: ${FAILED[*]} (logs in $RUN)"; exit 1; fi
