"""Hostile bodies for the bomb suite: small to send, huge (or endless, or deep) to take in.

Each is built without ever holding its decoded size in memory, so that the
test harness's own peak stays small and what is measured is the code under
test.
"""

from __future__ import annotations

import gzip
import zlib
from functools import lru_cache

MB = 1024 * 1024


@lru_cache(maxsize=8)
def deflated(decoded_size: int, wbits: int, byte: bytes = b"0") -> bytes:
    """`decoded_size` copies of `byte`, compressed chunk by chunk (gzip: wbits 31; zlib: 15;
    raw deflate: -15)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, wbits)
    block = byte * MB
    parts = [packer.compress(block) for _ in range(decoded_size // MB)]
    parts.append(packer.compress(byte * (decoded_size % MB)))
    parts.append(packer.flush())
    return b"".join(parts)


def gzip_bomb(decoded_size: int) -> bytes:
    return deflated(decoded_size, 31)


def nested_gzip(decoded_size: int, layers: int = 2) -> bytes:
    """`Content-Encoding: gzip, gzip`: each layer shrinks the one inside it again."""
    body = gzip_bomb(decoded_size)
    for _ in range(layers - 1):
        body = gzip.compress(body, 9)
    return body


def deep_html(depth: int) -> str:
    """A page nested `depth` elements deep, whose only content is at the bottom."""
    return "<!doctype html><html><body>" + "<div>" * depth + "deep" + "</div>" * depth + \
        "</body></html>"


def huge_opml(outlines: int, host: str = "creator{n}.example", short: bool = False) -> str:
    """An OPML list of `outlines` sites; `short`: feed URLs only (100,000 in 3.5 MB)."""
    rows = "".join(
        f'<outline xmlUrl="http://{host.format(n=n)}/"/>' if short else
        f'<outline type="rss" text="Creator {n}" htmlUrl="https://{host.format(n=n)}/" '
        f'xmlUrl="https://{host.format(n=n)}/feed.xml"/>' for n in range(outlines))
    return f'<?xml version="1.0"?><opml version="2.0"><head><title>all</title></head>' \
           f"<body>{rows}</body></opml>"


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
"""


def billion_laughs_feed() -> str:
    return BILLION_LAUGHS + """<rss version="2.0"><channel><title>&lol9;</title>
<link>https://laughs.example/</link><item><title>&lol9;</title><link>https://laughs.example/1</link>
</item></channel></rss>"""


def billion_laughs_opml() -> str:
    return BILLION_LAUGHS.replace("lolz", "opml") + """<opml version="2.0"><head>
<title>&lol9;</title></head><body><outline text="&lol9;" xmlUrl="https://laughs.example/feed"/>
</body></opml>"""


def xxe_feed(secret_path: str) -> str:
    return f"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY secret SYSTEM "file://{secret_path}">]>
<rss version="2.0"><channel><title>XXE</title><link>https://xxe.example/</link>
<item><title>&secret;</title><link>https://xxe.example/1</link></item></channel></rss>"""


def xxe_opml(secret_path: str) -> str:
    return f"""<?xml version="1.0"?>
<!DOCTYPE opml [<!ENTITY secret SYSTEM "file://{secret_path}">]>
<opml version="2.0"><head><title>x</title></head><body>
<outline text="&secret;" htmlUrl="https://xxe.example/" xmlUrl="https://xxe.example/feed"/>
</body></opml>"""
