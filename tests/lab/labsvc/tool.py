"""Lab helper commands used by tests/lab/start (run with the lab venv python).

  identity-setup  create projects, users, roles, services and endpoints (regions RegionOne
                  and PUBLIC_REGION, the "public cloud" shape)
  ready           wait until identity, volume API, cinder services and the VBS filter are up
  sqlite-copy     consistent copy of a sqlite database (online backup API)
  paste-ini       write Cinder's api-paste.ini with /v2 mapped to the v3 pipeline
"""
import argparse
import json
import os
import sqlite3
import sys
import time
import urllib.error
import urllib.request

KS = 'http://127.0.0.1:%s' % os.environ.get('VBS_LAB_KEYSTONE_PORT', '25000')
CINDER = 'http://127.0.0.1:%s' % os.environ.get('VBS_LAB_CINDER_PORT', '28776')
# the "VBS host" of the public shape: labsvc/vbsfilter.py, serving only /v2/<project>/backups...
VBS = 'http://127.0.0.1:%s' % os.environ.get(
    'VBS_LAB_VBS_PORT', int(os.environ.get('VBS_LAB_CINDER_PORT', '28776')) + 1000)
PUBLIC_REGION = 'eu-de'
PASSWORDS = {
    'admin': os.environ.get('VBS_LAB_ADMIN_PASSWORD', 'admin-pass'),
    'cinder': os.environ.get('VBS_LAB_CINDER_PASSWORD', 'cinder-pass'),
    'demo': os.environ.get('VBS_LAB_DEMO_PASSWORD', 'demo-pass'),
    'other': os.environ.get('VBS_LAB_OTHER_PASSWORD', 'other-pass'),
}


