"""A Cinder volume driver that needs no devices: every volume is a sparse file.

Snapshots and clones are sparse copies. Connections are of type 'local', so
os-brick's LocalConnector hands the plain file to the backup service, which
reads it (backup) or opens it for writing (restore). Restore truncates the
file, so it is grown back to the volume size when the connection ends.
"""
import os

from oslo_config import cfg
from oslo_log import log as logging

from cinder import exception
from cinder.volume import driver

LOG = logging.getLogger(__name__)
CONF = cfg.CONF
GiB = 1024 ** 3
CHUNK = 4 * 1024 * 1024


def sparse_copy(src, dst, size=None):
    """Copy only the data extents of src into dst; holes stay holes."""
    with open(src, 'rb') as fin, open(dst, 'wb') as fout:
        end = os.fstat(fin.fileno()).st_size
        pos = 0
        while pos < end:
            try:
                data = os.lseek(fin.fileno(), pos, os.SEEK_DATA)
            except OSError:  # ENXIO: only a hole remains
                break
            hole = os.lseek(fin.fileno(), data, os.SEEK_HOLE)
            fin.seek(data)
            fout.seek(data)
            left = hole - data
            while left > 0:
                buf = fin.read(min(left, CHUNK))
                if not buf:
                    break
                fout.write(buf)
                left -= len(buf)
            pos = hole
        fout.truncate(max(end, size or 0))


class SparseFileDriver(driver.VolumeDriver):
    VERSION = '1.0.0'

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.backend_name = (self.configuration.safe_get('volume_backend_name')
                             or 'lab')
        self.base_dir = os.path.join(CONF.state_path, 'volumes')

    # -- paths ------------------------------------------------------------
    def local_path(self, volume):
        return os.path.join(self.base_dir, volume.name)

    def _snap_path(self, snapshot):
        return os.path.join(self.base_dir, snapshot.name)

    def _grow(self, path, size_gb):
        """Make the file at least size_gb GiB (restore truncates it)."""
        want = int(size_gb) * GiB
        if os.path.exists(path) and os.path.getsize(path) < want:
            os.truncate(path, want)

    # -- setup and stats --------------------------------------------------
    def do_setup(self, context):
        os.makedirs(self.base_dir, exist_ok=True)

    def check_for_setup_error(self):
        if not os.path.isdir(self.base_dir):
            raise exception.VolumeBackendAPIException(
                data='missing volume dir %s' % self.base_dir)

    def secure_file_operations_enabled(self):
        return True  # files are ours: no chown dance with sudo

    def _update_volume_stats(self):
        st = os.statvfs(self.base_dir)
        free = st.f_bavail * st.f_frsize // GiB
        self._stats = {
            'volume_backend_name': self.backend_name,
            'vendor_name': 'vbs-lab',
            'driver_version': self.VERSION,
            'storage_protocol': 'local',
            'total_capacity_gb': 1000,
            'free_capacity_gb': max(free, 1000),
            'reserved_percentage': 0,
            'thin_provisioning_support': True,
            'thick_provisioning_support': False,
            'max_over_subscription_ratio': 20.0,
            'multiattach': False,
        }

    # -- volumes ----------------------------------------------------------
    def create_volume(self, volume):
        with open(self.local_path(volume), 'wb') as f:
            f.truncate(int(volume.size) * GiB)

    def delete_volume(self, volume):
        try:
            os.remove(self.local_path(volume))
        except FileNotFoundError:
            pass

    def extend_volume(self, volume, new_size):
        self._grow(self.local_path(volume), new_size)

    def create_cloned_volume(self, volume, src_vref):
        sparse_copy(self.local_path(src_vref), self.local_path(volume),
                    int(volume.size) * GiB)

    def create_volume_from_snapshot(self, volume, snapshot):
        sparse_copy(self._snap_path(snapshot), self.local_path(volume),
                    int(volume.size) * GiB)

    # -- snapshots --------------------------------------------------------
    def create_snapshot(self, snapshot):
        sparse_copy(self.local_path(snapshot.volume), self._snap_path(snapshot))

    def delete_snapshot(self, snapshot):
        try:
            os.remove(self._snap_path(snapshot))
        except FileNotFoundError:
            pass

    def revert_to_snapshot(self, context, volume, snapshot):
        sparse_copy(self._snap_path(snapshot), self.local_path(volume),
                    int(volume.size) * GiB)

    # -- exports and connections -----------------------------------------
    def ensure_export(self, context, volume):
        pass

    def create_export(self, context, volume, connector):
        pass

    def remove_export(self, context, volume):
        self._grow(self.local_path(volume), volume.size)

    def create_export_snapshot(self, context, snapshot, connector):
        pass

    def remove_export_snapshot(self, context, snapshot):
        pass

    def initialize_connection(self, volume, connector, **kwargs):
        return {'driver_volume_type': 'local',
                'data': {'device_path': self.local_path(volume)}}

    def initialize_connection_snapshot(self, snapshot, connector, **kwargs):
        return {'driver_volume_type': 'local',
                'data': {'device_path': self._snap_path(snapshot)}}

    def terminate_connection(self, volume, connector, **kwargs):
        self._grow(self.local_path(volume), volume.size)

    def terminate_connection_snapshot(self, snapshot, connector, **kwargs):
        pass

    # -- images: not part of the lab -------------------------------------
    def copy_image_to_volume(self, context, volume, image_service, image_id,
                             disable_sparse=False):
        raise NotImplementedError()

    def copy_volume_to_image(self, context, volume, image_service,
                             image_meta):
        raise NotImplementedError()
