"""The lab's "VBS host": a path filter in front of Cinder (stdlib only).

    python -m labsvc.vbsfilter --listen 127.0.0.1:28777 --upstream http://127.0.0.1:28776 \\
        --log run/log/vbs-filter.log

On the public clouds the native backup API has a host of its own (catalog type ``vbsv2``,
``https://vbs.<region>.../v2/<project_id>``) that serves backups only; volumes and snapshots
live on the block-storage host. This filter makes the lab look like that: it forwards
``/v2/<project_id>/backups`` and everything under it to Cinder, and answers every other path
(``/volumes``, ``/snapshots``, ``/``, ``/v2/``, ``/v3/...``) with 404 and the body of Huawei's API
gateway for an API that does not exist (``APIG.0101``).

Forwarded requests keep the client's Host header, so Cinder's links (``backups_links``) point back
at the filter, as a real VBS host's do. Every request is one JSON line in the log:
``{"method", "path", "status", "forwarded"}``, so that a test can check which calls reached
the VBS root. SIGTERM stops it.
"""
import argparse
import http.client
import http.server
import json
import re
import signal
import sys
import threading
from urllib.parse import urlsplit

SERVED = re.compile(r'^/v2/[0-9A-Za-z_-]+/backups(/[^?]*)?$')
HOP_BY_HOP = {'connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te',
              'trailer', 'trailers', 'transfer-encoding', 'upgrade', 'proxy-connection'}
NOT_FOUND = json.dumps({
    'error_code': 'APIG.0101',
    'error_msg': 'The API does not exist or has not been published in the environment',
    'request_id': 'lab-vbs-filter'}).encode()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    server_version = 'lab-vbs-filter'

    def log_message(self, *_args):  # the JSON log below replaces stderr logging
        pass

    def _record(self, status, forwarded):
        line = json.dumps({'method': self.command, 'path': self.path, 'status': status,
                           'forwarded': forwarded})
        with self.server.log_lock:
            with open(self.server.log_path, 'a') as f:
                f.write(line + '\n')

    def _body(self):
        length = int(self.headers.get('Content-Length') or 0)
        return self.rfile.read(length) if length else None

    def _handle(self):
        body = self._body()
        if not SERVED.match(urlsplit(self.path).path):
            self.send_response(404)
            self.send_header('Content-Type', 'application/json')
            self.send_header('Content-Length', str(len(NOT_FOUND)))
            self.end_headers()
            if self.command != 'HEAD':
                self.wfile.write(NOT_FOUND)
            self._record(404, False)
            return
        up = self.server.upstream
        conn = http.client.HTTPConnection(up.hostname, up.port, timeout=300)
        try:
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
            conn.request(self.command, self.path, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
        except OSError as exc:
            conn.close()
            msg = json.dumps({'error_code': 'APIG.0103',
                              'error_msg': 'lab vbs filter: upstream failed: %s' % exc}).encode()
            self.send_response(502)
            self.send_header('Content-Type', 'application/json')
            self.send_header('Content-Length', str(len(msg)))
            self.end_headers()
            self.wfile.write(msg)
            self._record(502, True)
            return
        conn.close()
        self.send_response(resp.status, resp.reason)
        for key, value in resp.getheaders():
            if key.lower() not in HOP_BY_HOP and key.lower() != 'content-length':
                self.send_header(key, value)
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        if self.command != 'HEAD':
            self.wfile.write(data)
        self._record(resp.status, True)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_OPTIONS = _handle


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n', maxsplit=1)[0])
    p.add_argument('--listen', required=True, help='HOST:PORT (loopback)')
    p.add_argument('--upstream', required=True, help='Cinder root, e.g. http://127.0.0.1:28776')
    p.add_argument('--log', required=True, help='file that gets one JSON line per request')
    args = p.parse_args()
    host, port = args.listen.rsplit(':', 1)
    server = http.server.ThreadingHTTPServer((host, int(port)), Handler)
    server.daemon_threads = True
    server.upstream = urlsplit(args.upstream)
    server.log_path = args.log
    server.log_lock = threading.Lock()

    def stop(_signum, _frame):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print('vbs filter on http://%s -> %s' % (args.listen, args.upstream), flush=True)
    server.serve_forever()
    server.server_close()
    return 0


if __name__ == '__main__':
    sys.exit(main())
