"""The data folder and the SQLite database in it: open to the site's own user and nobody else.

The database holds patients' names and phone numbers and staff's two-factor secrets. settings.py calls
`data_folder_secure` as the site starts (gunicorn, every manage.py command), before anything opens the
database: the data folder is made 0700 and the SQLite file 0600 before SQLite first writes to it, and
SQLite gives its -wal, -shm and -journal files the database file's mode. What an older install, a
copied backup or a permissive umask left open to others is closed again. gunicorn.conf.py sets a 077
umask for every other file the site writes.
"""

import logging
import os
import stat
from contextlib import suppress
from pathlib import Path

logger = logging.getLogger(__name__)

SQLITE_SUFFIXES = ("", "-wal", "-shm", "-journal")


def _close_to_others(path):
    """Take group and other permissions off `path`, if it exists."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return
    if not mode & 0o077:
        return
    if stat.S_ISDIR(mode) and mode & stat.S_ISVTX:
        # A shared folder such as /tmp: closing it would break it for everyone else on the machine.
        logger.warning("%s is a shared folder: give the site a data folder of its own.", path)
        return
    try:
        os.chmod(path, stat.S_IMODE(mode) & ~0o077)
    except PermissionError:
        logger.warning("%s is open to other users and owned by another: run `chmod go= %s`.", path, path)


def data_folder_secure(*, folder, sqlite_name=None):
    """Make the data folder (and the SQLite file, if the site uses one) closed to other users.

    A folder that cannot be made is only warned about: a site on PostgreSQL may run from a read-only
    checkout, and SQLite says clearly enough when it cannot open its file.
    """
    try:
        Path(folder).mkdir(mode=0o700, parents=True, exist_ok=True)
        _close_to_others(folder)
        if sqlite_name and sqlite_name != ":memory:":
            # An empty file is an empty database to SQLite; made here, it is never readable by others.
            with suppress(FileExistsError):
                os.close(os.open(sqlite_name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            for suffix in SQLITE_SUFFIXES:
                _close_to_others(f"{sqlite_name}{suffix}")
    except OSError as error:
        logger.warning("Could not close the data folder to other users: %s", error)
