#!/usr/bin/env bash
# Resizes the live window under Xvfb (xdotool) and checks that the swapchain was
# recreated, frames kept coming, and validation stayed silent. FIFO presentation paces
# the window (about 60 fps under Xvfb), so 400 frames outlast the two resizes on any host.
# usage: gui_resize_test.sh RANKFLOW_EXE
set -euo pipefail
exe="$1"
command -v xdotool >/dev/null || { echo "xdotool is missing (apt-get install xdotool)"; exit 1; }
log=$(mktemp)
trap 'rm -f "$log"' EXIT

status=0
xvfb-run -a -s "-screen 0 1600x900x24" bash -c '
  "$1" gui --frames 400 --validation --width 1200 --height 700 >"$2" 2>&1 &
  app=$!
  # Wait for the window, then resize it twice while it renders.
  win=$(timeout 60 xdotool search --sync --name "^Rankflow$" | head -1)
  sleep 1
  xdotool windowsize "$win" 900 500
  sleep 1
  xdotool windowsize "$win" 1300 800
  wait $app
' _ "$exe" "$log" || status=$?
cat "$log"
[ $status -eq 0 ] || { echo "FAIL: rankflow exited with $status"; exit 1; }
recreated=$(sed -n 's/.*swapchain recreated \([0-9]*\) time(s).*/\1/p' "$log")
[ "${recreated:-0}" -ge 1 ] || { echo "FAIL: swapchain was not recreated after resizing"; exit 1; }
grep -q "validation: 0 message(s)" "$log" || { echo "FAIL: validation messages"; exit 1; }
grep -q "presented 400 frames" "$log" || { echo "FAIL: did not present all frames"; exit 1; }
echo "PASS: swapchain recreated $recreated time(s) across resizes"
