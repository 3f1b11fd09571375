"""The README's examples run against what `./ax up` seeds, so the README cannot rot.

The README tells a reader to sign in to the Riverside demo, make a key with create_api_key and
paste a curl command; this test reads that command and its printed answer out of README.md.
"""

import json
import re
import shlex
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

README = Path(__file__).resolve().parent.parent / "README.md"


def _readme() -> str:
    return README.read_text(encoding="utf-8")


def _responses_example() -> tuple[str, dict[str, str], str, str]:
    """(path, headers, body, expected answer line) of the README's bulk push of responses."""
    blocks = re.findall(r"```sh\n(.*?)```", _readme(), flags=re.S)
    block = next(b for b in blocks if "curl" in b and "/api/v1/responses/" in b)
    command, _, answer = block.partition("\n# ")
    command = command[command.index("curl -X") :]
    words = shlex.split(command.replace("\\\n", " "))
    assert words[:3] == ["curl", "-X", "POST"], words[:3]
    url = next(w for w in words if w.startswith("http"))
    headers = dict(words[i + 1].split(": ", 1) for i, word in enumerate(words) if word == "-H")
    body = words[words.index("-d") + 1]
    return url, headers, body, answer.strip()


def _key_command() -> list[str]:
    """The README's way to get `$AXR_KEY`: a create_api_key command line."""
    line = re.search(r"AXR_KEY=\$\((.*?create_api_key [^)]*?)\s*\|\s*tail -n ?1\)", _readme())
    assert line, "README should show how to set AXR_KEY with create_api_key"
    words = shlex.split(line.group(1))
    return words[words.index("create_api_key") + 1 :]


@pytest.mark.django_db
def test_the_readme_push_example_answers_201_on_the_demo_data():
    call_command("seed_demo", stdout=StringIO())
    out = StringIO()
    call_command("create_api_key", *_key_command(), stdout=out)
    key = out.getvalue().strip().splitlines()[-1]
    url, headers, body, answer = _responses_example()
    assert url.startswith("http://127.0.0.1:8000/")
    assert headers["Authorization"] == "Bearer $AXR_KEY"

    client = APIClient()
    response = client.post(
        url.removeprefix("http://127.0.0.1:8000"),
        data=body,
        content_type=headers["Content-Type"],
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )

    assert response.status_code == 201, response.content
    status, _, printed = answer.partition(" ")
    assert status == "201"
    assert response.json() == json.loads(printed)
    assert response.json()["created"] == len(json.loads(body))


def test_the_readme_says_how_to_serve_on_another_address():
    assert "ADDR=0.0.0.0:8080 ./ax up" in _readme()
