#!/bin/sh
# kiosk-db-backup DB DIR [DAYS]: a consistent copy of the live SQLite database DB into
# DIR/<name>-<UTC time>.db (SQLite's online backup API, through python3, so no sqlite3
# tool is needed), mode 600, then deletes the copies in DIR older than DAYS days
# (default 14), so that nothing purged from the database lives on in a copy for long.
# Installed as /opt/kiosk-hub/bin/kiosk-db-backup (the hub's daily backup) and used by
# deploy/install.sh before an upgrade when `kiosk backup` is not there.
set -eu
db=${1:?usage: kiosk-db-backup DB DIR [DAYS]}
dir=${2:?usage: kiosk-db-backup DB DIR [DAYS]}
days=${3:-14}
[ -f "$db" ] || { echo "kiosk-db-backup: no database at $db" >&2; exit 2; }
umask 077
mkdir -p "$dir"
name=$(basename "$db" .db)
target="$dir/$name-$(date -u +%Y%m%dT%H%M%SZ).db"
python3 - "$db" "$target" <<'PY'
import sqlite3, sys
source = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
copy = sqlite3.connect(sys.argv[2])
with copy:
    source.backup(copy)
problem = copy.execute("PRAGMA integrity_check").fetchone()[0]
copy.close()
source.close()
if problem != "ok":
    sys.exit(f"kiosk-db-backup: the copy fails its integrity check: {problem}")
PY
echo "Backup: $target"
find "$dir" -maxdepth 1 -name "$name-*.db" -type f -mtime "+$days" -print -delete |
  sed 's/^/Deleted (older than the retention): /'
