"""The OpenAPI document names every API route with its method, and no route that is not there."""

import re


def test_the_document_and_the_routes_agree(app, client):
    answer = client.get("/api/v1/openapi.json")
    assert answer.status_code == 200 and answer.json["openapi"].startswith("3.1")
    documented = {(method.upper(), "/api/v1" + path) for path, ops in answer.json["paths"].items() for method in ops}
    served = {
        (method, re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule))
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/") and rule.rule != "/api/v1/openapi.json"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert documented == served
    schemas = answer.json["components"]["schemas"]
    refs = set(re.findall(r'"#/components/schemas/(\w+)"', answer.get_data(as_text=True)))
    assert refs <= set(schemas)
