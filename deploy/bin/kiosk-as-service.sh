#!/bin/sh
# The `kiosk` command of an installed kiosk (/usr/local/bin/kiosk) or hub
# (/usr/local/bin/kiosk-hub): runs /opt/<app>/.venv/bin/kiosk as the service user with
# the service's environment file loaded, so that `kiosk doctor`, `kiosk status`,
# `kiosk sync --to-file /media/usb/` or `kiosk-hub hub staff add NAME` act on the same
# database, with the same settings and file owners, as the service. Run it as root
# (sudo) or as the service user.
set -eu
case "$(basename "$0")" in
  kiosk-hub) user=kiosk-hub env=/etc/kiosk-hub/hub.env app=/opt/kiosk-hub home=/var/lib/kiosk-hub ;;
  *)         user=kiosk     env=/etc/kiosk/kiosk.env   app=/opt/kiosk     home=/var/lib/kiosk ;;
esac
# shellcheck disable=SC2016 # expanded by the inner sh, on purpose
run='set -a; . "$1"; set +a; shift; exec "$@"'
cd "$home"
if [ "$(id -un)" = "$user" ]; then
  exec sh -c "$run" sh "$env" "$app/.venv/bin/kiosk" "$@"
elif [ "$(id -u)" = 0 ]; then
  exec runuser -u "$user" -- sh -c "$run" sh "$env" "$app/.venv/bin/kiosk" "$@"
fi
echo "$(basename "$0"): run it as root (sudo $(basename "$0") ...) or as $user" >&2
exit 2
