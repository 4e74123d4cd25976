#!/bin/sh
# Start Chromium full screen on the local kiosk, for the session of the kiosk user.
# --incognito: no profile is kept between browser restarts (nothing of a resident stays);
# back/forward cache off: a page left behind is always fetched again from the server;
# background networking off: the kiosk makes no request of its own to the internet;
# sound without a touch: the inactivity warning chimes and speaks to a person who
# stepped away, on whatever page they left.
exec chromium \
  --kiosk --incognito --no-first-run --noerrdialogs --disable-translate \
  --autoplay-policy=no-user-gesture-required \
  --disable-background-networking --disable-component-update --disable-sync \
  --disable-features=BackForwardCache,Translate \
  --overscroll-history-navigation=0 \
  "${KIOSK_URL:-http://127.0.0.1:5000/}"
