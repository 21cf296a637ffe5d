"""Was a ``file_copy_method = clone`` copy really a clone? What its files show on disk, right after the copy.

PostgreSQL 18's clone (``CREATE DATABASE ... STRATEGY FILE_COPY`` under ``SET file_copy_method = clone``) asks the
file system to share the template's blocks (``copy_file_range``); where the file system cannot (ext4, tmpfs, XFS
without reflink), it copies every byte and says nothing, and ``pg_database_size`` is the same either way. What tells
them apart is on disk: the copy's files in the data directory, looked at from this machine (FIEMAP: each extent
flagged shared or not), or where FIEMAP is not answered, the file system's type; when the data directory is not on
this machine (a container, another host) or the role may not read its path, only the copy's rate is left.
"""

from __future__ import annotations

import array
import errno
import fcntl
import struct
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

#: File systems that can clone (for the sentence that says where to put the data directory).
CLONING = "XFS made with reflink=1, Btrfs, ZFS 2.2+ with block cloning, or APFS"
#: File systems that never clone, by their name in /proc/self/mountinfo (they answer no FIEMAP or never share).
NEVER = {"tmpfs", "ext2", "ext3", "ext4", "ramfs", "vfat", "nfs", "nfs4"}

_FIEMAP = 0xC020660B  # FS_IOC_FIEMAP
_HEADER = struct.Struct("=QQIIII")  # fm_start, fm_length, fm_flags, fm_mapped_extents, fm_extent_count, reserved
_EXTENT = struct.Struct("=QQQQQIIII")  # fe_logical, fe_physical, fe_length, 2 reserved, fe_flags, 3 reserved
_LAST, _SHARED = 0x1, 0x2000
_BATCH = 256


@dataclass(frozen=True)
class Look:
    """What the copy's files showed: ``shared`` and ``written`` bytes (None: not seen), or why not."""

    size: int  # pg_database_size of the copy
    folder: str | None = None  # the copy's folder in the data directory, as the server names it
    shared: int | None = None
    written: int | None = None
    file_system: str | None = None
    unseen: str | None = None  # why the files could not be looked at from here

    @property
    def cloned(self) -> bool | None:
        """True: a clone; False: a full copy; None: cannot tell from here."""
        if self.shared is None or self.written is None:
            return None
        return self.shared >= self.written


def extents(path: Path) -> tuple[int, int]:
    """Bytes of ``path`` in extents shared with another file, and in extents of its own (FIEMAP).

    Raises OSError (EOPNOTSUPP, ENOTTY) where the file system does not answer FIEMAP.
    """
    shared = own = 0
    start = 0
    with path.open("rb") as file:
        while True:
            request = bytearray(_HEADER.size + _BATCH * _EXTENT.size)
            _HEADER.pack_into(request, 0, start, 2**64 - 1 - start, 0, 0, _BATCH, 0)
            buffer = array.array("B", request)
            fcntl.ioctl(file.fileno(), _FIEMAP, buffer, True)
            mapped = _HEADER.unpack_from(buffer, 0)[3]
            if mapped == 0:
                return shared, own
            for index in range(mapped):
                logical, _, length, _, _, flags, *_ = _EXTENT.unpack_from(buffer, _HEADER.size + index * _EXTENT.size)
                if flags & _SHARED:
                    shared += length
                else:
                    own += length
                start = logical + length
                if flags & _LAST:
                    return shared, own


def file_system(path: Path) -> str | None:
    """The type of the file system ``path`` is on, from /proc/self/mountinfo (Linux), or None."""
    try:
        lines = Path("/proc/self/mountinfo").read_text().splitlines()
    except OSError:
        return None
    best, found = -1, None
    target = str(path.resolve())
    for line in lines:
        before, _, after = line.partition(" - ")
        fields = before.split()
        if len(fields) < 5 or not after:
            continue
        point = fields[4].replace("\\040", " ")
        inside = target == point or target.startswith(point.rstrip("/") + "/")
        if inside and len(point) > best:
            best, found = len(point), after.split()[0]
    return found


def look(conn: Connection) -> Look:
    """Look at the files of the database ``conn`` is connected to (a copy just made), from this machine."""
    size = int(conn.exec_driver_sql("SELECT pg_database_size(current_database())").scalar_one())
    try:
        row = conn.exec_driver_sql(
            "SELECT current_setting('data_directory'), pg_relation_filepath('pg_catalog.pg_class')"
        ).one()
    except DBAPIError:  # neither a superuser nor pg_read_all_settings: the path is not ours to know
        conn.rollback()
        return Look(size, unseen="the role may not read data_directory (it needs pg_read_all_settings)")
    folder = Path(str(row[0])) / Path(str(row[1])).parent
    try:
        files = [path for path in folder.iterdir() if path.is_file()]
    except FileNotFoundError:
        return Look(size, str(folder), unseen=f"the data directory is not on this machine ({folder} is not here)")
    except PermissionError:
        return Look(size, str(folder), unseen=f"this user may not read {folder}")
    kind = file_system(folder)
    shared = written = 0
    try:
        for path in files:
            both = extents(path)
            shared, written = shared + both[0], written + both[1]
    except PermissionError:
        return Look(size, str(folder), file_system=kind, unseen=f"this user may not read the files of {folder}")
    except OSError as exc:
        if exc.errno not in (errno.EOPNOTSUPP, errno.ENOTTY, errno.EINVAL):
            raise
        if kind in NEVER:  # it answers no FIEMAP, and never clones: every byte was written
            return Look(size, str(folder), 0, sum(path.stat().st_size for path in files), kind)
        unseen = f"its file system ({kind}) does not say which blocks are shared"
        return Look(size, str(folder), file_system=kind, unseen=unseen)
    return Look(size, str(folder), shared, written, kind)


def amount(count: int) -> str:
    """Bytes for a person: ``8.10 GB``, ``7.6 MB``, ``48 kB``."""
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if count >= scale:
            return f"{count / scale:.2f} {unit}" if unit == "GB" else f"{count / scale:.1f} {unit}"
    return f"{count} bytes"


def said(found: Look, seconds: float) -> tuple[str, str | None]:
    """What the report says after the copy's time (``: 8.10 GB shared with the source, 48 kB written``), and the
    sentence a full copy or an unseen one adds (None for a clone)."""
    if found.cloned:
        assert found.shared is not None and found.written is not None
        return f": {amount(found.shared)} shared with the source, {amount(found.written)} written", None
    if found.cloned is False:
        assert found.written is not None
        where = f" ({found.file_system})" if found.file_system else ""
        return f": {amount(found.written)} written", (
            f"Clone was asked for, but the file system of the data directory{where} cannot clone, so PostgreSQL "
            f"copied every byte without saying so; on {CLONING} the copy takes about the same time at any size."
        )
    rate = f"{amount(int(found.size / seconds))}/s" if seconds > 0 else "at once"
    return f" ({amount(found.size)}, {rate})", (
        f"Whether the file system cloned cannot be seen from here ({found.unseen}): a clone takes about the same "
        "time at any size, a full copy about a second per GB or more."
    )
