"""docs/api-guide.md stays true: every curl example in it runs, in order, against the real handlers.

Each ```sh block of the guide holds one command: `curl …` or `NAME=$(curl … | jq -r PATH)`, then a line
`# → STATUS: check, check, …` where a check is an answer path (`records[0].fields.Name`) that must
exist, or `path == JSON` that must equal. Variables are expanded as the shell would (not inside single
quotes); the request goes to the function that serverless.yml routes it to, in-process.
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import yaml

from tests.factories import unique_email
from tests.lambda_events import Response, invoke

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "api-guide.md"
API = "https://api.pybase.test"

BLOCK = re.compile(r"```sh\n(.*?)```", re.S)
CAPTURE = re.compile(r"^(\w+)=\$\((curl .*)\|\s*jq -r (\S+)\)$", re.S)
EXPECT = re.compile(r"^# → (\d{3}): (.+)$")
VARIABLE = re.compile(r"\$(\w+)|\$\{(\w+)\}")
PATH_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


class _Loader(yaml.SafeLoader):
    """CloudFormation tags (!Ref, !GetAtt…) read as None: only the routes matter here."""


_Loader.add_multi_constructor("!", lambda loader, suffix, node: None)


def routes() -> list[tuple[str, re.Pattern[str], str]]:
    """(method, path pattern, function) for every HTTP route of serverless.yml, catch-all excluded."""
    config = yaml.load((ROOT / "serverless.yml").read_text(), Loader=_Loader)
    out = []
    for group in config["functions"]:
        if not isinstance(group, dict):
            continue  # an included file of stage-only functions
        for name, spec in group.items():
            for event in spec.get("events") or []:
                route = event.get("httpApi") if isinstance(event, dict) else None
                if not isinstance(route, str) or route == "*":
                    continue
                method, path = route.split(" ", 1)
                pattern = re.sub(r"\{[^}/]+\+\}", ".+", path)
                pattern = re.sub(r"\{[^}/]+\}", "[^/]+", pattern)
                out.append((method.upper(), re.compile(f"^{pattern}$"), name))
    return out


def function_for(method: str, path: str, table: list[tuple[str, re.Pattern[str], str]]) -> str:
    found = [name for m, rx, name in table if m in (method, "ANY") and rx.match(path)]
    assert found, f"no route in serverless.yml for {method} {path}"
    return found[0]


def expand(text: str, env: dict[str, str]) -> str:
    """$NAME and ${NAME} outside single quotes, as a shell expands them."""
    out, quoted = [], False
    for piece in re.split(r"(')", text):
        if piece == "'":
            quoted = not quoted
            out.append(piece)
        elif quoted:
            out.append(piece)
        else:

            def value(match: re.Match[str]) -> str:
                name = match.group(1) or match.group(2)
                assert name in env, f"${name} is used before the guide sets it"
                return env[name]

            out.append(VARIABLE.sub(value, piece))
    return "".join(out)


def run_curl(command: str, table: list[tuple[str, re.Pattern[str], str]]) -> Response:
    args = shlex.split(command)
    assert args[0] == "curl", command
    method, url, headers, body, get_query = None, None, {}, None, []
    i, as_get = 1, False
    while i < len(args):
        arg = args[i]
        if arg == "-s":
            pass
        elif arg == "-G":
            as_get = True
        elif arg == "-X":
            i += 1
            method = args[i]
        elif arg == "-H":
            i += 1
            key, _, val = args[i].partition(":")
            headers[key.strip().lower()] = val.strip()
        elif arg in ("-d", "--data"):
            i += 1
            body = args[i]
        elif arg == "--data-urlencode":
            i += 1
            key, _, val = args[i].partition("=")
            get_query.append((key, val))
        elif arg.startswith("-"):
            raise AssertionError(f"curl option {arg} is not understood by this test")
        else:
            assert url is None, f"two URLs in {command}"
            url = arg
        i += 1
    assert url is not None and url.startswith(API), url
    parts = urlsplit(url)
    query = parse_qsl(parts.query) + get_query
    if get_query:
        assert as_get, "--data-urlencode without -G would send a body"
    method = method or ("POST" if body is not None else "GET")
    group = function_for(method, parts.path, table)
    raw = None if body is None else body
    return invoke(group, method, parts.path, headers=headers, raw_body=raw, query=query or None)


def at(answer: Any, path: str) -> Any:
    node = answer
    for key, index in PATH_PART.findall(path):
        if index:
            assert isinstance(node, list) and int(index) < len(node), f"{path}: no item {index} in {node!r}"
            node = node[int(index)]
        else:
            assert isinstance(node, dict) and key in node, f"{path}: no {key!r} in {node!r}"
            node = node[key]
    return node


def examples() -> list[tuple[str, str]]:
    found = []
    for block in BLOCK.findall(GUIDE.read_text()):
        lines = block.strip().splitlines()
        expect = lines[-1]
        assert EXPECT.match(expect), f"an example ends with '# → STATUS: fields': {block}"
        command = "\n".join(lines[:-1]).replace("\\\n", " ")
        found.append((command, expect))
    return found


def test_guide_has_the_examples_it_promises() -> None:
    commands = " ".join(command for command, _ in examples())
    for route in ("/auth/register", "/api-tokens", "/workspaces", "/tables", "/fields", "/records/query",
                  "/views", "/v0/meta/bases", "filterByFormula", '"typecast": true', '"or"', '"not"'):  # fmt: skip
        assert route in commands, route
    for field_type in ("single_line_text", "number", "single_select", "link", "lookup", "rollup", "formula"):
        assert f'"type": "{field_type}"' in commands, field_type


def test_every_example_of_the_guide_runs() -> None:
    table = routes()
    env = {"API": API, "EMAIL": unique_email()}
    steps = examples()
    assert len(steps) >= 20
    for number, (command, expect) in enumerate(steps, start=1):
        where = f"example {number}: {command[:120]}"
        captured = CAPTURE.match(command)
        curl = captured.group(2) if captured else command
        response = run_curl(expand(curl, env), table)
        match = EXPECT.match(expect)
        assert match is not None
        assert response.status == int(match.group(1)), f"{where}\n-> {response.status} {response.text[:500]}"
        answer = response.json()
        for check in match.group(2).split(", "):
            path, _, wanted = check.partition(" == ")
            value = at(answer, path.strip())
            if wanted:
                assert value == json.loads(wanted), f"{where}\n{path}: {value!r} != {wanted}"
        if captured:
            value = at(answer, captured.group(3).lstrip("."))
            assert isinstance(value, str) and value, f"{where}: {captured.group(3)} is {value!r}"
            env[captured.group(1)] = value


@pytest.mark.parametrize("variable", ["TOKEN", "PAT", "BASE_ID", "PARTS_ID", "VIEW_ID", "NEXT"])
def test_guide_explains_its_placeholders(variable: str) -> None:
    text = GUIDE.read_text()
    table = text.split("## 1.")[0]
    assert f"${variable}" in table, f"${variable} is not in the guide's table of placeholders"
