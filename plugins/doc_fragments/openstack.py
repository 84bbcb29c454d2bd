# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vbs.cloud developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # The connection options: openstack.cloud's names and meaning, plus where the VBS API is.
    DOCUMENTATION = r"""
options:
  cloud:
    description:
      - Named cloud from a C(clouds.yaml) file, or a dict with a whole cloud configuration as it
        would stand in that file.
      - Not needed when C(OS_CLOUD), the C(OS_*) variables, a C(clouds.yaml) with a single cloud
        (such as the one an AWX OpenStack credential writes and names in
        C(OS_CLIENT_CONFIG_FILE)) or O(auth) provide the credentials.
      - Secrets inside a dict (passwords, tokens, application credential secrets) are masked
        in the output.
    type: raw
  auth:
    description:
      - Authentication values for the auth plugin, for the default C(password) plugin
        C(auth_url), C(username), C(password), C(project_name) and the domain names.
      - Not needed when O(cloud), C(OS_CLOUD) or the C(OS_*) variables are set.
    type: dict
  auth_type:
    description:
      - Name of the keystoneauth plugin, for example C(password), C(token),
        C(v3applicationcredential).
    type: str
  region_name:
    description:
      - Name of the region whose VBS endpoint to use.
    type: str
  validate_certs:
    description:
      - Whether to verify the TLS certificates of the API endpoints.
      - When not set, the C(verify) of the cloud configuration applies, which is V(true) unless
        changed there.
    type: bool
    aliases: [verify]
  ca_cert:
    description:
      - Path to a CA bundle used to verify the TLS certificates of the endpoints.
    type: str
    aliases: [cacert]
  client_cert:
    description:
      - Path to a client certificate for TLS client authentication.
    type: str
    aliases: [cert]
  client_key:
    description:
      - Path to the key of O(client_cert).
    type: str
    aliases: [key]
  api_timeout:
    description:
      - Seconds to wait for one HTTP answer, more than 0. Unset means no limit from this module.
    type: int
  interface:
    description:
      - Which endpoint of the service catalog to use.
    type: str
    choices: [admin, internal, public]
    default: public
    aliases: [endpoint_type]
  sdk_log_path:
    description:
      - Path of a file that openstacksdk and keystoneauth write their log to. Unset means no log.
    type: str
  sdk_log_level:
    description:
      - Level of the log written to O(sdk_log_path); C(DEBUG) includes the HTTP requests.
    type: str
    choices: [INFO, DEBUG]
    default: INFO
  service_type:
    description:
      - Service catalog type under which the VBS native API is found.
      - V(auto) takes the first the catalog lists for the region and interface, in this order
        C(vbsv2) (the VBS host of Huawei Cloud and Open Telekom Cloud), C(vbs) (the project is
        added when its URL lacks it), C(volumev2), then C(volumev3) and C(block-storage) (the
        same calls under C(/v3)). A catalog with none of them fails, naming the region and
        the types looked for.
      - Any other value is the exact catalog type to use (no aliases), for example C(volumev2).
      - Volume and snapshot calls always go to the block-storage endpoint (C(volumev2), else
        C(volumev3) or C(block-storage)), never to a VBS host, which serves only backups. The
        result's RV(endpoints) says which roots the task used.
    type: str
    default: auto
  endpoint_override:
    description:
      - URL of the VBS API, used instead of looking it up in the service catalog, for example
        C(https://vbs.eu-de.otc.t-systems.com/v2). V(%(project_id\)s), C($(project_id\)s),
        C({project_id}), V(%(tenant_id\)s) or C($(tenant_id\)s) in it is replaced by the
        project ID; without any, the project ID is added at the end.
      - When it is a VBS host (the catalog's C(vbsv2) or C(vbs) endpoint, or a host named
        C(vbs.*)), volume and snapshot calls still go to the catalog's block-storage endpoint.
        Any other URL (a Cinder, EVS, or a proxy in front of one) serves them too.
    type: str
  project_id:
    description:
      - ID of the project whose backups are handled, used in the request URL
        C(/v2/{project_id}/...).
      - Defaults to the project of the token.
    type: str
requirements:
  - python >= 3.11 (tested with 3.11, 3.12 and 3.13)
  - openstacksdk >= 1.0.0
notes:
  - Credentials are read by openstacksdk, from O(cloud) and O(auth), C(OS_CLOUD), the C(OS_*)
    environment variables and C(clouds.yaml) in the current directory, C(~/.config/openstack/),
    C(/etc/openstack/) or the file named by C(OS_CLIENT_CONFIG_FILE).
  - The options have the names and meaning of the common options of the C(openstack.cloud)
    collection, so the same C(module_defaults) and credentials work for both.
  - Requests carry a Keystone token (C(X-Auth-Token)) that openstacksdk gets with any of its auth
    plugins. AK/SK request signing (access key and secret key), which Huawei Cloud and Open
    Telekom Cloud also offer, is not supported.
  - On Open Telekom Cloud, VBS is offered only in the region C(eu-de).
"""
