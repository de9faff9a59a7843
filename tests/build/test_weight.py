"""The page-weight table: totals, order, and requests that left the machine."""

from __future__ import annotations

from d2lvi.build.browser import Resource, is_local
from d2lvi.build.weight import table, weigh

BASE = "http://127.0.0.1:8000/"
RESOURCES = [
    Resource(BASE + "chapter.html", 200, "text/html", 1000, 300),
    Resource(BASE + "_static/big.js?digest=abc", 200, "text/javascript", 5000, 1200),
    Resource(BASE + "_static/font.woff", 200, "font/woff", 800),  # sent as is
    Resource("https://cdn.example.org/x.js", 0, "(failed)", 0),
]


def test_weight_sums_bodies_sent_and_decoded_counts_requests_and_lists_those_that_left() -> None:
    weight = weigh(RESOURCES)
    assert weight.sent == 300 + 1200 + 800
    assert weight.total == 6800
    assert weight.requests == 4
    assert weight.outside == ("https://cdn.example.org/x.js",)


def test_table_lists_the_biggest_first_without_query_strings_and_flags_outside() -> None:
    lines = table(RESOURCES).splitlines()
    assert "_static/big.js" in lines[1] and "digest" not in lines[1]
    assert "1,200" in lines[1] and "5,000" in lines[1]
    assert "_static/font.woff" in lines[2]
    assert any(line.startswith("OUTSIDE 127.0.0.1: https://cdn.example.org") for line in lines)
    assert "2,300" in lines[-2] and "6,800" in lines[-2] and "4 requests" in lines[-2]


def test_table_can_show_only_the_top_items_and_sum_the_rest() -> None:
    text = table(RESOURCES[:2], top=1)
    assert "(1 more)" in text


def test_only_loopback_and_inline_urls_are_local() -> None:
    assert is_local("http://127.0.0.1:1234/a.js")
    assert is_local("data:,")
    assert not is_local("http://localhost.evil.example/a.js")
    assert not is_local("https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-mml-chtml.js")
