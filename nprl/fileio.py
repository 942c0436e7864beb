"""Files that survive a crash and are checked when read back: nprl's one I/O module.

Networks (:mod:`nprl.nn.serialization`), agents and replay buffers (:mod:`nprl.rl.agent`),
run directories and checkpoints (:mod:`nprl.rl.run_dir`) and sweeps all write and read
through these functions, so every file nprl keeps is written and checked the same way:

- :func:`write_folder` writes a folder the SQLite way: everything goes into a temporary
  sibling folder, a manifest of its files is written last, every file and folder is
  fsynced, the folder is renamed into place (atomically exchanged with an old one of the
  same name) and the parent folder is fsynced. A crash at any instant leaves the old
  folder or the new one whole, never neither.
- :func:`write_file_atomic` does the same for one small file (``config.json``, a pointer).
- :func:`write_npy` / :func:`read_npy`: one array per ``.npy`` file, never pickled. The
  reader checks the header before it reads anything: the data length the header declares
  must be exactly what the file holds, so a damaged header can neither make it allocate
  memory that the file does not back nor raise a raw NumPy error.
- :func:`save_arrays` / :func:`load_arrays`: a folder of named arrays, one ``.npy`` each;
  :func:`write_json` / :func:`read_json`: a JSON document (counters, configs, metadata),
  replaced atomically, read with a size limit. No pickle anywhere.
- ``MANIFEST.json`` (:func:`write_manifest`, :func:`verify_manifest`): SHA-256 and size of
  every file of a folder. A subfolder with its own manifest (a network inside an agent
  inside a checkpoint) is listed by its manifest only, so every byte is hashed once and
  each loader checks its own level. A mismatch is a ``ValueError`` naming the file.

A folder without a manifest (written by nprl before manifests existed) is still read,
with a :class:`~nprl.errors.Note` saying it could not be verified; a manifest that does
not match is never accepted.
"""

from __future__ import annotations

import ctypes
import errno
import functools
import hashlib
import json
import os
import shutil
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from nprl.errors import Note

MANIFEST = "MANIFEST.json"
MANIFEST_FORMAT = "nprl.manifest"
MANIFEST_VERSION = 1
MAX_JSON_BYTES = 64 * 2**20  # no JSON document nprl writes comes near this
TEMPORARY_PREFIX = ".tmp-"  # temporary folders of write_folder
OLD_PREFIX = ".old-"  # a folder replace_folder swapped out, when it cannot exchange
# What a writer here killed mid-write can leave beside its target (remove_leftovers).
LEFTOVERS = (f"{TEMPORARY_PREFIX}*", f"{OLD_PREFIX}*", ".*.tmp")
_CHUNK = 2**20


class DiskFull(ValueError):
    """Writing failed because the device is full (or the user's quota is reached).

    The message names the folder, the space needed and the space free; whatever was
    being written has been removed, and what was there before is kept.
    """


# -- durability --------------------------------------------------------------------------

