#!/usr/bin/env bash
# Runs the web server, a Celery worker and Celery beat together for `make run`.
# Ctrl-C (or SIGTERM, or any one of the three exiting) stops all three, each with its whole process
# group, so the runserver autoreloader's child goes too.
set -uo pipefail

cd "$(dirname "$0")/.."
BIN=.venv/bin
export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-aims.settings.local}"
ADDR="${AIMS_ADDR:-127.0.0.1:8000}"

pids=()
start() {
    local name=$1
    shift
    # setsid: its own process group (pgid == pid), so one kill reaches everything it spawned.
    setsid "$@" &
    pids+=($!)
    echo "run-all: started $name (pid $!)"
}

stopping=0
stop_all() {
    [[ $stopping == 1 ]] && return
    stopping=1
    echo
    echo "run-all: stopping web, worker and beat..."
    local pid
    for pid in "${pids[@]}"; do kill -TERM -- "-$pid" 2>/dev/null; done
    # A warm Celery shutdown finishes the task in hand; give everything ten seconds, then insist.
    for _ in {1..20}; do
        local alive=0
        for pid in "${pids[@]}"; do kill -0 -- "-$pid" 2>/dev/null && alive=1; done
        [[ $alive == 0 ]] && break
        sleep 0.5
    done
    for pid in "${pids[@]}"; do kill -KILL -- "-$pid" 2>/dev/null; done
    echo "run-all: stopped."
}
trap 'stop_all; exit 130' INT
trap 'stop_all; exit 143' TERM
trap 'stop_all' EXIT

start web "$BIN/python" manage.py runserver "$ADDR"
start worker "$BIN/celery" -A aims worker -l info --pool=solo
start beat "$BIN/celery" -A aims beat -l info

echo "run-all: AIMS at http://$ADDR/ -- press Ctrl-C to stop web, worker and beat."

# Whichever ends first (a crash, a port already in use) takes the others down with it.
wait -n
status=$?
echo "run-all: a process exited with status $status."
exit "$status"
