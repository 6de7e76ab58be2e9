"""Bytes to text: the declared charset or staff's choice, never a silent guess; HTML parsed, not run."""
import pytest

from ingest.reading import MAX_PAGE_BYTES, EncodingNeeded, PageError, declared_charset, read_page
from ingest.rules import extract
from tests.ingest.conftest import PAGES

GBK_PAGE = '<html><head><meta charset="gbk"></head><body><p>示例市科学技术局</p></body></html>'


def test_a_gbk_page_is_read_with_the_charset_it_declares():
    page = read_page(GBK_PAGE.encode("gbk"))
    assert page.encoding == "gb18030" and page.is_html
    assert page.text.strip() == "示例市科学技术局"


@pytest.mark.parametrize("head, charset", [
    (b'<meta charset="GBK">', "gbk"),
    (b'<meta http-equiv="Content-Type" content="text/html; charset=gb2312">', "gb2312"),
    (b"<meta charset=utf-8>", "utf-8"),
    (b"<meta charset=klingon>", None),
    (b"<p>no declaration</p>", None),
])
def test_declared_charset(head, charset):
    assert declared_charset(b"<html><head>" + head) == charset


def test_undeclared_non_utf8_is_refused_with_a_preview_not_guessed():
    data = "示例市科学技术局\n（一）负责科技规划。\n".encode("gb18030")
    with pytest.raises(EncodingNeeded) as refused:
        read_page(data)
    assert "GB18030" in str(refused.value)
    assert refused.value.preview().startswith("示例市科学技术局")
    assert read_page(data, encoding="gb18030").text.startswith("示例市科学技术局")


def test_a_page_that_lies_about_its_charset_is_refused():
    data = '<meta charset="utf-8"><p>示例</p>'.encode("gbk")
    with pytest.raises(EncodingNeeded, match="not valid utf-8"):
        read_page(data)


def test_scripts_styles_navigation_and_footers_are_dropped_and_never_run():
    html = ("<html><head><script>alert('(1) x')</script><style>p{}</style></head><body><nav>Home (1) menu</nav>"
            "<p>(1) Plan.</p><footer>(2) copyright</footer>"
            "<p onclick=\"evil()\">(2) Fund &amp; audit.</p></body></html>")
    text = read_page(html).text
    assert [line for line in text.splitlines() if line] == ["(1) Plan.", "(2) Fund & audit."]


def test_br_lists_and_table_cells_become_lines_and_cells():
    text = read_page("<div><p>1. A<br>2. B</p><table><tr><td>Tel:</td><td>0571-87654321</td></tr></table></div>").text
    assert [line for line in text.splitlines() if line] == ["1. A", "2. B", "| Tel: | 0571-87654321"]


def test_size_limit_and_empty_pages_are_clear_errors():
    with pytest.raises(PageError, match="limit"):
        read_page(b"x" * (MAX_PAGE_BYTES + 1))
    with pytest.raises(PageError, match="no text"):
        read_page("<html><body><script>1</script></body></html>")


def test_the_corpus_gbk_page_reads_through_its_meta():
    page = read_page((PAGES / "zh_gbk_meta_br.html").read_bytes())
    assert page.encoding == "gb18030" and "1. 组织拟订科技发展规划和政策。" in page.text


def test_an_ordered_list_keeps_the_numbers_a_browser_shows():
    html = ("<p>Duties:</p><ol><li>Plan.</li><li>Fund:<ol type='i'><li>basic;</li><li>applied.</li></ol></li>"
            "</ol><ol start='3'><li>Award.</li></ol>")
    lines = [line for line in read_page(html, is_html=True).text.splitlines() if line]
    assert lines == ["Duties:", "1. Plan.", "2. Fund:", "i. basic;", "ii. applied.", "3. Award."]
    duties = extract(read_page(html, is_html=True).text).duties
    assert [(d.value["label"], [c.value["label"] for c in d.children]) for d in duties] == [
        ("1.", []), ("2.", ["i.", "ii."]), ("3.", [])]
