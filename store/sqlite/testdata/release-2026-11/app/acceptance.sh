#!/bin/sh
# staging's tests gate: the version answers through the source's router.
set -e
echo "acceptance of $SLIPWAY_SERVICE $SLIPWAY_VERSION in $SLIPWAY_ENVIRONMENT at $SLIPWAY_URL"
python3 -c "import urllib.request,sys; print(urllib.request.urlopen(sys.argv[1] + '/healthz', timeout=10).read().decode())" "$SLIPWAY_URL"
echo "acceptance passed"
