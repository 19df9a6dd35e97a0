"""Writing files without harming anyone else's: atomic writes, locks, and ownership.

Every folder arithbench writes into holds a manifest, ``.arithbench-files.json``, naming the
entries arithbench wrote there (a file with the SHA-256 of what was written, or a folder it
made) and, for output folders a command owns whole (the report, a sweep), that command.
arithbench replaces or removes an entry only when the manifest lists it and, for a file, the
file still holds what was written: a file a person put there or edited since is never touched
(:class:`NotOurs`, one line, exit 2).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import tempfile
from contextlib import contextmanager, suppress
from pathlib import Path

from .errors import UsageError

MANIFEST = ".arithbench-files.json"
_OURS = {MANIFEST}


class NotOurs(UsageError):
    """A write or removal would touch a file arithbench did not write."""


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def locked(path: Path):
    """Hold an exclusive lock on ``path`` (created if missing): one writer at a time."""
    with open(path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def _folder_locked(folder: Path):
    """Hold an exclusive lock on the folder itself (no lock file left among the user's files)."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _replace_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename, mode as by ``open``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _manifest(folder: Path) -> dict:
    path = folder / MANIFEST
    if not path.exists():
        return {"command": None, "entries": {}}
    try:
        data = json.loads(path.read_text())
        entries = data.get("entries", {})
        if not isinstance(entries, dict) or not all(_is_entry(e) for e in entries.values()) \
                or not isinstance(data.get("command"), (str, type(None))):
            raise ValueError("not a manifest")
        return {"command": data.get("command"), "entries": dict(entries)}
    except (ValueError, AttributeError, UnicodeDecodeError):
        raise NotOurs(f"{path} is not arithbench's manifest: move it away or choose another folder") from None


def _is_entry(entry) -> bool:
    """A folder (``"dir"``), a file's digest, or the digests of a file being replaced."""
    return isinstance(entry, str) or (isinstance(entry, list) and all(isinstance(d, str) for d in entry))


def _save_manifest(folder: Path, manifest: dict) -> None:
    _replace_atomic(folder / MANIFEST, (json.dumps(manifest, indent=1, sort_keys=True) + "\n").encode())


def is_ours(path: Path) -> bool:
    """True when ``path`` is missing, or is an entry arithbench wrote and nobody changed since."""
    path = Path(path)
    if not path.exists() and not path.is_symlink():
        return True
    entry = _manifest(path.parent)["entries"].get(path.name)
    if entry is None:
        return False
    if entry == "dir":
        return path.is_dir() and not path.is_symlink()
    digests = [entry] if isinstance(entry, str) else entry  # a list while an output folder is replaced
    return path.is_file() and not path.is_symlink() and _digest(path.read_bytes()) in digests


def _refuse(path: Path) -> NotOurs:
    return NotOurs(f"{path} exists and arithbench did not write it (or it was changed since): "
                   "move it away or write somewhere else")


def check_ours(*paths: Path) -> None:
    """Raise :class:`NotOurs` for the first of ``paths`` that exists and is not ours."""
    for path in paths:
        if not is_ours(Path(path)):
            raise _refuse(Path(path))


@contextmanager
def writing(path: Path, fix: str = "choose another place"):
    """Turn an operating system's refusal to write ``path`` into one line saying so."""
    try:
        yield
    except OSError as exc:
        raise UsageError(f"cannot write to {path}: {exc.strerror or exc}; {fix}") from None


def writable_folder(path: Path, option: str | None = None) -> Path:
    """Create the folder ``path`` if needed; a UsageError (naming the command-line ``option`` that
    gave it, if any) when it cannot be written. The probe is a temporary file of a name no one
    else has, gone when closed."""
    path = Path(path)
    with writing(path, "choose another folder" + (f" with {option}" if option else "")):
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    return path


def write_owned(path: Path, data: str | bytes) -> None:
    """Write ``data`` to ``path`` atomically and record it as ours; refuse to replace a file
    arithbench did not write."""
    path = Path(path)
    raw = data.encode() if isinstance(data, str) else data
    with writing(path):
        _write_owned(path, raw)


def _write_owned(path: Path, raw: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with _folder_locked(path.parent):
        check_ours(path)
        manifest = _manifest(path.parent)
        _replace_atomic(path, raw)
        manifest["entries"][path.name] = _digest(raw)
        _save_manifest(path.parent, manifest)


def make_owned_dir(path: Path) -> Path:
    """Create the folder ``path`` (empty) as ours; an earlier one of ours is removed first."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with _folder_locked(path.parent):
        check_ours(path)
        manifest = _manifest(path.parent)
        if path.exists():
            shutil.rmtree(path)
        path.mkdir()
        manifest["entries"][path.name] = "dir"
        _save_manifest(path.parent, manifest)
    return path


def remove_owned(path: Path) -> None:
    """Remove ``path`` if it is ours (a file or a folder arithbench made); otherwise leave it."""
    path = Path(path)
    if not path.parent.is_dir():
        return
    with _folder_locked(path.parent):
        if not (path.exists() and is_ours(path)):
            return
        manifest = _manifest(path.parent)
        shutil.rmtree(path) if path.is_dir() else path.unlink()
        manifest["entries"].pop(path.name, None)
        _save_manifest(path.parent, manifest)


def check_output_dir(folder: Path, command: str) -> Path:
    """Before any work: ``folder`` must be new, empty, or an earlier output of ``command``.

    Refuses the current folder (and its parents) and an existing file, so that nothing is
    computed only to be refused at the end.
    """
    try:
        return _check_output_dir(folder, command)
    except OSError as exc:
        raise UsageError(f"cannot write to -o {folder}: {exc.strerror or exc}; choose another folder") from None


def _check_output_dir(folder: Path, command: str) -> Path:
    given, folder = folder, Path(folder).absolute()
    here = Path.cwd().resolve()
    if folder.resolve() == here or folder.resolve() in here.parents:
        raise UsageError(f"-o {given} is the current folder or above it: give the output a folder of its own, "
                         f"e.g. -o build/{command}")
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"-o {given} is a file: give a folder (new, empty, or an earlier `arithbench {command}` output)")
    if folder.is_dir() and any(p.name not in _OURS for p in folder.iterdir()):
        owner = _manifest(folder)["command"]
        if owner is None:
            what = "output of another arithbench command" if (folder / MANIFEST).exists() else "files arithbench did not write"
            raise UsageError(f"-o {given} holds {what}: choose a new or empty folder")
        if owner != command:
            raise UsageError(f"-o {given} holds the output of `arithbench {owner}`, not `arithbench {command}`: "
                             "choose another folder")
    existing = folder
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
        raise UsageError(f"cannot write to {given} ({existing} is not a writable folder): choose another folder with -o")
    return folder


@contextmanager
def output_dir(folder: Path, command: str):
    """Yield a temporary folder; when the block succeeds, its files move into ``folder``.

    Each file replaces only a file of ours; files of an earlier run that this run did not write
    again are removed; every other file in ``folder`` stays. On failure or Ctrl-C the temporary
    folder goes and ``folder`` is as it was (a folder made for it, and still empty, goes too).
    """
    folder = check_output_dir(folder, command)
    made = [p for p in (folder, *folder.parents) if not p.exists()][::-1]  # outermost first
    with writing(folder, "choose another folder with -o"):
        folder.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}."))
    try:
        yield tmp
        names = sorted(p.name for p in tmp.iterdir())
        if any((tmp / n).is_dir() for n in names):
            raise AssertionError(f"output_dir holds files only, not {names}")
        made = []  # from here on the folders hold the output
        with _folder_locked(folder):
            check_ours(*(folder / n for n in names))
            manifest = _manifest(folder)
            stale = [n for n in manifest["entries"] if n not in names and is_ours(folder / n)]
            new = {n: _digest((tmp / n).read_bytes()) for n in names}
            # Both versions count as ours until every file is in place (Ctrl-C between renames).
            _save_manifest(folder, {"command": command, "entries": {
                **manifest["entries"],
                **{n: [d, *([_digest((folder / n).read_bytes())] if (folder / n).is_file() else [])]
                   for n, d in new.items()}}})
            for n in names:
                os.chmod(tmp / n, 0o666 & ~_umask())
                os.replace(tmp / n, folder / n)
            manifest["entries"].update(new)
            manifest["command"] = command
            for n in stale:
                (folder / n).unlink(missing_ok=True)
                manifest["entries"].pop(n)
            _save_manifest(folder, manifest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        for made_here in reversed(made):  # the folders this call made, while they are still empty
            with suppress(OSError):
                made_here.rmdir()


def write_cache(path: Path, data: str | bytes) -> None:
    """Write a cache file atomically: cache folders under the build folder are arithbench's own."""
    _replace_atomic(Path(path), data.encode() if isinstance(data, str) else data)
