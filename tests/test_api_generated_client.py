"""What an integrator does: fetch /api/schema/ with a token, generate a Python client from it with
openapi-python-client, and drive a running AIMS with it -- list and read every register, filter the
risk list by category, create and update a risk through the generated write functions."""

import datetime as dt
import importlib
import json
import sys

import httpx
import pytest
from openapi_python_client import generate
from openapi_python_client.config import Config, ConfigFile, MetaType
from openapi_python_client.parser.errors import ErrorLevel
from openapi_python_client.strings import PythonIdentifier

from aims.models import ApiToken
from tests.test_register_contract import SAMPLED

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
PACKAGE = "aims_generated_client"


@pytest.fixture
def people(manager, board, owner, other_owner, auditor, outsider):
    return {
        "manager": manager, "board": board, "owner": owner,
        "other_owner": other_owner, "auditor": auditor, "outsider": outsider,
    }  # fmt: skip


@pytest.fixture
def token(manager):
    return ApiToken.issue(user=manager, name="generated client")[1]


@pytest.fixture
def schema(live_server, token):
    answer = httpx.get(
        f"{live_server.url}/api/schema/?format=json", headers={"Authorization": f"Bearer {token}"}, timeout=60
    )
    assert answer.status_code == 200, answer.text[:500]
    return answer.json()


@pytest.fixture
def aims_client(schema, tmp_path, monkeypatch):
    """The generated package, imported; gone from sys.modules and sys.path afterwards."""
    source = tmp_path / "schema.json"
    source.write_text(json.dumps(schema))
    config = Config.from_sources(
        ConfigFile(post_hooks=[], package_name_override=PACKAGE, project_name_override=PACKAGE),
        MetaType.NONE,
        source,
        "utf-8",
        overwrite=True,
        output_path=tmp_path / PACKAGE,
    )
    problems = [e for e in generate(config=config) if e.level is ErrorLevel.ERROR]
    assert not problems, problems
    monkeypatch.syspath_prepend(str(tmp_path))
    yield importlib.import_module(PACKAGE)
    for name in [n for n in sys.modules if n == PACKAGE or n.startswith(f"{PACKAGE}.")]:
        del sys.modules[name]


def operation(schema, path: str, method: str):
    """The generated function of an operation, found as the generator names it: by tag and id."""
    spec = schema["paths"][path][method]
    tag = PythonIdentifier(spec["tags"][0], prefix="")
    name = PythonIdentifier(spec["operationId"], prefix="")
    return importlib.import_module(f"{PACKAGE}.api.{tag}.{name}")


def test_a_generated_client_reads_every_register_and_writes_a_risk(
    aims_client, schema, live_server, token, people, owner
):
    client = aims_client.AuthenticatedClient(
        base_url=live_server.url, token=token, raise_on_unexpected_status=True, timeout=30
    )
    records = {register.url_prefix: register.sample(people) for register in SAMPLED}

    for prefix, record in records.items():
        listed = operation(schema, f"/api/v1/{prefix}/", "get").sync(client=client)
        assert record.reference in [row.reference for row in listed.results], prefix
        read = operation(schema, f"/api/v1/{prefix}/{{reference}}/", "get").sync(
            client=client, reference=record.reference
        )
        assert (read.reference, read.owner) == (record.reference, owner.username), prefix

    from aims_generated_client.api.ai_risks import risks_create, risks_list, risks_partial_update
    from aims_generated_client.models import PatchedRiskRequest, RiskRequest, RiskSourceEnum

    sample = records["risks"]
    by_category = risks_list.sync(client=client, category=[sample.category.slug], page_size=500).results
    assert sample.reference in [risk.reference for risk in by_category]
    assert {risk.category for risk in by_category} == {sample.category.slug}
    elsewhere = risks_list.sync(client=client, category=["security", "privacy"], page_size=500).results
    assert sample.reference not in [risk.reference for risk in elsewhere]

    made = risks_create.sync_detailed(
        client=client,
        body=RiskRequest(
            title="Chatbot invents refund rules",
            category="transparency-and-explainability",
            risk_source=RiskSourceEnum.C_3_2,
            inherent_likelihood=4,
            inherent_impact=3,
            residual_likelihood=2,
            residual_impact=2,
            owner=owner.username,
            treatment_due_on=dt.date(2027, 3, 31),
            treatment_plan="Answer refund questions from the published policy text only.",
            affects_organisation=True,
        ),
    )
    assert made.status_code == 201, made.content[:500]
    risk = made.parsed
    assert (risk.owner, risk.created_by, risk.inherent_score) == (owner.username, "maria", 12)
    assert risk.url == f"{live_server.url}/risks/{risk.reference}/"

    updated = risks_partial_update.sync(
        client=client,
        reference=risk.reference,
        body=PatchedRiskRequest(title="Chatbot invents refund rules (EN and DE)", version=risk.version),
    )
    assert updated.title == "Chatbot invents refund rules (EN and DE)" and updated.version == risk.version + 1
    assert "(EN and DE)" in risks_list.sync(client=client, search="refund").results[0].title
