"""Reads a pack's ZIP structure once, from its own bytes, and refuses anything two ZIP readers could read
differently, before a single file is verified.

A ZIP names its files twice: in a local header before each file's bytes, and in the central directory at
the end. Readers do not agree on which to trust, nor on which of two entries with one name is "the" file
(Python's zipfile takes the last, unzip the first), nor on names that differ only by case or Unicode
normalisation (one file on Windows and macOS). A forged entry hidden behind such a disagreement would
pass a check made by one reader and be what another shows. So a pack is read only if it has a single
reading: the entries tile the file from its first byte to the central directory with nothing between or
around them, each local header says what the central directory says, every name is unique and plain,
nothing is encrypted, and the file ends with the end record and no comment, as our writer makes it.

zipfile itself is no help here: it forgives prepended data, ignores what lies between entries, and cuts a
name at a NUL byte."""

import stat
import struct
import unicodedata
from dataclasses import dataclass

LOCAL, CENTRAL, DESCRIPTOR = b"PK\x03\x04", b"PK\x01\x02", b"PK\x07\x08"
END, END64, LOCATOR64 = b"PK\x05\x06", b"PK\x06\x06", b"PK\x06\x07"
END_SIZE, LOCATOR_SIZE, END64_SIZE, CENTRAL_SIZE, LOCAL_SIZE = 22, 20, 56, 46, 30
MAX_COMMENT = 0xFFFF
ZIP64 = 0x0001  # the one extra field our writer adds (sizes and offsets past 4 GiB)
ENCRYPTED = 0x0001 | 0x0040  # traditional and strong encryption
WITH_DESCRIPTOR = 0x0008  # CRC and sizes follow the data
UTF8 = 0x0800
KNOWN_FLAGS = 0x0002 | 0x0004 | WITH_DESCRIPTOR | UTF8  # deflate's level bits, descriptor, UTF-8 name
METHODS = (0, 8)  # stored, deflated: what the writer uses
WINDOWS_RESERVED = set('\\:*?"<>|')


class NotAZip(Exception):
    """Not a ZIP file at all."""


