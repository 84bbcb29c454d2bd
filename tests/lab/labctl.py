#!/usr/bin/env python
"""Small helper for tests against the local lab (run with the PROJECT's venv,
which has openstacksdk; not with the lab venv).

  labctl.py volume-create NAME [--size 1]      wait available, print id
  labctl.py snapshot-create VOLUME_ID NAME     wait available, print id
  labctl.py snapshot-list VOLUME_ID            print the volume's snapshots as JSON (id,
                                               name, status, metadata), all pages
  labctl.py volume-set-status VOLUME_ID STATUS admin os-reset_status; 'in-use'
                                               makes a real attachment (Cinder
                                               refuses in-use without one)
  labctl.py volume-delete VOLUME_ID            wait until gone
  labctl.py volume-path VOLUME_ID              print the volume's sparse file
  labctl.py volume-write VOLUME_ID TEXT        write TEXT into the volume file (at 300 MiB)
  labctl.py volume-read VOLUME_ID N            print N bytes of the volume file (at 300 MiB)
  labctl.py backup-ids [--volume-id ID]        print the project's backup ids, all pages
  labctl.py backups [--volume-id ID]           print the project's backups as JSON (id, name,
                                               volume_id, status), all pages
  labctl.py quota-raise N                      (admin) let the project have N volumes,
                                               snapshots and backups (Cinder's default: 10)
  labctl.py cleanup                            delete all backups, snapshots
                                               and volumes of the project

Cloud: --cloud (default $OS_CLOUD or 'lab'); admin calls use --admin-cloud
(default 'lab-admin'). clouds.yaml: $OS_CLIENT_CONFIG_FILE, else
$VBS_LAB_HOME/clouds.yaml (VBS_LAB_HOME defaults to <repo>/.cache/lab).
"""
import argparse
import json
import os
import sys
import time

LAB_HOME = os.environ.get('VBS_LAB_HOME') or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), '..', '..', '.cache', 'lab')
LAB_HOME = os.path.abspath(LAB_HOME)
os.environ.setdefault('OS_CLIENT_CONFIG_FILE',
                      os.path.join(LAB_HOME, 'clouds.yaml'))

import openstack  # noqa: E402
from openstack import exceptions  # noqa: E402

TIMEOUT = int(os.environ.get('VBS_LAB_WAIT', '300'))


def wait_available(proxy, res):
    return proxy.wait_for_status(res, 'available', failures=['error'],
                                 interval=1, wait=TIMEOUT)


def wait_gone(proxy, res):
    proxy.wait_for_delete(res, interval=1, wait=TIMEOUT)


def reset_status(admin, kind, rid, status):
    """os-reset_status on volumes/snapshots/backups (admin only)."""
    resp = admin.block_storage.post('/%s/%s/action' % (kind, rid),
                                    json={'os-reset_status': {'status': status}})
    exceptions.raise_from_response(resp)


TRANSIENT = ('creating', 'restoring', 'restoring-backup', 'deleting',
             'backing-up', 'downloading', 'uploading', 'extending',
             'attaching', 'detaching', 'reserved')


def settle(proxy, res, want=None):
    """Poll while res is in a transient state (or until it reaches `want`);
    return the fresh resource, or None once it is gone."""
    end = time.time() + min(TIMEOUT, 60)
    while True:
        try:
            res = res.fetch(proxy)
        except exceptions.NotFoundException:
            return None
        done = res.status == want if want else res.status not in TRANSIENT
        if done or time.time() > end:
            return res
        time.sleep(1)


CONNECTOR = {'platform': 'x86_64', 'os_type': 'linux', 'ip': '127.0.0.1',
             'host': 'lab', 'initiator': 'iqn.2024-01.lab:host',
             'multipath': False}


def attach(bs, volume_id):
    """Attach the volume to this host (attachments API) so it is 'in-use'.
    No instance_uuid: Cinder then lets a user delete the attachment without
    asking Nova (which the lab does not have)."""
    resp = bs.post('/attachments', microversion='3.54', json={'attachment': {
        'volume_uuid': volume_id, 'connector': CONNECTOR, 'mode': 'rw'}})
    exceptions.raise_from_response(resp)
    aid = resp.json()['attachment']['id']
    resp = bs.post('/attachments/%s/action' % aid, microversion='3.44',
                   json={'os-complete': None})
    exceptions.raise_from_response(resp)


def detach_all(bs, volume_id):
    for att in bs.get_volume(volume_id).attachments or []:
        resp = bs.delete('/attachments/%s' % att['attachment_id'],
                         microversion='3.27')
        exceptions.raise_from_response(resp)


def set_status(conn, admin, volume_id, status):
    bs = conn.block_storage
    detach_all(bs, volume_id)
    vol = settle(bs, bs.get_volume(volume_id))
    if status == 'in-use':
        if vol.status != 'available':
            reset_status(admin, 'volumes', volume_id, 'available')
        attach(bs, volume_id)
    elif vol.status != status:
        reset_status(admin, 'volumes', volume_id, status)


