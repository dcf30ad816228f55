"""Fetching study records from the ClinicalTrials.gov API v2 (``/api/v2/studies``), page by page."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx

DEFAULT_PAGE_SIZE = 100


class FetchFailed(Exception):
    """The registry answered with an error or something that is not an API page."""


def fetch_pages(base_url: str, *, condition: str, page_size: int = DEFAULT_PAGE_SIZE,
                max_pages: int | None = None, delay: float = 0.0, timeout: float = 30.0,
                transport: httpx.BaseTransport | None = None) -> Iterator[dict[str, Any]]:
    """Yield each API page (``{"studies": [...], "nextPageToken": ...}``) until the last one.

    ``delay`` seconds pass between requests: the public API allows about 50 a minute.
    """
    url = base_url.rstrip("/") + "/studies"
    params: dict[str, Any] = {"query.cond": condition, "pageSize": page_size, "format": "json"}
    pages = 0
    with httpx.Client(timeout=timeout, transport=transport, follow_redirects=True,
                      headers={"Accept": "application/json", "User-Agent": "lupus-commons"}) as client:
        while True:
            try:
                response = client.get(url, params=params)
            except httpx.HTTPError as error:
                raise FetchFailed(f"could not reach the registry ({type(error).__name__})") from None
            if response.status_code != 200:
                raise FetchFailed(f"the registry answered {response.status_code} on page {pages + 1}")
            try:
                page = response.json()
            except (ValueError, RecursionError):  # RecursionError: nested thousands deep
                raise FetchFailed(f"page {pages + 1} is not JSON") from None
            if not isinstance(page, dict) or not isinstance(page.get("studies"), list):
                raise FetchFailed(f"page {pages + 1} has no list of studies")
            yield page
            pages += 1
            token = page.get("nextPageToken")
            if not token or (max_pages is not None and pages >= max_pages):
                return
            params["pageToken"] = token
            if delay:
                time.sleep(delay)
