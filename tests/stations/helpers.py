"""Small helpers shared by the stations tests."""

from __future__ import annotations


def post_and_follow(client, url: str, **kwargs):
    """POST, expect a redirect, then load the page it points to (where the flash message shows)."""
    response = client.post(url, **kwargs)
    assert response.status_code == 302, response.status_code
    return client.get(response.headers["Location"])
