#!/usr/bin/env python
"""A fault-injecting reverse proxy for the lab (stdlib only). See tests/faults/README.md.

    python tests/faults/proxy.py \\
        --route 127.0.0.1:35100=http://127.0.0.1:25100 \\
        --route 127.0.0.1:38876=http://127.0.0.1:28876 \\
        --tls-route 127.0.0.1:35443=http://127.0.0.1:25100 --tls-cert C --tls-key K \\
        --control 127.0.0.1:39000

Every listener forwards to its upstream unchanged (the client's Host header is kept and
X-Forwarded-Proto/-For are added, so Keystone's links point back at the proxy); the control port
takes fault rules (POST/GET/DELETE /faults) and serves the request log (GET/DELETE /log).
Only loopback addresses are accepted. SIGTERM or SIGINT stop it cleanly.
"""

import argparse
import http.client
import http.server
import ipaddress
import json
import os
import re
import signal
import socket
import ssl
import sys
import threading
import time
from urllib.parse import parse_qs, urlsplit

HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
              "trailer", "trailers", "transfer-encoding", "upgrade", "proxy-connection"}
ACTIONS = ("status", "drop_after_forward", "delay", "cut_body", "refuse", "pass", "slow_answer",
           "late_forward")
THEN_ACTIONS = ("status", "drop_after_forward", "cut_body", "refuse", "pass")
RULE_KEYS = {"listener", "method", "path", "action", "status", "body", "headers", "seconds",
             "times", "after", "then", "every"}