class Refused(Exception):
    """A ZIP with more than one reading; `problems` says why, one sentence each."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass
class Entry:
    name: str
    raw_name: bytes
    offset: int  # of its local header
    flags: int
    method: int
    crc: int
    compressed: int
    size: int
    end: int = 0  # where its data (and data descriptor) ends: the next entry's local header


def shown(name: str) -> str:
    """`name` fit to print in a message: control and invisible characters escaped."""
    return "".join(c if c.isprintable() else ascii(c)[1:-1] for c in name)


def name_key(name: str) -> str:
    """What a case-insensitive, normalising file system (Windows, macOS) makes of a name: two names with
    one key are one file there."""
    segments = unicodedata.normalize("NFC", name).casefold().split("/")
    return "/".join(segment.rstrip(". ") for segment in segments)


def name_problem(name: str) -> str | None:
    """Why `name` is no plain relative file path that every unzip tool extracts to the same place."""
    if not name:
        return "an empty name"
    if name.startswith("/"):
        return "an absolute path"
    if name.endswith("/"):
        return "a directory entry, not in the manifest"
    for char in name:
        if char in WINDOWS_RESERVED:
            return f"its name holds {char!r}, which Windows tools read as a path separator or refuse"
        if unicodedata.category(char) in ("Cc", "Cf", "Cs", "Zl", "Zp"):
            return f"its name holds the invisible or control character {ascii(char)}"
    for segment in name.split("/"):
        if segment == "":
            return "its path has an empty part (a doubled slash)"
        if segment in (".", ".."):
            return f"its path has a {segment!r} part"
        if segment != segment.rstrip(". "):
            return "a part of its path ends with a dot or space, which Windows drops"
    return None


def _fields(extra: bytes) -> dict[int, bytes] | None:
    """The extra fields by id; None if they do not parse exactly or repeat an id."""
    found, at = {}, 0
    while at < len(extra):
        if at + 4 > len(extra):
            return None
        kind, length = struct.unpack_from("<HH", extra, at)
        if kind in found or at + 4 + length > len(extra):
            return None
        found[kind] = extra[at + 4 : at + 4 + length]
        at += 4 + length
    return found


def _zip64(extra: bytes, values: list[int], limits: list[int]) -> list[int] | str:
    """`values` with each one at its limit (0xFFFFFFFF) read from the ZIP64 extra field, or the problem."""
    fields = _fields(extra)
    if fields is None:
        return "its extra fields are malformed"
    if set(fields) - {ZIP64}:
        ids = ", ".join(f"0x{kind:04x}" for kind in sorted(set(fields) - {ZIP64}))
        return f"it carries extra fields ({ids}, e.g. a second name) that ZIP readers treat differently"
    wanted = [n for n, (value, limit) in enumerate(zip(values, limits, strict=True)) if value == limit]
    payload = fields.get(ZIP64, b"")
    if len(payload) != 8 * len(wanted):
        return "its ZIP64 sizes do not match what its header announces"
    values = list(values)
    for n, value in zip(wanted, struct.unpack(f"<{len(wanted)}Q", payload), strict=True):
        values[n] = value
    return values


def _read(stream, offset: int, length: int) -> bytes:
    stream.seek(offset)
    return stream.read(length)


def _end_record(stream, size: int) -> tuple[int, int, int]:
    """(entries, central directory offset, its size) from the end record(s), which must close the file."""
    tail = _read(stream, max(0, size - END_SIZE - MAX_COMMENT), END_SIZE + MAX_COMMENT)
    at = len(tail) - END_SIZE
    if tail[at : at + 4] != END or tail[-2:] != b"\0\0":  # not closed by an end record without comment
        at = tail.rfind(END, 0, at)
        if at < 0:
            raise NotAZip("it has no ZIP end record")
        comment = struct.unpack_from("<H", tail, at + 20)[0]
        after = len(tail) - at - END_SIZE
        if comment and comment == after:
            raise Refused(
                [f"tampered: the ZIP (it carries a ZIP comment of {comment} bytes; a pack has none)"]
            )
        raise Refused([f"tampered: the ZIP ({after} bytes follow its end record: data appended to the pack)"])
    disk, cd_disk, on_disk, count, cd_size, cd_offset, _ = struct.unpack_from("<HHHHIIH", tail, at + 4)
    end = size - END_SIZE
    locator = _read(stream, end - LOCATOR_SIZE, LOCATOR_SIZE) if end >= LOCATOR_SIZE else b""
    if locator[:4] == LOCATOR64:
        _, end64, disks = struct.unpack_from("<IQI", locator, 4)
        record = _read(stream, end64, END64_SIZE)
        if end64 + END64_SIZE != end - LOCATOR_SIZE or len(record) != END64_SIZE or record[:4] != END64:
            raise Refused(["tampered: the ZIP (its ZIP64 end record is not where its locator says)"])
        length, _, _, disk64, cd_disk64, on_disk64, count64, cd_size64, cd_offset64 = struct.unpack_from(
            "<QHHIIQQQQ", record, 4
        )
        short = (
            (count, count64, 0xFFFF),
            (cd_size, cd_size64, 0xFFFFFFFF),
            (cd_offset, cd_offset64, 0xFFFFFFFF),
        )
        if length != END64_SIZE - 12 or disks != 1 or any(v not in (v64, cap) for v, v64, cap in short):
            raise Refused(["tampered: the ZIP (its ZIP64 end record disagrees with its end record)"])
        disk, cd_disk, on_disk, count, cd_size, cd_offset = (
            disk64,
            cd_disk64,
            on_disk64,
            count64,
            cd_size64,
            cd_offset64,
        )
        end = end64
    if disk or cd_disk or on_disk != count:
        raise Refused(["tampered: the ZIP (it claims to span several disks)"])
    if cd_offset + cd_size != end:
        raise Refused(["tampered: the ZIP (its central directory does not end where its end record begins)"])
    return count, cd_offset, cd_size


def _central(stream, count: int, offset: int, length: int) -> tuple[list[Entry], list[str]]:
    data = _read(stream, offset, length)
    if len(data) != length or count > length // CENTRAL_SIZE:
        raise Refused(["tampered: the ZIP (its central directory is cut short)"])
    entries, problems, at = [], [], 0
    for n in range(1, count + 1):
        if data[at : at + 4] != CENTRAL or at + CENTRAL_SIZE > length:
            raise Refused([f"tampered: the ZIP (entry {n} of its central directory is malformed)"])
        (made_by, _, flags, method, _, _, crc, compressed, size, name_length, extra_length, comment_length,
         disk, _, attributes, local) = struct.unpack_from("<HHHHHHIIIHHHHHII", data, at + 4)  # fmt: skip
        raw = data[at + CENTRAL_SIZE : at + CENTRAL_SIZE + name_length]
        extra_at = at + CENTRAL_SIZE + name_length
        extra = data[extra_at : extra_at + extra_length]
        at = extra_at + extra_length + comment_length
        if at > length:
            raise Refused([f"tampered: the ZIP (entry {n} of its central directory runs past its end)"])
        name, why = _decode(raw, flags)
        values = _zip64(extra, [size, compressed, local], [0xFFFFFFFF] * 3)
        if isinstance(values, str):
            why = why or values
            values = [size, compressed, local]
        size, compressed, local = values
        entry = Entry(name, raw, local, flags, method, crc, compressed, size)
        why = why or _entry_problem(entry, made_by, attributes, comment_length, disk)
        if why:
            kind = "extra" if why.startswith("a directory entry") else "tampered"
            problems.append(f"{kind}: {shown(name)} ({why})")
        entries.append(entry)
    if at != length:
        raise Refused(["tampered: the ZIP (its central directory holds more than its entries)"])
    return entries, problems


def _decode(raw: bytes, flags: int) -> tuple[str, str | None]:
    if flags & UTF8:
        try:
            return raw.decode("utf-8"), None
        except UnicodeDecodeError:
            return raw.decode("utf-8", "replace"), "its name is flagged UTF-8 but is not"
    if not raw.isascii():
        return raw.decode(
            "cp437"
        ), "its name is not ASCII and not flagged UTF-8: each tool decodes it its own way"
    return raw.decode("ascii"), None


def _entry_problem(entry: Entry, made_by: int, attributes: int, comment: int, disk: int) -> str | None:
    mode = attributes >> 16
    if entry.flags & ENCRYPTED:
        return "it is encrypted"
    if entry.flags & ~KNOWN_FLAGS:
        return f"it uses ZIP features a pack never does (flags 0x{entry.flags:04x})"
    if entry.method not in METHODS:
        return f"it is compressed with method {entry.method}; a pack uses deflate or none"
    if entry.method == 0 and entry.compressed != entry.size:
        return "it is stored uncompressed, yet its two sizes differ"
    if comment:
        return "it carries a comment; a pack's entries have none"
    if disk:
        return "it claims to be on another disk"
    if entry.name.endswith("/") or attributes & 0x10 or (made_by >> 8 == 3 and stat.S_ISDIR(mode)):
        return "a directory entry, not in the manifest"
    if made_by >> 8 == 3 and stat.S_IFMT(mode) not in (0, stat.S_IFREG):
        return "it is a symbolic link or special file, not a plain file"
    return name_problem(entry.name)


def _local(stream, entry: Entry) -> str | None:
    """Reads `entry`'s local header, sets where the entry ends, and says how it disagrees with the central
    directory, if it does."""
    head = _read(stream, entry.offset, LOCAL_SIZE)
    if len(head) != LOCAL_SIZE or head[:4] != LOCAL:
        entry.end = entry.offset
        return "the central directory points at no local header"
    _, flags, method, _, _, crc, compressed, size, name_length, extra_length = struct.unpack_from(
        "<HHHHHIIIHH", head, 4
    )
    raw = stream.read(name_length)
    extra = stream.read(extra_length)
    data_at = entry.offset + LOCAL_SIZE + name_length + extra_length
    entry.end = data_at + entry.compressed
    if raw != entry.raw_name:
        return f"its local header names it {shown(_decode(raw, flags)[0])!r}: readers disagree on its name"
    if flags != entry.flags or method != entry.method:
        return "its local header and the central directory disagree on how it is stored"
    values = _zip64(extra, [size, compressed], [0xFFFFFFFF, 0xFFFFFFFF])
    if isinstance(values, str):
        return values
    if flags & WITH_DESCRIPTOR:
        return _descriptor(stream, entry)
    if (crc, *values) != (entry.crc, entry.size, entry.compressed):
        return "its local header and the central directory disagree on its size or CRC"
    return None


def _descriptor(stream, entry: Entry) -> str | None:
    """The data descriptor after a streamed entry: CRC and sizes, with or without its signature, sizes of
    4 or 8 bytes. The one that matches the central directory ends the entry."""
    found = _read(stream, entry.end, 24)
    for signed in (True, False):
        for width in ("I", "Q"):
            layout = ("<4sI" if signed else "<I") + width * 2
            length = struct.calcsize(layout)
            if len(found) < length:
                continue
            values = struct.unpack_from(layout, found)
            if signed and values[0] != DESCRIPTOR:
                continue
            if tuple(values[int(signed) :]) == (entry.crc, entry.compressed, entry.size):
                entry.end += length
                return None
    return "its data descriptor disagrees with the central directory"


def read_entries(stream) -> list[Entry]:
    """The pack's entries, in the central directory's order, if the ZIP has a single reading; raises
    Refused naming every ambiguity otherwise, NotAZip if it is not a ZIP at all."""
    stream.seek(0, 2)
    size = stream.tell()
    if size < END_SIZE:
        raise NotAZip("too short to be a ZIP file")
    count, cd_offset, cd_size = _end_record(stream, size)
    entries, problems = _central(stream, count, cd_offset, cd_size)
    seen: dict[str, Entry] = {}
    for entry in entries:
        twin = seen.setdefault(name_key(entry.name), entry)
        if twin is entry:
            continue
        if twin.name == entry.name:
            problems.append(
                f"tampered: {shown(entry.name)} (the ZIP holds two entries of that name: "
                "readers disagree on which one is the file)"
            )
        else:
            problems.append(
                f"tampered: {shown(entry.name)} (it and {shown(twin.name)!r} differ only by letter case or "
                "Unicode form: one file on Windows and macOS)"
            )
    folders = {key.rsplit("/", n)[0] for key in seen for n in range(1, key.count("/") + 1)}
    problems += [
        f"tampered: {shown(entry.name)} (it is a file and also the folder of other entries)"
        for key, entry in seen.items()
        if key in folders
    ]
    covered = 0
    for entry in sorted(entries, key=lambda e: e.offset):
        why = _local(stream, entry)
        if why:
            problems.append(f"tampered: {shown(entry.name)} ({why})")
        if entry.offset > covered:
            where = "at the start of the ZIP" if covered == 0 else "between its entries"
            problems.append(
                f"tampered: the ZIP ({entry.offset - covered} bytes {where} belong to no entry: "
                "data prepended or hidden)"
            )
        elif entry.offset < covered:
            problems.append(f"tampered: {shown(entry.name)} (it overlaps the entry before it)")
        covered = max(covered, entry.end)
    if covered != cd_offset:
        gap = cd_offset - covered
        problems.append(
            f"tampered: the ZIP ({gap} bytes before its central directory belong to no entry: data hidden)"
            if gap > 0
            else "tampered: the ZIP (its last entry runs into its central directory)"
        )
    if problems:
        raise Refused(problems)
    return entries
