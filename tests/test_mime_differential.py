"""watcher.mail.mimeparts against the standard library's email parser, on every .eml we have.

mimeparts replaced the feed parser for speed and for hostile nesting (see its docstring); this
test keeps it honest about everything else. For each message the leaf parts are compared: their
content types, their charsets, and their text as the product reads it (mimeparts undoes the
transfer encoding, `watcher.mail.charsets.decode_bytes` the charset; the standard library's
`get_content()` does both), whitespace normalised. Leaves that are not text are compared by
their decoded bytes.

On both sides a message/* part is a leaf: mimeparts never parses an attached message (the
product does not read forwarded mail as the reply's body), and the standard library's parse of
it is not compared.

Where mimeparts deliberately reads a message differently, the difference is listed in INTENDED
with the reason. Any other difference fails, and so does a listed one that has gone away.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
from email.message import EmailMessage
from pathlib import Path

import pytest

from watcher.mail import mimeparts
from watcher.mail.charsets import decode_bytes

TESTS = Path(__file__).parent
FILES = sorted([*TESTS.glob("data/**/*.eml"), *TESTS.glob("scenarios/**/*.eml")])

# (file under tests/, what differs) -> why mimeparts reads it differently on purpose.
# "structure": the leaf parts differ in number or type; "text N" / "charset N": leaf N.
INTENDED = {
    ("data/ugly/11_wrong_boundary.eml", "structure"): (
        "the Content-Type names a boundary the body never uses; mimeparts splits at the "
        "boundary the body really uses and finds the text/plain and text/html parts, the "
        "standard library gives up and keeps the whole body as one multipart leaf"
    ),
    ("data/ugly/07_html_only_mislabelled.eml", "text 0"): (
        "UTF-8 bytes labelled iso-8859-1: decode_bytes sees the label lie and reads UTF-8 "
        "('för'); the standard library trusts the label and gives mojibake ('fÃ¶r')"
    ),
    ("data/ugly/08_raw_8bit_headers.eml", "text 0"): (
        "8-bit body with no charset: decode_bytes falls back to UTF-8, then Windows-1252 "
        "('présentation'); the standard library reads it as ASCII with replacement characters"
    ),
}


def _words(text: str) -> str:
    return " ".join(text.split())


def _digest(data: bytes) -> str:
    return "bytes sha256:" + hashlib.sha256(data).hexdigest()[:16]


Leaf = tuple[str, str | None, str | None]  # content type, charset, text (or digest)


def _ours(raw: bytes) -> list[Leaf]:
    leaves = []
    for part in mimeparts.parse(raw).walk():
        if part.children:
            continue
        charset = part.params.get("charset")
        if part.maintype == "text":
            content: str | None = _words(decode_bytes(part.payload(), charset))
        elif part.maintype == "message":
            content = None
        else:
            content = _digest(part.payload())
        leaves.append((part.content_type, charset.lower() if charset else None, content))
    return leaves


def _stdlib_leaves(msg: EmailMessage) -> list[EmailMessage]:
    # Not msg.walk(): that would descend into message/* parts (see the module docstring).
    if msg.get_content_maintype() == "multipart" and msg.is_multipart():
        return [leaf for sub in msg.get_payload() for leaf in _stdlib_leaves(sub)]
    return [msg]


def _theirs(raw: bytes) -> list[Leaf]:
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    leaves = []
    for part in _stdlib_leaves(msg):
        if part.get_content_maintype() == "text":
            content: str | None = _words(part.get_content())
        elif part.get_content_maintype() == "message":
            content = None
        else:
            content = _digest(part.get_payload(decode=True))
        leaves.append((part.get_content_type(), part.get_content_charset(), content))
    return leaves


def _differences(ours: list[Leaf], theirs: list[Leaf]) -> dict[str, tuple]:
    if [leaf[0] for leaf in ours] != [leaf[0] for leaf in theirs]:
        return {"structure": ([leaf[0] for leaf in ours], [leaf[0] for leaf in theirs])}
    found = {}
    for n, (a, b) in enumerate(zip(ours, theirs)):
        if a[1] != b[1]:
            found[f"charset {n}"] = (a[1], b[1])
        if a[2] != b[2]:
            found[f"text {n}"] = (a[2], b[2])
    return found


def test_there_are_messages_to_compare():
    assert len(FILES) > 100
    listed = {name for name, _ in INTENDED}
    assert listed <= {str(f.relative_to(TESTS)) for f in FILES}, "INTENDED names a missing file"


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(TESTS)))
def test_mimeparts_reads_each_message_as_the_standard_library_does(path):
    name = str(path.relative_to(TESTS))
    raw = path.read_bytes()
    found = _differences(_ours(raw), _theirs(raw))
    intended = {what for file, what in INTENDED if file == name}
    unexpected = {what: pair for what, pair in found.items() if what not in intended}
    assert not unexpected, "\n".join(
        f"{name}: {what}\n  mimeparts: {ours!r:.300}\n  email:     {theirs!r:.300}"
        for what, (ours, theirs) in unexpected.items()
    )
    gone = intended - found.keys()
    assert not gone, f"{name}: no longer differs in {sorted(gone)}; remove it from INTENDED"
