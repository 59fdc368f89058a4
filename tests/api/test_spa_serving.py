"""The server hands the built SPA to browsers, with history-mode fallback, and GraphiQL on /graphql."""

from __future__ import annotations

import re

import pytest

from backend.settings import PROJECT_ROOT

DIST = PROJECT_ROOT / "frontend" / "dist"


@pytest.fixture(autouse=True)
def built_spa() -> None:
    if not (DIST / "index.html").exists():
        pytest.fail("frontend/dist is missing: `make test` builds it (npm ci && npm run build)")


async def test_the_home_page_is_the_spa_in_french(http) -> None:
    response = await http.get("/")
    assert response.status_code == 200
    assert '<html lang="fr"' in response.text
    assert '<div id="app"></div>' in response.text
    assert response.headers["cache-control"] == "no-cache"


async def test_a_deep_link_of_the_spa_gets_the_same_page(http) -> None:
    home = await http.get("/")
    deep = await http.get("/organisation/structures/gerer")
    assert deep.status_code == 200
    assert deep.text == home.text


async def test_the_spa_assets_are_served(http) -> None:
    home = await http.get("/")
    scripts = re.findall(r'src="(/assets/[^"]+\.js)"', home.text)
    assert scripts
    asset = await http.get(scripts[0])
    assert asset.status_code == 200
    assert "javascript" in asset.headers["content-type"]


async def test_an_unknown_server_path_is_a_404_not_the_spa(http) -> None:
    response = await http.get("/api/nothing-here")
    assert response.status_code == 404
    missing_asset = await http.get("/assets/nothing.js")
    assert missing_asset.status_code == 404


async def test_graphiql_opens_on_get_graphql_in_a_browser(http) -> None:
    response = await http.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "GraphiQL" in response.text
    assert "https://" not in response.text  # self-hosted: nothing is fetched from a CDN
