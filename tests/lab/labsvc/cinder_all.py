"""Run cinder-api, -scheduler, -volume and -backup in ONE Python process.

One process lets `transport_url = fake://` carry RPC between the services
(the fake driver is in-memory). Usage: python -m labsvc.cinder_all --config-file F
"""
from cinder import monkey_patch  # noqa: I100 (eventlet must patch before anything else)
monkey_patch.patch()

import logging as python_logging  # noqa: E402
import sys  # noqa: E402

import os_brick  # noqa: E402
from oslo_config import cfg  # noqa: E402
from oslo_log import log as logging  # noqa: E402
from oslo_privsep import priv_context  # noqa: E402
from oslo_service import service as oslo_service  # noqa: E402

from cinder.cmd import backup as _backup_cmd  # noqa: E402,F401 (registers backup_* opts)
from cinder.common import config  # noqa: E402
from cinder.common import constants  # noqa: E402
from cinder import coordination  # noqa: E402
from cinder import i18n  # noqa: E402
i18n.enable_lazy()
from cinder import objects  # noqa: E402
from cinder import rpc  # noqa: E402
from cinder import service  # noqa: E402
from cinder import utils  # noqa: E402
from cinder import version  # noqa: E402

CONF = cfg.CONF
BACKEND = 'lab'


def _fix_service_id():
    """Trap: Service.service_id is a class attribute (one service per
    process is assumed). With several services in one process every
    heartbeat would update the same row and the others go 'down'. Set it to
    the instance's own id before each report."""
    orig = service.Service.report_state

    def report_state(self):
        service.Service.service_id = self.origin_service_id
        return orig(self)

    service.Service.report_state = report_state


def main():
    objects.register_all()
    CONF(sys.argv[1:], project='cinder', version=version.version_string())
    config.set_middleware_defaults()
    logging.setup(CONF, 'cinder')
    python_logging.captureWarnings(True)
    log = logging.getLogger('labsvc.cinder_all')

    # Trap: privsep and os-brick use sudo unless told otherwise. As root,
    # 'env' is a root helper that just runs the command (an empty list is
    # ignored); the venv bin dir must be on PATH for privsep-helper.
    utils.get_root_helper = lambda: 'env'
    priv_context.init(root_helper=['env'])
    os_brick.setup(CONF)

    coordination.COORDINATOR.start()
    rpc.init(CONF)
    _fix_service_id()

    launcher = oslo_service.ServiceLauncher(CONF, restart_method='mutate')
    launcher.launch_service(service.Service.create(binary='cinder-scheduler'))
    launcher.launch_service(service.Service.create(
        host='%s@%s' % (CONF.host, BACKEND), service_name=BACKEND,
        binary=constants.VOLUME_BINARY, coordination=True))
    semaphore = utils.semaphore_factory(CONF.backup_max_operations, 1)
    launcher.launch_service(service.Service.create(
        binary='cinder-backup', coordination=True, service_name='backup',
        process_number=1, semaphore=semaphore))
    launcher.launch_service(service.WSGIService('osapi_volume'))
    log.info('lab: cinder api, scheduler, volume and backup launched')
    launcher.wait()
    rpc.cleanup()


if __name__ == '__main__':
    main()
