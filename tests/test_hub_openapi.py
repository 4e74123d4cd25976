"""Schemathesis against the hub's own OpenAPI document, with a valid device token: data
that fits the schema and data that does not, a bounded number of examples; the hub never
answers with a server error and always answers as its document says."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (content_type_conformance,
                                               response_schema_conformance,
                                               status_code_conformance)

from kiosk.sync import anonymise, protocol
from kiosk.storage.db import connect
from kiosk.hub.stats import week_of
from tests.hubkit import make_hub, new_device

# Bounded: enough to reach every branch of the ingestion, quick on a 2-core machine.
EXAMPLES = 25
# Not negative_data_rejection: an item that does not match the record schema is answered
# "invalid" in a 200 on purpose (one status per item), not by refusing the whole batch.
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    app = make_hub(tmp_path_factory.mktemp("openapi"), HUB_MAX_BATCH_RECORDS=20)
    _, token = new_device(app.config["DATABASE"])
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    return app, token, schema


def as_a_kiosk_sends(body, token: str) -> None:
    """Move each generated record into the hub's current week and bind it to the device,
    as a kiosk would: a random week matching the pattern is almost never one of service
    and a random MAC never verifies (both are tested on their own), so without this no
    generated record would reach the storage this test is about."""
    records = body.get("records") if isinstance(body, dict) else None
    for item in records if isinstance(records, list) else []:
        if not (isinstance(item, dict) and isinstance(item.get("payload"), dict)
                and isinstance(item.get("id"), str)):
            continue
        item["payload"]["week"] = week_of(datetime.now(timezone.utc).date())
        item["content_hash"] = anonymise.content_hash(item["payload"])
        item["mac"] = protocol.record_mac(protocol.device_of_token(token), item["id"],
                                          item["content_hash"], protocol.token_hash(token))


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_records_api_never_fails_on_generated_batches(hub, mode):
    app, token, schema = hub
    operation = schema["/api/v1/records"]["POST"]
    seen = set()

    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode))
    def check(case):
        if mode is GenerationMode.POSITIVE:
            as_a_kiosk_sends(case.body, token)
        response = case.call_and_validate(headers={"Authorization": f"Bearer {token}"},
                                          checks=CHECKS)
        seen.add(response.status_code)

    check()
    assert not any(code >= 500 for code in seen)
    # Positive data is accepted (200); negative data meets the 400 of a malformed batch.
    assert (200 if mode is GenerationMode.POSITIVE else 400) in seen
    db = connect(app.config["DATABASE"])
    stored = db["records"].count
    # every kind counts its records once: "all" for diagnostics, "<kind>.all" for others
    counted = db.execute("select coalesce(sum(n), 0) from tally "
                         "where dimension = 'all' or dimension like '%.all'").fetchone()[0]
    db.close()
    assert counted == stored          # whatever was generated, counts match the records
    if mode is GenerationMode.POSITIVE:
        assert stored > 0             # generated records did reach the storage and the tally


def test_the_document_is_valid_openapi_and_describes_every_path(hub):
    _, _, schema = hub               # from_wsgi refuses a document that is not OpenAPI
    assert sorted(schema.keys()) == ["/api/v1/contract", "/api/v1/data", "/api/v1/health",
                                     "/api/v1/openapi.json", "/api/v1/records",
                                     "/api/v1/roster"]
    assert schema["/api/v1/roster"]["GET"].definition.raw["security"] == [{"deviceToken": []}]
    # The contract answers as documented.
    schema["/api/v1/contract"]["GET"].Case().call_and_validate(checks=CHECKS)
    operation = schema["/api/v1/records"]["POST"]
    assert operation.definition.raw["security"] == [{"deviceToken": []}]
