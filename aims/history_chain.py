"""History nobody can rewrite quietly.

Each entry of a record's history (aims.models.Change) carries `previous`, the seal of the entry before
it in the same record's history ("" for the first), and `seal`, an HMAC-SHA256 of its own content and
`previous` under a key the database does not hold (HISTORY_KEY). So:
- an entry edited in the database no longer matches its seal;
- an entry deleted or inserted breaks the link of the one after it;
- the newest entries of a record deleted leave the record at a version its history does not reach;
- and without the key nobody can write new seals that match.
`manage.py verify_history` walks every chain and names the first broken entry of each.

One chain per record, not one for the whole database: a record's writes already queue on the record
(its version check), so sealing adds one short lock and one read to a write and never makes people
editing different records wait for each other, as one global chain would (every history write of the
organisation in one line, for the length of each write's transaction). A chain's head is its newest
seal; the heads of all chains are summed into one digest (`root`) that each evidence pack's signed
manifest records, so a pack fixes the whole history as of its export.
"""

import hashlib
import hmac
import json
from datetime import UTC, datetime

from django.conf import settings
from django.db import connections

GENESIS = ""  # the `previous` of a record's first entry


def key() -> bytes:
    return settings.HISTORY_KEY.encode()


def seal(
    *, previous: str, record: str, object_id: int, version: int, action: str, actor_id, at: datetime,
    changes, note: str,
) -> str:  # fmt: skip
    """The seal of one entry: `record` is its register's model label ("registers.risk")."""
    body = [previous, record, object_id, version, action, actor_id, instant(at), changes, note]
    text = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hmac.new(key(), text.encode(), hashlib.sha256).hexdigest()


def instant(at: datetime) -> str:
    """A moment written one way whatever the connection's time zone: UTC, to the microsecond (what both
    PostgreSQL and SQLite keep)."""
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def entry_seal(entry, label: str, previous: str) -> str:
    return seal(
        previous=previous, record=label, object_id=entry.object_id, version=entry.version,
        action=entry.action, actor_id=entry.actor_id, at=entry.at, changes=entry.changes, note=entry.note,
    )  # fmt: skip


def label_of(content_type) -> str:
    return f"{content_type.app_label}.{content_type.model}"


# Chains are held through advisory locks on a fixed number of slots, not one lock per chain: PostgreSQL
# keeps every lock a transaction holds in a shared table of some 6,400 entries (max_locks_per_transaction
# 64 x connections), which one bulk write of history for thousands of records (an import, seed_scale's
# batches of 5,000) filled at once ("out of shared memory"). With slots, a write holds at most
# CHAIN_LOCK_SLOTS locks; two writes of unrelated records share a slot once in that many and then only
# wait for each other. The class key keeps these locks apart from any other advisory lock.
CHAIN_LOCK_CLASS = 0x41494D53 - 2**31  # "AIMS", as a signed int4
CHAIN_LOCK_SLOTS = 256


def lock_slot(content_type_id: int, object_id: int) -> int:
    return (content_type_id * 1_000_003 + object_id) % CHAIN_LOCK_SLOTS


def chain_heads(model, using: str, chains) -> dict[tuple[int, int], str]:
    """The newest seal of each of `chains` (content type id, object id) that has entries, the chains held
    until the transaction ends so that two writes to one record's history read each other's seal, never
    the same one."""
    chains = sorted(set(chains))
    if not chains:
        return {}
    connection = connections[using]
    if connection.vendor != "postgresql":  # SQLite writes one transaction at a time: nothing to hold
        return _heads_read(model, using, chains)
    table = connection.ops.quote_name(model._meta.db_table)
    kinds, ids = [c for c, _ in chains], [o for _, o in chains]
    slots = sorted({lock_slot(c, o) for c, o in chains})  # one order for every writer: no deadlock
    with connection.cursor() as cursor:
        # One round trip, two statements: the second takes its snapshot once the locks are held, so it sees
        # an entry a writer who held them before us committed.
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, s) FROM unnest(%s::int[]) AS t(s); "
            f"SELECT DISTINCT ON (content_type_id, object_id) content_type_id, object_id, seal FROM {table} "
            "WHERE (content_type_id, object_id) IN (SELECT * FROM unnest(%s::int[], %s::bigint[])) "
            "ORDER BY content_type_id, object_id, id DESC",
            [CHAIN_LOCK_CLASS, slots, kinds, ids],
        )
        return {(c, o): value for c, o, value in cursor.fetchall()}


def _heads_read(model, using: str, chains) -> dict[tuple[int, int], str]:
    found: dict = {}
    rows = (
        model._base_manager.using(using)
        .filter(content_type_id__in={c for c, _ in chains}, object_id__in={o for _, o in chains})
        .order_by("content_type_id", "object_id", "-id")
        .values_list("content_type_id", "object_id", "seal")
    )
    for content_type_id, object_id, value in rows:
        found.setdefault((content_type_id, object_id), value)
    return {chain: found[chain] for chain in chains if chain in found}


def seal_new(model, entries, using: str) -> None:
    """Fill `previous` and `seal` of new entries (in the order they will be written), holding their
    chains for the rest of the transaction; `model` is Change, or its historical model in a migration."""
    from django.contrib.contenttypes.models import ContentType

    last = chain_heads(model, using, [(e.content_type_id, e.object_id) for e in entries])
    for entry in entries:
        chain = (entry.content_type_id, entry.object_id)
        label = label_of(ContentType.objects.db_manager(using).get_for_id(entry.content_type_id))
        entry.previous = last.get(chain, GENESIS)
        entry.seal = entry_seal(entry, label, entry.previous)
        last[chain] = entry.seal