class Rules:
    """Fault rules and the request log, shared by every listener (thread-safe)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.rules = []
        self.log = []
        self.next_rule = 1
        self.next_seq = 1

    # rules

    def add(self, specs):
        if isinstance(specs, dict):
            specs = [specs]
        if not isinstance(specs, list):
            raise ValueError("expected a JSON rule object or a list of them")
        parsed = [self._parse(spec) for spec in specs]
        with self.lock:
            for rule in parsed:
                rule["id"] = self.next_rule
                self.next_rule += 1
                self.rules.append(rule)
            return [self._public(rule) for rule in parsed]

    @staticmethod
    def _parse(spec):
        if not isinstance(spec, dict):
            raise ValueError("a rule is a JSON object, got %r" % (spec,))
        unknown = set(spec) - RULE_KEYS
        if unknown:
            raise ValueError("unknown rule keys: %s" % ", ".join(sorted(unknown)))
        action = spec.get("action")
        if action not in ACTIONS:
            raise ValueError("action must be one of %s, got %r" % (", ".join(ACTIONS), action))
        then = spec.get("then")
        if then is not None and (action != "delay" or then not in THEN_ACTIONS):
            raise ValueError("'then' is only for action 'delay': one of %s"
                             % ", ".join(THEN_ACTIONS))
        if "status" in (action, then) and not isinstance(spec.get("status"), int):
            raise ValueError("action 'status' needs an integer 'status'")
        if action == "late_forward" and not isinstance(spec.get("status", 504), int):
            raise ValueError("'status' of action 'late_forward' must be an integer")
        if action in ("delay", "slow_answer", "late_forward") and not isinstance(
                spec.get("seconds"), (int, float)):
            raise ValueError("action '%s' needs a number 'seconds'" % action)
        every = spec.get("every")
        if every is not None and (not isinstance(every, int) or every < 1):
            raise ValueError("'every' must be a whole number of at least 1")
        rule = dict(spec)
        rule["regex"] = re.compile(spec["path"]) if spec.get("path") else None
        rule["method"] = spec["method"].upper() if spec.get("method") else None
        rule["times"] = spec.get("times")  # None: every matching request
        rule["after"] = int(spec.get("after") or 0)
        rule["every"] = spec.get("every") or 1
        rule["seen"] = 0
        rule["fired"] = 0
        return rule

    @staticmethod
    def _public(rule):
        return dict((key, value) for key, value in rule.items() if key != "regex")

    def list(self):
        with self.lock:
            return [self._public(rule) for rule in self.rules]

    def clear(self):
        with self.lock:
            count = len(self.rules)
            self.rules = []
            return count

    def match(self, listener, method, path):
        """The first rule that fires for this request (its counters updated), or None."""
        with self.lock:
            for rule in self.rules:
                if rule["method"] and rule["method"] != method:
                    continue
                if rule["regex"] and not rule["regex"].search(path):
                    continue
                if rule.get("listener") and rule["listener"] != listener:
                    continue
                if rule["times"] is not None and rule["fired"] >= rule["times"]:
                    continue
                rule["seen"] += 1
                if rule["seen"] <= rule["after"]:
                    continue
                if (rule["seen"] - rule["after"]) % rule["every"]:
                    continue
                rule["fired"] += 1
                return dict(rule)
            return None

    # log

    def record(self, entry):
        with self.lock:
            entry["seq"] = self.next_seq
            self.next_seq += 1
            self.log.append(entry)

    def entries(self, listener=None):
        with self.lock:
            return [dict(e) for e in self.log if listener is None or e["listener"] == listener]

    def clear_log(self):
        with self.lock:
            count = len(self.log)
            self.log = []
            return count


class Listener(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, name, upstream, rules, tls_context=None, upstream_timeout=600):
        super().__init__(address, ProxyHandler)
        self.name = name
        parts = urlsplit(upstream)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("upstream must be http(s)://host:port, got %r" % upstream)
        self.upstream_scheme = parts.scheme
        self.upstream_host = parts.hostname
        self.upstream_port = parts.port or (443 if parts.scheme == "https" else 80)
        self.upstream_prefix = parts.path.rstrip("/")
        self.rules = rules
        self.tls = tls_context is not None
        self.upstream_timeout = upstream_timeout
        if tls_context is not None:
            self.socket = tls_context.wrap_socket(self.socket, server_side=True)

    def handle_error(self, request, client_address):  # quiet: clients hang up on purpose
        exc = sys.exc_info()[1]
        if not isinstance(exc, (ConnectionError, ssl.SSLError, socket.timeout, OSError)):
            super().handle_error(request, client_address)


class ProxyHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "vbs-fault-proxy"

    def log_message(self, fmt, *args):  # the control port's GET /log is the log
        pass

    def _read_body(self):
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _hang_up(self):
        self.close_connection = True
        try:
            self.wfile.flush()
        except OSError:
            pass
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _forward(self, body):
        server = self.server
        if server.upstream_scheme == "https":
            conn = http.client.HTTPSConnection(server.upstream_host, server.upstream_port,
                                               timeout=server.upstream_timeout,
                                               context=ssl._create_unverified_context())
        else:
            conn = http.client.HTTPConnection(server.upstream_host, server.upstream_port,
                                              timeout=server.upstream_timeout)
        try:
            conn.putrequest(self.command, server.upstream_prefix + self.path,
                            skip_host=True, skip_accept_encoding=True)
            for key, value in self.headers.items():
                if key.lower() in HOP_BY_HOP or key.lower() in ("content-length",
                                                                "x-forwarded-proto"):
                    continue
                conn.putheader(key, value)
            if "host" not in (k.lower() for k in self.headers.keys()):
                conn.putheader("Host", "%s:%s" % (server.upstream_host, server.upstream_port))
            conn.putheader("X-Forwarded-Proto", "https" if server.tls else "http")
            conn.putheader("X-Forwarded-For", self.client_address[0])
            if body or self.command in ("POST", "PUT", "PATCH"):
                conn.putheader("Content-Length", str(len(body)))
            conn.putheader("Connection", "close")
            conn.endheaders(body or None)
            response = conn.getresponse()
            payload = response.read()
            return response.status, response.reason, response.getheaders(), payload
        finally:
            conn.close()

    def _late_forward(self, body, seconds, rule_id):
        """Forward this request ``seconds`` from now, in the background; log what came back.

        A gateway that answered (504, say) while the request reaches the service only later.
        """
        server = self.server
        snapshot = ProxyHandler.__new__(ProxyHandler)
        snapshot.server = server
        snapshot.command = self.command
        snapshot.path = self.path
        snapshot.headers = self.headers
        snapshot.client_address = self.client_address

        def later():
            time.sleep(seconds)
            late = {"time": time.time(), "listener": server.name, "method": self.command,
                    "path": self.path, "status": None, "fault": "late forward", "rule": rule_id}
            try:
                late["status"] = snapshot._forward(body)[0]
            except (OSError, http.client.HTTPException) as exc:
                late["fault"] = "late forward: upstream error: %s" % exc
            server.rules.record(late)

        threading.Thread(target=later, daemon=True).start()

    def _answer(self, status, reason, headers, payload, cut=False):
        self.send_response_only(status, reason)
        no_body = self.command == "HEAD" or status in (204, 304) or 100 <= status < 200
        for key, value in headers:
            lower = key.lower()
            if lower in HOP_BY_HOP or (lower == "content-length" and not no_body):
                continue
            self.send_header(key, value)
        if not no_body:
            self.send_header("Content-Length", str(len(payload)))
        if cut:
            self.send_header("Connection", "close")
        elif self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if no_body:
            return
        self.wfile.write(payload[:len(payload) // 2] if cut else payload)

    def _injected(self, rule):
        status = rule["status"]
        body = rule.get("body")
        if body is None:
            reason = http.client.responses.get(status, "Injected")
            body = {"error": {"code": status, "title": reason,
                              "message": "injected by the fault proxy"}}
        payload = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        headers = [("Content-Type", "application/json")]
        headers += [(str(k), str(v)) for k, v in (rule.get("headers") or {}).items()]
        self._answer(status, None, headers, payload)

    def _handle(self):
        started = time.monotonic()
        body = self._read_body()
        server = self.server
        entry = {"time": time.time(), "listener": server.name, "method": self.command,
                 "path": self.path, "status": None, "fault": None}
        rule = server.rules.match(server.name, self.command, self.path)
        action = rule["action"] if rule else "pass"
        try:
            if action == "delay":
                entry["fault"] = "delay %ss" % rule["seconds"]
                time.sleep(rule["seconds"])
                action = rule.get("then") or "pass"
            if action == "status":
                entry["fault"] = _join(entry["fault"], "status %d" % rule["status"])
                entry["status"] = rule["status"]
                self._injected(rule)
                return
            if action == "refuse":
                entry["fault"] = _join(entry["fault"], "refuse")
                self._hang_up()
                return
            if action == "late_forward":
                status = rule.get("status", 504)
                entry["fault"] = "status %d, forwarded %ss later" % (status, rule["seconds"])
                entry["status"] = status
                self._late_forward(body, rule["seconds"], rule["id"])
                self._injected(dict(rule, status=status))
                return
            try:
                status, reason, headers, payload = self._forward(body)
            except (OSError, http.client.HTTPException) as exc:
                entry["status"] = 502
                entry["fault"] = _join(entry["fault"], "upstream error: %s" % exc)
                message = {"error": {"code": 502, "title": "Bad Gateway",
                                     "message": "fault proxy: upstream error: %s" % exc}}
                self._answer(502, "Bad Gateway", [("Content-Type", "application/json")],
                             json.dumps(message).encode())
                return
            entry["status"] = status
            if action == "drop_after_forward":
                entry["fault"] = _join(entry["fault"], "drop_after_forward")
                self._hang_up()
                return
            if action == "cut_body":
                entry["fault"] = _join(entry["fault"], "cut_body")
                self._answer(status, reason, headers, payload, cut=True)
                self._hang_up()
                return
            if action == "slow_answer":
                entry["fault"] = "answer held %ss" % rule["seconds"]
                time.sleep(rule["seconds"])
            self._answer(status, reason, headers, payload)
        except OSError as exc:  # the client went away (for example after its own timeout)
            self.close_connection = True
            entry["client_error"] = str(exc)
        finally:
            if rule:
                entry["rule"] = rule["id"]
            entry["duration_ms"] = round((time.monotonic() - started) * 1000, 1)
            server.rules.record(entry)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _handle


def _join(first, second):
    return second if not first else "%s, %s" % (first, second)


class ControlHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "vbs-fault-proxy-control"

    def log_message(self, fmt, *args):
        pass

    def _reply(self, status, data):
        payload = (json.dumps(data, indent=1) + "\n").encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _route(self):
        parts = urlsplit(self.path)
        return parts.path.rstrip("/") or "/", parse_qs(parts.query)

    def do_GET(self):
        path, query = self._route()
        rules = self.server.rules
        if path == "/log":
            entries = rules.entries((query.get("listener") or [None])[0])
            self._reply(200, {"count": len(entries), "requests": entries})
        elif path == "/faults":
            self._reply(200, {"faults": rules.list()})
        elif path in ("/", "/health"):
            self._reply(200, {"status": "ok", "pid": os.getpid(),
                              "listeners": self.server.listeners})
        else:
            self._reply(404, {"error": "unknown path %s" % path})

    def do_POST(self):
        path, _query = self._route()
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if path != "/faults":
            self._reply(404, {"error": "unknown path %s" % path})
            return
        try:
            added = self.server.rules.add(json.loads(raw or b"null"))
        except ValueError as exc:  # json.JSONDecodeError and re.error are ValueErrors
            self._reply(400, {"error": str(exc)})
            return
        self._reply(201, {"added": added})

    def do_DELETE(self):
        path, _query = self._route()
        if path == "/faults":
            self._reply(200, {"deleted": self.server.rules.clear()})
        elif path == "/log":
            self._reply(200, {"deleted": self.server.rules.clear_log()})
        else:
            self._reply(404, {"error": "unknown path %s" % path})


class ControlServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def _address(text, what):
    host, sep, port = text.rpartition(":")
    host = host.strip("[]")
    if not sep or not port.isdigit():
        raise SystemExit("%s: expected HOST:PORT, got %r" % (what, text))
    if host == "localhost":
        host = "127.0.0.1"
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise SystemExit("%s: only loopback addresses may be bound, got %r" % (what, host))
    return host, int(port)


def _route(text, what):
    """[NAME@]HOST:PORT=UPSTREAM_URL -> (name, (host, port), upstream)."""
    name, _at, rest = text.rpartition("@")
    listen, sep, upstream = rest.partition("=")
    if not sep:
        raise SystemExit("%s: expected [NAME@]HOST:PORT=http://HOST:PORT, got %r" % (what, text))
    address = _address(listen, what)
    return name or None, address, upstream


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--route", action="append", default=[], metavar="[NAME@]HOST:PORT=URL",
                        help="a plain HTTP listener forwarding to URL (repeatable)")
    parser.add_argument("--tls-route", action="append", default=[],
                        metavar="[NAME@]HOST:PORT=URL",
                        help="an HTTPS listener (needs --tls-cert and --tls-key) forwarding to URL")
    parser.add_argument("--tls-cert", help="PEM certificate (chain) of the HTTPS listeners")
    parser.add_argument("--tls-key", help="PEM private key of the HTTPS listeners")
    parser.add_argument("--control", default="127.0.0.1:39000", metavar="HOST:PORT",
                        help="control API address (default 127.0.0.1:39000)")
    parser.add_argument("--faults", metavar="FILE", help="JSON rules to load at start")
    parser.add_argument("--upstream-timeout", type=float, default=600,
                        help="seconds to wait for an upstream answer (default 600)")
    parser.add_argument("--max-seconds", type=float, metavar="S",
                        help="stop by itself after S seconds (a watchdog for test runs)")
    parser.add_argument("--ready-file", metavar="FILE",
                        help="write {pid, control, listeners} as JSON here once listening")
    args = parser.parse_args(argv)
    if not args.route and not args.tls_route:
        parser.error("give at least one --route or --tls-route")
    if args.tls_route and not (args.tls_cert and args.tls_key):
        parser.error("--tls-route needs --tls-cert and --tls-key")

    rules = Rules()
    if args.faults:
        with open(args.faults) as handle:
            rules.add(json.load(handle))
    context = None
    if args.tls_route:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.tls_cert, args.tls_key)

    servers = []
    listeners = {}
    try:
        for specs, tls in ((args.route, None), (args.tls_route, context)):
            for spec in specs:
                name, address, upstream = _route(spec, "--tls-route" if tls else "--route")
                server = Listener(address, None, upstream, rules, tls, args.upstream_timeout)
                bound = "%s:%d" % server.server_address[:2]
                server.name = name or bound
                servers.append(server)
                listeners[server.name] = {"listen": ("https://" if tls else "http://") + bound,
                                          "upstream": upstream}
        control = ControlServer(_address(args.control, "--control"), ControlHandler)
    except OSError as exc:
        for server in servers:
            server.server_close()
        raise SystemExit("fault proxy: cannot listen: %s" % exc)
    control.rules = rules
    control.listeners = listeners
    servers.append(control)

    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    threads = [threading.Thread(target=s.serve_forever, kwargs={"poll_interval": 0.2},
                                daemon=True) for s in servers]
    for thread in threads:
        thread.start()
    info = {"pid": os.getpid(), "control": "http://%s:%d" % control.server_address[:2],
            "listeners": listeners}
    if args.ready_file:
        tmp = args.ready_file + ".tmp"
        with open(tmp, "w") as handle:
            json.dump(info, handle)
        os.replace(tmp, args.ready_file)
    print("fault proxy ready: %s" % json.dumps(info), flush=True)
    deadline = time.monotonic() + args.max_seconds if args.max_seconds else None
    while not stop.wait(0.5):
        if deadline and time.monotonic() > deadline:
            print("fault proxy: --max-seconds %s reached" % args.max_seconds, flush=True)
            break
    for server in servers:
        server.shutdown()
        server.server_close()
    print("fault proxy stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
