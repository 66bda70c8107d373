#!/usr/bin/env bash
# The live part of CI: budgettui against real LiteLLM proxies (../shared/real-litellm), once per
# supported release: 1.108.7 (the tool's default) and then 1.84.10 (the oldest supported), each
# from its own home, port and database so that neither disturbs the other.
#
# Where ../shared/real-litellm/start exists (beside the repository), start each proxy with it,
# run `make test-live` against it and stop it again; a failing live test fails this script.
# When the tool is missing, or cannot start the proxy (it exits non-zero), print
# "LIVE SKIPPED: ..." with its last error lines and go on (exit 0 if nothing failed): a broken
# machine does not block a landing. A proxy that was already running before this script is left
# running (this script only stops what it started).
set -uo pipefail
cd "$(dirname "$0")/.."
REPO="$(pwd)"
TOOL="$(dirname "$REPO")/shared/real-litellm"
START="$TOOL/start"
STOP="$TOOL/stop"

if [ ! -e "$START" ]; then
  echo "LIVE SKIPPED: ../shared/real-litellm/start not found"
  exit 0
fi

# One release: start its proxy, run the live suite against it, stop what was started.
# Runs in a subshell, so its traps and variables end with it.
live_against() {
  HOME_DIR="${REAL_LITELLM_HOME:-/tmp/real-litellm}"
  proxy_alive() {
    local pidfile="$HOME_DIR/run/proxy.pid" pid
    [ -f "$pidfile" ] || return 1
    pid="$(cat "$pidfile" 2>/dev/null)"
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null &&
      tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q litellm
  }
  WAS_RUNNING=0
  proxy_alive && WAS_RUNNING=1

  # `start` serialises on $HOME_DIR/run/start.lock with `flock -w 900`. A PostgreSQL cluster that
  # `start` launched inherits that lock's file descriptor and holds it for as long as it runs, so
  # a second `start` then waits 15 minutes and fails although the proxy is up. When the lock is
  # held and the proxy from this home is running and ready, use it as `start` would have.
  PORT="${REAL_LITELLM_PORT:-4000}"
  proxy_ready() {
    curl -fsS -m 5 "http://127.0.0.1:$PORT/health/readiness" 2>/dev/null | grep -q '"db":"connected"'
  }
  lock_held() {
    [ -e "$HOME_DIR/run/start.lock" ] && ! flock -n "$HOME_DIR/run/start.lock" true 2>/dev/null
  }

  # A PostgreSQL that `start` launches keeps every file descriptor it inherited, for as long as it
  # runs. Reading `start`'s stdout through a pipe (`$(...)`) therefore never sees the end of it:
  # the last CI run hung there until its 90-minute limit. So `start` writes into files, runs with
  # no descriptors but 0-2, and under a time limit; PostgreSQL is stopped again (`stop --all`) when
  # this script was the one that started it.
  PG_WAS_ONLINE=0
  if command -v pg_lsclusters >/dev/null && pg_lsclusters -h 2>/dev/null | grep -qw online; then
    PG_WAS_ONLINE=1
  fi
  ERRLOG="$(mktemp)"
  ENVFILE="$(mktemp)"
  trap 'rm -f "$ERRLOG" "$ENVFILE"' EXIT
  run_start() {
    local fd
    for fd in /proc/self/fd/*; do
      fd="${fd##*/}"
      [ "$fd" -gt 2 ] 2>/dev/null && eval "exec $fd>&-"
    done
    exec timeout "${BUDGETTUI_LIVE_START_TIMEOUT:-1200}" bash "$START" </dev/null >"$ENVFILE" 2>"$ERRLOG"
  }
  if [ "$WAS_RUNNING" = 1 ] && lock_held && proxy_ready; then
    echo "live: $HOME_DIR/run/start.lock is held by another process; using the running proxy"
    REAL_LITELLM_URL="http://127.0.0.1:$PORT"
    REAL_LITELLM_MASTER_KEY="${REAL_LITELLM_MASTER_KEY:-sk-real-master}"
  else
    echo "live: starting the real LiteLLM proxy ($START)"
    (run_start)
    rc=$?
    cat "$ERRLOG" >&2
    if [ "$rc" != 0 ]; then
      errors="$(grep -v '^\[real-litellm ' "$ERRLOG" | tail -n 15)"
      [ -n "$errors" ] || errors="$(tail -n 15 "$ERRLOG")"
      [ "$rc" != 124 ] || errors="timed out after ${BUDGETTUI_LIVE_START_TIMEOUT:-1200} s"$'\n'"$errors"
      echo "LIVE SKIPPED ($LABEL): real-litellm/start exited $rc:"
      printf '%s\n' "$errors" | sed 's/^/  /'
      exit 0
    fi
    # Only the two NAME=value lines `start` promises are taken, never evaluated as code.
    REAL_LITELLM_URL="$(sed -n 's/^REAL_LITELLM_URL=//p' "$ENVFILE")"
    REAL_LITELLM_MASTER_KEY="$(sed -n 's/^REAL_LITELLM_MASTER_KEY=//p' "$ENVFILE")"
  fi

  STOP_ARGS=()
  [ "$PG_WAS_ONLINE" = 1 ] || STOP_ARGS=(--all)
  if [ "$WAS_RUNNING" = 0 ]; then
    trap 'rm -f "$ERRLOG" "$ENVFILE"; echo "live: stopping the proxy"; bash "$STOP" "${STOP_ARGS[@]}" </dev/null >/dev/null 2>&1 || true' EXIT
  else
    echo "live: the proxy was already running before this script; it is left running afterwards"
  fi

  export BUDGETTUI_LIVE_URL="$REAL_LITELLM_URL"
  export BUDGETTUI_LIVE_MASTER_KEY="$REAL_LITELLM_MASTER_KEY"
  if [ -r "$HOME_DIR/run/database_url" ]; then
    BUDGETTUI_LIVE_DATABASE_URL="$(cat "$HOME_DIR/run/database_url")"
    export BUDGETTUI_LIVE_DATABASE_URL
  fi

  echo "live: make test-live against $LABEL at $BUDGETTUI_LIVE_URL"
  started=$SECONDS
  # A hung live test must not hold CI to its limit: the whole live suite gets 20 minutes.
  timeout "${BUDGETTUI_LIVE_TEST_TIMEOUT:-1200}" make test-live
  status=$?
  echo "live: make test-live against $LABEL exited $status after $((SECONDS - started)) s"
  exit "$status"
}

overall=0
# LiteLLM 1.108.7: the tool's defaults (home /tmp/real-litellm, port 4000, db litellm_real).
(LABEL="LiteLLM 1.108.7" live_against) || overall=1
# LiteLLM 1.84.10: a cold install takes about 4 minutes more (pip).
(
  export REAL_LITELLM_HOME=/tmp/real-litellm-1.84 REAL_LITELLM_PORT=4100 \
    REAL_LITELLM_DB=litellm_1_84 REAL_LITELLM_LOCK=requirements-1.84.10.lock
  LABEL="LiteLLM 1.84.10" live_against
) || overall=1
echo "live: done after $SECONDS s (exit $overall)"
exit "$overall"
