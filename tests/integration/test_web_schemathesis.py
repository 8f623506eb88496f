"""Generated requests for every operation of the OpenAPI schema (schemathesis): never a 500, and
every response (refusals included) matches the schema, its status codes and its content types.

``EXAMPLES`` cases per operation, at least ``MIN_CASES`` in all (checked by the last test), each
without a deadline but the run bounded by the app's own limits: a small job queue and a short
job time limit, so a valid simulation or comparison request queues work that cannot pile up.
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from mgbrain.interfaces.web import WebSettings, create_app

EXAMPLES = 80
MIN_CASES = 1000
APP = create_app(WebSettings(job_queue=2, job_time_limit_s=5, request_time_limit_s=20))
schema = schemathesis.openapi.from_asgi("/api/openapi.json", APP)
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance, content_type_conformance]
COUNT = {"cases": 0, "by_status": {}}


@pytest.fixture(scope="module", autouse=True)
def _stop_jobs():
    yield
    if APP.state.jobs is not None:
        APP.state.jobs.shutdown()


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
          database=None)
def test_api_never_fails_and_matches_its_schema(case):
    response = case.call_and_validate(checks=CHECKS)
    COUNT["cases"] += 1
    COUNT["by_status"][response.status_code] = COUNT["by_status"].get(response.status_code, 0) + 1


def test_enough_cases_were_generated():
    print(f"schemathesis: {COUNT['cases']} cases, responses by status {COUNT['by_status']}")
    assert COUNT["cases"] >= MIN_CASES, COUNT
