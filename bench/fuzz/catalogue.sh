#!/usr/bin/env bash
# Counts the catalogue of bad inputs: runs each surface's
# TestBadInputCatalogue* (go test -run Catalogue -v) and prints the
# cases per surface and the total. Exits non-zero if a case fails.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=$(go test -count=1 -run Catalogue -v ./spec ./httpapi ./flags/ofrep ./router ./cli)
grep -o 'catalogue: [a-z]*: [0-9]* bad inputs' <<<"$out" |
  awk '{ sub(":", "", $2); printf "%-8s %4d\n", $2, $3; total += $3 } END { printf "%-8s %4d\n", "total", total }'
