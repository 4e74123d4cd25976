#!/bin/bash
# Install, or upgrade, a kiosk (or the Département's hub) on Debian 12/13, as root, in
# one command. Running it again changes nothing; running the next release's copy is the
# upgrade (backup, install, compile, migrate, restart) and keeps the data.
# See deploy/README.md, or `deploy/install.sh --help`.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: deploy/install.sh [--kiosk | --hub] [options]

Installs the diagnostic on this Debian machine (as root), or upgrades it when run from
a newer release. Running it twice changes nothing.

Role:
  --kiosk               a post-office PC or the bus's laptop (the default)
  --hub                 the Département's hub (behind an HTTPS reverse proxy)

Answers (kiosk; asked when missing and standard input is a terminal, else exit 2;
a rerun keeps the values already in /etc/kiosk/kiosk.env unless a flag changes them):
  --site CODE           the site's code as the Département names it, e.g. APC-LE-MONTET
  --commune INSEE       INSEE code of the site's commune, e.g. 03183
  --hub-url URL         the hub's address (https://...); '' for a site with no network
                        sync (the bus, a USB-only post office)
  --hub-token TOKEN     this kiosk's token, printed once by `kiosk hub device add`

What to install:
  --source DIR          a checkout of the project (default: the one this script is in)
  --wheel FILE          a release's wheel instead (kiosk_diagnostic_allier-X.Y.Z-*.whl);
                        the shipped files (units, questionnaires) still come from --source
  --no-pip              do not create or change the app's virtual environment: it must
                        already hold the app (/opt/kiosk/.venv, /opt/kiosk-hub/.venv)

For tests:
  --root DIR            install into DIR as if it were /: every path prefixed with DIR,
                        users made by `systemd-sysusers --root DIR`, units enabled by
                        `systemctl --root DIR enable` (nothing started), no apt-get unless
                        KIOSK_INSTALL_APT names a command to run instead (a shim, called as
                        `$KIOSK_INSTALL_APT install -y -q PACKAGES`, and with `update` if
                        that fails, as apt-get is); the app's commands run
                        as the calling user against DIR's paths, and files are given to
                        the service user afterwards (when run as root)

Environment: KIOSK_INSTALL_APT  the command standing for apt-get (default apt-get;
             under --root, none unless set)
Exit status: 0 done, 1 a step failed, 2 a wrong or missing answer or option.
EOF
}

die() { echo "install.sh: $*" >&2; exit "${2:-1}"; }
usage_error() { echo "install.sh: $*" >&2; echo "Try: deploy/install.sh --help" >&2; exit 2; }

HERE=$(cd "$(dirname "$0")" && pwd)
ROLE=kiosk ROOT="" SOURCE="" WHEEL="" NO_PIP=0
SITE="" COMMUNE="" HUB_URL="" HUB_TOKEN=""
declare -A GIVEN=()  # the answers given as flags

need_value() { [ "$#" -ge 2 ] || usage_error "$1 needs a value"; }
while [ "$#" -gt 0 ]; do
  case "$1" in
    --kiosk) ROLE=kiosk ;;
    --hub) ROLE=hub ;;
    --site) need_value "$@"; SITE=$2 GIVEN[SITE]=1; shift ;;
    --commune) need_value "$@"; COMMUNE=$2 GIVEN[COMMUNE]=1; shift ;;
    --hub-url) need_value "$@"; HUB_URL=$2 GIVEN[HUB_URL]=1; shift ;;
    --hub-token) need_value "$@"; HUB_TOKEN=$2 GIVEN[HUB_TOKEN]=1; shift ;;
    --root) need_value "$@"; ROOT=$(cd "$2" && pwd) || usage_error "no folder $2"; shift ;;
    --source) need_value "$@"; SOURCE=$(cd "$2" && pwd) || usage_error "no folder $2"; shift ;;
    --wheel) need_value "$@"; WHEEL=$(realpath "$2"); [ -f "$WHEEL" ] || usage_error "no file $2"; shift ;;
    --no-pip) NO_PIP=1 ;;
    -h|--help) usage; exit 0 ;;
    *) usage_error "unknown option $1" ;;
  esac
  shift
