#!/usr/bin/env python3
"""Steady load through the router for the fixture: ~40 requests a second
to each host given, each from one of 50 users (X-User-Id), until killed.
Canary analysis and parallel runs need live traffic to judge."""
import random
import sys
import threading
import time
import urllib.request

router, hosts = sys.argv[1], sys.argv[2:]


def hit(host):
    while True:
        req = urllib.request.Request("http://%s/" % router, headers={
            "Host": host, "X-User-Id": "user-%d" % random.randrange(50)})
        try:
            urllib.request.urlopen(req, timeout=5).read()
        except Exception:
            pass
        time.sleep(0.025)


for h in hosts:
    threading.Thread(target=hit, args=(h,), daemon=True).start()
while True:
    time.sleep(1)
