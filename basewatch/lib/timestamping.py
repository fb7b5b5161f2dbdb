"""RFC 3161 timestamps: a time-stamping authority (TSA) signs "these bytes existed at this time".

The request carries only a SHA-256 and a random nonce; the TSA answers with a signed token
holding both and its own time. The answer is checked before it is kept: status granted, the
nonce and the hash ours (an answer to another request, replayed, is refused), and, when the
operator gave the TSA's certificates, the signature and its chain up to them (the TSA's
certificate must carry the critical time-stamping key usage). Without certificates the token
is still kept, its signature checked later by anyone holding them (`openssl ts -verify`).

The request goes out through basewatch.lib.safehttp like every outgoing request: a TSA URL on
a private address is refused unless its host is allowed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from cryptography import x509
from rfc3161_client import (
    HashAlgorithm,
    PKIStatus,
    TimestampRequestBuilder,
    VerificationError,
    VerifierBuilder,
    decode_timestamp_response,
)

from basewatch.lib import safehttp

SHA256_OID = x509.ObjectIdentifier("2.16.840.1.101.3.4.2.1")
MAX_RESPONSE_BYTES = 256 * 1024  # a token with a chain of a few certificates is a few kilobytes


class TimestampFailed(Exception):
    """No timestamp was kept; `reason` is a short code, `message` says why."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass(frozen=True)
class Stamp:
    response: bytes  # the TimeStampResp as the TSA sent it (a .tsr file)
    time: dt.datetime  # the TSA's genTime
    authority: str  # the TSA's name in the token, or its certificate's subject, or the URL's host
    chain_verified: bool


def load_certificates(path: str | Path) -> list[x509.Certificate]:
    """The certificates of a PEM bundle (the TSA's root, intermediates and its own)."""
    return x509.load_pem_x509_certificates(Path(path).read_bytes())


def request_timestamp(
    data: bytes,
    url: str,
    *,
    certificates: Iterable[x509.Certificate] = (),
    allowed_hosts: Iterable[str] = (),
    user_agent: str = "basewatch",
    timeout: float = 10.0,
) -> Stamp:
    """Ask the TSA at `url` to timestamp SHA-256(`data`) and check its answer; TimestampFailed if not."""
    request = TimestampRequestBuilder().data(data).hash_algorithm(HashAlgorithm.SHA256).nonce(nonce=True).build()
    digest = hashlib.sha256(data).digest()
    try:
        answer = safehttp.request(
            "POST",
            url,
            body=request.as_bytes(),
            headers={
                "Content-Type": "application/timestamp-query",
                "Accept": "application/timestamp-reply",
                "User-Agent": user_agent,
            },
            timeout=timeout,
            max_bytes=MAX_RESPONSE_BYTES,
            allowed_hosts=allowed_hosts,
        )
    except safehttp.Refused as refused:
        raise TimestampFailed(refused.reason, refused.message) from None
    if answer.status != 200:
        raise TimestampFailed("http-status", f"The time-stamping authority answered HTTP {answer.status}.")
    if answer.extra.get("truncated"):
        raise TimestampFailed("too-large", f"The answer was over {MAX_RESPONSE_BYTES:,} bytes.")
    try:
        response = decode_timestamp_response(answer.body)
    except ValueError as error:
        raise TimestampFailed("bad-response", f"The answer is not an RFC 3161 timestamp response ({error}).") from None
    if response.status != PKIStatus.GRANTED:
        text = "; ".join(response.status_string) or "no reason given"
        raise TimestampFailed("not-granted", f"The authority refused (status {response.status}: {text}).")
    certificates = list(certificates)
    try:
        info = response.tst_info
        if info.nonce != request.nonce:
            raise VerificationError("The nonce is not the one sent: an answer to another request.")
        if info.message_imprint.hash_algorithm != SHA256_OID or info.message_imprint.message != digest:
            raise VerificationError("The token timestamps another hash than the one sent.")
        if certificates:
            _verifier(request, certificates).verify(response, digest)
    except VerificationError as error:
        raise TimestampFailed("not-verified", f"The timestamp did not verify: {error}") from None
    except ValueError as error:  # a token whose parts do not parse
        raise TimestampFailed("bad-response", f"The timestamp token could not be read ({error}).") from None
    return Stamp(
        response=answer.body, time=info.gen_time, authority=_authority(response, url), chain_verified=bool(certificates)
    )


def _verifier(request, certificates: list[x509.Certificate]):
    """Self-signed certificates of the bundle are the roots; the others intermediates (or the TSA's own)."""
    builder = VerifierBuilder.from_request(request)
    roots = [cert for cert in certificates if cert.issuer == cert.subject]
    if not roots:
        raise VerificationError("The configured certificates hold no root (self-signed) certificate.")
    for cert in certificates:
        builder = builder.add_root_certificate(cert) if cert in roots else builder.add_intermediate_certificate(cert)
    return builder.build()


def _authority(response, url: str) -> str:
    """Who signed: the TSA name in the token, else its signing certificate's subject, else the host."""
    name = response.tst_info.name
    if name is not None and isinstance(name, x509.DirectoryName):
        return name.value.rfc4514_string()[:300]
    if name is not None:
        return str(name.value)[:300]
    signers = response.signed_data.signer_infos
    for der in response.signed_data.certificates:
        cert = x509.load_der_x509_certificate(der)
        if any(cert.issuer == signer.issuer and cert.serial_number == signer.serial_number for signer in signers):
            return cert.subject.rfc4514_string()[:300]
    return urlsplit(url).hostname or url