done
[ "$ROOT" = / ] && ROOT=""
SOURCE=${SOURCE:-$(dirname "$HERE")}
if [ ! -d "$SOURCE/deploy" ] || [ ! -d "$SOURCE/questionnaires" ]; then
  usage_error "$SOURCE is not a checkout of the project (no deploy/ and questionnaires/)"
fi
DEPLOY=$SOURCE/deploy
[ -n "$ROOT" ] || [ "$(id -u)" = 0 ] || die "run it as root (sudo deploy/install.sh ...)" 2

if [ "$ROLE" = hub ]; then
  APP=/opt/kiosk-hub STATE=/var/lib/kiosk-hub ENV_FILE=/etc/kiosk-hub/hub.env
  USER_NAME=kiosk-hub SYSUSERS=kiosk-hub.conf DB=/var/lib/kiosk-hub/hub.db
  ENV_TEMPLATE=$DEPLOY/hub/hub.env.example PACKAGES="python3 python3-venv"
else
  APP=/opt/kiosk STATE=/var/lib/kiosk ENV_FILE=/etc/kiosk/kiosk.env
  USER_NAME=kiosk SYSUSERS=kiosk.conf DB=/var/lib/kiosk/kiosk.db
  ENV_TEMPLATE=$DEPLOY/kiosk.env.example PACKAGES="python3 python3-venv chromium cage"
fi
VENV=$APP/.venv
DATA_DIR=$STATE/questionnaires
POLICY=/etc/chromium/policies/managed/kiosk-diagnostic.json

# ---------------------------------------------------------------- what was done
SUMMARY=""
CHANGED=0 SCREEN_CHANGED=0
note() {  # note STATE ITEM: one line of the final summary
  SUMMARY+=$(printf '  %-10s %s' "$1" "$2")$'\n'
  case "$1" in created|updated|replaced|enabled|installed) CHANGED=1 ;; esac
}

# ---------------------------------------------------------------- the answers
valid() {  # valid WHAT VALUE: the value is safe in an environment file, and plausible
  case "$1" in
    site) [[ $2 =~ ^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$ ]] ;;
    commune) [[ $2 =~ ^([0-9]{5}|2[AB][0-9]{3})$ ]] ;;
    hub-url) [ -z "$2" ] || [[ $2 =~ ^https?://[A-Za-z0-9.:/_~%-]+$ ]] ;;
    hub-token) [[ $2 =~ ^[A-Za-z0-9._~-]*$ ]] ;;
  esac
}
hint() {
  case "$1" in
    site) echo "letters, digits, '.', '_' or '-', e.g. APC-LE-MONTET" ;;
    commune) echo "5 characters, e.g. 03183" ;;
    hub-url) echo "https://... with no space, or empty for no network sync" ;;
    hub-token) echo "the token as printed by \`kiosk hub device add\`" ;;
  esac
}

env_value() {  # env_value KEY: its value in the installed environment file, if any
  [ -f "$ROOT$ENV_FILE" ] || return 0
  sed -n "s/^$1=//p" "$ROOT$ENV_FILE" | tail -n 1
}

ask() {  # ask WHAT VARIABLE KEY QUESTION REQUIRED: fill VARIABLE from flag, file or question
  local what=$1 var=$2 key=$3 question=$4 required=$5 value
  if [ "${GIVEN[$var]:-0}" = 1 ]; then
    value=${!var}
  elif grep -q "^$key=" "$ROOT$ENV_FILE" 2>/dev/null; then
    value=$(env_value "$key")
  elif [ -t 0 ]; then
    while :; do
      read -r -p "$question: " value || die "no answer for --$what" 2
      valid "$what" "$value" && { [ "$required" = 0 ] || [ -n "$value" ]; } && break
      echo "  expected: $(hint "$what")" >&2
    done
  elif [ "$required" = 1 ]; then
    usage_error "--$what is needed (standard input is not a terminal to ask it): $(hint "$what")"
  else
    value=""
  fi
  valid "$what" "$value" || usage_error "--$what '$value': expected $(hint "$what")"
  [ "$required" = 0 ] || [ -n "$value" ] || usage_error "--$what cannot be empty"
  printf -v "$var" '%s' "$value"
}

