"""`manage.py seed_scale`: volume data for benchmarks (100,000 risks, 200 users by default).

Speed matters more than realism here, so rows are bulk-created, not written through the services:
scores come from Risk.compute_scores(), references are drawn as one block from the same
ReferenceCounter that risk_create uses (so later risks never collide), and each risk gets the
'created' history row the services would have written. Scale data is everything owned by the
`scale-owner-NNN` users, which is what --reset removes.

It lives in the Do app because it fills a Plan register (risks) and Do registers (AI systems, the SoA):
the layers allow lifecycle to import registers, never the other way.
"""

import datetime as dt
import random
import time

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from aims import roles
from aims.catalogue_data import RISK_SOURCES
from aims.models import Change, ReferenceCounter, Requirement, User
from lifecycle.models import AISystem, SoAEntry, Stage, Statement, Tier
from registers.models import Risk, RiskCategory

USER_PREFIX = "scale-owner-"
# Role of user number i is ROLE_PATTERN[(i - 1) % 10]: seven owners, a board member, an auditor and a
# manager in every ten, so even `--users 10` has every role.
ROLE_PATTERN = [roles.OWNER, roles.BOARD, roles.OWNER, roles.OWNER, roles.AUDITOR,
                roles.OWNER, roles.OWNER, roles.MANAGER, roles.OWNER, roles.OWNER]  # fmt: skip
SYSTEMS = ["Credit scoring", "Fraud detection", "Customer-support chatbot", "CV screening",
           "Loan document OCR", "Collections prioritisation", "AML transaction monitoring",
           "Marketing propensity model", "Income verification", "Call-centre speech analytics"]  # fmt: skip
HAZARDS = ["Proxy discrimination", "Data drift", "Hallucinated answers", "Prompt injection",
           "Unexplainable decisions", "Training data of unknown provenance", "Over-reliance by staff",
           "Personal data leakage", "Supplier model change", "Misread input documents",
           "Threshold probing by attackers", "Unfair outcomes for vulnerable customers"]  # fmt: skip
LINKED_FRACTION = 0.3  # share of risks mapped to clauses/controls