def http(method, url, body=None, token=None, timeout=10):
    """Return (status, headers, parsed-json-or-None); never raises on HTTP errors."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header('Accept', 'application/json')
    if data is not None:
        req.add_header('Content-Type', 'application/json')
    if token:
        req.add_header('X-Auth-Token', token)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            status, headers, raw = resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as err:
        status, headers, raw = err.code, err.headers, err.read()
    try:
        doc = json.loads(raw) if raw else None
    except ValueError:
        doc = None
    return status, headers, doc


def get_token(user='admin', project='admin'):
    body = {'auth': {
        'identity': {'methods': ['password'], 'password': {'user': {
            'name': user, 'domain': {'id': 'default'},
            'password': PASSWORDS[user]}}},
        'scope': {'project': {'name': project, 'domain': {'id': 'default'}}}}}
    status, headers, doc = http('POST', KS + '/v3/auth/tokens', body)
    if status != 201:
        raise RuntimeError('token for %s failed: %s %s' % (user, status, doc))
    return headers['X-Subject-Token'], doc['token']['project']['id']


class Identity(object):
    def __init__(self, token):
        self.token = token

    def _find(self, kind, name, **query):
        q = '&'.join(['name=%s' % name] + ['%s=%s' % kv for kv in query.items()])
        status, _headers, doc = http('GET', '%s/v3/%s?%s' % (KS, kind, q), token=self.token)
        assert status == 200, (kind, status, doc)
        return doc[kind][0] if doc[kind] else None

    def ensure(self, kind, name, attrs=None, **query):
        found = self._find(kind, name, **query)
        if found:
            return found['id']
        one = kind[:-1]
        body = {one: dict({'name': name}, **(attrs or {}))}
        status, _headers, doc = http('POST', '%s/v3/%s' % (KS, kind), body, self.token)
        assert status == 201, (kind, name, status, doc)
        return doc[one]['id']

    def grant(self, project_id, user_id, role_id):
        status, _headers, doc = http('PUT', '%s/v3/projects/%s/users/%s/roles/%s' % (
            KS, project_id, user_id, role_id), token=self.token)
        assert status in (200, 204), ('grant', status, doc)

    def region(self, region_id):
        status, _headers, doc = http('GET', '%s/v3/regions/%s' % (KS, region_id),
                                     token=self.token)
        if status == 200:
            return
        status, _headers, doc = http('POST', KS + '/v3/regions', {'region': {
            'id': region_id, 'description': 'lab: looks like a public cloud'}}, self.token)
        assert status == 201, ('region', region_id, status, doc)

    def endpoints(self, service_type, url, region='RegionOne'):
        status, _headers, doc = http('GET', '%s/v3/services?type=%s' % (KS, service_type),
                                     token=self.token)
        if doc['services']:
            sid = doc['services'][0]['id']
        else:
            status, _headers, doc = http('POST', KS + '/v3/services', {'service': {
                'name': service_type, 'type': service_type, 'enabled': True}},
                self.token)
            assert status == 201, ('service', service_type, status, doc)
            sid = doc['service']['id']
        status, _headers, doc = http('GET', '%s/v3/endpoints?service_id=%s' % (KS, sid),
                                     token=self.token)
        have = {e['interface'] for e in doc['endpoints'] if e['region_id'] == region}
        for iface in ('public', 'internal', 'admin'):
            if iface not in have:
                status, _headers, doc = http('POST', KS + '/v3/endpoints', {'endpoint': {
                    'service_id': sid, 'interface': iface, 'url': url,
                    'region_id': region, 'enabled': True}}, self.token)
                assert status == 201, ('endpoint', service_type, status, doc)


def identity_setup(_args):
    idn = Identity(get_token()[0])
    roles = {r: idn.ensure('roles', r) for r in
             ('admin', 'member', 'reader', 'service')}
    dom = {'domain_id': 'default'}
    users = {}
    for project, user in (('service', 'cinder'), ('demo', 'demo'),
                          ('other', 'other')):
        pid = idn.ensure('projects', project, dict(dom, description='lab'),
                         domain_id='default')
        uid = idn.ensure('users', user, dict(dom, password=PASSWORDS[user],
                                             default_project_id=pid),
                         domain_id='default')
        users[user] = (pid, uid)
    pid, uid = users['cinder']
    idn.grant(pid, uid, roles['admin'])
    idn.grant(pid, uid, roles['service'])
    for user in ('demo', 'other'):
        pid, uid = users[user]
        idn.grant(pid, uid, roles['member'])  # member implies reader
        idn.grant(pid, uid, roles['reader'])
    v3 = CINDER + '/v3/%(project_id)s'
    idn.endpoints('volumev3', v3)
    idn.endpoints('block-storage', v3)
    idn.endpoints('volumev2', CINDER + '/v2/%(project_id)s')
    # The public shape, as OTC's eu-de catalog: the native backup API on a host of its own
    # (vbsv2 with the project, vbs without), block storage on Cinder itself.
    idn.region(PUBLIC_REGION)
    idn.endpoints('identity', KS + '/v3/', PUBLIC_REGION)
    idn.endpoints('vbsv2', VBS + '/v2/%(project_id)s', PUBLIC_REGION)
    idn.endpoints('vbs', VBS + '/v2/', PUBLIC_REGION)
    idn.endpoints('volumev3', v3, PUBLIC_REGION)
    idn.endpoints('block-storage', v3, PUBLIC_REGION)
    idn.endpoints('volumev2', CINDER + '/v2/%(project_id)s', PUBLIC_REGION)
    print('identity: projects service/demo/other, users cinder/demo/other, '
          'catalog RegionOne: volumev3, block-storage, volumev2; '
          '%s: vbsv2, vbs, volumev3, block-storage, volumev2' % PUBLIC_REGION)


def check_once(verbose=False):
    """Return None when healthy, else a string saying what is missing."""
    try:
        status, _headers, _doc = http('GET', KS + '/v3', timeout=3)
        if status != 200:
            return 'identity /v3 answers %s' % status
        status, _headers, _doc = http('GET', CINDER + '/', timeout=3)
        if status != 300:
            return 'volume root answers %s' % status
        token, project_id = get_token()
        status, _headers, doc = http('GET', '%s/v3/%s/os-services' % (CINDER, project_id),
                                     token=token, timeout=5)
        if status != 200:
            return 'os-services answers %s %s' % (status, doc)
        status, _headers, _doc = http('GET', '%s/v2/%s/backups' % (VBS, project_id),
                                      token=token, timeout=5)
        if status != 200:
            return 'the VBS filter (%s) answers %s for /v2/<project>/backups' % (VBS, status)
        status, _headers, _doc = http('GET', '%s/v2/%s/volumes' % (VBS, project_id),
                                      token=token, timeout=5)
        if status != 404:
            return 'the VBS filter (%s) answers %s for /v2/<project>/volumes' % (VBS, status)
    except (OSError, RuntimeError) as err:
        return str(err)
    state = {s['binary']: s['state'] for s in doc['services']}
    need = ('cinder-scheduler', 'cinder-volume', 'cinder-backup')
    if verbose:
        print('services: %s' % state)
    missing = [b for b in need if state.get(b) != 'up']
    return 'not up: %s (%s)' % (', '.join(missing), state) if missing else None


def _dead(pids):
    dead = []
    for pid in pids:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            dead.append(pid)
    return dead


def ready(args):
    deadline = time.time() + args.timeout
    last = None
    while True:
        if _dead(args.pid):
            print('NOT READY: process %s exited' % _dead(args.pid), flush=True)
            return 1
        problem = check_once()
        if problem is None:
            if not args.quiet:
                check_once(verbose=True)
            return 0
        if problem != last and not args.quiet:
            print('waiting: %s' % problem, flush=True)
            last = problem
        if args.once or time.time() > deadline:
            if not args.quiet:
                print('NOT READY: %s' % problem, flush=True)
            return 1
        time.sleep(0.5)


def sqlite_copy(args):
    src = sqlite3.connect(args.src)
    dst = sqlite3.connect(args.dst)
    with dst:
        src.backup(dst)
    dst.close()
    src.close()
    return 0


PASTE_HEAD = """[pipeline:osapi_volume]
# lab: v2compat adds v2.0 to the version list and answers GET /v2/
pipeline = v2compat osapi_volume_map