if [ "$ROLE" = kiosk ]; then
  ask site SITE KIOSK_SITE_CODE "Site code (e.g. APC-LE-MONTET)" 1
  ask commune COMMUNE KIOSK_SITE_COMMUNE "INSEE code of the site's commune (e.g. 03183)" 1
  ask hub-url HUB_URL KIOSK_HUB_URL "Hub address (https://..., empty: no network sync)" 0
  ask hub-token HUB_TOKEN KIOSK_HUB_TOKEN "This kiosk's hub token (empty: set it later)" 0
fi

# ---------------------------------------------------------------- file helpers
owner_ids() {  # owner_ids USER: "uid:gid" of USER as the installed system knows it
  local uid gid
  uid=$(awk -F: -v u="$1" '$1 == u {print $3}' "$ROOT/etc/passwd")
  gid=$(awk -F: -v u="$1" '$1 == u {print $4}' "$ROOT/etc/passwd")
  [ -n "$uid" ] || die "no user $1 in $ROOT/etc/passwd"
  echo "$uid:$gid"
}
group_id() { awk -F: -v g="$1" '$1 == g {print $3}' "$ROOT/etc/group"; }

set_owner() {  # set_owner OWNER PATH...: OWNER is a user (and its group), root or root:GROUP
  [ "$(id -u)" = 0 ] || return 0  # a test as an ordinary user: modes only
  local who=$1 ids; shift
  case "$who" in
    root) ids=0:0 ;;
    root:*) ids=0:$(group_id "${who#root:}") ;;
    *) ids=$(owner_ids "$who") ;;
  esac
  chown -h "$ids" "$@"
}

ensure_dir() {  # ensure_dir PATH MODE OWNER
  if [ -d "$ROOT$1" ]; then note unchanged "$1/"; else mkdir -p "$ROOT$1"; note created "$1/"; fi
  chmod "$2" "$ROOT$1"
  set_owner "$3" "$ROOT$1"
}

PUT_CHANGED=0  # whether the last put_file changed its file
put_file() {  # put_file SOURCE DEST MODE OWNER: copy unless identical; report
  local dest=$ROOT$2
  mkdir -p "$(dirname "$dest")"
  PUT_CHANGED=1
  if [ ! -e "$dest" ]; then
    cp "$1" "$dest.new" && mv "$dest.new" "$dest"; note created "$2"
  elif cmp -s "$1" "$dest"; then
    note unchanged "$2"; PUT_CHANGED=0
  else
    cp "$1" "$dest.new" && mv "$dest.new" "$dest"; note updated "$2"
  fi
  chmod "$3" "$dest"
  set_owner "$4" "$dest"
}

sha() { sha256sum "$1" | cut -d' ' -f1; }

# ---------------------------------------------------------------- 1. packages
echo "Installing the $ROLE's software..."
if [ -n "$ROOT" ] && [ -z "${KIOSK_INSTALL_APT:-}" ]; then
  note skipped "Debian packages ($PACKAGES): skipped under --root"
else
  apt=${KIOSK_INSTALL_APT:-apt-get}
  export DEBIAN_FRONTEND=noninteractive
  # shellcheck disable=SC2086 # PACKAGES is a list of words
  $apt install -y -q $PACKAGES >/dev/null || { $apt update -q && $apt install -y -q $PACKAGES >/dev/null; }
  note ok "Debian packages: $PACKAGES"
fi

# ---------------------------------------------------------------- 2. users
put_file "$DEPLOY/sysusers/$SYSUSERS" "/etc/sysusers.d/$SYSUSERS" 644 root
users_before=$(cat "$ROOT/etc/passwd" 2>/dev/null || true)
if [ -n "$ROOT" ]; then
  systemd-sysusers --root "$ROOT" "$SYSUSERS"
else
  systemd-sysusers "$SYSUSERS"
fi
if [ "$users_before" = "$(cat "$ROOT/etc/passwd")" ]; then
  note unchanged "system users ($SYSUSERS)"
