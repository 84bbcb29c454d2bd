#!/usr/bin/env python
"""Create or delete a Keystone application credential of the lab's demo user (project venv).

    app_credential.py create NAME SECRET   -> prints the credential's id
    app_credential.py delete NAME
Cloud: $OS_CLOUD or 'lab' of $OS_CLIENT_CONFIG_FILE.
"""
import os
import sys

import openstack


def main(action, name, secret=None):
    conn = openstack.connect(cloud=os.environ.get("OS_CLOUD") or "lab")
    user = conn.current_user_id
    for old in conn.identity.application_credentials(user=user, name=name):
        conn.identity.delete_application_credential(user, old)
    if action == "create":
        cred = conn.identity.create_application_credential(user=user, name=name, secret=secret)
        print(cred.id)


if __name__ == "__main__":
    main(*sys.argv[1:])
