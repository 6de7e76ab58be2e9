"""Page ingest: 100 invented pages into drafts with `ingest_pages`, and the HTML parsers compared.

The pages are the invented test corpus (tests/ingest/pages/) with the bureau renamed per copy, so
every page is a new draft; they are removed again afterwards. The parser figures time parse + text
of the five seed pages wrapped as HTML (and the corpus's HTML pages) in each parser that is
installed: selectolax (what ingest uses), lxml, BeautifulSoup with html.parser and with lxml."""
import io
import statistics
import tempfile
import time
from pathlib import Path

from django.core.management import call_command

from benchmarks.common import timed
from benchmarks.report import ms, summary, table
from ingest.evaluation import seeds_dir
from ingest.models import IngestedPage

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "ingest" / "pages"
PAGES = 100


def make_pages(directory: Path) -> None:
    sources = [path for path in sorted(CORPUS.iterdir()) if path.suffix in {".html", ".txt"}
               and "gb18030" not in path.name]
    for n in range(PAGES):
        source = sources[n % len(sources)]
        data = source.read_bytes()
        encoding = "gbk" if "gbk" in source.name else "utf-8"
        text = data.decode(encoding).replace("Example", f"Bench{n} Example").replace("示例", f"基准{n}示例")
        (directory / f"bench-{n:03d}{source.suffix}").write_bytes(text.encode(encoding))


def run(size: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        make_pages(Path(tmp))
        out = io.StringIO()
        started = time.perf_counter()
        call_command("ingest_pages", tmp, "--no-progress", stdout=out)
        elapsed = time.perf_counter() - started
    pages = IngestedPage.objects.filter(file_name__startswith="bench-")
    drafts = pages.filter(agency__isnull=True, status=IngestedPage.Status.PENDING).count()
    changes = sum(page.changes.count() for page in pages)
    table("ingest", "ingest_pages: invented pages into new-bureau drafts",
          ["case", "total", "per page", "drafts", "proposed changes", "reference"],
          [[f"{PAGES} pages", f"{elapsed:.2f} s", ms(elapsed / PAGES * 1000), drafts, changes, "issue 12: < 30 s"]],
          [out.getvalue().splitlines()[-1]])
    pages.delete()
    parsers()


def html_pages() -> list[str]:
    pages = []
    if seeds_dir().is_dir():
        for path in sorted(seeds_dir().glob("*.txt")):
            paragraphs = "".join(f"<p>{line}</p>" for line in path.read_text(encoding="utf-8").splitlines())
            pages.append(f"<html><head><meta charset='utf-8'><script>var a=1;</script></head><body>"
                         f"<nav>Home</nav>{paragraphs}<footer>footer</footer></body></html>")
    pages += [path.read_bytes().decode("gbk" if "gbk" in path.name else "utf-8")
              for path in sorted(CORPUS.glob("*.html"))]
    return pages


def parsers() -> None:
    pages = html_pages()
    candidates = {}
    from selectolax.lexbor import LexborHTMLParser

    from ingest.reading import html_to_text

    candidates["selectolax (lexbor) + ingest's walk"] = html_to_text
    candidates["selectolax (lexbor) .text()"] = lambda html: LexborHTMLParser(html).body.text(separator="\n")
    try:
        import lxml.html

        candidates["lxml.html text_content()"] = lambda html: lxml.html.document_fromstring(html).text_content()
    except ImportError:
        print("lxml not installed: `pip install lxml` to compare")
    try:
        from bs4 import BeautifulSoup

        candidates["BeautifulSoup html.parser"] = lambda html: BeautifulSoup(html, "html.parser").get_text("\n")
        try:
            import lxml  # noqa: F401

            candidates["BeautifulSoup lxml"] = lambda html: BeautifulSoup(html, "lxml").get_text("\n")
        except ImportError:
            pass
    except ImportError:
        print("beautifulsoup4 not installed: `pip install beautifulsoup4` to compare")
    rows = []
    for name, parse in candidates.items():
        samples = timed(lambda parse=parse: [parse(page) for page in pages], repeat=20)
        per_page = summary([sample / len(pages) for sample in samples])
        rows.append([name, f"{per_page['median'] * 1000:.0f} µs", f"{per_page['p95'] * 1000:.0f} µs",
                     ms(statistics.median(samples))])
    table("ingest", f"HTML parsers: parse + text of {len(pages)} pages ({sum(map(len, pages)) // 1024} KiB), 20 rounds",
          ["parser", "per page median", "per page p95", "all pages median"], rows)
