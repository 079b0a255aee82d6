"""Demo evidence for Northbank Credit (ISO/IEC 42001 7.5, 9.2): a dozen pieces an auditor would sample --
the risk methodology, the board's AI policy sign-off, a model validation report, training attendance,
supplier contracts -- mapped to clauses and controls and attached to the demo's risks, AI systems,
policies and suppliers. One has expired, one is confidential, one was replaced by a second file.

Made through the services, so files are validated, hashed and versioned and history is real; matched
by title, so a second run creates nothing. Records not in the demo (another app's demo left out) are
simply not linked."""

import datetime as dt

from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from aims import demo
from aims.catalogue_data import STANDARD
from aims.models import Requirement

from .evidence_services import evidence_attach, services
from .models import Evidence


def pdf_bytes(title: str, lines: list[str]) -> bytes:
    """A small, valid one-page PDF with the title and lines in Helvetica (no dependency needed)."""

    def escape(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    body = ["BT /F1 16 Tf 56 780 Td (" + escape(title) + ") Tj ET"]
    for index, line in enumerate(lines):
        body.append(f"BT /F1 10 Tf 56 {750 - 16 * index} Td ({escape(line)}) Tj ET")
    stream = "\n".join(body).encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, content in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + content + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _attendance_csv() -> bytes:
    rows = ["name,role,course,completed_on,score"]
    people = [("Amara Okafor", "AIMS manager"), ("Tom Becker", "AI system owner"),
              ("Sofia Marin", "AI system owner"), ("Liam O'Connor", "AI system owner"),
              ("Grace Lindqvist", "Internal auditor")]  # fmt: skip
    for index, (name, role) in enumerate(people):
        rows.append(f"{name},{role},AI literacy for all staff,2026-0{index + 1}-15,{84 + index * 3}")
    return ("\n".join(rows) + "\n").encode()


# (title, owner, kind, nature, file name or URL, content lines / bytes, requirement codes,
#  links as (app_label.Model, title prefix), extra fields)
EVIDENCE = [
    ("AI risk assessment methodology v2", "manager", "file", "document", "risk-methodology-v2.pdf",
     ["Scales: likelihood and impact 1-5; levels Low, Medium, High, Critical.",
      "Appetite: residual Medium or below may be accepted by the owner.",
      "Reviewed yearly by the AIMS manager; approved by the governance board."],
     "6.1.1 6.1.2 8.2", [("registers.Risk", "Postcode acts as a proxy"),
                         ("lifecycle.HighRiskObligation", "Annex IV point 5")], {}),
    ("Board minutes: AI policy sign-off", "manager", "file", "record", "board-minutes-ai-policy.pdf",
     ["Item 4: the board approved the AI policy v2 (unanimous).",
      "Actions: publish on the intranet; request acknowledgement from owners."],
     "5.2 A.2.2 A.2.4", [("registers.Policy", "AI policy")], {}),
    ("Northbank Score v3 model validation report", "owner", "file", "record", "score-v3-validation.pdf",
     ["Gini 0.61 on the 2025 holdout; PSI 0.07 against development sample.",
      "Fairness: approval-rate ratio 0.94 by age band (passes four-fifths rule).",
      "Conclusion: fit for use; re-validate after the next retrain."],
     "A.6.2.4 A.6.2.5 8.1", [("lifecycle.AISystem", "Credit scoring"),
                             ("registers.Risk", "Credit model under-scores thin-file"),
                             ("lifecycle.HighRiskObligation", "Annex IV point 4")],
     {"confidentiality": "confidential"}),
    ("AI literacy training attendance, H1 2026", "manager", "file", "record", "ai-literacy-attendance.csv",
     _attendance_csv, "7.2 7.3 A.4.6", [], {}),
    ("DocuSense OCR master services agreement", "owner", "link", "document",
     "https://contracts.northbank.example/docusense-msa-2025", None, "A.10.3 8.1",
     [("lifecycle.Supplier", "DocuSense"), ("registers.Risk", "OCR supplier keeps loan-file images")],
     {"origin": "external"}),
    ("Conversa LLM platform: data processing addendum", "owner2", "link", "document",
     "https://contracts.northbank.example/conversa-dpa", None, "A.10.3 A.7.3",
     [("lifecycle.Supplier", "Conversa"), ("registers.Risk", "LLM supplier changes the underlying model")],
     {"origin": "external"}),
    ("Chatbot penetration test report 2024", "owner2", "file", "record", "chatbot-pentest-2024.pdf",
     ["Scope: Ask Northbank chatbot and its account lookup tool.",
      "Two high findings on prompt injection, both fixed and retested."],
     "A.6.2.4 A.6.2.8", [("lifecycle.AISystem", "Customer-support chatbot"),
                         ("registers.Risk", "Prompt injection")],
     {"valid_until_days": -45}),
    ("Fraud model monitoring dashboard (weekly recall)", "owner2", "link", "record",
     "https://dashboards.northbank.example/fraud/recall", None, "9.1 A.6.2.6",
     [("lifecycle.AISystem", "Fraud detection"), ("registers.Risk", "Fraud model misses new card-not-present")],
     {}),
    ("CV screening external bias audit", "owner3", "file", "record", "cv-screening-bias-audit.pdf",
     ["Selection-rate ratio women/men 0.62 before remediation.",
      "Recommendation: remove gap-length features; re-audit before reinstating."],
     "A.5.4 A.5.5 A.7.4", [("lifecycle.AISystem", "CV screening"),
                           ("registers.Risk", "CV screening penalises career gaps")],
     {"origin": "external", "valid_until_days": 20}),
    ("AI system impact assessment procedure", "manager", "file", "document", "impact-assessment-sop.txt",
     ["1. Screen every AI system before design sign-off.", "2. Assess harms to individuals, groups and "
      "society.", "3. Record results and feed harms into the risk register."],
     "6.1.4 8.4 A.5.2 A.5.3", [("registers.Policy", "AI ethics principles")], {}),
    ("Internal audit plan 2026", "manager", "file", "document", "internal-audit-plan-2026.pdf",
     ["Q1: clauses 4-6 and the risk register. Q2: Annex A.6 life cycle.",
      "Q3: suppliers and data (A.7, A.10). Q4: follow-up of findings."],
     "9.2.1 9.2.2", [], {}),
    ("GPU cluster failover test record", "owner", "file", "record", "gpu-failover-test.txt",
     ["Manual keying fallback exercised for two days of volume in March.",
      "Service level met; lessons logged."],
     "A.4.5 8.1", [("registers.Risk", "GPU cluster failure")], {"second_file": True}),
]  # fmt: skip


def _content(name: str, content, title: str) -> bytes:
    if callable(content):
        return content()
    if name.endswith(".pdf"):
        return pdf_bytes(title, content)
    return ("\n".join([title, "", *content]) + "\n").encode()


def _upload(name: str, data: bytes) -> SimpleUploadedFile:
    types = {".pdf": "application/pdf", ".csv": "text/csv", ".txt": "text/plain"}
    return SimpleUploadedFile(name, data, content_type=types[name[name.rindex(".") :]])


def _linked(specs) -> list:
    found = []
    for label, prefix in specs:
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        record = model.objects.filter(title__startswith=prefix, archived_at__isnull=True).first()
        if record is not None:
            found.append(record)
    return found


def seed_evidence(users) -> int:
    """Create the demo's evidence (once) and attach it; returns how many pieces were made."""
    today = timezone.localdate()
    made = 0
    for title, who, kind, nature, where, content, codes, links, extra in EVIDENCE:
        if demo.seeded(Evidence, title):
            continue
        actor = users[who]
        extra = dict(extra)
        fields = {"title": title, "kind": kind, "nature": nature, "owner": actor, "review_cadence": 365,
                  "origin": extra.get("origin", "internal"),
                  "confidentiality": extra.get("confidentiality", "internal")}  # fmt: skip
        if "valid_until_days" in extra:
            fields["valid_until"] = today + dt.timedelta(days=extra["valid_until_days"])
        if kind == "link":
            fields["url"] = where
        else:
            fields["file"] = _upload(where, _content(where, content, title))
        requirements = Requirement.objects.filter(standard__key=STANDARD["key"], code__in=codes.split())
        evidence = demo.remember(services.create(actor=actor, fields=fields, requirements=list(requirements)))
        if extra.get("second_file"):  # re-run after a fix: the earlier record stays as version 1
            data = _content(where, [*content, "Retest after the rack move: passed."], title)
            evidence = services.update(
                evidence,
                actor=actor,
                expected_version=evidence.version,
                fields={"file": _upload(where, data)},
            )
        for record in _linked(links):
            evidence_attach(evidence, record, actor=users["manager"])
        made += 1
    return made
