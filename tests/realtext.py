"""Real Chinese text for the I/O tests: the bundled seeds and gold main texts of real pages.

``tests/data/cwced/`` holds three pages of the Chinese-Web-Content-Extraction-Dataset (MIT, see its LICENSE)
with their hand-copied gold text: ``gbk_no_charset.html`` is GBK bytes with no charset declared anywhere,
``utf8.html`` declares UTF-8, ``blog_related.html`` is a blog post followed by a list of the blog's other
posts (dated links), for the DOM evidence tests.
"""

from __future__ import annotations

import io
import json
import random
import re
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
DATA = Path(__file__).resolve().parent / "data"
CWCED = DATA / "cwced"
GBK_PAGE = CWCED / "gbk_no_charset.html"
UTF8_PAGE = CWCED / "utf8.html"
BLOG_PAGE = CWCED / "blog_related.html"

_SENTENCE = re.compile(r"[^。！？；\n]+[。！？；]*[”’」』）]*")


def seed_texts() -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))}


def gold_text(page: Path) -> str:
    return page.with_name(page.name.replace(".html", ".gold.txt")).read_text(encoding="utf-8")


def sentences() -> list[str]:
    """Distinct sentences (with a Chinese character) of the seeds and the gold texts, in a fixed order."""
    texts = [*seed_texts().values(), gold_text(GBK_PAGE), gold_text(UTF8_PAGE)]
    seen: dict[str, None] = {}
    for text in texts:
        for sentence in _SENTENCE.findall(text):
            sentence = sentence.strip()
            if re.search(r"[\u4e00-\u9fff]", sentence):
                seen.setdefault(sentence, None)
    return list(seen)


def records(count: int, *, seed: int = 0) -> list[dict[str, Any]]:
    """``count`` JSONL records of 1–8 real sentences each, with fields a crawl export carries. Every 7th
    is blank (only layout whitespace) so the default recipe has something to reject."""
    pool = sentences()
    rng = random.Random(seed)
    out = []
    for number in range(count):
        blank = number % 7 == 3
        text = "  \n\u3000\n" if blank else "\n".join(rng.choice(pool) for _ in range(rng.randint(1, 8)))
        out.append({"id": f"d{number:05d}", "text": text, "url": f"https://example.cn/{number}", "lang": "zh"})
    return out


def write_jsonl(path: Path, rows: list[Any]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def write_warc(path: Path, *, gzip_records: bool) -> None:
    """A small crawl archive: the two real pages, an image response and a request record."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=gzip_records)
        pages = [
            ("http://junshi.example.cn/feixing.html", GBK_PAGE.read_bytes(), "text/html"),  # no charset at all
            ("http://www.example.cn/yunnan.html", UTF8_PAGE.read_bytes(), "text/html; charset=UTF-8"),
            ("http://www.example.cn/logo.png", b"\x89PNG\r\n\x1a\n", "image/png"),
        ]
        for url, body, content_type in pages:
            headers = StatusAndHeaders("200 OK", [("Content-Type", content_type)], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body),
                                                          http_headers=headers))
        writer.write_record(writer.create_warc_record("http://www.example.cn/", "request",
                                                      payload=io.BytesIO(b"GET / HTTP/1.1\r\n\r\n")))
