"""WSGI entry point for Keystone under gunicorn.

Trap: oslo.config parses sys.argv, which under gunicorn holds gunicorn's own
options (--bind ...): the worker then crash-loops with "unrecognized
arguments". Reset argv and point Keystone at the lab config dir first.
"""
import os
import sys

sys.argv = sys.argv[:1]
if not os.environ.get('OS_KEYSTONE_CONFIG_DIR'):
    raise SystemExit('OS_KEYSTONE_CONFIG_DIR must name the lab keystone config dir')

from keystone.server import wsgi  # noqa: E402

application = wsgi.initialize_public_application()
