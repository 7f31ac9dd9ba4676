#!/usr/bin/env bash
# Scheduled backups (docs/operations.md): the whole database in pg_dump's custom format and, with --networks,
# every active network on its own (network_backup: its schema, public rows, files); files older than
# BACKUP_KEEP_DAYS (default 14) in DIR are removed afterwards. Uses the installation's settings and DATABASE_URL.
#
#   scripts/backup.sh /backups                # cron: 15 2 * * *  cd /srv/cloudfactory/app && scripts/backup.sh /backups
#   scripts/backup.sh /backups --networks     # also /backups/networks/<slug>-<time>.tar
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${1:?usage: scripts/backup.sh DIR [--networks]}
EACH=${2:-}
KEEP_DAYS=${BACKUP_KEEP_DAYS:-14}
PY=${PYTHON:-.venv/bin/python}
STAMP=$(date -u +%Y-%m-%dT%H%MZ)
mkdir -p "$DIR"

$PY manage.py network_backup --all --output "$DIR/cloudfactory-$STAMP.dump"
echo
if [ "$EACH" = "--networks" ]; then
  mkdir -p "$DIR/networks"
  for slug in $($PY manage.py shell -v 0 -c \
    "from apps.tenants.selectors import tenant_list_active; print(*tenant_list_active().values_list('slug', flat=True))"); do
    $PY manage.py network_backup "$slug" --output "$DIR/networks/$slug-$STAMP.tar"
    echo
  done
fi
# Only our own files, only after today's succeeded (set -e stops before this on any failure).
find "$DIR" -maxdepth 2 -type f \( -name 'cloudfactory-*.dump' -o -path '*/networks/*.tar' \) \
  -mtime +"$KEEP_DAYS" -print -delete
