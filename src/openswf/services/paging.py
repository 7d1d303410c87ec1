"""Page sizes and page tokens shared by every listing operation."""

from __future__ import annotations

from typing import Any

from openswf.protocol.tokens import TokenSigner, decode_page_token, encode_page_token

DEFAULT_PAGE_SIZE = 1000


def page_size(request: dict[str, Any]) -> int:
    """``maximumPageSize`` 0 or absent means the default of 1000 (reference §8.2)."""
    return request.get("maximumPageSize") or DEFAULT_PAGE_SIZE


class Pager:
    def __init__(self, signer: TokenSigner) -> None:
        self._signer = signer

    def position(self, request: dict[str, Any], scope: str, now_ms: int) -> Any:
        token = request.get("nextPageToken")
        if not token:
            return None
        return decode_page_token(self._signer, token, scope, now_ms)

    def token(self, scope: str, position: Any, now_ms: int) -> str:
        return encode_page_token(self._signer, scope, position, now_ms)
