#!/usr/bin/env python
"""End-to-end check of a running lab through the native v2 backup API.

Run with a python that has openstacksdk (the project venv), after tests/lab/start:
  volume + marker (dd) -> snapshot -> POST /v2/{project}/backups (202) -> available
  -> GET /backups/detail?name= (200) -> restore onto a 2nd volume -> marker found
  -> DELETE backup (202) -> gone. Cleans up what it made. Exit 0 on success.
"""
import os
import subprocess
import sys
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import labctl  # noqa: E402  (sets OS_CLIENT_CONFIG_FILE default)
import openstack  # noqa: E402

OFFSET = 300 * 1024 * 1024


STARTED = time.time()


def step(msg):
    print('[%6.1fs] %s' % (time.time() - STARTED, msg), flush=True)


def poll(sess, url, key, want, timeout=300):
    end = time.time() + timeout
    while time.time() < end:
        r = sess.get(url, raise_exc=False)
        if want is None and r.status_code == 404:
            return None
        body = r.json().get(key, {}) if r.status_code == 200 else {}
        if want is not None and body.get('status') == want:
            return body
        if body.get('status', '').startswith('error'):
            raise SystemExit('%s went %s: %s' % (url, body['status'], body))
        time.sleep(1)
    raise SystemExit('timeout waiting for %s -> %s' % (url, want))


def main():
    conn = openstack.connect(cloud=os.environ.get('OS_CLOUD', 'lab'))
    bs, sess = conn.block_storage, conn.session
    v2 = sess.get_endpoint(service_type='volumev2', interface='public')
    project = conn.current_project_id
    assert v2.rstrip('/').endswith('/v2/' + project), v2
    step('volumev2 endpoint from catalog: %s' % v2)
    disc = sess.get_endpoint(service_type='volumev2', interface='public',
                             min_version='2', max_version='2.latest')
    step('volumev2 endpoint through version discovery: %s' % disc)

    marker = ('vbs-lab-marker-%s' % uuid.uuid4()).encode()
    made = []
    try:
        vol = labctl.wait_available(bs, bs.create_volume(name='selfcheck-src', size=1))
        made.append(vol)
        path = labctl.volume_path(vol.id)
        subprocess.run(['dd', 'of=' + path, 'bs=1M', 'seek=%d' % (OFFSET >> 20),
                        'conv=notrunc', 'status=none'], input=marker, check=True)
        step('volume %s, marker written at %d MiB' % (vol.id, OFFSET >> 20))
        snap = labctl.wait_available(bs, bs.create_snapshot(volume_id=vol.id,
                                                            name='selfcheck-snap'))
        made.insert(0, snap)
        step('snapshot %s available' % snap.id)

        r = sess.post(v2 + '/backups', json={'backup': {
            'volume_id': vol.id, 'snapshot_id': snap.id, 'name': 'b1'}},
            raise_exc=False)
        assert r.status_code == 202, (r.status_code, r.text)
        bid = r.json()['backup']['id']
        step('POST /v2/%s/backups -> 202, backup %s' % (project, bid))
        b = poll(sess, '%s/backups/%s' % (v2, bid), 'backup', 'available')
        step('backup available (size %s GiB, object_count %s)' % (
            b['size'], b.get('object_count')))

        r = sess.get(v2 + '/backups/detail?name=b1', raise_exc=False)
        assert r.status_code == 200, (r.status_code, r.text)
        assert [x['id'] for x in r.json()['backups']] == [bid], r.text
        step('GET /backups/detail?name=b1 -> 200, 1 match')

        dst = labctl.wait_available(bs, bs.create_volume(name='selfcheck-dst', size=1))
        made.append(dst)
        r = sess.post('%s/backups/%s/restore' % (v2, bid),
                      json={'restore': {'volume_id': dst.id}}, raise_exc=False)
        assert r.status_code == 202, (r.status_code, r.text)
        step('restore -> 202 %s' % r.json())
        poll(sess, '%s/volumes/%s' % (v2, dst.id), 'volume', 'available')
        poll(sess, '%s/backups/%s' % (v2, bid), 'backup', 'available')
        dpath = labctl.volume_path(dst.id)
        with open(dpath, 'rb') as f:
            f.seek(OFFSET)
            got = f.read(len(marker))
        assert got == marker, got
        assert os.path.getsize(dpath) == 1024 ** 3, os.path.getsize(dpath)
        step('restored volume %s holds the marker; file size 1 GiB' % dst.id)

        r = sess.delete('%s/backups/%s' % (v2, bid), raise_exc=False)
        assert r.status_code == 202, (r.status_code, r.text)
        poll(sess, '%s/backups/%s' % (v2, bid), 'backup', None)
        step('DELETE backup -> 202, then 404')
    finally:
        for res in made:
            (bs.delete_snapshot if res.__class__.__name__ == 'Snapshot'
             else bs.delete_volume)(res, ignore_missing=True)
            labctl.wait_gone(bs, res)
        step('cleaned up')
    print('selfcheck: 1 passed, 0 failed')


if __name__ == '__main__':
    main()