def root(model, using: str = "default", up_to: int | None = None) -> dict:
    """The digest of every chain's head: what a pack's manifest records. `up_to`: as it was when the
    entry of that id was the newest (what a pack exported then recorded), else as of now. Chains are
    taken in (content type, object id) order; `entries`, `chains` and `last_entry` say what it covers."""
    rows = model._base_manager.using(using)
    if up_to is None:
        up_to = rows.order_by("-id").values_list("id", flat=True).first() or 0
    rows = rows.filter(id__lte=up_to)
    digest = hashlib.sha256()
    chains = 0
    for content_type_id, object_id, value in _all_heads(rows, using):
        digest.update(f"{content_type_id}:{object_id}:{value}\n".encode())
        chains += 1
    return {"algorithm": "sha256 of each record's newest seal", "root": digest.hexdigest(), "chains": chains,
            "entries": rows.count(), "last_entry": up_to}  # fmt: skip


def settled_root(model, using: str = "default") -> dict:
    """root() with every history write begun before it committed first, and new ones held back while it
    is taken (on PostgreSQL, a SHARE lock on the table for the length of a short transaction): entries
    are numbered when written, not when committed, so an entry of a write still open could otherwise
    take a number below `last_entry` and change the root as of it afterwards, by no one's rewrite."""
    from django.db import transaction

    with transaction.atomic(using=using):
        connection = connections[using]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {connection.ops.quote_name(model._meta.db_table)} IN SHARE MODE")
        return root(model, using)


def _all_heads(entries, using: str):
    """(content type id, object id, newest seal) of every chain among `entries`, in (content type, object
    id) order."""
    rows = entries.values_list("content_type_id", "object_id", "seal")
    if connections[using].vendor == "postgresql":
        newest = rows.order_by("content_type_id", "object_id", "-id").distinct("content_type_id", "object_id")
        yield from newest.iterator(chunk_size=5000)
        return
    chain, head = None, None
    for content_type_id, object_id, value in rows.order_by("content_type_id", "object_id", "id").iterator():
        if chain is not None and chain != (content_type_id, object_id):
            yield (*chain, head)
        chain, head = (content_type_id, object_id), value
    if chain is not None:
        yield (*chain, head)


# -- verification ---------------------------------------------------------------------------------------


def name_of(content_type_id: int, object_id: int, using: str) -> str:
    """A record as people know it (RSK-0042), or its model and id when it has no reference or is gone."""
    from django.contrib.contenttypes.models import ContentType

    content_type = ContentType.objects.db_manager(using).get_for_id(content_type_id)
    model = content_type.model_class()
    record = model._base_manager.using(using).filter(pk=object_id).first() if model else None
    reference = getattr(record, "reference", None)
    return reference or f"{label_of(content_type)} {object_id}"


def describe(entry, record: str) -> str:
    return (
        f"History entry #{entry.pk} ({record} version {entry.version}, {entry.action} at {instant(entry.at)})"
    )


def verify(model, records=(), using: str = "default", named: int = 100):
    """Every broken chain's first broken entry, as a sentence, in the order of the chains.

    `records`: the models whose rows keep a `version` their history must reach (the registers); a record
    whose history stops short of its version, or has none, lost its newest entries. The first `named`
    problems name an entry's record by its reference (a query each); later ones by model and id."""
    from django.contrib.contenttypes.models import ContentType

    content_types = ContentType.objects.db_manager(using)
    labels = {ct.pk: label_of(ct) for ct in content_types.all()}
    content_types.clear_cache()
    last_version: dict[tuple[int, int], int] = {}
    broken: set[tuple[int, int]] = set()
    chain, previous = None, GENESIS
    found = 0

    def record_of(entry, label):
        return (
            name_of(entry.content_type_id, entry.object_id, using)
            if found <= named
            else f"{label} {entry.object_id}"
        )

    rows = model._base_manager.using(using).order_by("content_type_id", "object_id", "id")
    for entry in rows.iterator(chunk_size=5000):
        here = (entry.content_type_id, entry.object_id)
        if here != chain:
            chain, previous = here, GENESIS
        label = labels.get(entry.content_type_id, str(entry.content_type_id))
        last_version[here] = entry.version
        if here in broken:
            continue
        if entry.previous != previous:
            broken.add(here)
            found += 1
            yield (
                f"{describe(entry, record_of(entry, label))} does not follow the entry before it: "
                + ("an entry before it was deleted, or it was inserted." if entry.previous or previous
                   else "it claims to be the first.")
            )  # fmt: skip
        elif entry_seal(entry, label, entry.previous) != entry.seal:
            broken.add(here)
            found += 1
            yield f"{describe(entry, record_of(entry, label))} does not match its seal: it was changed after it was written."
        previous = entry.seal
    for record_model in records:
        content_type = content_types.get_for_model(record_model)
        kept = record_model._base_manager.using(using).values_list("pk", "version", "reference")
        for pk, version, name in kept.iterator():  # the reference read with the version: no query to name it
            chain = (content_type.pk, pk)
            if chain in broken:
                continue
            reached = last_version.get(chain)
            if reached is None:
                yield f"{name} is at version {version} but has no history: its entries were deleted."
            elif reached < version:
                yield (
                    f"{name} is at version {version} but its history ends at version {reached}: "
                    "its newest entries were deleted."
                )