def fsync_path(path: str | Path) -> None:
    """Flush a file's or a folder's contents (its entries, for a folder) to the device."""
    flags = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) if Path(path).is_dir() else os.O_RDONLY
    try:
        fd = os.open(path, flags)
    except OSError:
        if os.name == "nt":  # Windows cannot open a folder to fsync it; NTFS journals it
            return
        raise
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_file_atomic(path: str | Path, data: bytes) -> None:
    """Replace ``path`` by ``data`` atomically and durably: write ``.NAME.tmp`` beside it,
    fsync it, rename it over ``path``, fsync the parent folder."""
    path = Path(path)
    temporary = path.with_name(f".{path.name}.tmp")
    try:
        with open(temporary, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        if is_disk_full(error):
            raise disk_full(path.parent, len(data), path.name) from None
        raise
    fsync_path(path.parent)


def _walk(folder: Path) -> tuple[list[Path], list[Path]]:
    """Files and subfolders of ``folder`` that its manifest covers, as paths relative to
    it: a subfolder with its own manifest contributes only that manifest (it is sealed
    apart). Symbolic links and special files are refused (a ValueError naming them)."""
    files, folders = [], []
    pending = [Path()]
    while pending:
        relative = pending.pop()
        with os.scandir(folder / relative) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                child = relative / entry.name
                if entry.is_symlink():
                    raise ValueError(f"{folder / child}: a symbolic link; nprl never follows "
                                     "links inside a saved folder")
                if entry.is_dir():
                    folders.append(child)
                    if (folder / child / MANIFEST).is_file():
                        files.append(child / MANIFEST)
                    else:
                        pending.append(child)
                elif entry.is_file():
                    if child != Path(MANIFEST):
                        files.append(child)
                else:
                    raise ValueError(f"{folder / child}: not a regular file")
    return sorted(files), folders


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while chunk := file.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def write_manifest(folder: str | Path) -> Path:
    """Write ``folder/MANIFEST.json``: SHA-256 and size of every file it covers.

    Written last, once every other file of the folder is complete.
    """
    folder = Path(folder)
    files, _ = _walk(folder)
    listing = {path.as_posix(): {"sha256": _sha256(folder / path),
                                 "bytes": (folder / path).stat().st_size} for path in files}
    document = {"format": MANIFEST_FORMAT, "version": MANIFEST_VERSION,
                "algorithm": "sha256", "files": listing}
    target = folder / MANIFEST
    with open(target, "w") as file:
        file.write(json.dumps(document, indent=1) + "\n")
    return target


def verify_manifest(folder: str | Path, recursive: bool = False) -> bool:
    """Check every file of ``folder`` against its ``MANIFEST.json``.

    Returns True when verified, False (after a :class:`~nprl.errors.Note`) when the folder
    has no manifest (written before manifests existed). ``recursive`` also verifies the
    sealed subfolders (by default each loader verifies its own level).

    Raises
    ------
    ValueError
        Naming the file: changed or damaged (checksum or size differ), missing, not
        listed, a link, or a manifest that is not nprl's.
    """
    folder = Path(folder)
    path = folder / MANIFEST
    if path.is_symlink() or (path.exists() and not path.is_file()):
        raise ValueError(f"{path}: not a regular file")
    if not path.is_file():
        _note_unverified(folder)
        return False
    listing = _read_manifest(path)
    files, _ = _walk(folder)
    present = {file.as_posix() for file in files}
    for name in sorted(set(listing) - present):
        raise ValueError(f"{folder / name}: missing (listed in {path})")
    for name in sorted(present - set(listing)):
        raise ValueError(f"{folder / name}: not listed in {path} (added or renamed after "
                         "saving)")
    for name in sorted(listing):
        entry, file = listing[name], folder / name
        if file.stat().st_size != entry["bytes"] or _sha256(file) != entry["sha256"]:
            raise ValueError(f"{file}: damaged or changed since it was saved (its checksum "
                             f"does not match {path})")
    if recursive:
        for name in listing:
            if Path(name).name == MANIFEST:
                verify_manifest(folder / Path(name).parent, recursive=True)
    return True


_UNVERIFIED: set[Path] = set()  # folders already noted (with them, everything inside)


def _note_unverified(folder: Path) -> None:
    """One note per folder read without a manifest, none for the folders inside it (an old
    checkpoint would otherwise give one for itself, its agent, networks and buffers)."""
    folder = folder.resolve()
    if folder in _UNVERIFIED or not _UNVERIFIED.isdisjoint(folder.parents):
        return
    _UNVERIFIED.add(folder)
    warnings.warn(f"{folder} has no {MANIFEST} (saved by an older nprl): read without "
                  "checksums", Note, stacklevel=3)


def _read_manifest(path: Path) -> dict[str, dict]:
    """The ``files`` table of a manifest, each entry checked (``ValueError`` naming it)."""
    document = read_json(path)
    if not (isinstance(document, dict) and document.get("format") == MANIFEST_FORMAT
            and document.get("version") == MANIFEST_VERSION
            and document.get("algorithm") == "sha256"
            and isinstance(document.get("files"), dict)):
        raise ValueError(f"{path}: not an nprl manifest of version {MANIFEST_VERSION}")
    for name, entry in document["files"].items():
        if not (isinstance(entry, dict) and isinstance(entry.get("sha256"), str)
                and type(entry.get("bytes")) is int):
            raise ValueError(f"{path}: damaged entry for {name!r}")
    return document["files"]


def sync_folder(folder: str | Path) -> None:
    """fsync every file and folder that ``folder``'s manifest covers (sealed subfolders
    were synced by their own writer), then ``folder`` itself."""
    folder = Path(folder)
    files, folders = _walk(folder)
    for relative in [*files, Path(MANIFEST)]:
        if (folder / relative).is_file():
            fsync_path(folder / relative)
    for relative in folders:
        fsync_path(folder / relative)
    fsync_path(folder)


def write_folder(final: str | Path, write: Callable[[Path], None],
                 needed: int | None = None) -> Path:
    """Write the folder ``final`` atomically and durably (the SQLite recipe).

    ``write(temporary)`` fills ``.tmp-NAME-PID`` beside it; then the manifest is written,
    everything is fsynced, and the folder takes ``final``'s place. An existing ``final``
    is swapped out in one step (:func:`replace_folder`), so it never ceases to exist.
    On a full disk the temporary folder is removed and :class:`DiskFull` says how much
    space was needed (``needed``, bytes, when the caller can tell; else what had been
    written when the disk filled).
    """
    final = Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    temporary = final.with_name(f"{TEMPORARY_PREFIX}{final.name}-{os.getpid()}")
    shutil.rmtree(temporary, ignore_errors=True)
    try:
        write(temporary)
        write_manifest(temporary)
        sync_folder(temporary)
    except BaseException as error:
        written = folder_bytes(temporary)
        shutil.rmtree(temporary, ignore_errors=True)
        if isinstance(error, OSError) and is_disk_full(error):
            raise disk_full(final.parent, max(needed or 0, written), final.name,
                            at_least=needed is None) from None
        raise
    replace_folder(temporary, final)
    fsync_path(final.parent)
    return final


# Why rename-exchange: replacing a folder by renaming the old one away and the new one in
# leaves an instant with neither (a crash there loses checkpoints/best or the user's saved
# model). A pointer file (like checkpoints/latest) would avoid it but change the layout
# every reader knows (best/agent, the model folder the user named). Linux's renameat2
# (RENAME_EXCHANGE) and macOS's renamex_np (RENAME_SWAP) swap two paths in one atomic
# step, keeping the layout; elsewhere the two renames remain, the window only as wide as
# two system calls.
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2  # linux/fs.h
_RENAME_SWAP = 2  # macOS sys/stdio.h


@functools.cache
def _libc() -> ctypes.CDLL | None:
    """The C library (for renameat2 / renamex_np), None where it cannot be opened."""
    try:
        return ctypes.CDLL(None, use_errno=True)
    except (OSError, TypeError):  # Windows: no "main program" library
        return None


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap paths ``a`` and ``b``; False when the system cannot."""
    libc = _libc()
    if libc is None:
        return False
    try:
        if sys.platform.startswith("linux") and hasattr(libc, "renameat2"):
            result = libc.renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b),
                                    _RENAME_EXCHANGE)
        elif sys.platform == "darwin" and hasattr(libc, "renamex_np"):
            result = libc.renamex_np(os.fsencode(a), os.fsencode(b), _RENAME_SWAP)
        else:
            return False
    except (OSError, AttributeError, TypeError):
        return False
    return result == 0


def replace_folder(new: Path, final: Path) -> None:
    """Put folder ``new`` at ``final``; an existing ``final`` is swapped out atomically
    (see the comment above) and then deleted."""
    if not final.exists():
        os.rename(new, final)
    elif _exchange(new, final):
        shutil.rmtree(new, ignore_errors=True)  # ``new`` now holds the old folder
    else:
        old = final.with_name(f"{OLD_PREFIX}{final.name}-{os.getpid()}")
        os.replace(final, old)
        os.replace(new, final)
        shutil.rmtree(old, ignore_errors=True)


def remove_leftovers(folder: str | Path) -> list[str]:
    """Remove from ``folder`` what a writer of this module, killed mid-write, left there
    (:data:`LEFTOVERS`: temporary folders and files, a swapped-out old folder); return
    their names."""
    removed = []
    for pattern in LEFTOVERS:
        for path in Path(folder).glob(pattern):
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
            removed.append(path.name)
    return removed


def folder_bytes(folder: Path) -> int:
    """Bytes the files under ``folder`` take on the device, in whole blocks as ``du``
    counts them (0 if it does not exist)."""
    total = 0
    for root, _, names in os.walk(folder):
        for name in names:
            try:
                info = os.lstat(os.path.join(root, name))
            except OSError:
                continue
            blocks = getattr(info, "st_blocks", None)  # not on Windows
            total += max(info.st_size, 512 * blocks) if blocks is not None else info.st_size
    return total


def is_disk_full(error: BaseException) -> bool:
    """True for the errors a full device or an exhausted quota give."""
    return isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT)


def disk_full(folder: Path, needed: int, what: str, at_least: bool = False) -> DiskFull:
    """The one-line :class:`DiskFull` for ``folder``: what was written, space needed, free."""
    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        free = 0
    return DiskFull(f"no space left in {folder} to write {what}: it needs "
                    f"{'more than ' if at_least else 'about '}{_megabytes(needed)}, "
                    f"{_megabytes(free)} free; free some space (or choose another --out) "
                    "and run the command again")


def _megabytes(count: int) -> str:
    return f"{count / 1e6:.2f} MB"


# -- arrays --------------------------------------------------------------------------------

def write_npy(path: str | Path, array: np.ndarray) -> None:
    """Write one array as ``.npy`` (never pickled: an object array is a ``ValueError``)."""
    array = np.asarray(array)
    if array.dtype.hasobject:
        raise ValueError(f"refusing to save object array {Path(path).name}: it would need "
                         "pickle")
    if not array.flags.c_contiguous:
        array = array.copy(order="C")
    header = np.lib.format.header_data_from_array_1_0(array)
    # Written by file.write, not NumPy's tofile(), whose OSError on a full disk carries no
    # errno ("16384 requested and 14304 written") and so could not be told apart.
    with open(path, "wb") as file:
        try:
            np.lib.format.write_array_header_1_0(file, header)
        except ValueError:  # a header beyond 64 KiB (thousands of dimensions)
            file.seek(0)
            file.truncate()
            np.lib.format.write_array_header_2_0(file, header)
        file.write(memoryview(array.reshape(-1)).cast("B"))


def read_npy(path: str | Path) -> np.ndarray:
    """Read one ``.npy`` file written by :func:`write_npy`.

    The header is parsed first and the data length it declares must be exactly what the
    file holds, so nothing is allocated that the file does not back.

    Raises
    ------
    ValueError
        Naming the file: missing, a link, empty or damaged header, object dtype, or a
        length that does not match the header (truncated or padded).
    """
    path = Path(path)
    if path.is_symlink() or not path.is_file():
        raise ValueError(f"{path}: missing file" if not path.exists() and not path.is_symlink()
                         else f"{path}: not a regular file")
    with open(path, "rb") as file:
        size = os.fstat(file.fileno()).st_size
        if size == 0:
            raise ValueError(f"{path}: empty file (a damaged or interrupted save)")
        try:
            version = np.lib.format.read_magic(file)
            if version == (1, 0):
                shape, fortran, dtype = np.lib.format.read_array_header_1_0(file)
            else:
                shape, fortran, dtype = np.lib.format.read_array_header_2_0(file)
        except Exception as error:  # noqa: BLE001 (NumPy raises many kinds on a bad header)
            raise ValueError(f"{path}: not a valid .npy file (damaged header: "
                             f"{type(error).__name__})") from None
        if dtype.hasobject:
            raise ValueError(f"{path}: holds an object array, which nprl never loads")
        count = 1
        for dimension in shape:
            count *= int(dimension)
        declared = count * dtype.itemsize
        held = size - file.tell()
        if declared != held:
            raise ValueError(f"{path}: header declares shape {tuple(shape)} of {dtype} "
                             f"({declared} bytes) but the file holds {held}; it is damaged")
        data = np.fromfile(file, dtype=dtype, count=count)
    return data.reshape(shape, order="F" if fortran else "C")


def save_arrays(directory: str | Path, arrays: dict[str, np.ndarray]) -> None:
    """Write each array to ``directory/<name>.npy`` (creating the folder)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    for name, array in arrays.items():
        write_npy(directory / f"{name}.npy", array)


def load_arrays(directory: str | Path, names: list[str] | None = None) -> dict[str, np.ndarray]:
    """Read ``directory/<name>.npy`` for each name (all ``.npy`` files when ``names`` is None).

    Raises ``ValueError`` naming the file when one is missing, empty, damaged or holds
    an object array.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise ValueError(f"missing folder {directory}")
    if names is None:
        names = sorted(path.name[: -len(".npy")] for path in directory.glob("*.npy"))
    return {name: read_npy(directory / f"{name}.npy") for name in names}


# -- JSON documents ------------------------------------------------------------------------

def write_json(path: str | Path, document: Any) -> None:
    """Write ``document`` as indented JSON, atomically and durably (a crash leaves the old
    file or the new one, never a torn one)."""
    write_file_atomic(path, (json.dumps(document, indent=2) + "\n").encode())


def read_json(path: str | Path) -> Any:
    """Read a JSON file, raising ``ValueError`` that names the file when it is missing, too
    large or broken."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"{path}: missing file")
    if path.stat().st_size > MAX_JSON_BYTES:
        raise ValueError(f"{path}: too large to be a file written by nprl")
    try:
        return json.loads(path.read_bytes())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        raise ValueError(f"{path}: not a readable JSON file (not valid JSON: "
                         f"{type(error).__name__}: {error})") from None
