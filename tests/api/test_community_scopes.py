"""Who may do what in the community: every admin operation of moderation and campaigns refuses a
request without a token and a token without its scope, and what shoppers have not published stays
theirs."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from configurator.admin.services import SCOPES
from tests.support.admin import admin_headers
from tests.support.community import Shopper

NEEDED = {"/api/v1/admin/community/": "community:moderate", "/api/v1/admin/campaigns": "campaigns:manage"}


def operations(client: FlaskClient) -> list[tuple[str, str, str]]:
    """(method, path, scope) of every admin operation of the community and campaigns, from OpenAPI."""
    spec = client.get("/openapi.json").get_json()
    found = []
    for path, methods in spec["paths"].items():
        scope = next((s for prefix, s in NEEDED.items() if path.startswith(prefix)), None)
        if scope is None:
            continue
        for method in methods:
            if method in ("get", "post", "put", "delete", "patch"):
                concrete = path.replace("{", "").replace("}", "")
                found.append((method.upper(), concrete, scope))
    return found


def test_every_community_admin_operation_needs_its_own_scope(app: Flask, client: FlaskClient) -> None:
    found = operations(client)
    assert len(found) >= 10  # moderation, ideas, campaigns, winners, seeds
    others = {
        scope: admin_headers(
            app, *(s for s in SCOPES if s != scope), name=f"all-but-{scope.replace(':', '-')}"
        )
        for scope in set(NEEDED.values())
    }
    for method, path, scope in found:
        anonymous = client.open(path, method=method, json={})
        assert anonymous.status_code == 401, (method, path)
        refused = client.open(path, method=method, json={}, headers=others[scope])
        assert refused.status_code == 403, (method, path, refused.get_json())
        assert scope in refused.get_json()["detail"]


@pytest.mark.parametrize("method", ["GET", "PUT", "POST", "DELETE"])
def test_an_unpublished_entry_is_the_same_404_to_others_as_one_that_does_not_exist(
    client: FlaskClient, method: str
) -> None:
    ana, ben = Shopper(client), Shopper(client, address="10.0.0.2")
    pending = ana.publish(ana.design()).get_json()["id"]
    urls = {"GET": "", "PUT": "/vote", "POST": "/reports", "DELETE": ""}
    body = {"reason": "spam"} if method == "POST" else None
    hidden = ben.call(method, f"/api/v1/gallery/{pending}{urls[method]}", json=body)
    missing = ben.call(method, f"/api/v1/gallery/{'x' * 24}{urls[method]}", json=body)
    assert hidden.status_code == missing.status_code == 404
    assert hidden.get_json()["code"] == missing.get_json()["code"] == "gallery-entry-not-found"
    assert ana.call("GET", f"/api/v1/gallery/{pending}").status_code == 200
