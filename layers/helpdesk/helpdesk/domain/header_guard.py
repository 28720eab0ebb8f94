"""The one guard every header value of every mail we send passes through, and the address check.

Why it is needed: Python 3.11's ``email`` package lacks the CVE-2024-6923 generator check, and its
header parser *decodes* RFC 2047 encoded words in any value we assign: a subject stored as the literal
text ``=?utf-8?q?x=0D=0AReply-To:_evil@x?=`` (a double-encoded word from a hostile mail) becomes a raw
CR LF and a second header when the message is generated. So a value is judged by what the ``email``
package will make of it (:func:`as_mail_reads`), not by the characters we hold:

* :func:`header_safe` (the outbound builder) and :func:`no_header_breaks` (the validator for values an
  agent, admin or form submits): a line break or control character, literal or encoded, is refused
  (:class:`HeaderInjection`; the API answers 400, before anything is stored).
* Values that come from mail are not refused but cleaned when they are decoded
  (:func:`.headers.decode_header_value`, :func:`.headers.header_line`: encoded words decoded until the
  value reads back as itself), so hostile mail can never make an auto-reply or a reply fail, nor add
  a header.
* :func:`valid_address`: an address as a real parser reads it, refused if anything is left over.

:func:`check_generated` is the last line: the generated message must carry exactly the headers we set.
"""

from __future__ import annotations

import re
from email.utils import parseaddr

from .headers import CONTROL as _CONTROL
from .headers import Address, as_mail_reads

__all__ = [
    "HeaderInjection",
    "as_mail_reads",
    "check_generated",
    "checked_address",
    "header_safe",
    "no_header_breaks",
    "plain_message_id",
    "valid_address",
]

# A domain's characters: ASCII letters and digits, or any character of the Basic Multilingual Plane past
# ASCII (an internationalized name as mail programs write it); inside a label also "." and "-". Written as
# negated classes: ``[A-Za-z0-9\u0080-\uffff]`` matches the same characters, but compiling its range took
# about 10 ms of every cold start, these take 0.3 ms (tests/unit/test_header_guard.py compares them).
_LABEL = r"[^\x00-\x2f\x3a-\x40\x5b-\x60\x7b-\x7f\U00010000-\U0010ffff]"
_INSIDE = r"[^\x00-\x2c\x2f\x3a-\x40\x5b-\x60\x7b-\x7f\U00010000-\U0010ffff]"
_ADDR = re.compile(rf"^[^\s@<>()\[\],;:\"\\]+@{_LABEL}(?:{_INSIDE}*{_LABEL})?$")
MAX_NESTING = 8  # a double-encoded word needs two rounds; anything deeper is refused, not unwrapped forever


class HeaderInjection(ValueError):
    """A value that would write a header or a line break of its own into a mail we send."""


def header_safe(value: str, what: str) -> str:
    """``value`` for a mail header, refused (:class:`HeaderInjection`) if it or what the ``email`` package
    decodes it to holds a line break or control character (a TAB, whitespace in a header, may stand)."""
    text = value
    for _ in range(MAX_NESTING):
        if _CONTROL.search(text.replace("\t", " ")):
            raise HeaderInjection(f"{what} contains a line break, NUL or another control character")
        read = as_mail_reads(text)
        if read == text:
            return text
        text = read  # an encoded word: what a reader sees is its text, and that must pass the guard too
    raise HeaderInjection(f"{what} contains encoded words nested too deeply")


def no_header_breaks(value: str) -> str:
    """Pydantic validator for a submitted value that can reach a mail header: :func:`header_safe`'s test,
    raised as the ``ValueError`` a validation error (400) is made of."""
    try:
        header_safe(value, "value")
    except HeaderInjection:
        raise ValueError(
            "line breaks, NUL and control characters are not allowed, also not RFC 2047-encoded "
            "(this value can reach a mail header)"
        ) from None
    return value


def plain_message_id(message_id: str) -> bool:
    """A Message-ID we may quote back in In-Reply-To/References: printable ASCII without spaces or
    encoded words. (A hostile mail's id that is not is left out of a reply's threading headers rather
    than failing the reply.)"""
    return (
        bool(message_id)
        and message_id.isascii()
        and message_id.isprintable()
        and " " not in message_id
        and ("=?" not in message_id)
    )


def valid_address(value: str) -> str:
    """The address (trimmed) when a real parser reads exactly this one address; else ``""``."""
    address = value.strip(" ")  # only spaces: a trailing CR or NUL is a reason to refuse, not noise
    if not address or len(address) > 320 or _CONTROL.search(address) or "=?" in address or not _ADDR.match(address):
        return ""
    local, _, domain = address.rpartition("@")
    if len(local) > 64 or local.startswith(".") or local.endswith(".") or ".." in local or ".." in domain:
        return ""
    if parseaddr(address) != ("", address):
        return ""
    return address


def checked_address(addr: Address, what: str) -> Address:
    """An address for a header we send: refused unless the name passes :func:`header_safe`
    and the address is one."""
    address = valid_address(addr.address)
    if not address:
        raise HeaderInjection(f"{what} is not an address")
    return Address(header_safe(addr.name, what), address)


def check_generated(raw: bytes, expected: list[str]) -> None:
    """The generated message's top-level header names are exactly ``expected``, in order."""
    from email.parser import BytesHeaderParser
    from email.policy import compat32

    head = BytesHeaderParser(policy=compat32).parsebytes(raw, headersonly=True)
    found = [name.lower() for name in head]
    if found != [name.lower() for name in expected] or head.defects:
        raise HeaderInjection("the generated mail does not carry exactly the headers that were set")
