import re

import pytest


@pytest.mark.django_db
def test_api_docs_load_their_scripts_from_the_shop_itself(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any("swagger-ui" in source for source in sources)
    assert not [s for s in sources if s.startswith(("http://", "https://", "//"))]