def volume_path(volume_id):
    return os.path.join(LAB_HOME, 'state', 'cinder', 'volumes',
                        'volume-%s' % volume_id)


def cleanup(conn, admin):
    """Delete every backup, then snapshot, then volume of the project. Waits
    for running operations to end; resets odd states to 'error' (admin)."""
    bs = conn.block_storage
    for kind, lister, deleter in (
            ('backups', bs.backups, bs.delete_backup),
            ('snapshots', bs.snapshots, bs.delete_snapshot),
            ('volumes', bs.volumes, bs.delete_volume)):
        items = list(lister(details=True))
        for item in items:
            item = settle(bs, item)
            if item is None:
                continue
            if kind == 'volumes' and item.attachments:
                detach_all(bs, item.id)
                item = settle(bs, item)
            if item.status not in ('available', 'error'):
                reset_status(admin, kind, item.id, 'error')
                item = settle(bs, item, want='error')  # backups reset async
            deleter(item, ignore_missing=True)
        for item in items:
            wait_gone(bs, item)
        print('deleted %d %s' % (len(items), kind))


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--cloud', default=os.environ.get('OS_CLOUD') or 'lab')
    p.add_argument('--admin-cloud', default='lab-admin')
    sub = p.add_subparsers(dest='cmd', required=True)
    c = sub.add_parser('volume-create')
    c.add_argument('name')
    c.add_argument('--size', type=int, default=1)
    c = sub.add_parser('snapshot-create')
    c.add_argument('volume_id')
    c.add_argument('name')
    sub.add_parser('snapshot-list').add_argument('volume_id')
    c = sub.add_parser('volume-set-status')
    c.add_argument('volume_id')
    c.add_argument('status')
    sub.add_parser('volume-delete').add_argument('volume_id')
    sub.add_parser('volume-path').add_argument('volume_id')
    sub.add_parser('cleanup')
    sub.add_parser('backup-ids').add_argument('--volume-id')
    sub.add_parser('backups').add_argument('--volume-id')
    sub.add_parser('quota-raise').add_argument('count', type=int)
    for name in ('volume-write', 'volume-read'):
        c = sub.add_parser(name)
        c.add_argument('volume_id')
        c.add_argument('data', help='text to write, or number of bytes to read')
        c.add_argument('--offset', type=int, default=300 * 2 ** 20)
    args = p.parse_args()

    if args.cmd in ('volume-write', 'volume-read'):
        with open(volume_path(args.volume_id), 'r+b') as disk:
            disk.seek(args.offset)
            if args.cmd == 'volume-write':
                disk.write(args.data.encode())
            else:
                print(disk.read(int(args.data)).decode(errors='replace'))
        return

    if args.cmd == 'volume-path':
        path = volume_path(args.volume_id)
        if not os.path.exists(path):
            sys.exit('no volume file %s' % path)
        print(path)
        return

    conn = openstack.connect(cloud=args.cloud)
    bs = conn.block_storage
    if args.cmd == 'volume-create':
        vol = wait_available(bs, bs.create_volume(name=args.name, size=args.size))
        print(vol.id)
    elif args.cmd == 'snapshot-create':
        snap = wait_available(bs, bs.create_snapshot(
            volume_id=args.volume_id, name=args.name))
        print(snap.id)
    elif args.cmd == 'snapshot-list':
        print(json.dumps([
            {'id': s.id, 'name': s.name, 'status': s.status,
             'metadata': dict(s.metadata or {})}
            for s in bs.snapshots(details=True, volume_id=args.volume_id)
            if s.volume_id == args.volume_id]))
    elif args.cmd == 'volume-set-status':
        set_status(conn, openstack.connect(cloud=args.admin_cloud),
                   args.volume_id, args.status)
    elif args.cmd == 'volume-delete':
        vol = bs.get_volume(args.volume_id)
        bs.delete_volume(vol)
        wait_gone(bs, vol)
    elif args.cmd == 'backup-ids':
        query = {'volume_id': args.volume_id} if args.volume_id else {}
        for backup_id in sorted(b.id for b in bs.backups(details=False, **query)):
            print(backup_id)
    elif args.cmd == 'backups':
        query = {'volume_id': args.volume_id} if args.volume_id else {}
        print(json.dumps(sorted(({'id': b.id, 'name': b.name, 'volume_id': b.volume_id,
                                  'status': b.status} for b in bs.backups(details=True, **query)),
                                key=lambda b: b['id'])))
    elif args.cmd == 'quota-raise':
        quota = dict((key, args.count) for key in ('volumes', 'snapshots', 'backups'))
        admin = openstack.connect(cloud=args.admin_cloud)
        admin.block_storage.put('/os-quota-sets/%s' % conn.current_project_id,
                                json={'quota_set': quota}).raise_for_status()
    elif args.cmd == 'cleanup':
        cleanup(conn, openstack.connect(cloud=args.admin_cloud))


if __name__ == '__main__':
    main()
