"""Too many query parameters answer 400 under DEBUG too, not a 500 from the debug page.

Django's debug page re-reads request.GET, which raises TooManyFieldsSent again, so under
DEBUG the client got gunicorn's bare 500 instead of the 400 it gets in production.
"""

import pytest
from django.urls import reverse

TOO_MANY = "&".join(f"p{i}=1" for i in range(1200))


@pytest.mark.parametrize("debug", [False, True], ids=["production", "debug"])
@pytest.mark.parametrize(
    "path", ["/api/v1/responses/", "/api/v1/audiences/", "/api/v1/audiences/customers/metrics/"]
)
def test_the_api_answers_json_400_for_too_many_query_parameters(
    api, customers, settings, debug, path
):
    settings.DEBUG = debug
    answer = api.get(f"{path}?{TOO_MANY}")
    assert answer.status_code == 400
    assert answer["Content-Type"] == "application/json"
    (error,) = answer.json()["errors"]
    assert error["field"] == "query"
    assert error["message"].startswith("Too many query parameters")


@pytest.mark.parametrize("debug", [False, True], ids=["production", "debug"])
def test_a_page_answers_an_html_400_for_too_many_query_parameters(lead_client, settings, debug):
    settings.DEBUG = debug
    answer = lead_client.get(reverse("audiences:list") + "?" + TOO_MANY)
    assert answer.status_code == 400
    assert answer["Content-Type"].startswith("text/html")
    assert "Traceback" not in answer.content.decode()
