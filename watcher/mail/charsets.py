"""Bytes to text under whatever charset label a mailer wrote (pure, never raises).

Mail in the wild carries labels Python does not know ("unknown-8bit", "x-user-defined",
"ks_c_5601-1987"), labels that lie (UTF-8 bytes declared as iso-8859-1, Windows quotes declared
as us-ascii) and no label at all. `decode_bytes` repairs the label, tries it, and falls back to
UTF-8 and then Windows-1252, which between them cover almost all undeclared European mail.
"""

from __future__ import annotations

import codecs
import functools

# Labels mailers write that Python lacks or that name a narrower charset than the bytes use.
# Single-byte Western labels map to cp1252 as browsers do (WHATWG encoding standard): mailers
# declare iso-8859-1 and send Windows "smart quotes" in 0x80-0x9f.
_ALIASES = {
    "utf8": "utf-8",
    "utf-8-sig": "utf-8-sig",
    "unicode-1-1-utf-8": "utf-8",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "ansi_x3.4-1968": "cp1252",
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "iso_8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "l1": "cp1252",
    "windows-1252": "cp1252",
    "iso-8859-8-i": "iso-8859-8",
    "iso-8859-6-i": "iso-8859-6",
    "ks_c_5601-1987": "cp949",
    "ks_c_5601": "cp949",
    "euc-kr": "cp949",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cn-gb": "gb18030",
    "big5": "big5hkscs",
    "x-sjis": "cp932",
    "shift-jis": "cp932",
    "shift_jis": "cp932",
    "sjis": "cp932",
    "windows-31j": "cp932",
    "tis-620": "cp874",
    "windows-874": "cp874",
    "x-mac-roman": "mac-roman",
    "macintosh": "mac-roman",
    "x-mac-cyrillic": "mac-cyrillic",
    "iso-2022-jp-2": "iso2022_jp_2",
}

# Labels that carry no information: decode by sniffing.
_NO_INFORMATION = {
    "",
    "unknown",
    "unknown-8bit",
    "x-unknown",
    "x-user-defined",
    "default",
    "none",
    "8bit",
    "7bit",
    "binary",
    "charset",
    "us",
    "x-binaryenc",
}

# Python codecs that are not text charsets a mail could sensibly declare: they would interpret
# backslashes, punycode or always fail, so a label naming one is treated as no label.
_NOT_MAIL_CODECS = {
    "unicode_escape",
    "raw_unicode_escape",
    "idna",
    "punycode",
    "undefined",
    "mbcs",
    "oem",
}

# Single-byte charsets decode any byte string without error, so a failure never reveals that
# the label lies; valid non-ASCII UTF-8 is then the better reading (random Latin-1 text is
# almost never valid UTF-8).
_ALWAYS_SUCCEEDS = {"cp1252", "latin-1", "iso8859-15", "iso8859-2", "cp1250", "cp1251", "koi8-r"}


@functools.lru_cache(maxsize=256)
def codec_for(label: str | None) -> str | None:
    """The Python codec name for a charset label, or None when the label tells us nothing."""
    if not label:
        return None
    name = label.strip().strip("\"'").strip().lower()
    name = _ALIASES.get(name, name)
    if name in _NO_INFORMATION:
        return None
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError):
        return None
    if info.name.replace("-", "_") in _NOT_MAIL_CODECS or not getattr(
        info, "_is_text_encoding", True
    ):
        return None
    return info.name


def _sniff(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        # cp1252 leaves five bytes undefined; latin-1 maps every byte.
        return data.decode("latin-1")


def decode_bytes(data: bytes, label: str | None = None) -> str:
    """Decode `data` under the charset `label`, repairing or ignoring a wrong label."""
    if not data:
        return ""
    if data.isascii():
        # Fast path: ASCII is valid in every label mail uses except UTF-16/32 and UTF-7.
        codec = codec_for(label)
        if codec is None or not codec.startswith(("utf-16", "utf-32", "utf-7", "iso2022")):
            return data.decode("ascii")
    else:
        codec = codec_for(label)
    if codec is None:
        return _sniff(data)
    if codec in _ALWAYS_SUCCEEDS:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            pass
    try:
        return data.decode(codec)
    except (UnicodeError, LookupError, ValueError):
        pass
    if codec != "utf-8":
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            pass
    try:
        text = data.decode(codec, "replace")
    except (UnicodeError, LookupError, ValueError):
        return _sniff(data)
    if codec == "utf-8" and "\ufffd" in text:
        # Declared UTF-8 but not a single valid multi-byte sequence: a Windows or Latin-1
        # message with a wrong label, not UTF-8 with a damaged byte.
        if not any(ord(ch) > 127 and ch != "\ufffd" for ch in text):
            return _sniff(data)
    return text