else
  note created "system users ($SYSUSERS)"
fi

# ---------------------------------------------------------------- 3. folders
ensure_dir "$STATE" 700 "$USER_NAME"
ensure_dir "$STATE/backups" 700 "$USER_NAME"
ensure_dir "$STATE/exports" 700 "$USER_NAME"
ensure_dir "$(dirname "$ENV_FILE")" 755 root
ensure_dir "$APP/bin" 755 root

# ---------------------------------------------------------------- 4. release, backup
if [ -n "$WHEEL" ]; then
  RELEASE=$(basename "$WHEEL" | cut -d- -f2)
else
  RELEASE=$(sed -n 's/^version *= *"\(.*\)"/\1/p' "$SOURCE/pyproject.toml" | head -n 1)
fi
[ -n "$RELEASE" ] || die "cannot tell the release's version (pyproject.toml, wheel name)"
RELEASE_FILE=$STATE/installed-release
PREVIOUS=$(cat "$ROOT$RELEASE_FILE" 2>/dev/null || true)

run_app() {  # run_app ARGS...: the installed `kiosk ARGS` as the service user, with its settings
  if [ -n "$ROOT" ]; then
    (
      set -a
      # shellcheck disable=SC1090 # the file this install wrote
      . "$ROOT$ENV_FILE"
      set +a
      for key in KIOSK_DATABASE KIOSK_SECRET_KEY_FILE KIOSK_DATA_DIR KIOSK_EXPORT_DIR \
                 KIOSK_CHROMIUM_POLICY; do
        if [ -n "${!key:-}" ]; then export "$key=$ROOT${!key}"; fi
      done
      cd "$ROOT$STATE"
      umask 077
      exec "$ROOT$VENV/bin/kiosk" "$@"
    )
  else
    # shellcheck disable=SC2016 # expanded by the inner sh
    (cd "$STATE" && umask 077 && runuser -u "$USER_NAME" -- \
      sh -c 'set -a; . "$1"; set +a; shift; exec "$@"' sh "$ENV_FILE" "$VENV/bin/kiosk" "$@")
  fi
}

