#!/usr/bin/env bash
# make.sh BINARY OUT: remakes the release-2026-11 fixture. It runs
# `BINARY server` over a fresh data folder on free loopback ports, drives
# it with the CLI (see README.md for what it does and why), stops the
# server and every instance it started (by the PIDs in instance.json),
# checkpoints each SQLite WAL into its .db, and copies the data folder,
# without instances and logs, to OUT.
set -euo pipefail
BIN=$(realpath "$1")
OUT=$2
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d /tmp/slipway-fixture.XXXXXX)
APP=$WORK/app
DATA=$WORK/data
cp -r "$HERE/app" "$APP"
cd "$APP"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
API=127.0.0.1:$(free_port)
ROUTER=127.0.0.1:$(free_port)
export SLIPWAY_SERVER=http://$API
sw() { echo "+ slipway $*" >&2; "$BIN" "$@"; }

# shop VERSION_OF_API FAIL_RATE VERSION_OF_SEARCH GREETING writes shop.yaml.
shop() {
	sed -e "s/@API_VERSION@/$1/g; s/@API_FAIL@/$2/; s/@SEARCH_VERSION@/$3/g; s/@WEB_GREETING@/$4/" shop.yaml.in >shop.yaml
}

"$BIN" server --data "$DATA" --api "$API" --router "$ROUTER" >"$WORK/server.log" 2>&1 &
SERVER=$!
LOAD=
cleanup() {
	[ -n "$LOAD" ] && kill "$LOAD" 2>/dev/null || true
	kill "$SERVER" 2>/dev/null || true
}
trap cleanup EXIT
for _ in $(seq 100); do curl -fs "$SLIPWAY_SERVER/v1/health" >/dev/null && break; sleep 0.1; done

# The default environment: three services, each released its own way.
shop v1 0 v1 hello
sw apply -f shop.yaml --wait --timeout 60s
python3 load.py "$ROUTER" api.localhost search.localhost &
LOAD=$!
sleep 2
shop v2 0 v1 hello    # a canary promoted by its analysis
sw apply -f shop.yaml --wait --timeout 90s
shop v3 0.5 v1 hello  # a canary that fails 50% of requests: rolled back
if sw apply -f shop.yaml --wait --timeout 90s; then echo "the bad canary was not rolled back" >&2; exit 1; fi
shop v2 0 v2 hello    # a parallel run of search, promoted
sw apply -f shop.yaml --wait --timeout 90s
shop v2 0 v2 bonjour  # blue/green of web, promoted by hand
sw apply -f shop.yaml
for _ in $(seq 300); do
	sw rollout promote web && break
	sleep 0.2
done
for _ in $(seq 300); do
	sw status -o json | python3 -c 'import json,sys; s={x["name"]:x for x in json.load(sys.stdin)}; sys.exit(0 if s["web"]["phase"]=="Ready" and s["web"]["stable"]==2 else 1)' && break
	sleep 0.2
done

# Flags: run-time overrides over the spec's flags.
sw flags kill new-checkout
sw flags rollout banner-color blue=30,red=70
sw flags disable max-items
sw flags set premium gold
for _ in $(seq 300); do  # the progressive release of fast-search ends
	sw flags get fast-search -o json 2>/dev/null | grep -q '"Promoted"' && break
	sleep 0.2
done
sw incident open api --caused-by 3 --title "checkout answers 500"
sw incident resolve 1 || true

# Environments: a version pushed, deployed to dev, promoted to staging
# through its gates (tests, approval, bake).
sw apply -f pipeline.yaml --env dev --wait --timeout 60s
sw apply -f pipeline.yaml --env staging --wait --timeout 60s
mkdir -p release  # the pushed file differs from the applied one: a deploy makes a revision
{ cat app.py; echo "# release v1.0.0"; } >release/app.py
sw artifact push release/app.py --service order --version v1.0.0 --commit 0123456789abcdef --commit-time 2026-11-02T10:00:00Z
sw deploy order --version v1.0.0 --env dev --wait --timeout 60s
sw promote order --from dev --to staging --wait --timeout 120s &
PROMOTE=$!
for _ in $(seq 600); do
	sw approve order --env staging 2>/dev/null && break
	sleep 0.2
done
wait $PROMOTE
sw pipeline status order
sw status
sw history api
sw flags list
sw events >"$WORK/events.txt"

kill "$LOAD"; LOAD=
kill -TERM "$SERVER"; wait "$SERVER" || true
# Stop every instance the server started: each is its own process group,
# recorded in instance.json with its start time (checked before the kill).
for rec in "$DATA"/instances/*/instance.json "$DATA"/envs/*/instances/*/instance.json; do
	[ -f "$rec" ] || continue
	read -r pid start < <(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["pid"], r["startTime"])' "$rec")
	[ "$pid" -gt 0 ] || continue
	if [ -r "/proc/$pid/stat" ] && [ "$(awk '{print $22}' "/proc/$pid/stat")" = "$start" ]; then
		kill -TERM -- "-$pid" 2>/dev/null || true
	fi
done
sleep 2
for db in "$DATA"/slipway.db "$DATA"/envs/*/slipway.db; do
	sqlite3 "$db" 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null
done
rm -rf "$OUT"
mkdir -p "$OUT"
(cd "$DATA" && find . -path ./instances -prune -o -path './envs/*/instances' -prune -o -name '*.log*' -prune -o -name '*-wal' -prune -o -name '*-shm' -prune -o -type f -print) |
	while read -r f; do mkdir -p "$OUT/$(dirname "$f")"; cp "$DATA/$f" "$OUT/$f"; done
echo "fixture written to $OUT (work folder $WORK)"
