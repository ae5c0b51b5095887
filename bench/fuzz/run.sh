#!/usr/bin/env bash
# Runs every fuzz target of the module, one after the other, for a set
# time each, and prints a table: target, executions, new corpus entries,
# crashes. Exits 1 if any target found a crash (its input is then in the
# package's testdata/fuzz/TARGET/, ready to commit with the fix).
#
#   bench/fuzz/run.sh            # 60s per target
#   bench/fuzz/run.sh -t 10s     # what CI runs (.ci/run)
#   bench/fuzz/run.sh -t 5m FuzzParse FuzzCondition
#
# One target at a time: the fuzzer uses every core it is given. Logs of
# each run are kept in $TMPDIR/slipway-fuzz.*/TARGET.log.
set -uo pipefail
cd "$(dirname "$0")/../.."

time_each=60s
while getopts "t:h" opt; do
  case $opt in
    t) time_each=$OPTARG ;;
    *) sed -n '2,12p' "$0"; exit 2 ;;
  esac
done
shift $((OPTIND - 1))

# package target: every fuzz target of the module.
targets=(
  "./spec FuzzParse"
  "./analysis FuzzCondition"
  "./flags FuzzFastPath"
  "./flags/ofrep FuzzOFREPEvaluate"
  "./httpapi FuzzAPIBodies"
  "./router/front FuzzRequestHead"
  "./router FuzzQuickResponse"
)

# wanted reports whether a target was asked for (all when none named).
wanted() {
  [ $# -eq 1 ] && return 0
  local t=$1; shift
  for w in "$@"; do [ "$w" = "$t" ] && return 0; done
  return 1
}

logs=$(mktemp -d "${TMPDIR:-/tmp}/slipway-fuzz.XXXXXX")
rows=()
crashed=0
for entry in "${targets[@]}"; do
  read -r pkg target <<<"$entry"
  wanted "$target" "$@" || continue
  log="$logs/$target.log"
  echo "fuzzing $target in $pkg for $time_each ..." >&2
  go test "$pkg" -run "^${target}\$" -fuzz "^${target}\$" -fuzztime "$time_each" >"$log" 2>&1
  status=$?
  # The fuzzer's last progress line: "fuzz: elapsed: 10s, execs: 1234 (123/sec), new interesting: 5 (total: 40)".
  last=$(grep '^fuzz: elapsed' "$log" | tail -1)
  execs=$(sed -n 's/.*execs: \([0-9]*\).*/\1/p' <<<"$last")
  fresh=$(sed -n 's/.*new interesting: \([0-9]*\).*/\1/p' <<<"$last")
  crashes=0 late=no
  if [ $status -ne 0 ] && grep -q '^    context deadline exceeded$' "$log" && ! grep -q 'Failing input written to' "$log"; then
    # Go's fuzzer sometimes ends this way when the time runs out while a
    # worker is busy with an input: no input failed. (A hang in the last
    # moments would look the same, hence the column and the warning.)
    late=yes
    echo "$target: the fuzzer stopped past its time (context deadline exceeded), no failing input; see $log" >&2
  elif [ $status -ne 0 ]; then
    crashes=1
    crashed=1
    echo "$target FAILED; the log ($log) says:" >&2
    grep -E 'Failing input written to|--- FAIL|panic:|\.go:[0-9]+:' "$log" | head -20 >&2
  fi
  rows+=("$target|$pkg|${execs:-0}|${fresh:-0}|$crashes|$late")
done

printf '\n%-20s %-14s %12s %12s %8s %6s\n' TARGET PACKAGE EXECUTIONS "NEW CORPUS" CRASHES LATE
for r in "${rows[@]}"; do
  IFS='|' read -r target pkg execs fresh crashes late <<<"$r"
  printf '%-20s %-14s %12s %12s %8s %6s\n' "$target" "$pkg" "$execs" "$fresh" "$crashes" "$late"
done
echo "(each for $time_each; logs in $logs)"
exit $crashed