# An upgrade: a database, and another release (or none recorded: a kiosk set up by hand,
# the way the first releases were, is upgraded the same way).
UPGRADE=0
if [ -f "$ROOT$DB" ] && [ "$PREVIOUS" != "$RELEASE" ]; then UPGRADE=1; fi
if [ "$UPGRADE" = 1 ]; then
  echo "Upgrade ${PREVIOUS:-(release not recorded)} -> $RELEASE: backing up $DB first..."
  if [ "$ROLE" = kiosk ] && [ -x "$ROOT$VENV/bin/kiosk" ] && run_app backup --help >/dev/null 2>&1; then
    run_app backup --to "$ROOT$STATE/backups"
  else
    sh "$DEPLOY/bin/kiosk-db-backup.sh" "$ROOT$DB" "$ROOT$STATE/backups" 36500
  fi
  set_owner "$USER_NAME" "$ROOT$STATE/backups"/*
  note created "backup of $DB before the upgrade, in $STATE/backups/"
fi

# An upgrade stops the server while its code and database change (started again below).
if [ -z "$ROOT" ] && [ "$UPGRADE" = 1 ]; then
  systemctl stop "$([ "$ROLE" = hub ] && echo kiosk-hub.service || echo kiosk.service)" || true
fi

# ---------------------------------------------------------------- 5. the app
if [ "$NO_PIP" = 1 ]; then
  [ -x "$ROOT$VENV/bin/kiosk" ] || die "--no-pip: no app in $VENV (no $VENV/bin/kiosk)"
  note skipped "$VENV: left as it is (--no-pip)"
else
  if [ -x "$ROOT$VENV/bin/python" ]; then
    note unchanged "$VENV"
  else
    python3 -m venv "$ROOT$VENV"
    note created "$VENV"
  fi
  pip() { "$ROOT$VENV/bin/python" -m pip --quiet --disable-pip-version-check "$@"; }
  version() {
    { "$ROOT$VENV/bin/python" -m pip show kiosk-diagnostic-allier 2>/dev/null || true; } |
      sed -n 's/^Version: //p'
  }
  before=$(version)
  pip install --upgrade "${WHEEL:-$SOURCE}"
  if [ -z "$WHEEL" ] && [ "$before" = "$(version)" ]; then
    # A checkout keeps its version between releases: reinstall the app (not its
    # dependencies) so the code is the checkout's.
    pip install --force-reinstall --no-deps "$SOURCE"
  fi
  after=$(version)
  if [ -z "$before" ]; then note installed "app $after in $VENV"
  elif [ "$before" != "$after" ]; then note updated "app $before -> $after in $VENV"
  elif [ -z "$WHEEL" ]; then note updated "app $after reinstalled from $SOURCE"
  else note unchanged "app $after in $VENV"
  fi
  # The catalogues the app reads (a wheel carries them compiled; a checkout may not).
  (cd / && "$ROOT$VENV/bin/kiosk" i18n compile >/dev/null)
  note ok "translation catalogues compiled"
fi
put_file "$DEPLOY/bin/kiosk-db-backup.sh" "$APP/bin/kiosk-db-backup" 755 root
if [ "$ROLE" = hub ]; then
  put_file "$DEPLOY/bin/kiosk-as-service.sh" /usr/local/bin/kiosk-hub 755 root
else
  put_file "$DEPLOY/bin/kiosk-as-service.sh" /usr/local/bin/kiosk 755 root
  put_file "$DEPLOY/chromium-kiosk.sh" "$APP/bin/chromium-kiosk" 755 root
  SCREEN_CHANGED=$PUT_CHANGED
fi

# ---------------------------------------------------------------- 6. settings
env_with() {  # env_with FILE KEY VALUE KEEP: FILE with KEY=VALUE (KEEP=1: an existing line wins)
  awk -v k="$2" -v v="$3" -v keep="$4" '
    index($0, k "=") == 1 { seen = 1; if (keep == 1) print; else print k "=" v; next }
    { print }
    END { if (!seen) print k "=" v }' "$1"
}
write_env() {  # write_env KEY=VALUE... (answers; the template's other keys kept)
  local work current pair
  work=$(mktemp)
  if [ -f "$ROOT$ENV_FILE" ]; then cp "$ROOT$ENV_FILE" "$work"; else cp "$ENV_TEMPLATE" "$work"; fi
  for pair in "$@"; do
    current=$(mktemp)
    env_with "$work" "${pair%%=*}" "${pair#*=}" 0 >"$current" && mv "$current" "$work"
  done
  # A key the release's template adds (a path, a new setting) is added, never overwritten.
  while IFS= read -r pair; do
    current=$(mktemp)
    env_with "$work" "${pair%%=*}" "${pair#*=}" 1 >"$current" && mv "$current" "$work"
  done < <(grep -E '^KIOSK_[A-Z_]+=' "$ENV_TEMPLATE")
  put_file "$work" "$ENV_FILE" 640 "root:$USER_NAME"
  rm -f "$work"
}
if [ "$ROLE" = kiosk ]; then
  write_env "KIOSK_SITE_CODE=$SITE" "KIOSK_SITE_COMMUNE=$COMMUNE" \
            "KIOSK_HUB_URL=$HUB_URL" "KIOSK_HUB_TOKEN=$HUB_TOKEN"
else
  write_env
  if [ ! -e "$ROOT$STATE/secret_key" ]; then
    (umask 077 && python3 -c 'import secrets; print(secrets.token_urlsafe(48))' \
      >"$ROOT$STATE/secret_key")
    note created "$STATE/secret_key (mode 600)"
  else
    note unchanged "$STATE/secret_key"
  fi
  chmod 600 "$ROOT$STATE/secret_key"
  set_owner "$USER_NAME" "$ROOT$STATE/secret_key"
fi

# ---------------------------------------------------------------- 7. questionnaires
# The shipped questionnaires/ go to KIOSK_DATA_DIR. A manifest of the shipped files'
# SHA-256 tells a file the administrator never edited (replaced by the new release's)
# from an edited one (kept; the release's version is put beside, in questionnaires.new/).
sync_questionnaires() {
  local from=$SOURCE/questionnaires manifest=$STATE/questionnaires.sha256 new_dir=$STATE/questionnaires.new
  local manifest_work rel src dest shipped old current kept=0 same=0
  manifest_work=$(mktemp)
  ensure_dir "$DATA_DIR" 755 "$USER_NAME"
  while IFS= read -r rel; do
    src=$from/$rel dest=$ROOT$DATA_DIR/$rel
    shipped=$(sha "$src")
    old=$(awk -v f="$rel" '{ name = substr($0, 67) } name == f { print $1 }' \
          "$ROOT$manifest" 2>/dev/null || true)
    printf '%s  %s\n' "$shipped" "$rel" >>"$manifest_work"
    mkdir -p "$(dirname "$dest")"
    if [ ! -e "$dest" ]; then
      cp "$src" "$dest"; note created "$DATA_DIR/$rel"
    else
      current=$(sha "$dest")
      if [ "$current" = "$shipped" ]; then
        same=$((same + 1))
        continue
      elif [ -n "$old" ] && [ "$current" = "$old" ]; then
        cp "$src" "$dest.new" && mv "$dest.new" "$dest"; note replaced "$DATA_DIR/$rel (never edited here: the new release's)"
      else
        mkdir -p "$(dirname "$ROOT$new_dir/$rel")"
        cp "$src" "$ROOT$new_dir/$rel"
        note kept "$DATA_DIR/$rel (edited here; the release's version: $new_dir/$rel)"
        kept=1
      fi
    fi
    chmod 644 "$dest"
  done < <(cd "$from" && find . -type f ! -name '*.pyc' | sed 's|^\./||' | LC_ALL=C sort)
  [ "$same" = 0 ] || note unchanged "$DATA_DIR: $same files as the release ships them"
  [ "$kept" = 1 ] || rm -rf "$ROOT$new_dir"
  put_file "$manifest_work" "$manifest" 644 root
  rm -f "$manifest_work"
  find "$ROOT$DATA_DIR" -type d -exec chmod 755 {} +
  set_owner "$USER_NAME" -R "$ROOT$DATA_DIR"
}

# ---------------------------------------------------------------- 8. units
enable_units() {  # enable_units UNIT...: enable (under --root: in DIR, nothing started)
  local unit
  for unit in "$@"; do
    if [ -n "$ROOT" ]; then
      if systemctl --root "$ROOT" is-enabled --quiet "$unit" 2>/dev/null; then
        note unchanged "$unit enabled"
      else
        systemctl --root "$ROOT" enable --quiet "$unit"; note enabled "$unit"
      fi
    elif systemctl is-enabled --quiet "$unit" 2>/dev/null; then
      note unchanged "$unit enabled"
    else
      systemctl enable --quiet "$unit"; note enabled "$unit"
    fi
  done
}

if [ "$ROLE" = kiosk ]; then
  sync_questionnaires
  put_file "$DEPLOY/chromium/kiosk-diagnostic.json" "$POLICY" 644 root
  [ "$PUT_CHANGED" = 0 ] || SCREEN_CHANGED=1
  for unit in kiosk.service kiosk-sync.service kiosk-sync.timer kiosk-backup.service \
              kiosk-backup.timer kiosk-screen.service; do
    put_file "$DEPLOY/$unit" "/etc/systemd/system/$unit" 644 root
  done
  [ "$PUT_CHANGED" = 0 ] || SCREEN_CHANGED=1  # kiosk-screen.service, the last one
else
  for unit in kiosk-hub.service kiosk-hub-backup.service kiosk-hub-backup.timer; do
    put_file "$DEPLOY/hub/$unit" "/etc/systemd/system/$unit" 644 root
  done
  put_file "$DEPLOY/hub/Caddyfile" "$APP/Caddyfile.example" 644 root
fi

# ---------------------------------------------------------------- 9. database
if [ -n "$ROOT" ] && [ ! -x "$ROOT$VENV/bin/kiosk" ]; then
  note skipped "database: no app in $ROOT$VENV"
elif [ "$ROLE" = kiosk ]; then
  db_was_new=0; [ -f "$ROOT$DB" ] || db_was_new=1
  # Secret key (written once), then the migrations (copying the database aside first).
  run_app init
  places=$DATA_DIR/data/lieux_03.csv stamp=$STATE/places-imported.sha256
  if [ "$db_was_new" = 1 ] || [ "$(cat "$ROOT$stamp" 2>/dev/null)" != "$(sha "$ROOT$places")" ]; then
    run_app places import "$ROOT$places"
    sha "$ROOT$places" >"$ROOT$stamp"
    note "$([ "$db_was_new" = 1 ] && echo created || echo updated)" "places imported from $places"
  else
    note unchanged "places (same $places as the last import)"
  fi
  note ok "database $DB up to date (kiosk init)"
else
  run_app hub init
  note ok "hub database $DB up to date (kiosk hub init)"
fi
echo "$RELEASE" >"$ROOT$RELEASE_FILE"
if [ -n "$ROOT" ]; then set_owner "$USER_NAME" -R "$ROOT$STATE"; fi
if [ "$PREVIOUS" = "$RELEASE" ]; then note unchanged "release $RELEASE"
elif [ -n "$PREVIOUS" ]; then note updated "release $PREVIOUS -> $RELEASE"
else note created "release $RELEASE"
fi

# ---------------------------------------------------------------- 10. services
if [ "$ROLE" = kiosk ]; then
  ENABLE="kiosk.service kiosk-sync.timer kiosk-backup.timer kiosk-screen.service"
  SERVER=kiosk.service
else
  ENABLE="kiosk-hub.service kiosk-hub-backup.timer"
  SERVER=kiosk-hub.service
fi
[ -n "$ROOT" ] || systemctl daemon-reload
# shellcheck disable=SC2086 # lists of unit names
enable_units $ENABLE
if [ -n "$ROOT" ]; then
  note skipped "starting the services: skipped under --root"
else
  for unit in $ENABLE; do
    case "$unit" in *.timer) systemctl start "$unit" ;; esac
  done
  if [ "$CHANGED" = 1 ]; then systemctl restart "$SERVER"; note restarted "$SERVER"
  else systemctl start "$SERVER"; fi
  # The screen only when its own files changed: a rerun must not end a resident's visit.
  if [ "$ROLE" = kiosk ] && [ "$SCREEN_CHANGED" = 1 ] \
     && systemctl is-active --quiet kiosk-screen.service; then
    systemctl restart kiosk-screen.service; note restarted kiosk-screen.service
  fi
fi

# ---------------------------------------------------------------- summary
echo
echo "deploy/install.sh --$ROLE: release $RELEASE${ROOT:+ (into $ROOT)}"
printf '%s' "$SUMMARY"
echo
if [ "$ROLE" = kiosk ]; then
  if [ -z "$HUB_URL" ]; then
    echo "No hub address: records leave by USB key (kiosk sync --to-file /media/usb/)."
  fi
  if [ -z "$HUB_TOKEN" ]; then
    echo "No hub token yet: put the one \`kiosk hub device add\` printed in $ENV_FILE"
    echo "(KIOSK_HUB_TOKEN=...), then rerun this script or restart kiosk."
  fi
  if [[ $SUMMARY == *"  kept "* ]]; then
    echo "Questionnaire files edited on this kiosk were kept (see 'kept' above): compare"
    echo "them with $STATE/questionnaires.new/, then run: kiosk check"
  fi
  echo "Check the kiosk:   kiosk doctor   (and: systemctl status kiosk)"
  echo "Start the screen:  reboot, or systemctl start kiosk-screen"
else
  echo "Next, on this hub (see deploy/README.md):"
  echo "  1. HTTPS: apt-get install caddy; cp $APP/Caddyfile.example /etc/caddy/Caddyfile;"
  echo "     set the hub's name in it; systemctl reload caddy"
  echo "  2. The first staff account:  kiosk-hub hub staff add NAME"
  echo "     (a forgotten password:    kiosk-hub hub staff passwd NAME)"
  echo "  3. Each kiosk's token:       kiosk-hub hub device add --site NAME --commune INSEE"
fi
