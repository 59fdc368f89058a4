"""Offset cursors and the page-size limit."""

from __future__ import annotations

import pytest

from backend.schema.pagination import build_connection, decode_cursor, encode_cursor, window
from backend.services.errors import ValidationFailed


def test_a_cursor_round_trips_and_the_next_page_starts_after_it() -> None:
    assert decode_cursor(encode_cursor(41)) == 41
    assert window(10, encode_cursor(9), default=20) == (10, 10)
    assert window(None, None, default=20) == (0, 20)


def test_more_than_100_a_page_is_refused_naming_the_argument() -> None:
    with pytest.raises(ValidationFailed) as caught:
        window(101, None, default=20)
    assert caught.value.field == ["first"]
    assert "100" in caught.value.message


@pytest.mark.parametrize("cursor", ["", "garbage", encode_cursor(1)[:-3] + "!!!", "b2Zmc2V0Oi0x"])
def test_a_forged_cursor_is_a_validation_error(cursor: str) -> None:
    with pytest.raises(ValidationFailed):
        decode_cursor(cursor) if cursor else window(5, "x", default=20)


def test_page_info_says_where_the_page_stands() -> None:
    connection = build_connection(["c", "d"], total=5, offset=2, to_node=str.upper)
    assert [e.node for e in connection.edges] == ["C", "D"]
    assert connection.total_count == 5
    assert connection.page_info.has_next_page is True
    assert connection.page_info.has_previous_page is True
    assert decode_cursor(connection.page_info.end_cursor) == 3
