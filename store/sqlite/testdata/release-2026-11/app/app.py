#!/usr/bin/env python3
"""A small JSON service for the release-2026-11 fixture.

It answers every path with its name, version and path; /healthz is its
readiness check. FAIL_RATE (0..1) makes that share of other requests
answer 500, for a canary that must be rolled back.
"""
import json
import os
import random
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path != "/healthz" and random.random() < float(os.environ.get("FAIL_RATE", "0")):
            self.answer(500, {"error": "injected failure"})
            return
        self.answer(200, {
            "service": os.environ.get("SLIPWAY_SERVICE", ""),
            "version": os.environ.get("VERSION", ""),
            "instance": os.environ.get("SLIPWAY_INSTANCE", ""),
            "path": self.path,
        })

    def answer(self, code, doc):
        body = json.dumps(doc).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


ThreadingHTTPServer(("127.0.0.1", int(os.environ["PORT"])), Handler).serve_forever()
