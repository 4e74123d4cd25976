#!/bin/sh
# Start Chromium full screen on the local kiosk. Installed as /opt/kiosk/bin/chromium-kiosk
# and run by kiosk-screen.service inside cage; also usable from any graphical session
# (e.g. ~/.config/autostart/). The settings a resident must not change come from the
# managed policy /etc/chromium/policies/managed/kiosk-diagnostic.json; these flags add
# what only a flag can set.
# An ephemeral profile: a fresh, empty profile folder at each start (in the unit's tmpfs
# RuntimeDirectory, else a new folder under XDG_RUNTIME_DIR), and --incognito on top, so
# nothing of a resident is kept between browser restarts;
# --kiosk-printing: the print button prints at once on the default printer, no dialog;
# back/forward cache off: a page left behind is always fetched again from the server;
# background networking, component updates and sync off: the kiosk makes no request of
# its own to the internet;
# sound without a touch: the inactivity warning chimes and speaks to a person who
# stepped away, on whatever page they left.
set -eu
if [ -n "${KIOSK_PROFILE_DIR:-}" ]; then
  rm -rf "$KIOSK_PROFILE_DIR"
  mkdir -p "$KIOSK_PROFILE_DIR"
  chmod 700 "$KIOSK_PROFILE_DIR"
  profile=$KIOSK_PROFILE_DIR
else
  profile=$(mktemp -d "${XDG_RUNTIME_DIR:-/tmp}/kiosk-chromium.XXXXXX")
fi
exec chromium \
  --kiosk --incognito --user-data-dir="$profile" \
  --no-first-run --no-default-browser-check --noerrdialogs --disable-infobars \
  --kiosk-printing --disable-translate \
  --password-store=basic \
  --ozone-platform-hint=auto \
  --autoplay-policy=no-user-gesture-required \
  --disable-background-networking --disable-component-update --disable-sync \
  --disable-features=BackForwardCache,Translate \
  --overscroll-history-navigation=0 --disable-pinch \
  "${KIOSK_URL:-http://127.0.0.1:5000/}"