class Command(BaseCommand):
    help = "Bulk-create volume data (risks, users, history, requirement links) for benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--risks", type=int, default=100_000, help="Scale risks wanted (default 100000).")
        parser.add_argument("--users", type=int, default=200, help="Scale users wanted (default 200).")
        parser.add_argument(
            "--systems", type=int, default=1000, help="Scale AI systems wanted (default 1000)."
        )
        parser.add_argument(
            "--owners", type=int, default=0,
            help="How many scale owners hold the risks (default: every one). A real register has few owners "
            "with many risks each, which changes the database's statistics and plans.",
        )  # fmt: skip
        parser.add_argument("--reset", action="store_true", help="Delete earlier scale data first.")
        parser.add_argument("--batch-size", type=int, default=5000)
        parser.add_argument("--seed", type=int, default=42, help="Random seed, for repeatable data.")

    def handle(self, *args, risks, users, reset, batch_size, seed, systems=0, owners=0, **options):
        if owners < 0:
            raise CommandError(f"--owners must be 0 (every owner) or more, got {owners}.")
        if systems < 0:
            raise CommandError(f"--systems must be 0 or more, got {systems}.")
        if risks < 0:
            raise CommandError(f"--risks must be 0 or more, got {risks}.")
        if users < 1:
            raise CommandError(f"--users must be at least 1 (risks need owners), got {users}.")
        if batch_size < 1:
            raise CommandError(f"--batch-size must be at least 1, got {batch_size}.")
        started = time.monotonic()
        if reset:
            self._reset()
        have_risks = Risk.objects.filter(owner__username__startswith=USER_PREFIX).count()
        have_users = User.objects.filter(username__startswith=USER_PREFIX).count()
        have_systems = AISystem.objects.filter(owner__username__startswith=USER_PREFIX).count()
        if have_risks >= risks and have_users >= users and have_systems >= systems:
            self.stdout.write(
                f"Scale data already there: {have_risks:,} risks and {have_users:,} scale users "
                f"(asked for {risks:,} and {users:,}). Nothing to do; --reset rebuilds it."
            )
            self._analyze()
            return
        with transaction.atomic():
            new_users = self._users(users)
            people = list(User.objects.filter(username__startswith=USER_PREFIX).prefetch_related("groups"))
            # Systems first: each scale risk links the system its title names, when there is one.
            made_systems = self._systems(systems - have_systems, people, random.Random(seed + have_systems))
            made = self._risks(
                risks - have_risks, people, batch_size, random.Random(seed + have_risks), owners=owners
            )
        self._analyze()
        self.stdout.write(
            f"Scale data: created {new_users:,} users, {made:,} risks and {made_systems:,} AI systems in "
            f"{time.monotonic() - started:.1f} s (now {have_risks + made:,} scale risks)."
        )

    # -- users ------------------------------------------------------------------------------------------
    def _users(self, wanted: int) -> int:
        existing = set(
            User.objects.filter(username__startswith=USER_PREFIX).values_list("username", flat=True)
        )
        numbers = [i for i in range(1, wanted + 1) if f"{USER_PREFIX}{i:03d}" not in existing]
        if not numbers:
            return 0
        unusable = make_password(None)  # scale users never sign in with a password
        User.objects.bulk_create(
            [
                User(
                    username=f"{USER_PREFIX}{i:03d}",
                    display_name=f"Scale Owner {i:03d}",
                    email=f"{USER_PREFIX}{i:03d}@scale.example",
                    password=unusable,
                )
                for i in numbers
            ],
            batch_size=1000,
        )
        groups = {g.name: g.pk for g in Group.objects.filter(name__in=roles.ALL)}
        ids = dict(User.objects.filter(username__startswith=USER_PREFIX).values_list("username", "pk"))
        Membership = User.groups.through
        Membership.objects.bulk_create(
            [
                Membership(user_id=ids[f"{USER_PREFIX}{i:03d}"], group_id=groups[ROLE_PATTERN[(i - 1) % 10]])
                for i in numbers
            ],
            ignore_conflicts=True,
        )
        return len(numbers)

    # -- risks ------------------------------------------------------------------------------------------
    def _risks(self, count: int, people: list[User], batch_size: int, rng: random.Random, owners=0) -> int:
        if count <= 0:
            return 0
        names = {p.pk: {g.name for g in p.groups.all()} for p in people}
        limit = owners
        owners = sorted(p.pk for p in people if roles.OWNER in names[p.pk])
        owners = owners[:limit] if limit else owners
        board = [p.pk for p in people if roles.BOARD in names[p.pk]]
        if not owners:
            raise CommandError("No scale user holds the Owner role; raise --users.")
        categories = list(RiskCategory.objects.filter(active=True).values_list("pk", flat=True))
        requirements = list(Requirement.objects.mappable().values_list("pk", flat=True))
        if not categories:
            raise CommandError("There are no risk categories: run `manage.py migrate` first.")
        first = self._reserve_references(count)
        content_type = ContentType.objects.get_for_model(Risk)
        Link = Risk.requirements.through
        SystemLink = Risk.systems.through
        system_ids = dict(
            AISystem.objects.filter(owner__username__startswith=USER_PREFIX, title__in=SYSTEMS).values_list(
                "title", "pk"
            )
        )
        today = timezone.localdate()
        done = 0
        while done < count:
            size = min(batch_size, count - done)
            batch = [self._risk(first + done + k, rng, owners, board, categories, today) for k in range(size)]
            for risk in batch:  # named in text only where the inventory has no such system
                risk.system_note = "" if risk.system_note in system_ids else risk.system_note
            Risk.objects.bulk_create(batch)
            SystemLink.objects.bulk_create(
                [
                    SystemLink(risk_id=r.pk, aisystem_id=system_ids[r.scale_system])
                    for r in batch
                    if not r.system_note
                ]
            )
            Change.objects.bulk_create([self._created(risk, content_type) for risk in batch])
            if requirements:
                links = [
                    Link(risk_id=risk.pk, requirement_id=req)
                    for risk in batch
                    if rng.random() < LINKED_FRACTION
                    for req in rng.sample(requirements, rng.randint(1, 3))
                ]
                Link.objects.bulk_create(links, ignore_conflicts=True)
            done += size
            if done % 20_000 < size or done == count:
                self.stdout.write(f"  {done:,} / {count:,} risks")
        return done

    def _systems(self, count: int, people: list[User], rng: random.Random) -> int:
        """AI systems for the inventory pages at volume: the ten names the scale risks use first (so
        priorities count real open risks), then variants; stages and tiers spread across the choices."""
        if count <= 0:
            return 0
        names = {p.pk: {g.name for g in p.groups.all()} for p in people}
        owners = [p.pk for p in people if roles.OWNER in names[p.pk]]
        have = AISystem.objects.filter(owner__username__startswith=USER_PREFIX).count()
        first = self._reserve_references(count, AISystem.reference_prefix)
        today = timezone.localdate()
        batch = []
        for k in range(count):
            n = have + k
            title = SYSTEMS[n] if n < len(SYSTEMS) else f"{SYSTEMS[n % len(SYSTEMS)]} variant {n:04d}"
            owner = rng.choice(owners)
            batch.append(
                AISystem(
                    reference=f"{AISystem.reference_prefix}-{first + k:04d}",
                    title=title,
                    purpose=f"Generated volume data: {title}.",
                    kind=rng.choice(AISystem.Kind.values),
                    automation=AISystem.Automation.IN_THE_LOOP,
                    criticality=rng.randint(1, 5),
                    stage=rng.choice(Stage.values),
                    eu_tier=(tier := rng.choice(Tier.values)),
                    classification_status="unanswered" if tier == Tier.UNCLASSIFIED else "confirmed",
                    owner_id=owner,
                    created_by_id=owner,
                    updated_by_id=owner,
                    next_review_on=today + dt.timedelta(days=rng.randint(-30, 365)),
                )
            )
        made = AISystem.objects.bulk_create(batch, batch_size=1000)
        Change.objects.bulk_create(Command._created_plainly(made), batch_size=1000)
        self._statement(owners[0], rng)
        self.stdout.write(f"  {count:,} AI systems")
        return count

    @staticmethod
    def _statement(owner: int, rng: random.Random) -> None:
        """A Statement of Applicability with an entry per Annex A control, each covering ~50 of the scale
        systems, so the SoA pages are measured at volume too. Made once."""
        if Statement.objects.exists():
            return
        today = timezone.localdate()
        counter = ReferenceCounter.objects.select_for_update().get_or_create(
            prefix=Statement.reference_prefix
        )[0]
        counter.last += 1
        counter.save(update_fields=["last"])
        people = {"owner_id": owner, "created_by_id": owner, "updated_by_id": owner, "next_review_on": today}
        statement = Statement.objects.create(
            reference=f"{Statement.reference_prefix}-{counter.last:04d}", title="Statement of Applicability (volume)",
            **people,
        )  # fmt: skip
        controls = list(Requirement.objects.filter(kind=Requirement.Kind.CONTROL, standard__key="iso42001"))
        first = Command._reserve_references(len(controls), SoAEntry.reference_prefix)
        entries = SoAEntry.objects.bulk_create(
            [
                SoAEntry(
                    reference=f"{SoAEntry.reference_prefix}-{first + k:04d}",
                    title=f"{c.code} {c.title}"[:200],
                    control=c,
                    applicable=rng.random() > 0.1,
                    justification="Volume data (seed_scale).",
                    implementation=rng.choice(SoAEntry.Implementation.values),
                    evidence_note="",
                    **people,
                )  # fmt: skip
                for k, c in enumerate(controls)
            ]
        )
        Change.objects.bulk_create(Command._created_plainly([statement, *entries]))
        systems = list(AISystem.objects.values_list("pk", flat=True))
        Link = SoAEntry.systems.through
        Link.objects.bulk_create(
            [
                Link(soaentry_id=e.pk, aisystem_id=s)
                for e in entries
                for s in rng.sample(systems, min(50, len(systems)))
            ]
        )

    @staticmethod
    def _reserve_references(count: int, prefix: str = Risk.reference_prefix) -> int:
        """Take `count` numbers from a reference counter at once; returns the first."""
        with transaction.atomic():
            counter, _ = ReferenceCounter.objects.select_for_update().get_or_create(prefix=prefix)
            first = counter.last + 1
            counter.last += count
            counter.save(update_fields=["last"])
        return first

    @staticmethod
    def _risk(number, rng, owners, board, categories, today) -> Risk:
        system, hazard = rng.choice(SYSTEMS), rng.choice(HAZARDS)
        il, ii = rng.randint(1, 5), rng.randint(1, 5)
        rl, ri = rng.randint(1, il), rng.randint(1, ii)  # residual never above inherent
        owner = rng.choice(owners)
        affected = rng.randrange(1, 16)  # a non-empty subset of the four "affects" flags
        treatment = rng.choice(["mitigate", "mitigate", "mitigate", "avoid", "transfer", "accept"])
        accepted_by = None
        if board and rng.random() < 0.1:
            accepted_by = rng.choice(board)
        risk = Risk(
            reference=f"{Risk.reference_prefix}-{number:04d}",  # same format as aims.records.next_reference
            title=f"{hazard} in {system} ({number})",
            description=f"{hazard} affecting the {system.lower()} system; generated volume data.",
            system_note=system,
            category_id=rng.choice(categories),
            risk_source=rng.choice(RISK_SOURCES)[0],
            affects_organisation=bool(affected & 1),
            affects_individuals=bool(affected & 2),
            affects_groups=bool(affected & 4),
            affects_society=bool(affected & 8),
            inherent_likelihood=il,
            inherent_impact=ii,
            residual_likelihood=rl,
            residual_impact=ri,
            treatment=treatment,
            treatment_plan=""
            if treatment == "accept"
            else f"Reduce {hazard.lower()} with monitoring and review.",
            status="accepted"
            if accepted_by
            else rng.choice(["identified", "assessed", "treating", "treating"]),
            accepted_by_id=accepted_by,
            accepted_on=today if accepted_by else None,
            acceptance_rationale="Accepted for volume data." if accepted_by else "",
            owner_id=owner,
            created_by_id=owner,
            updated_by_id=owner,
            review_cadence=rng.choice([30, 91, 91, 182, 365]),
            next_review_on=today + dt.timedelta(days=rng.randint(-120, 365)),
        )
        if rng.random() < 0.5:
            risk.target_likelihood, risk.target_impact = rng.randint(1, rl), rng.randint(1, ri)
        risk.compute_scores()
        risk.scale_system = system  # the system its title names, linked once the batch is saved
        return risk

    @staticmethod
    def _created_plainly(records) -> list[Change]:
        """A 'created' entry naming the title of each record, so no record of the volume data is without
        history (`manage.py verify_history` would rightly call that history deleted)."""
        return [
            Change(
                content_type=ContentType.objects.get_for_model(type(record)),
                object_id=record.pk,
                version=record.version,
                action=Change.Action.CREATED,
                actor_id=record.created_by_id,
                changes=[{"field": "title", "label": "Title", "old": "", "new": record.title}],
                note="Volume data (seed_scale).",
            )  # fmt: skip
            for record in records
        ]

    @staticmethod
    def _created(risk: Risk, content_type) -> Change:
        # A short 'created' entry: the full snapshot the services write would cost seconds per thousand.
        changes = [
            {"field": "title", "label": "Title", "old": "", "new": risk.title},
            {"field": "residual_likelihood", "label": "Residual likelihood", "old": "",
             "new": str(risk.residual_likelihood)},
            {"field": "residual_impact", "label": "Residual impact", "old": "", "new": str(risk.residual_impact)},
        ]  # fmt: skip
        return Change(
            content_type=content_type,
            object_id=risk.pk,
            version=1,
            action=Change.Action.CREATED,
            actor_id=risk.created_by_id,
            changes=changes,
            note="Volume data (seed_scale).",
        )

    # -- housekeeping -----------------------------------------------------------------------------------
    def _reset(self):
        started = time.monotonic()
        scale_risks = Risk.objects.filter(owner__username__startswith=USER_PREFIX)
        with transaction.atomic():
            # Volume data goes whole, history with it: a chain of no record is no gap (verify_history).
            for model in (Risk, SoAEntry, Statement, AISystem):
                made = model.objects.filter(owner__username__startswith=USER_PREFIX).values("pk")
                content_type = ContentType.objects.get_for_model(model)
                Change.objects.filter(content_type=content_type, object_id__in=made).delete()
            Risk.requirements.through.objects.filter(risk__in=scale_risks.values("pk")).delete()
            removed = scale_risks.count()
            scale_risks.delete()
            SoAEntry.objects.filter(owner__username__startswith=USER_PREFIX).delete()
            Statement.objects.filter(owner__username__startswith=USER_PREFIX).delete()
            AISystem.objects.filter(owner__username__startswith=USER_PREFIX).delete()
            try:
                scale_users = User.objects.filter(username__startswith=USER_PREFIX)
                users = scale_users.count()
                scale_users.delete()
            except ProtectedError as exc:
                raise CommandError(
                    "Scale users are referenced by records outside the scale data "
                    f"({len(exc.protected_objects)} rows, e.g. {next(iter(exc.protected_objects))}); "
                    "nothing was deleted."
                ) from exc
        # The RSK counter is not wound back: a reference, once issued, is never reused.
        self.stdout.write(
            f"Removed earlier scale data: {removed:,} risks and their history, {users:,} users, "
            f"in {time.monotonic() - started:.1f} s."
        )

    def _analyze(self):
        """Fresh planner statistics and visibility map, as autovacuum would leave a settled database, so
        benchmarks right after seeding use the indexes (and index-only scans for counts)."""
        if connection.vendor != "postgresql":
            return
        tables = [Risk._meta.db_table, Change._meta.db_table, Risk.requirements.through._meta.db_table]
        # VACUUM cannot run inside a transaction (a test wraps the command in one): ANALYZE can.
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"{command} {connection.ops.quote_name(table)}")
