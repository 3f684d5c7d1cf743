#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# A loopback HTTP server for the setup tests: serves a directory with byte ranges, and misbehaves on demand by path prefix.
#
# usage: fixture_http.py ROOT PORTFILE LOGFILE
# Binds 127.0.0.1 on a free port and writes the port to PORTFILE.
#   /FILE           the file, honouring "Range: bytes=N-" (206)
#   /trunc/FILE     the first GET of each path announces the whole length
#                   and sends half, then closes; later GETs as /FILE
#   /norange/FILE   the whole file (200) whatever Range says
#   /stall/FILE     announces the whole length, sends 1 byte, then nothing
# Every request is logged as "METHOD PATH RANGE-OR--" to LOGFILE.
import http.server
import os
import sys
import threading
import time

ROOT, PORTFILE, LOGFILE = sys.argv[1:4]
seen = set()
lock = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def do_GET(self):
        rng = self.headers.get("Range")
        with lock, open(LOGFILE, "a") as log:
            log.write("GET %s %s\n" % (self.path, rng or "-"))
        path = self.path.split("?")[0]
        mode = ""
        for prefix in ("/trunc/", "/norange/", "/stall/"):
            if path.startswith(prefix):
                mode = prefix.strip("/")
                path = "/" + path[len(prefix):]
        full = os.path.realpath(os.path.join(ROOT, path.lstrip("/")))
        if not full.startswith(os.path.realpath(ROOT) + "/") or \
                not os.path.isfile(full):
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        with open(full, "rb") as f:
            data = f.read()
        start = 0
        if rng and rng.startswith("bytes=") and mode != "norange":
            start = int(rng[6:].split("-")[0])
            if start >= len(data):
                self.send_response(416)
                self.send_header("Content-Range", "bytes */%d" % len(data))
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
        body = data[start:]
        if start > 0:
            self.send_response(206)
            self.send_header("Content-Range", "bytes %d-%d/%d" %
                             (start, len(data) - 1, len(data)))
        else:
            self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        if mode == "stall":
            self.wfile.write(body[:1])
            self.wfile.flush()
            time.sleep(120)
            return
        if mode == "trunc":
            with lock:
                first = self.path not in seen
                seen.add(self.path)
            if first:
                self.wfile.write(body[:len(body) // 2])
                self.wfile.flush()
                self.close_connection = True
                return
        self.wfile.write(body)


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True


srv = Server(("127.0.0.1", 0), Handler)
with open(PORTFILE + ".tmp", "w") as f:
    f.write("%d\n" % srv.server_address[1])
os.rename(PORTFILE + ".tmp", PORTFILE)
srv.serve_forever()
