"""Every file the CLI writes with ``--output`` goes through here, and is written atomically.

A file is written to a hidden temporary file beside it (``.NAME.XXXXXXXX.tmp``), flushed and
fsynced, then renamed over the target (``os.replace``): a reader sees the old file or the new
one, never half of one. A failed write (disk full, the file-size limit of ``ulimit -f``, no
permission, a missing folder, a folder where the file should be) removes the temporary file,
leaves an existing target as it was, and raises one ``UsageError`` naming the path and the
reason (``PATH: cannot write: REASON``, exit 2).

A folder (the HTML audit report) is built complete in a hidden staging folder first, so every
write that can fail for want of space fails there, before the target is touched; the staging
folder is then removed. Into a new folder, the staging folder is renamed whole into place.
Into an existing folder (which may hold files of its own, and must keep them), it is made
inside that folder and its files are renamed into it one by one, in the order they were
written (the index last), once every name has been checked to be free for a file.

An existing target that is not a regular file (``/dev/null``, a pipe), and any path under /dev
or /proc (``/dev/stdout``), is written through as it is: it cannot be renamed over. A symbolic
link is followed: the file it points to is replaced, and the link stays. The renames take no
space and cannot pass a size limit; a process killed outright (SIGKILL) may leave its hidden
``.NAME.XXXXXXXX.tmp`` behind, never a truncated target.
"""

from __future__ import annotations

import errno
import os
import secrets
import shutil
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from reglament.errors import UsageError

_FILE_MODE = 0o666  # as open() creates a file: the umask takes its share


def cannot_write(path: Path, error: OSError) -> UsageError:
    """The one-line error for a failed write: ``PATH: cannot write: REASON``."""
    return UsageError(f"{path}: cannot write: {error.strerror or error}")


def write_file(path: Path, data: str | bytes) -> None:
    """Write ``data`` (text as UTF-8) to ``path`` atomically; ``UsageError`` when it cannot."""
    content = data.encode("utf-8") if isinstance(data, str) else data
    try:
        existing = _stat(path)
        if _through(path, existing):
            _write_through(path, content)
        else:
            _replace(_followed(path), content, existing)
    except OSError as error:
        raise cannot_write(path, error) from None


class Folder:
    """A folder being built by ``write_folder``: ``write(name, data)`` adds one file to it."""

    def __init__(self, directory: Path, staging: Path) -> None:
        self._directory = directory
        self._staging = staging
        self._names: list[str] = []

    def write(self, name: str, data: str | bytes) -> None:
        if not name or name.startswith(".") or Path(name).name != name or name in self._names:
            raise ValueError(f"not a plain, new file name: {name!r}")
        content = data.encode("utf-8") if isinstance(data, str) else data
        try:
            _create(self._staging / name, content, None)
        except OSError as error:
            raise cannot_write(self._directory, error) from None
        self._names.append(name)

    def commit(self, into_existing: bool) -> None:
        """Put the staged files in place: the staging folder renamed whole into a new folder,
        or its files renamed one by one into an existing one (each name checked first)."""
        _fsync(self._staging)
        if not into_existing:
            self._staging.rename(self._directory)
            _fsync(self._directory.parent)
            return
        for name in self._names:
            found = _stat(self._directory / name)
            if found is not None and not stat.S_ISREG(found.st_mode):
                raise cannot_write(self._directory / name, _error(errno.EISDIR))
        for name in self._names:
            (self._staging / name).replace(self._directory / name)
        _fsync(self._directory)


@contextmanager
def write_folder(directory: Path) -> Iterator[Folder]:
    """Build the files of ``directory`` in a staging folder, and put them in place when the
    block ends without an error. When the block raises, or a write fails, the staging folder is
    removed and ``directory`` stays as it was (a failed write is a ``UsageError``)."""
    try:
        existing = _stat(directory)
    except OSError as error:
        raise cannot_write(directory, error) from None
    if existing is not None and not stat.S_ISDIR(existing.st_mode):
        raise cannot_write(directory, _error(errno.ENOTDIR))
    parent = directory if existing is not None else directory.parent
    staging = parent / f".{directory.name or 'output'}.{secrets.token_hex(4)}.tmp"
    try:
        staging.mkdir()
    except OSError as error:
        raise cannot_write(directory, error) from None
    try:
        folder = Folder(directory, staging)
        yield folder
        try:
            folder.commit(into_existing=existing is not None)
        except OSError as error:
            raise cannot_write(directory, error) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _error(code: int) -> OSError:
    return OSError(code, os.strerror(code))


def _through(path: Path, existing: os.stat_result | None) -> bool:
    """Whether ``path`` is written into as it is: a device, a pipe, or a name under /dev or
    /proc (``/dev/stdout``, ``/dev/fd/3``: a descriptor, not a file one can rename over)."""
    if existing is not None and not stat.S_ISREG(existing.st_mode):
        return True
    return path.absolute().parts[1:2] in (("dev",), ("proc",))


def _followed(path: Path) -> Path:
    """The path a write lands on: a symbolic link's final target, else the path itself."""
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def _stat(path: Path) -> os.stat_result | None:
    try:
        return path.stat()
    except FileNotFoundError:
        return None


def _replace(target: Path, content: bytes, existing: os.stat_result | None) -> None:
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    _create(temporary, content, existing)
    try:
        temporary.replace(target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    _fsync(target.parent)


def _create(path: Path, content: bytes, like: os.stat_result | None) -> None:
    """Create ``path`` (it must not exist), write ``content``, fsync; remove it on any failure.
    ``like``: an existing file whose permission bits the new one takes."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, _FILE_MODE)
    try:
        try:
            if like is not None:
                os.fchmod(descriptor, stat.S_IMODE(like.st_mode))
            _write_all(descriptor, content)
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def _write_through(path: Path, content: bytes) -> None:
    """Write into an existing device, pipe or descriptor, as the shell's ``>`` would (never
    created; a regular file behind ``/dev/stdout`` truncated). Opened without blocking, so that
    a named pipe nobody reads is an error (ENXIO) instead of a hang; then written blocking."""
    flags = os.O_WRONLY | os.O_TRUNC | os.O_NONBLOCK | os.O_CLOEXEC
    try:
        descriptor = os.open(path, flags)
    except OSError as error:
        if error.errno == errno.ENXIO and stat.S_ISFIFO(path.stat().st_mode):
            raise OSError(errno.ENXIO, "a named pipe that no process reads") from None
        raise
    try:
        os.set_blocking(descriptor, True)
        _write_all(descriptor, content)
    finally:
        os.close(descriptor)


def _write_all(descriptor: int, content: bytes) -> None:
    # os.write, not a file object: past the size limit a buffered write returns a short count
    # and drops the rest without an error; here the next write raises EFBIG.
    view = memoryview(content)
    while view:
        view = view[os.write(descriptor, view) :]


def _fsync(directory: Path) -> None:
    """Make a rename in ``directory`` durable. Best effort: the rename has happened, and some
    file systems cannot fsync a folder (EINVAL); that is no reason to call the write failed."""
    try:
        descriptor = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


__all__ = ["Folder", "cannot_write", "write_file", "write_folder"]
