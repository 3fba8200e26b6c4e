#!/usr/bin/env python3
"""Writes the copy of the official V3 document that scripts/schemathesis tests Roster against.

The copy is the vendored OpenAPI 3 document (crates/roster-spec/spec/ctct-v3-openapi3.yaml,
never edited) with Roster's supplement for the operations it lacks added
(crates/roster-spec/spec/ctct-v3-supplement.yaml, see crates/roster-spec/spec/PROVENANCE.md),
restricted to the operations Roster routes, as listed by the document Roster serves
(GET /v3/openapi.json, generated from the router's table), with the overrides in scripts/schemathesis-overrides.json
applied (each one names the document's mistake it corrects).

Usage: schemathesis_spec.py SPEC SUPPLEMENT SERVED_JSON OVERRIDES OUT
Prints the number of operations kept.
"""

import base64
import json
import re
import sys

import yaml

METHODS = ("get", "post", "put", "delete", "patch")
API_PREFIX = "/v3"


def served_operations(served):
    """(method, path template) for every operation of the document Roster serves at
    /v3/openapi.json, which the test suite proves is exactly the router's /v3 table."""
    return {
        (method, path)
        for path, item in served["paths"].items()
        for method in item
        if method in METHODS
    }


def shape(template):
    """A path template with its parameter names erased: the router and the document name them differently."""
    return re.sub(r"\{[^}]*\}", "{}", template)


def pointer_tokens(pointer):
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]]


def apply_override(document, override):
    """RFC 6902 `add`, `replace` and `remove` on one JSON pointer."""
    *parents, last = pointer_tokens(override["path"])
    target = document
    for token in parents:
        target = target[int(token)] if isinstance(target, list) else target[token]
    op = override["op"]
    if op == "remove":
        del target[int(last) if isinstance(target, list) else last]
    elif op == "replace":
        key = int(last) if isinstance(target, list) else last
        target[key]  # must exist, as RFC 6902 requires
        target[key] = override["value"]
    elif op == "add":
        if isinstance(target, list):
            target.insert(len(target) if last == "-" else int(last), override["value"])
        else:
            target[last] = override["value"]
    else:
        raise SystemExit(f"unknown override op {op!r} in {override}")


class TextTimestampLoader(yaml.SafeLoader):
    """YAML's timestamps stay the strings the document wrote (examples are sent as written)."""


TextTimestampLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def binary_as_base64(value):
    """The document's one `!!binary` example, written back as the base64 text it was."""
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    raise TypeError(f"{type(value).__name__} is not JSON")


def add_supplement(document, supplement):
    """The supplement's paths, schemas and security schemes added; it only adds, as roster-spec's
    checker requires too."""
    for section in (("paths",), ("components", "schemas"), ("components", "securitySchemes")):
        source = supplement
        target = document
        for key in section:
            source = source.get(key, {})
            target = target.setdefault(key, {})
        for name, value in source.items():
            if name in target:
                raise SystemExit(f"the supplement redefines {'/'.join(section)}/{name}")
            target[name] = value


def main(spec_path, supplement_path, served_path, overrides_path, out_path):
    with open(spec_path, encoding="utf-8") as f:
        document = yaml.load(f, Loader=TextTimestampLoader)
    with open(supplement_path, encoding="utf-8") as f:
        add_supplement(document, yaml.load(f, Loader=TextTimestampLoader))
    with open(served_path, encoding="utf-8") as f:
        routed = {(method, shape(path)) for method, path in served_operations(json.load(f))}
    with open(overrides_path, encoding="utf-8") as f:
        overrides = json.load(f)

    kept = 0
    matched = set()
    for template in list(document["paths"]):
        item = document["paths"][template]
        for method in list(item):
            if method not in METHODS:
                continue
            if (method, shape(template)) in routed:
                kept += 1
                matched.add((method, shape(template)))
            else:
                del item[method]
        if not any(m in item for m in METHODS):
            del document["paths"][template]

    unmatched = routed - matched
    if unmatched:
        # A route the document does not describe is not tested; say so rather than hide it.
        for method, path in sorted(unmatched):
            print(f"note: {method.upper()} /v3{path} is routed but not in the document", file=sys.stderr)

    for override in overrides:
        if not override.get("why"):
            raise SystemExit(f"override without a reason: {override}")
        apply_override(document, override)

    with open(out_path, "w", encoding="utf-8") as f:
        json.dump(document, f, default=binary_as_base64)
    print(kept)


if __name__ == "__main__":
    if len(sys.argv) != 6:
        raise SystemExit(__doc__)
    main(*sys.argv[1:])
