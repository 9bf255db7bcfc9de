"""HTTP Signatures as Mastodon and its peers use them (draft-cavage-http-signatures-12,
rsa-sha256): signing our requests, and checking the signature, date and digest of theirs.

A signature covers `(request-target)` (method and path, query included when there is one),
`host`, `date` and, with a body, `digest` (`SHA-256=` base64 of the body; the algorithm's
name is compared without regard to case). `hs2019` is read as rsa-sha256 (the key says
which). Pure functions: fetching the sender's key is the inbox's business.
"""

from __future__ import annotations

import base64
import hashlib
import re
import time
from dataclasses import dataclass
from email.utils import formatdate, parsedate_to_datetime
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

WINDOW = 300  # seconds a request's Date may be from our clock, either way
REQUIRED = ("(request-target)", "host", "date")
_PARAM = re.compile(r'\s*([a-zA-Z]+)\s*=\s*"([^"]*)"\s*(?:,|$)')


class SignatureError(Exception):
    """Why a request's signature is refused (said in the 401)."""


@dataclass(frozen=True)
class Signature:
    key_id: str
    algorithm: str
    headers: tuple[str, ...]
    signature: bytes
    raw: str  # the header as sent: what replay protection remembers


def digest(body: bytes) -> str:
    return "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode()


def request_target(method: str, url_or_path: str) -> str:
    parts = urlsplit(url_or_path)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return f"{method.lower()} {path}"


def signing_string(names, values: dict[str, str]) -> str:
    return "\n".join(f"{name}: {values[name]}" for name in names)


def sign(method: str, url: str, key: rsa.RSAPrivateKey, key_id: str, *, body: bytes | None = None,
         headers: dict[str, str] | None = None, now: float | None = None) -> dict[str, str]:
    """The headers to send with a request: the given ones plus Host, Date, Digest (with a
    body) and Signature over all of them."""
    values = {k.lower(): v for k, v in (headers or {}).items()}
    values["host"] = urlsplit(url).netloc
    values["date"] = formatdate(time.time() if now is None else now, usegmt=True)
    if body is not None:
        values["digest"] = digest(body)
    names = ["(request-target)", "host", "date", *(["digest"] if body is not None else []),
             *(name for name in values if name not in ("host", "date", "digest"))]
    values["(request-target)"] = request_target(method, url)
    signed = key.sign(signing_string(names, values).encode(), padding.PKCS1v15(),
                      hashes.SHA256())
    values["signature"] = (
        f'keyId="{key_id}",algorithm="rsa-sha256",headers="{" ".join(names)}",'
        f'signature="{base64.b64encode(signed).decode()}"')
    del values["(request-target)"]
    # spelt as headers usually are (the HTTP client merges names without regard to case)
    return {name.title(): value for name, value in values.items()}


def parse(header: str | None) -> Signature:
    """The Signature header's parameters; SignatureError when it is missing or malformed."""
    if not header:
        raise SignatureError("the request is not signed (no Signature header)")
    if len(header) > 4096:
        raise SignatureError("the Signature header is too long")
    params = dict(_PARAM.findall(header))
    if "keyId" not in params or "signature" not in params:
        raise SignatureError("the Signature header needs keyId and signature")
    try:
        raw = base64.b64decode(params["signature"], validate=True)
    except ValueError:
        raise SignatureError("the signature is not base64") from None
    names = tuple(params.get("headers", "date").lower().split())
    return Signature(params["keyId"], params.get("algorithm", "hs2019").lower(), names, raw,
                     header)


def verify(signature: Signature, method: str, path: str, headers, body: bytes,
           public_key_pem: str, *, now: float | None = None, window: float = WINDOW) -> None:
    """Check a parsed signature against the request; SignatureError says what is wrong.
    `headers` is the request's (case-insensitive mapping); `path` includes the query."""
    if signature.algorithm not in ("rsa-sha256", "hs2019"):
        raise SignatureError(f"unsupported signature algorithm {signature.algorithm!r}")
    needed = REQUIRED + (("digest",) if body else ())
    missing = [name for name in needed if name not in signature.headers]
    if missing:
        raise SignatureError(f"the signature must cover {', '.join(missing)}")
    try:
        sent = parsedate_to_datetime(headers.get("date", "")).timestamp()
    except (TypeError, ValueError):
        raise SignatureError("the Date header is missing or unreadable") from None
    if abs((time.time() if now is None else now) - sent) > window:
        raise SignatureError(f"the Date header is more than {window:g} s from our clock")
    if body or "digest" in signature.headers:
        given = headers.get("digest", "")
        algorithm, _, value = given.partition("=")
        if algorithm.lower() != "sha-256" or f"SHA-256={value}" != digest(body):
            raise SignatureError("the Digest header does not match the body")
    values = {"(request-target)": request_target(method, path)}
    for name in signature.headers:
        if name != "(request-target)":
            if name not in headers:
                raise SignatureError(f"the signed header {name!r} is missing")
            values[name] = headers[name]
    try:
        key = serialization.load_pem_public_key(public_key_pem.encode())
    except ValueError:
        raise SignatureError("the sender's public key is unreadable") from None
    if not isinstance(key, rsa.RSAPublicKey):
        raise SignatureError("the sender's key is not an RSA key")
    try:
        key.verify(signature.signature, signing_string(signature.headers, values).encode(),
                   padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        raise SignatureError("the signature does not match") from None
