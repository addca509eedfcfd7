#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# cut-proxy.py PORT UPSTREAM DIGEST LOG: a plain HTTP proxy in front of the
# registry at UPSTREAM (host:port, plain HTTP) that passes every request
# through, except GETs of blob DIGEST: those announce the whole blob (or
# the range asked for) and close the connection after its first half,
# never further.  Each such GET appends its Range header ("-" for none)
# to LOG, so a test can count the attempts.  Prints "ready" once listening.
import http.server
import sys
import urllib.error
import urllib.request

port, upstream, digest, log = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]


class Proxy(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def relay(self, head, whole=False):
        req = urllib.request.Request("http://" + upstream + self.path,
                                     method="HEAD" if head else "GET")
        for k in ("Accept", "Authorization") if whole else ("Accept", "Range", "Authorization"):
            if self.headers.get(k):
                req.add_header(k, self.headers[k])
        try:
            resp = urllib.request.urlopen(req)
        except urllib.error.HTTPError as e:
            resp = e
        body = b"" if head else resp.read()
        return resp.status if hasattr(resp, "status") else resp.code, resp.headers, body

    def answer(self, head):
        if not head and self.path.endswith("/blobs/" + digest):
            return self.cut()
        status, headers, body = self.relay(head)
        self.send_response(status)
        for k, v in headers.items():
            if k.lower() not in ("connection", "transfer-encoding", "content-length"):
                self.send_header(k, v)
        self.send_header("Content-Length", headers.get("Content-Length", str(len(body))))
        self.end_headers()
        self.wfile.write(body)

    def cut(self):
        rng = self.headers.get("Range")
        with open(log, "a") as f:
            f.write((rng or "-") + "\n")
        _, _, body = self.relay(False, whole=True)
        start = int(rng.split("=")[1].split("-")[0]) if rng else 0
        half = len(body) // 2
        self.send_response(206 if rng else 200)
        self.send_header("Content-Length", str(len(body) - start))
        if rng:
            self.send_header("Content-Range", "bytes %d-%d/%d" % (start, len(body) - 1, len(body)))
        self.end_headers()
        if start < half:
            self.wfile.write(body[start:half])
        self.wfile.flush()
        self.close_connection = True

    def do_GET(self):
        self.answer(False)

    def do_HEAD(self):
        self.answer(True)


server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Proxy)
print("ready", flush=True)
server.serve_forever()