[filter:v2compat]
paste.filter_factory = labsvc.v2compat:V2Compat.factory

[composite:osapi_volume_map]
# lab: plain urlmap (cinder.api:root_app_factory would delete /v2)
use = call:paste.urlmap:urlmap_factory
/v2: openstack_volume_api_v2
"""


def paste_ini(args):
    """Stock api-paste.ini, with the osapi_volume composite replaced by a
    pipeline (v2compat + plain urlmap that also maps /v2) and a copy of the
    v3 pipeline named openstack_volume_api_v2."""
    text = open(args.src).read()
    sections, cur = [], None
    for line in text.splitlines():
        if line.startswith('['):
            cur = [line]
            sections.append(cur)
        elif cur is not None:
            cur.append(line)
    out = ['# generated by tests/lab/start from %s' % args.src]
    v3 = None
    for sec in sections:
        if sec[0] == '[composite:osapi_volume]':
            out.append(PASTE_HEAD.rstrip())
            out.extend(l for l in sec[1:] if not l.startswith('use ='))
            continue
        if sec[0] == '[composite:openstack_volume_api_v3]':
            v3 = sec
        out.extend(sec)
    if v3 is None:
        raise SystemExit('no [composite:openstack_volume_api_v3] in %s' % args.src)
    out.extend(['', '[composite:openstack_volume_api_v2]'])
    out.extend(v3[1:])
    with open(args.dst, 'w') as f:
        f.write('\n'.join(out) + '\n')
    return 0


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest='cmd', required=True)
    sub.add_parser('identity-setup')
    r = sub.add_parser('ready')
    r.add_argument('--timeout', type=float, default=90)
    r.add_argument('--once', action='store_true')
    r.add_argument('--quiet', action='store_true')
    r.add_argument('--pid', type=int, action='append', default=[],
                   help='give up as soon as this process is gone')
    c = sub.add_parser('sqlite-copy')
    c.add_argument('src')
    c.add_argument('dst')
    pi = sub.add_parser('paste-ini')
    pi.add_argument('src')
    pi.add_argument('dst')
    args = p.parse_args()
    return {'identity-setup': identity_setup, 'ready': ready,
            'sqlite-copy': sqlite_copy, 'paste-ini': paste_ini}[args.cmd](args) or 0


if __name__ == '__main__':
    sys.exit(main())
