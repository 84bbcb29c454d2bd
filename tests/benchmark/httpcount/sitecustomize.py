"""Counts the HTTP requests of every Python process started with this directory on PYTHONPATH.

Used by tests/benchmark only. When ``BENCH_HTTP_LOG`` names a file, each request sent through
``requests`` (which keystoneauth, and so openstacksdk and both modules measured, use) appends
one line ``<pid> <method> <url> <status> <seconds>`` to it. ``requests.adapters`` is patched
when something imports it, so processes that never do (ansible-playbook, ping) pay nothing.
The token request is counted too: keystoneauth keeps it out of its debug log, not off the wire.
"""

import importlib.abc
import importlib.machinery
import os
import sys
import time

_LOG = os.environ.get("BENCH_HTTP_LOG")
_TARGET = "requests.adapters"


def _patch(module):
    send = module.HTTPAdapter.send

    def counted_send(self, request, *args, **kwargs):
        started = time.monotonic()
        status = "-"
        try:
            response = send(self, request, *args, **kwargs)
            status = response.status_code
            return response
        finally:
            line = "%d %s %s %s %.4f\n" % (os.getpid(), request.method, request.url, status,
                                           time.monotonic() - started)
            with open(_LOG, "a") as log:
                log.write(line)

    module.HTTPAdapter.send = counted_send


class _Loader(importlib.abc.Loader):
    def __init__(self, inner):
        self.inner = inner

    def create_module(self, spec):
        return self.inner.create_module(spec)

    def exec_module(self, module):
        self.inner.exec_module(module)
        _patch(module)


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name != _TARGET:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is not None and spec.loader is not None:
            spec.loader = _Loader(spec.loader)
        return spec


if _LOG:
    sys.meta_path.insert(0, _Finder())
