"""A shopper's browser for the community API tests: its pseudonymous id, its consent and its address."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from configurator.requester import SHOPPER_HEADER

WORDING = "2026-11"
ALL = {"preferences": True, "recommendations": False}


class Shopper:
    """A browser: its shopper id (sent while consenting) and its network address."""

    def __init__(self, client: FlaskClient, address: str = "10.0.0.1", consent: bool = True) -> None:
        self.client = client
        self.address = address
        created = client.post("/api/v1/shoppers", environ_base=self.environ)
        assert created.status_code == 201, created.get_json()
        self.id: str = created.get_json()["id"]
        if consent:
            chosen = client.put(
                f"/api/v1/shoppers/{self.id}/consent",
                json={"purposes": ALL, "wording_version": WORDING},
                environ_base=self.environ,
            )
            assert chosen.status_code == 200, chosen.get_json()

    @property
    def environ(self) -> dict[str, str]:
        return {"REMOTE_ADDR": self.address}

    def call(self, method: str, url: str, **kwargs: Any) -> Any:
        headers = {SHOPPER_HEADER: self.id, **kwargs.pop("headers", {})}
        return self.client.open(url, method=method, headers=headers, environ_base=self.environ, **kwargs)

    def design(self, **picks: Any) -> str:
        saved = self.call("POST", "/api/v1/designs", json={"product": "mug", "picks": picks})
        assert saved.status_code == 201, saved.get_json()
        return str(saved.get_json()["id"])

    def remix(self, design: str, **picks: Any) -> str:
        made = self.call("POST", f"/api/v1/designs/{design}/remix", json={"picks": picks})
        assert made.status_code == 201, made.get_json()
        return str(made.get_json()["id"])

    def publish(self, design: str, title: str = "Night sky", name: str = "Ana") -> Any:
        return self.call(
            "POST", "/api/v1/gallery", json={"design": design, "title": title, "display_name": name}
        )
