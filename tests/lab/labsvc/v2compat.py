"""Paste filter that makes the v3 router look like a v2 endpoint too.

Cinder dropped the v2 API; the lab maps /v2 to a copy of the v3 pipeline in
api-paste.ini. Clients that discover versions (keystoneauth/openstacksdk)
only accept v2 if the version list names it, so this filter
  * adds a v2.0 entry to the version list answered at GET /
  * answers GET /v2 and GET /v2/ with a v2 version document.
Everything else passes through untouched.
"""
import json

import webob
import webob.dec


def _v2_entry(host_url):
    return {
        'id': 'v2.0',
        'status': 'SUPPORTED',
        'version': '',
        'min_version': '',
        'updated': '2017-02-25T12:00:00Z',
        'links': [
            {'rel': 'describedby', 'type': 'text/html',
             'href': 'https://docs.openstack.org/'},
            {'rel': 'self', 'href': host_url.rstrip('/') + '/v2/'},
        ],
        'media-types': [
            {'base': 'application/json',
             'type': 'application/vnd.openstack.volume+json;version=2'},
        ],
    }


class V2Compat(object):
    def __init__(self, app):
        self.app = app

    @classmethod
    def factory(cls, global_conf, **local_conf):
        return cls

    @webob.dec.wsgify
    def __call__(self, req):
        path = req.path_info.rstrip('/')
        if req.method in ('GET', 'HEAD') and path == '/v2':
            return webob.Response(
                status=200, content_type='application/json',
                body=json.dumps({'version': _v2_entry(req.host_url)}).encode())
        resp = req.get_response(self.app)
        if (req.method == 'GET' and path == ''
                and resp.content_type == 'application/json'):
            try:
                doc = json.loads(resp.body)
            except ValueError:
                return resp
            versions = doc.get('versions')
            if isinstance(versions, list) and not any(
                    v.get('id') == 'v2.0' for v in versions):
                versions.insert(0, _v2_entry(req.host_url))
                resp.body = json.dumps(doc).encode()
        return resp
