# ruff: noqa: E501 - message bodies keep one line per paragraph, as mail clients send them
"""Writes the scenario mailboxes: real RFC 5322 messages in folders, and what to expect.

The standard library's ``EmailMessage`` picks encodings for us; real mail comes in whatever a
client chose (quoted-printable in windows-1252, base64 HTML, RFC 2047 in ISO-8859-1), so the
scenarios build their bytes here instead: headers as given, bodies encoded as asked, CRLF lines.
"""

from __future__ import annotations

import base64
import hashlib
import quopri
from dataclasses import dataclass, field
from datetime import datetime
from email.header import Header
from email.utils import format_datetime
from pathlib import Path


@dataclass(frozen=True)
class Leaf:
    """One body part: text (or bytes for an attachment) and how it is encoded."""

    ctype: str
    content: str | bytes
    charset: str | None = "utf-8"
    cte: str = "7bit"  # 7bit, 8bit, quoted-printable, base64
    params: str = ""  # extra Content-Type parameters ("; format=flowed")
    headers: tuple[str, ...] = ()  # Content-Disposition and the like


@dataclass(frozen=True)
class Multi:
    """A multipart: its subtype, parts and boundary."""

    subtype: str
    parts: tuple[Leaf | Multi, ...]
    boundary: str
    params: str = ""  # "; report-type=delivery-status"
    preamble: str = ""


def encode_words(text: str, charset: str = "utf-8") -> str:
    """``text`` as RFC 2047 encoded-words when it is not plain ASCII."""
    if text.isascii():
        return text
    return Header(text, charset, maxlinelen=74).encode()


def address(name: str, addr: str, charset: str = "utf-8") -> str:
    """A mailbox header value: an encoded or quoted display name, then the address."""
    if not name:
        return addr
    if not name.isascii():
        return f"{encode_words(name, charset)} <{addr}>"
    if any(c in name for c in ',.;:@()<>"[]'):
        return f'"{name}" <{addr}>'
    return f"{name} <{addr}>"


def _body(leaf: Leaf) -> bytes:
    data = (
        leaf.content
        if isinstance(leaf.content, bytes)
        else leaf.content.encode(leaf.charset or "ascii")
    )
    if leaf.cte == "quoted-printable":
        return quopri.encodestring(data)
    if leaf.cte == "base64":
        return base64.encodebytes(data)
    return data


def _part(part: Leaf | Multi) -> tuple[list[str], bytes]:
    if isinstance(part, Leaf):
        ctype = part.ctype
        if part.charset:
            ctype += f'; charset="{part.charset}"'
        heads = [f"Content-Type: {ctype}{part.params}"]
        if part.cte != "7bit" or not isinstance(part.content, str) or not part.content.isascii():
            heads.append(f"Content-Transfer-Encoding: {part.cte}")
        heads += list(part.headers)
        body = _body(part)
        return heads, body if body.endswith(b"\n") else body + b"\n"
    heads = [f'Content-Type: multipart/{part.subtype};{part.params}\n\tboundary="{part.boundary}"']
    out = part.preamble.encode() + b"\n" if part.preamble else b""
    for child in part.parts:
        child_heads, child_body = _part(child)
        out += f"--{part.boundary}\n".encode() + "\n".join(child_heads).encode() + b"\n\n"
        out += child_body + b"\n"
    out += f"--{part.boundary}--\n".encode()
    return heads, out


def _mailbox(value: str) -> str:
    """ "Name <addr>" with a non-ASCII name as encoded-words; anything else as given."""
    if value.isascii() or not value.endswith(">"):
        return value
    name, _, addr = value.rpartition(" <")
    return address(name.strip('"'), addr[:-1])


def message(
    *,
    sender: str,
    to: str | list[str],
    subject: str,
    date: datetime,
    mid: str,
    body: Leaf | Multi,
    cc: str | list[str] = (),
    in_reply_to: str | None = None,
    references: list[str] | None = None,
    top: list[str] = (),
    extra: list[str] = (),
    subject_charset: str = "utf-8",
) -> bytes:
    """A whole message, CRLF line ends; ``top`` headers come first (Received, Return-Path)."""
    to = [_mailbox(a) for a in ([to] if isinstance(to, str) else to)]
    cc = [_mailbox(a) for a in ([cc] if isinstance(cc, str) else cc)]
    sender = _mailbox(sender)
    heads = list(top)
    heads.append(f"Date: {format_datetime(date)}")
    heads.append(f"From: {sender}")
    heads.append("To: " + ",\n\t".join(to))
    if cc:
        heads.append("Cc: " + ",\n\t".join(cc))
    heads.append(f"Subject: {encode_words(subject, subject_charset)}")
    heads.append(f"Message-ID: {mid}")
    if in_reply_to:
        heads.append(f"In-Reply-To: {in_reply_to}")
    refs = references if references is not None else ([in_reply_to] if in_reply_to else [])
    if refs:
        heads.append("References: " + "\n\t".join(refs))
    heads += list(extra)
    heads.append("MIME-Version: 1.0")
    part_heads, part_body = _part(body)
    raw = "\n".join(heads + part_heads).encode("ascii") + b"\n\n" + part_body
    return raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


# -- realistic Message-IDs, deterministic from a seed ------------------------------------------

_B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def _digits(seed: str, n: int, alphabet: str = _B62) -> str:
    h = hashlib.sha256(seed.encode()).digest() * 4
    return "".join(alphabet[b % len(alphabet)] for b in h[:n])


def gmail_id(seed: str) -> str:
    return f"<CA{_digits(seed, 2, 'BDEFGHJKLMNOPQ')}{_digits(seed + 'x', 38)}@mail.gmail.com>"


def outlook_id(seed: str, region: str = "eurprd04") -> str:
    box = (
        "AM"
        + _digits(seed, 1, "0123456789")
        + "PR0"
        + _digits(seed, 1, "12345678")
        + "MB"
        + _digits(seed + "b", 4, "0123456789")
    )
    return f"<{box}{_digits(seed, 22, '0123456789ABCDEF')}@{box}.{region}.prod.outlook.com>"


def uuid_id(seed: str, domain: str, upper: bool = False) -> str:
    hexs = _digits(seed, 32, "0123456789abcdef")
    u = f"{hexs[:8]}-{hexs[8:12]}-{hexs[12:16]}-{hexs[16:20]}-{hexs[20:]}"
    return f"<{u.upper() if upper else u}@{domain}>"


def mta_id(seed: str, when: datetime, domain: str) -> str:
    return f"<{when:%Y%m%d%H%M%S}.{_digits(seed, 12, '0123456789ABCDEF')}@{domain}>"


def boundary(seed: str) -> str:
    return "000000000000" + _digits(seed, 16, "0123456789abcdef")


@dataclass
class Mailbox:
    """One scenario: its messages by folder and what the digest should say."""

    name: str
    person: str
    addresses: list[str]
    now: str
    files: list[tuple[str, str, bytes]] = field(default_factory=list)
    threads: list[dict] = field(default_factory=list)
    not_requests: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def put(self, folder: str, slug: str, raw: bytes) -> None:
        from email.utils import parsedate_to_datetime

        date_line = next(line for line in raw.split(b"\r\n") if line.startswith(b"Date: "))
        when = parsedate_to_datetime(date_line[6:].decode())
        self.files.append((folder, f"{when:%m%d-%H%M}-{slug}.eml", raw))

    def expect(
        self,
        asks: list[str],
        *,
        status: str,
        due: str | None = None,
        gone_quiet: bool = False,
        undeliverable: bool = False,
        replies: dict[str, str] | None = None,
        why: str = "",
    ) -> None:
        """One request thread: its asks (the first is the request), its replies and labels."""
        replies = replies or {}
        self.threads.append(
            {
                "request_message_id": asks[0],
                "ask_message_ids": list(asks),
                "asks": len(asks),
                "status": status,
                "due": due,
                "gone_quiet": gone_quiet,
                "undeliverable": undeliverable,
                "replies": sorted(replies),
                "reply_labels": dict(sorted(replies.items())),
                "why": why,
            }
        )


# -- body builders in the styles of common clients ---------------------------------------------


def when(y: int, mo: int, d: int, h: int, mi: int, s: int = 0, tz: float = 1) -> datetime:
    from datetime import timedelta, timezone

    return datetime(y, mo, d, h, mi, s, tzinfo=timezone(timedelta(hours=tz)))


def plain(text: str, cte: str = "8bit", charset: str = "utf-8", flowed: bool = False) -> Leaf:
    return Leaf("text/plain", text, charset, cte, "; format=flowed" if flowed else "")


def html_leaf(markup: str, cte: str = "quoted-printable", charset: str = "utf-8") -> Leaf:
    return Leaf("text/html", markup, charset, cte)


def alternative(
    seed: str,
    text: str,
    markup: str,
    cte: str = "quoted-printable",
    charset: str = "utf-8",
    html_cte: str | None = None,
) -> Multi:
    return Multi(
        "alternative",
        (plain(text, cte, charset), html_leaf(markup, html_cte or cte, charset)),
        boundary(seed),
    )


def quoted(text: str) -> str:
    return "\n".join(">" if not line else "> " + line for line in text.strip("\n").split("\n"))


def _esc(text: str) -> str:
    import html

    return html.escape(text, quote=False)


def paragraphs_html(text: str, tag: str = "div") -> str:
    """Plain paragraphs as a mail client's HTML: one block per line, empty lines as <br>."""
    out = []
    for line in text.strip("\n").split("\n"):
        out.append(f"<{tag}>{_esc(line) if line else '<br>'}</{tag}>")
    return "\n".join(out)


def gmail_html(new: str, header: str = "", original: str = "") -> str:
    body = f'<div dir="ltr">{paragraphs_html(new)}</div>'
    if header:
        body += (
            f'<br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">{_esc(header)}'
            '<br></div><blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex;'
            'border-left:1px solid rgb(204,204,204);padding-left:1ex">'
            f"{paragraphs_html(original)}</blockquote></div>"
        )
    return body + "\n"


def outlook_html(
    new: str, header_lines: list[str] = (), original: str = "", lang: str = "EN-GB"
) -> str:
    def ps(text: str) -> str:
        return "\n".join(
            f'<p class="MsoNormal">{_esc(line) if line else "&nbsp;"}<o:p></o:p></p>'
            for line in text.strip("\n").split("\n")
        )

    head = (
        '<html xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:'
        'office:office" xmlns:w="urn:schemas-microsoft-com:office:word" xmlns:m="http://schemas'
        '.microsoft.com/office/2004/12/omml" xmlns="http://www.w3.org/TR/REC-html40">\n<head>\n'
        '<meta name="Generator" content="Microsoft Word 15 (filtered medium)">\n<style><!--\n'
        "p.MsoNormal, li.MsoNormal, div.MsoNormal\n\t{margin:0cm;font-size:11.0pt;"
        'font-family:"Calibri",sans-serif;}\n--></style>\n</head>\n'
        f'<body lang="{lang}" link="#0563C1" vlink="#954F72" style="word-wrap:break-word">\n'
        '<div class="WordSection1">\n'
    )
    body = ps(new)
    if header_lines:
        body += (
            '\n<div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm '
            '0cm">\n<p class="MsoNormal">'
            + "<br>\n".join(
                f"<b>{_esc(k)}</b> {_esc(v)}"
                for k, _, v in (line.partition(" ") for line in header_lines)
            )
            + "<o:p></o:p></p>\n</div>\n"
        )
        body += ps(original)
    return head + body + "\n</div>\n</body>\n</html>\n"


def attachment(filename: str, data: bytes, ctype: str = "application/pdf") -> Leaf:
    return Leaf(
        ctype,
        data,
        None,
        "base64",
        f'; name="{filename}"',
        (f'Content-Disposition: attachment; filename="{filename}"',),
    )


def mixed(seed: str, body: Leaf | Multi, *parts: Leaf) -> Multi:
    return Multi("mixed", (body, *parts), boundary(seed + "mixed"))


def pdf(title: str) -> bytes:
    """A small, valid one-page PDF: a CV or cover letter attachment."""
    text = title.encode("latin-1", "replace")
    stream = b"BT /F1 18 Tf 72 760 Td (" + text + b") Tj ET"
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for n, obj in enumerate(objs, 1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n".encode() + obj + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


def bulk_headers(list_id: str, unsubscribe: str) -> list[str]:
    return [
        f"List-Id: {list_id}",
        f"List-Unsubscribe: <{unsubscribe}>",
        "List-Unsubscribe-Post: List-Unsubscribe=One-Click",
        "Precedence: bulk",
    ]


def dsn(
    *,
    seed: str,
    mta: str,
    date: datetime,
    recipient: str,
    original_headers: str,
    explanation: str,
    diagnostic: str,
    status: str = "5.1.1",
) -> Multi:
    """An RFC 3464 delivery report: explanation, per-recipient status, the original's headers."""
    report = (
        f"Reporting-MTA: dns; {mta}\n"
        f"Arrival-Date: {format_datetime(date)}\n\n"
        f"Final-Recipient: rfc822; {recipient}\n"
        f"Original-Recipient: rfc822;{recipient}\n"
        f"Action: failed\nStatus: {status}\n"
        f"Diagnostic-Code: smtp; {diagnostic}\n"
    )
    return Multi(
        "report",
        (
            Leaf(
                "text/plain",
                explanation,
                "us-ascii",
                "7bit",
                "",
                ("Content-Description: Notification",),
            ),
            Leaf(
                "message/delivery-status",
                report,
                None,
                "7bit",
                "",
                ("Content-Description: Delivery report",),
            ),
            Leaf(
                "text/rfc822-headers",
                original_headers,
                None,
                "7bit",
                "",
                ("Content-Description: Undelivered Message Headers",),
            ),
        ),
        boundary(seed),
        " report-type=delivery-status;",
        "This is a MIME-encapsulated message.",
    )


THUNDERBIRD = "User-Agent: Mozilla Thunderbird"
OUTLOOK = ["X-Mailer: Microsoft Outlook 16.0", "X-MS-Has-Attach:", "X-MS-TNEF-Correlator:"]
APPLE = "X-Mailer: Apple Mail (2.3826.400.131.1.6)"
AUTO_REPLY = [
    "Auto-Submitted: auto-replied",
    "X-Auto-Response-Suppress: All",
    "X-MS-Exchange-Inbox-Rules-Loop: {}",
]


# ============================================================================================
# 1. Lena Hoffmann, data engineer in Berlin: German and English, a second address of her own
# ============================================================================================


def lena() -> Mailbox:
    me, alias = "lena.hoffmann@posteo.example", "lena@hoffmann-data.example"
    box = Mailbox("lena_berlin", "Lena Hoffmann", [me, alias], "2025-06-16T08:00:00+02:00")
    lena_from = address("Lena Hoffmann", me)
    tz = 2

    # -- noise before anything happens
    box.put(
        "INBOX",
        "jobalert",
        message(
            sender="StellenRadar <alerts@stellenradar.example>",
            to=me,
            subject="12 neue Jobs für „Data Engineer“ in Berlin",
            date=when(2025, 5, 5, 6, 30, tz=tz),
            mid=mta_id("l-alert1", when(2025, 5, 5, 6, 30), "mailer.stellenradar.example"),
            extra=bulk_headers(
                "<jobalerts.stellenradar.example>",
                "https://stellenradar.example/unsubscribe?u=8812&t=a1",
            ),
            body=alternative(
                "l-alert1",
                """Hallo Lena,

hier sind 12 neue Stellen, die zu deiner Suche „Data Engineer“ in Berlin passen:

Data Engineer (m/w/d) – Kleinfeld Mobility GmbH – Berlin
Senior Data Engineer – Brightloop – Remote (EU)
Analytics Engineer (m/w/d) – Lumio – Berlin-Kreuzberg
... und 9 weitere

Alle Jobs ansehen: https://stellenradar.example/s/8812

Du erhältst diese E-Mail, weil du einen Suchauftrag angelegt hast.
Abmelden: https://stellenradar.example/unsubscribe?u=8812&t=a1
""",
                "<html><body><h2>12 neue Jobs für dich</h2><ul><li>Data Engineer (m/w/d) – Kleinfeld "
                "Mobility GmbH</li><li>Senior Data Engineer – Brightloop</li><li>Analytics Engineer "
                '– Lumio</li></ul><p><a href="https://stellenradar.example/s/8812">Alle Jobs '
                'ansehen</a></p><p style="font-size:11px"><a href="https://stellenradar.example/'
                'unsubscribe?u=8812&amp;t=a1">Abmelden</a></p></body></html>',
            ),
        ),
    )

    application = uuid_id("l-application", "posteo.example")
    box.put(
        "Sent",
        "application-kleinfeld",
        message(
            sender=lena_from,
            to="Kleinfeld Mobility Karriere <karriere@kleinfeld-mobility.example>",
            subject="Bewerbung als Data Engineer (Ref. KM-2291)",
            date=when(2025, 5, 6, 21, 12, tz=tz),
            mid=application,
            extra=[THUNDERBIRD, "Content-Language: de-DE"],
            body=mixed(
                "l-application",
                plain(
                    """Sehr geehrte Damen und Herren,

mit großem Interesse habe ich Ihre Ausschreibung für die Position als Data Engineer
(Ref. KM-2291) gelesen. In den letzten vier Jahren habe ich bei einem Berliner
Logistik-Start-up Datenpipelines mit Spark, Airflow und dbt aufgebaut und betreut,
zuletzt mit Verantwortung für unsere Echtzeit-Auswertung der Fahrzeugflotte.

Besonders reizt mich an Kleinfeld Mobility, dass Ihre Daten direkt in die Planung
der Sharing-Flotte einfließen. Meinen Lebenslauf und meine Zeugnisse finden Sie im
Anhang. Über eine Einladung zu einem persönlichen Gespräch freue ich mich sehr.

Mit freundlichen Grüßen
Lena Hoffmann
""",
                    flowed=True,
                ),
                attachment("Lebenslauf_Lena_Hoffmann.pdf", pdf("Lena Hoffmann - Lebenslauf")),
                attachment("Anschreiben_Kleinfeld.pdf", pdf("Anschreiben Kleinfeld Mobility")),
            ),
        ),
    )
    box.not_requests.append(application)

    box.put(
        "INBOX",
        "ats-kleinfeld",
        message(
            sender="Kleinfeld Mobility GmbH <no-reply@kleinfeld-mobility.jobs.personio.example>",
            to=me,
            subject="Ihre Bewerbung bei Kleinfeld Mobility GmbH",
            date=when(2025, 5, 6, 21, 13, tz=tz),
            mid=mta_id("l-ats", when(2025, 5, 6, 21, 13), "personio.example"),
            extra=["Auto-Submitted: auto-generated"],
            body=html_leaf(
                "<p>Hallo Lena Hoffmann,</p><p>vielen Dank für Ihre Bewerbung als "
                "<b>Data Engineer (Ref. KM-2291)</b>. Wir haben Ihre Unterlagen erhalten "
                "und melden uns so schnell wie möglich bei Ihnen.</p><p>Ihr Recruiting-"
                'Team von Kleinfeld Mobility</p><p style="color:#888">Dies ist eine '
                "automatisch versendete E-Mail. Bitte antworten Sie nicht darauf.</p>"
            ),
        ),
    )

    invite = outlook_id("l-invite")
    invite_text = """Hallo Frau Hoffmann,

vielen Dank für Ihre Bewerbung. Wir würden Sie gerne kennenlernen! Hätten Sie an einem
der folgenden Termine Zeit für ein Gespräch mit Jonas Weber (Teamlead Data Platform)
und mir?

- Dienstag, 13. Mai, 15:00 Uhr
- Mittwoch, 14. Mai, 10:00 Uhr

Das Gespräch findet bei uns im Büro in der Rosenthaler Straße statt.

Viele Grüße
Anna Schulz
Talent Acquisition | Kleinfeld Mobility GmbH
"""
    box.put(
        "INBOX",
        "invite-kleinfeld",
        message(
            sender="Anna Schulz <anna.schulz@kleinfeld-mobility.example>",
            to=lena_from,
            subject="Einladung zum Gespräch – Data Engineer",
            date=when(2025, 5, 8, 10, 2, tz=tz),
            mid=invite,
            extra=OUTLOOK + ["Content-Language: de-DE"],
            body=alternative(
                "l-invite",
                invite_text,
                outlook_html(invite_text, lang="DE"),
                charset="windows-1252",
            ),
        ),
    )
    scheduling = uuid_id("l-sched1", "posteo.example")
    box.put(
        "Sent",
        "scheduling-kleinfeld",
        message(
            sender=lena_from,
            to="Anna Schulz <anna.schulz@kleinfeld-mobility.example>",
            subject="Re: Einladung zum Gespräch – Data Engineer",
            date=when(2025, 5, 8, 12, 40, tz=tz),
            mid=scheduling,
            in_reply_to=invite,
            extra=[THUNDERBIRD],
            body=plain(
                f"""Hallo Frau Schulz,

vielen Dank für die Einladung! Mittwoch, 14. Mai, um 10:00 Uhr passt mir sehr gut.
Ich freue mich auf das Gespräch.

Viele Grüße
Lena Hoffmann

Am 08.05.25 um 10:02 schrieb Anna Schulz:
{quoted(invite_text)}
""",
                flowed=True,
            ),
        ),
    )
    box.not_requests.append(scheduling)

    box.put(
        "INBOX",
        "newsletter",
        message(
            sender="Data Engineering Weekly <newsletter@dataengweekly.example>",
            to=me,
            subject="DEW #212: Iceberg everywhere, and the cost of small files",
            date=when(2025, 5, 12, 7, 0, tz=tz),
            mid=mta_id("l-news1", when(2025, 5, 12, 7, 0), "mail.dataengweekly.example"),
            extra=bulk_headers(
                "Data Engineering Weekly <weekly.dataengweekly.example>",
                "https://dataengweekly.example/u/3f9a",
            ),
            body=plain(
                """This week in data engineering:

* Table formats: why everyone is moving to Iceberg, and what it costs you
* The small-files problem, measured
* Job of the week: Staff Data Engineer at a Berlin scale-up

You are receiving this because you subscribed at dataengweekly.example.
Unsubscribe: https://dataengweekly.example/u/3f9a
""",
                cte="7bit",
                charset="us-ascii",
            ),
        ),
    )

    cv_ask = uuid_id("l-cv-ask", "posteo.example")
    cv_text = """Hey Miri,

hast du am Wochenende vielleicht 10 Minuten? Ich hab meinen Lebenslauf komplett
umgebaut (jetzt einseitig, Projekte statt Aufgabenlisten) und bin mir total
unsicher, ob das so funktioniert.

Kannst du mal drüberschauen und mir ehrlich sagen, was dir auffällt? Du siehst als
Recruiterin ja jeden Tag hundert davon :)

Danke dir! Drück mir die Daumen für Mittwoch.
Lena
"""
    box.put(
        "Sent",
        "personal-cv-ask",
        message(
            sender=lena_from,
            to="Miriam Kaya <miriam.kaya@gmail.com>",
            subject="Kurzer Blick auf meinen Lebenslauf?",
            date=when(2025, 5, 10, 11, 5, tz=tz),
            mid=cv_ask,
            extra=[THUNDERBIRD],
            body=mixed(
                "l-cv",
                plain(cv_text, flowed=True),
                attachment("CV_Lena_Hoffmann_2025.pdf", pdf("Lena Hoffmann CV")),
            ),
        ),
    )
    box.not_requests.append(cv_ask)
    box.put(
        "INBOX",
        "personal-cv-answer",
        message(
            sender="Miriam Kaya <miriam.kaya@gmail.com>",
            to=lena_from,
            subject="Re: Kurzer Blick auf meinen Lebenslauf?",
            date=when(2025, 5, 11, 19, 48, tz=tz),
            mid=gmail_id("l-miri"),
            in_reply_to=cv_ask,
            body=alternative(
                "l-miri",
                f"""Hey Lena,

sieht schon richtig gut aus! Drei Sachen:
1. Oben fehlt mir ein Satz, was du suchst.
2. Bei den Projekten immer eine Zahl dazu (wie viele Events/Tag, wie viel schneller).
3. Die Skills-Liste ist zu lang, nimm die Hälfte raus.

Viel Glück am Mittwoch!!
Miri

Am Sa., 10. Mai 2025 um 11:05 Uhr schrieb Lena Hoffmann <{me}>:
{quoted(cv_text)}
""",
                gmail_html(
                    """Hey Lena,

sieht schon richtig gut aus! Drei Sachen:
1. Oben fehlt mir ein Satz, was du suchst.
2. Bei den Projekten immer eine Zahl dazu (wie viele Events/Tag, wie viel schneller).
3. Die Skills-Liste ist zu lang, nimm die Hälfte raus.

Viel Glück am Mittwoch!!
Miri""",
                    f"Am Sa., 10. Mai 2025 um 11:05 Uhr schrieb Lena Hoffmann <{me}>:",
                    cv_text,
                ),
            ),
        ),
    )

    box.put(
        "INBOX",
        "rejection-kleinfeld",
        message(
            sender="Anna Schulz <anna.schulz@kleinfeld-mobility.example>",
            to=lena_from,
            subject="Ihre Bewerbung als Data Engineer (Ref. KM-2291)",
            date=when(2025, 5, 16, 15, 21, tz=tz),
            mid=outlook_id("l-reject"),
            extra=OUTLOOK,
            body=alternative(
                "l-reject",
                """Hallo Frau Hoffmann,

noch einmal vielen Dank für Ihren Besuch am Mittwoch und das angenehme Gespräch.

Nach reiflicher Überlegung haben wir uns leider für eine andere Kandidatin entschieden,
deren Profil noch etwas besser zu den aktuellen Anforderungen passt. Diese Entscheidung
ist uns nicht leichtgefallen.

Wir wünschen Ihnen für Ihren weiteren Weg alles Gute.

Viele Grüße
Anna Schulz
Talent Acquisition | Kleinfeld Mobility GmbH
""",
                outlook_html(
                    """Hallo Frau Hoffmann,

noch einmal vielen Dank für Ihren Besuch am Mittwoch und das angenehme Gespräch.

Nach reiflicher Überlegung haben wir uns leider für eine andere Kandidatin entschieden, deren Profil noch etwas besser zu den aktuellen Anforderungen passt. Diese Entscheidung ist uns nicht leichtgefallen.

Wir wünschen Ihnen für Ihren weiteren Weg alles Gute.

Viele Grüße
Anna Schulz""",
                    lang="DE",
                ),
                charset="windows-1252",
            ),
        ),
    )

    # -- request A: Kleinfeld, German, Outlook reply with feedback, then her thank-you
    a1 = uuid_id("l-a1", "posteo.example")
    a1_text = """Hallo Herr Weber,

vielen Dank noch einmal für das Gespräch am 14. Mai und für die schnelle Rückmeldung
von Frau Schulz. Auch wenn es diesmal nicht geklappt hat, hat mir der Austausch mit
Ihnen und Ihrem Team wirklich gefallen.

Darf ich Sie um ein kurzes, ehrliches Feedback bitten? Mich würde vor allem
interessieren, was am Ende den Ausschlag gegeben hat und woran ich für künftige
Gespräche arbeiten sollte – gerne auch zur Systemdesign-Aufgabe.

Viele Grüße
Lena Hoffmann
"""
    box.put(
        "Sent",
        "request-kleinfeld",
        message(
            sender=lena_from,
            to="Jonas Weber <jonas.weber@kleinfeld-mobility.example>",
            subject="Feedback zu meinem Gespräch am 14. Mai",
            date=when(2025, 5, 19, 18, 4, tz=tz),
            mid=a1,
            extra=[THUNDERBIRD, "Content-Language: de-DE"],
            body=plain(a1_text, flowed=True),
        ),
    )
    a_reply = outlook_id("l-a-reply")
    a_new = """Hallo Frau Hoffmann,

gerne, und danke, dass Sie nachfragen – das machen leider die wenigsten.

Fachlich waren Sie im Spark-Teil und beim Datenmodell ganz vorne dabei, da gab es im Panel keine zwei Meinungen. Den Ausschlag hat die Systemdesign-Aufgabe gegeben: Sie sind sehr schnell in die Tool-Auswahl gegangen, aber die Frage, wie Sie mit verspätet eintreffenden Events umgehen, kam erst auf unsere Nachfrage. Die Kandidatin, für die wir uns entschieden haben, hat das von sich aus angesprochen und die Kosten der Pipeline grob überschlagen.

Mein Tipp: Anforderungen und Randfälle zuerst laut durchgehen, erst dann über Kafka oder Flink reden.

Viel Erfolg weiterhin!

Beste Grüße
Jonas Weber
Teamlead Data Platform
Kleinfeld Mobility GmbH | Rosenthaler Str. 40 | 10178 Berlin
Tel. +49 30 5557 2210
"""
    a_head = [
        f"Von: Lena Hoffmann <{me}>",
        "Gesendet: Montag, 19. Mai 2025 18:04",
        "An: Jonas Weber <jonas.weber@kleinfeld-mobility.example>",
        "Betreff: Feedback zu meinem Gespräch am 14. Mai",
    ]
    box.put(
        "INBOX",
        "reply-kleinfeld-feedback",
        message(
            sender="Jonas Weber <jonas.weber@kleinfeld-mobility.example>",
            to=lena_from,
            subject="AW: Feedback zu meinem Gespräch am 14. Mai",
            date=when(2025, 5, 21, 9, 47, tz=tz),
            mid=a_reply,
            in_reply_to=a1,
            extra=OUTLOOK + ["Content-Language: de-DE"],
            body=alternative(
                "l-a-reply",
                a_new + "\n" + "\n".join(a_head) + "\n\n" + a1_text,
                outlook_html(a_new, a_head, a1_text, lang="DE"),
                charset="windows-1252",
            ),
        ),
    )
    thanks = uuid_id("l-thanks", "posteo.example")
    box.put(
        "Sent",
        "thanks-kleinfeld",
        message(
            sender=lena_from,
            to="Jonas Weber <jonas.weber@kleinfeld-mobility.example>",
            subject="Re: AW: Feedback zu meinem Gespräch am 14. Mai",
            date=when(2025, 5, 21, 12, 30, tz=tz),
            mid=thanks,
            in_reply_to=a_reply,
            references=[a1, a_reply],
            extra=[THUNDERBIRD],
            body=plain(
                f"""Hallo Herr Weber,

vielen Dank für die ausführliche und offene Rückmeldung – das hilft mir wirklich
weiter. Den Punkt mit den Randfällen nehme ich mir für das nächste Gespräch zu Herzen.

Ihnen und dem Team alles Gute!
Lena Hoffmann

Am 21.05.25 um 09:47 schrieb Jonas Weber:
{quoted(a_new)}
""",
                flowed=True,
            ),
        ),
    )
    box.not_requests.append(thanks)
    box.expect(
        [a1],
        status="feedback",
        replies={a_reply: "feedback"},
        why="German Outlook reply (windows-1252, quoted-printable) with concrete feedback",
    )

    # -- request B: Brightloop, English; an out-of-office first, the real answer after it
    b1 = uuid_id("l-b1", "posteo.example")
    b1_text = """Hi Rachel,

Thanks again for taking the time on Tuesday, and for letting me know so quickly.
I'm sorry it didn't work out – I really liked what you're building with the metrics
layer.

If you can spare a few minutes, I'd love to hear how I came across compared to the
other candidates, and what I could have done better, especially in the dbt
modelling exercise. Any pointers would help a lot.

Best,
Lena
"""
    b_subject = "Analytics Engineer interview – any feedback?"
    box.put(
        "Sent",
        "request-brightloop",
        message(
            sender=lena_from,
            to="Rachel Kim <rachel.kim@brightloop.example>",
            subject=b_subject,
            date=when(2025, 5, 23, 16, 12, tz=tz),
            mid=b1,
            extra=[THUNDERBIRD],
            body=plain(b1_text, flowed=True),
        ),
    )
    b_ooo = outlook_id("l-b-ooo", "gbrp123")
    box.put(
        "INBOX",
        "reply-brightloop-ooo",
        message(
            sender="Rachel Kim <rachel.kim@brightloop.example>",
            to=lena_from,
            subject="Automatic reply: " + b_subject,
            date=when(2025, 5, 23, 15, 12, 31, tz=1),
            mid=b_ooo,
            in_reply_to=b1,
            extra=[h.format("rachel.kim@brightloop.example") for h in AUTO_REPLY],
            body=alternative(
                "l-b-ooo",
                """Thanks for your email. I'm out of the office until Monday 2 June with limited access to email.

For anything urgent about open roles please contact talent@brightloop.example.

Rachel
""",
                outlook_html("""Thanks for your email. I'm out of the office until Monday 2 June with limited access to email.

For anything urgent about open roles please contact talent@brightloop.example.

Rachel"""),
                cte="7bit",
                charset="us-ascii",
            ),
        ),
    )
    b_reply = gmail_id("l-b-reply")
    b_new = """Hi Lena,

Sorry for the slow reply, I've just got back and I'm digging out of my inbox.

Happy to share. You were one of the two people we seriously considered. Your SQL and
testing habits were excellent - the panel especially liked that you added tests
before anyone asked. Where the other candidate pulled ahead was the modelling
exercise: you built the staging layer carefully but ran out of time before the
mart, so we never saw how you'd shape the metrics for the finance team. Next time
I'd sketch the end-to-end shape first and fill in the detail after.

Hope that helps, and good luck with the search. I'd be glad to hear from you if
another role opens up here.

Rachel
"""
    b_attr = f"On Fri, 23 May 2025 at 15:12, Lena Hoffmann <{me}> wrote:"
    box.put(
        "INBOX",
        "reply-brightloop-feedback",
        message(
            sender="Rachel Kim <rachel.kim@brightloop.example>",
            to=lena_from,
            subject="Re: " + b_subject,
            date=when(2025, 6, 4, 10, 20, tz=1),
            mid=b_reply,
            in_reply_to=b1,
            body=alternative(
                "l-b-reply",
                f"{b_new}\n{b_attr}\n{quoted(b1_text)}\n",
                gmail_html(b_new, b_attr, b1_text),
            ),
        ),
    )
    box.expect(
        [b1],
        status="feedback",
        replies={b_ooo: "no_response", b_reply: "feedback"},
        why="out-of-office until 2 June, then a Gmail reply with feedback",
    )

    # -- request C: Nordwerk; no answer, the second ask sent from her own-domain alias
    c1 = uuid_id("l-c1", "posteo.example")
    c1_text = """Hallo Tobias,

danke noch einmal für das offene Gespräch letzte Woche – ich habe mich über den
Einblick in euer Netzlast-Projekt sehr gefreut. Schade, dass es nicht gepasst hat.

Hättest du ein paar Minuten, um mir zu sagen, wie ich im Vergleich zu den anderen
Bewerber*innen abgeschnitten habe und was ich hätte besser machen können? Jede
ehrliche Einschätzung hilft mir weiter.

Viele Grüße
Lena
"""
    c_subject = "Rückfrage zu meinem Interview – Data Platform Engineer"
    box.put(
        "Sent",
        "request-nordwerk",
        message(
            sender=lena_from,
            to="Tobias Brandt <tobias.brandt@nordwerk-energie.example>",
            subject=c_subject,
            date=when(2025, 5, 26, 9, 31, tz=tz),
            mid=c1,
            extra=[THUNDERBIRD],
            body=plain(c1_text, flowed=True),
        ),
    )
    c2 = uuid_id("l-c2", "hoffmann-data.example")
    box.put(
        "Sent",
        "second-ask-nordwerk-alias",
        message(
            sender=address("Lena Hoffmann", alias),
            to="Tobias Brandt <tobias.brandt@nordwerk-energie.example>",
            subject="Re: " + c_subject,
            date=when(2025, 6, 4, 8, 55, tz=tz),
            mid=c2,
            in_reply_to=c1,
            extra=[THUNDERBIRD],
            body=plain(
                f"""Hallo Tobias,

ich wollte mich noch einmal kurz melden – vermutlich ist meine Mail in der Hektik
untergegangen. Ein, zwei Sätze dazu, woran es gelegen hat, wären für mich schon sehr
wertvoll.

Danke dir und viele Grüße
Lena

Am 26.05.25 um 09:31 schrieb Lena Hoffmann:
{quoted(c1_text)}
""",
                flowed=True,
            ),
        ),
    )
    box.expect(
        [c1, c2],
        status="no_response",
        due="third_ask",
        why="second ask from the alias on 4 June; five business days passed on 11 June",
    )

    # -- request D: Quellwerk; the address was wrong and the mail bounced
    d1 = uuid_id("l-d1", "posteo.example")
    d_subject = "Feedback zum Vorstellungsgespräch am 10. Juni"
    box.put(
        "Sent",
        "request-quellwerk",
        message(
            sender=lena_from,
            to="Michael Krüger <m.krueger@quellwerk.example>",
            subject=d_subject,
            date=when(2025, 6, 12, 17, 40, tz=tz),
            mid=d1,
            extra=[THUNDERBIRD],
            body=plain(
                """Sehr geehrter Herr Krüger,

vielen Dank für das Gespräch am Dienstag und für Ihren Anruf gestern. Auch wenn ich
mir eine andere Nachricht gewünscht hätte, weiß ich Ihre offene Art sehr zu schätzen.

Wären Sie so freundlich, mir kurz mitzuteilen, was aus Ihrer Sicht gefehlt hat? Ihre
Einschätzung würde mir bei den nächsten Bewerbungen sehr helfen.

Mit freundlichen Grüßen
Lena Hoffmann
""",
                flowed=True,
            ),
        ),
    )
    bounce = mta_id("l-bounce", when(2025, 6, 12, 15, 40, 9, tz=0), "mout01.posteo.example")
    box.put(
        "INBOX",
        "bounce-quellwerk",
        message(
            top=["Return-Path: <>"],
            sender="MAILER-DAEMON@mout01.posteo.example (Mail Delivery System)",
            to=me,
            subject="Undelivered Mail Returned to Sender",
            date=when(2025, 6, 12, 17, 40, 9, tz=tz),
            mid=bounce,
            extra=["Auto-Submitted: auto-replied"],
            body=dsn(
                seed="l-bounce",
                mta="mout01.posteo.example",
                date=when(2025, 6, 12, 17, 40, 6, tz=tz),
                recipient="m.krueger@quellwerk.example",
                explanation="""This is the mail system at host mout01.posteo.example.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients. It's attached below.

For further assistance, please send mail to postmaster.

If you do so, please include this problem report. You can
delete your own text from the attached returned message.

                   The mail system

<m.krueger@quellwerk.example>: host mx1.quellwerk.example[192.0.2.41] said:
    550 5.1.1 <m.krueger@quellwerk.example>: Recipient address rejected: User
    unknown in virtual mailbox table (in reply to RCPT TO command)
""",
                diagnostic="550 5.1.1 <m.krueger@quellwerk.example>: Recipient address rejected: "
                "User unknown in virtual mailbox table",
                original_headers=f"""From: Lena Hoffmann <{me}>
To: =?utf-8?q?Michael_Kr=C3=BCger?= <m.krueger@quellwerk.example>
Subject: =?utf-8?q?Feedback_zum_Vorstellungsgespr=C3=A4ch_am_10=2E_Juni?=
Date: Thu, 12 Jun 2025 17:40:00 +0200
Message-ID: {d1}
""",
            ),
        ),
    )
    box.expect(
        [d1],
        status="no_response",
        undeliverable=True,
        replies={bounce: "no_response"},
        why="bounced (RFC 3464 report); the next ask is not due before 19 June",
    )

    # -- more noise while all that happened
    box.put(
        "INBOX",
        "ats-lumio",
        message(
            sender="Lumio Careers <no-reply@lumio.recruitee.example>",
            to=me,
            subject="Vielen Dank für Ihre Bewerbung – Analytics Engineer (m/w/d)",
            date=when(2025, 5, 28, 8, 15, tz=tz),
            mid=mta_id("l-ats2", when(2025, 5, 28, 8, 15), "recruitee.example"),
            extra=["Auto-Submitted: auto-generated", "Precedence: bulk"],
            body=alternative(
                "l-ats2",
                """Hallo Lena,

vielen Dank für deine Bewerbung als Analytics Engineer (m/w/d) bei Lumio. Wir schauen
uns deine Unterlagen in Ruhe an und melden uns innerhalb von zwei Wochen.

Dein Lumio People Team

Diese Nachricht wurde automatisch versendet.
""",
                "<p>Hallo Lena,</p><p>vielen Dank für deine Bewerbung als <b>Analytics Engineer "
                "(m/w/d)</b> bei Lumio. Wir schauen uns deine Unterlagen in Ruhe an und melden uns "
                "innerhalb von zwei Wochen.</p><p>Dein Lumio People Team</p>",
            ),
        ),
    )
    box.put(
        "INBOX",
        "newsletter-2",
        message(
            sender="Data Engineering Weekly <newsletter@dataengweekly.example>",
            to=me,
            subject="DEW #215: Streaming joins without tears",
            date=when(2025, 6, 2, 7, 0, tz=tz),
            mid=mta_id("l-news2", when(2025, 6, 2, 7, 0), "mail.dataengweekly.example"),
            extra=bulk_headers(
                "Data Engineering Weekly <weekly.dataengweekly.example>",
                "https://dataengweekly.example/u/3f9a",
            ),
            body=plain(
                """This week: streaming joins without tears, a look at late-arriving data,
and three open-source orchestrators compared.

Unsubscribe: https://dataengweekly.example/u/3f9a
""",
                cte="7bit",
                charset="us-ascii",
            ),
        ),
    )
    box.put(
        "INBOX",
        "recruiter-cold",
        message(
            sender="Sophie Brandl <sophie.brandl@talentbruecke.example>",
            to=me,
            subject="Senior Data Engineer (m/w/d) – Remote – spannendes Scale-up",
            date=when(2025, 6, 10, 9, 12, tz=tz),
            mid=outlook_id("l-cold"),
            extra=OUTLOOK,
            body=alternative(
                "l-cold",
                """Hallo Lena,

ich bin über dein LinkedIn-Profil auf dich aufmerksam geworden – deine Erfahrung mit
Spark und Echtzeit-Pipelines passt hervorragend zu einer Position, die ich gerade für
einen Kunden besetze: ein stark wachsendes Scale-up im Energiebereich, 100 % remote,
bis 85.000 EUR.

Hättest du diese oder nächste Woche Zeit für ein kurzes Telefonat?

Beste Grüße
Sophie Brandl
Senior Recruiterin | TalentBrücke
""",
                outlook_html(
                    """Hallo Lena,

ich bin über dein LinkedIn-Profil auf dich aufmerksam geworden – deine Erfahrung mit Spark und Echtzeit-Pipelines passt hervorragend zu einer Position, die ich gerade für einen Kunden besetze.

Hättest du diese oder nächste Woche Zeit für ein kurzes Telefonat?

Beste Grüße
Sophie Brandl""",
                    lang="DE",
                ),
                charset="windows-1252",
            ),
        ),
    )
    lumio_invite = gmail_id("l-lumio-invite")
    lumio_text = """Hallo Lena,

danke für das nette Erstgespräch! Wir würden dich gerne zum Zweitgespräch mit
unserem CTO einladen. Passt dir Mittwoch, 18. Juni, um 10:00 Uhr oder Donnerstag,
19. Juni, um 14:00 Uhr?

Viele Grüße
Jana von Lumio
"""
    box.put(
        "INBOX",
        "invite-lumio",
        message(
            sender="Jana Petersen <jana@lumio.example>",
            to=lena_from,
            subject="Zweitgespräch bei Lumio – Terminvorschläge",
            date=when(2025, 6, 11, 14, 3, tz=tz),
            mid=lumio_invite,
            body=alternative("l-lumio-invite", lumio_text, gmail_html(lumio_text)),
        ),
    )
    scheduling2 = uuid_id("l-sched2", "posteo.example")
    box.put(
        "Sent",
        "scheduling-lumio",
        message(
            sender=lena_from,
            to="Jana Petersen <jana@lumio.example>",
            subject="Re: Zweitgespräch bei Lumio – Terminvorschläge",
            date=when(2025, 6, 13, 8, 20, tz=tz),
            mid=scheduling2,
            in_reply_to=lumio_invite,
            extra=[THUNDERBIRD],
            body=plain(
                f"""Hallo Jana,

sehr gerne! Mittwoch, 18. Juni, 10:00 Uhr passt mir gut. Schickt ihr mir einen Link
für den Call, oder komme ich ins Büro?

Bis dann
Lena

Am 11.06.25 um 14:03 schrieb Jana Petersen:
{quoted(lumio_text)}
""",
                flowed=True,
            ),
        ),
    )
    box.not_requests.append(scheduling2)
    box.put(
        "INBOX",
        "personal-mum",
        message(
            sender="Mama <ute.hoffmann@t-online.de>",
            to=me,
            subject="Sonntag",
            date=when(2025, 6, 14, 18, 32, tz=tz),
            mid=uuid_id("l-mum", "t-online.de"),
            body=plain(
                """Hallo Schatz,

kommst du Sonntag zum Kaffee? Papa hat Rhabarberkuchen gebacken. Und erzähl mal, wie
es mit den Bewerbungen läuft!

Liebe Grüße
Mama
""",
                cte="quoted-printable",
                charset="iso-8859-1",
            ),
        ),
    )
    return box


# ============================================================================================
# 2. Diego Fernández, product designer in Madrid: Gmail, so every message is also in All Mail
# ============================================================================================


def diego() -> Mailbox:
    me = "diego.fernandez@correo.example"
    box = Mailbox("diego_madrid", "Diego Fernández", [me], "2025-03-24T09:00:00+01:00")
    diego_from = address("Diego Fernández", me)
    sent, inbox = "[Gmail]/Sent Mail", "INBOX"

    def put(folder: str, slug: str, raw: bytes) -> None:
        box.put(folder, slug, raw)
        box.put("[Gmail]/All Mail", slug, raw)  # Gmail shows every message in All Mail too

    def gmail(seed: str, text: str, attr: str = "", original: str = "") -> Multi:
        full = text + (f"\n{attr}\n\n{quoted(original)}\n" if attr else "")
        return alternative(seed, full, gmail_html(text, attr, original))

    put(
        inbox,
        "jobalert",
        message(
            sender="InfoEmpleo Alertas <alertas@infoempleo-mail.example>",
            to=me,
            subject="Nuevas ofertas: Diseñador UX/UI en Madrid (8)",
            date=when(2025, 2, 3, 8, 0),
            mid=mta_id("d-alert", when(2025, 2, 3, 8, 0), "infoempleo-mail.example"),
            extra=bulk_headers(
                "<alertas.infoempleo-mail.example>", "https://infoempleo-mail.example/baja?id=55120"
            ),
            body=alternative(
                "d-alert",
                """Hola Diego:

Tenemos 8 ofertas nuevas que encajan con tu alerta «Diseñador UX/UI – Madrid»:

· Diseñador/a de Producto Sénior – Estudio Lumen – Madrid (híbrido)
· UX/UI Designer – Nube Verde – Remoto
· Product Designer – Tidewater – Remote (EU)
· y 5 más

Ver todas: https://infoempleo-mail.example/alertas/55120
Darse de baja: https://infoempleo-mail.example/baja?id=55120
""",
                "<table><tr><td><h3>8 ofertas nuevas para ti</h3><p>Diseñador/a de Producto Sénior – "
                "Estudio Lumen</p><p>UX/UI Designer – Nube Verde</p><p>Product Designer – "
                'Tidewater</p><p><a href="https://infoempleo-mail.example/baja?id=55120">Darse de '
                "baja</a></p></td></tr></table>",
                cte="base64",
            ),
        ),
    )

    application = gmail_id("d-application")
    put(
        sent,
        "application-tidewater",
        message(
            sender=diego_from,
            to="jobs@tidewater.example",
            subject="Application – Product Designer (Remote, EU) – Diego Fernández",
            date=when(2025, 2, 4, 22, 41),
            mid=application,
            body=mixed(
                "d-application",
                gmail(
                    "d-application-body",
                    """Dear Tidewater team,

I'd like to apply for the Product Designer role (Remote, EU). For the past five years I've designed mobile and web products at a Madrid agency, most recently leading the redesign of a banking app used by 400,000 people, where we cut onboarding drop-off by a third.

What draws me to Tidewater is your work on tools for small fishing co-operatives – designing for people who use software on a boat deck is exactly the kind of constraint I enjoy.

My CV and portfolio are attached. I'd be glad to talk.

Best regards,
Diego Fernández
diegofernandez.design""",
                ),
                attachment("Diego_Fernandez_CV.pdf", pdf("Diego Fernandez CV")),
                attachment("Portfolio_2025.pdf", pdf("Diego Fernandez Portfolio")),
            ),
        ),
    )
    box.not_requests.append(application)
    put(
        inbox,
        "ats-tidewater",
        message(
            sender="Tidewater Careers <no-reply@tidewater.ashbyhq.example>",
            to=me,
            subject="Thanks for applying to Tidewater!",
            date=when(2025, 2, 4, 22, 42),
            mid=mta_id("d-ats", when(2025, 2, 4, 22, 42), "ashbyhq.example"),
            extra=["Auto-Submitted: auto-generated"],
            body=alternative(
                "d-ats",
                """Hi Diego,

Thanks for applying for Product Designer (Remote, EU) at Tidewater. Our team will review your application and get back to you if there's a fit.

Tidewater Talent Team

This inbox is not monitored.
""",
                "<p>Hi Diego,</p><p>Thanks for applying for <strong>Product Designer (Remote, EU)</strong> "
                "at Tidewater. Our team will review your application and get back to you if there's a "
                "fit.</p><p>Tidewater Talent Team</p>",
            ),
        ),
    )

    put(
        inbox,
        "newsletter",
        message(
            sender="UX Collective <hello@uxcollective-news.example>",
            to=me,
            subject="Designing for trust, and the end of the hamburger menu",
            date=when(2025, 2, 10, 7, 30),
            mid=mta_id("d-news1", when(2025, 2, 10, 7, 30), "uxcollective-news.example"),
            extra=bulk_headers(
                "UX Collective <weekly.uxcollective-news.example>",
                "https://uxcollective-news.example/unsubscribe/ab12",
            ),
            body=alternative(
                "d-news1",
                """This week:

- Designing for trust in fintech onboarding
- Is the hamburger menu finally dead?
- A field guide to design critiques that don't hurt

Unsubscribe: https://uxcollective-news.example/unsubscribe/ab12
""",
                "<h1>UX Collective weekly</h1><ul><li>Designing for trust in fintech onboarding</li><li>Is "
                'the hamburger menu finally dead?</li></ul><a href="https://uxcollective-news.'
                'example/unsubscribe/ab12">Unsubscribe</a>',
                cte="7bit",
                charset="us-ascii",
            ),
        ),
    )

    invite = gmail_id("d-invite")
    invite_text = """Hi Diego,

Thanks for your interest in Tidewater! The team would love to meet you for the final round: a portfolio presentation (30 min) and a design exercise (60 min) with Oliver Grant, our Head of Design.

Could you do Thursday 20 February at 15:00 CET, or Friday 21 February at 10:00 CET?

Best,
Priya
Recruiting Coordinator, Tidewater"""
    put(
        inbox,
        "invite-tidewater",
        message(
            sender="Priya Raman <priya.raman@tidewater.example>",
            to=diego_from,
            subject="Tidewater – final interview for Product Designer",
            date=when(2025, 2, 11, 16, 5, tz=0),
            mid=invite,
            body=gmail("d-invite", invite_text),
        ),
    )
    scheduling = gmail_id("d-sched")
    put(
        sent,
        "scheduling-tidewater",
        message(
            sender=diego_from,
            to="Priya Raman <priya.raman@tidewater.example>",
            subject="Re: Tidewater – final interview for Product Designer",
            date=when(2025, 2, 11, 18, 20),
            mid=scheduling,
            in_reply_to=invite,
            body=gmail(
                "d-sched",
                """Hi Priya,

Thursday 20 February at 15:00 CET works perfectly. Should I prepare the portfolio presentation for screen sharing, or will there be a projector?

Thanks,
Diego""",
                "On Tue, 11 Feb 2025 at 17:05, Priya Raman <priya.raman@tidewater.example> wrote:",
                invite_text,
            ),
        ),
    )
    box.not_requests.append(scheduling)

    cv_ask = gmail_id("d-cv-ask")
    cv_text = """Oye Pablo,

¿tienes un rato esta semana para echarle un ojo a mi CV? Lo he rehecho entero porque creo que el anterior no pasaba ni el primer filtro. Dime con sinceridad qué cambiarías, que tú contratas diseñadores y sabes lo que se mira.

Te invito a una caña el viernes 😄

Un abrazo,
Diego"""
    put(
        sent,
        "personal-cv-ask",
        message(
            sender=diego_from,
            to="Pablo Ortega <pablo.ortega@gmail.com>",
            subject="¿Le echas un ojo a mi CV?",
            date=when(2025, 2, 13, 21, 2),
            mid=cv_ask,
            body=mixed(
                "d-cv",
                gmail("d-cv-body", cv_text),
                attachment("CV_Diego_Fernandez_v3.pdf", pdf("Diego Fernandez CV v3")),
            ),
        ),
    )
    box.not_requests.append(cv_ask)
    put(
        inbox,
        "personal-cv-answer",
        message(
            sender="Pablo Ortega <pablo.ortega@gmail.com>",
            to=diego_from,
            subject="Re: ¿Le echas un ojo a mi CV?",
            date=when(2025, 2, 14, 9, 47),
            mid=gmail_id("d-pablo"),
            in_reply_to=cv_ask,
            body=gmail(
                "d-pablo",
                """Buenas!

Le he echado un vistazo: está mucho mejor. Yo quitaría la foto y la barra de "nivel de Figma" (nadie se cree un 95 %), y pondría arriba del todo el caso del banco con la cifra del onboarding. Lo demás, perfecto.

Caña el viernes, hecho.
Pablo""",
                "El jue, 13 feb 2025 a las 21:02, Diego Fernández (<diego.fernandez@correo.example>) "
                "escribió:",
                cv_text,
            ),
        ),
    )

    # -- request A: Estudio Lumen, Spanish; an HTML-only, base64 refusal
    a1 = gmail_id("d-a1")
    a1_text = """Hola Lucía:

Muchas gracias por avisarme del resultado y por el trato durante todo el proceso. Aunque no haya salido, me llevo muy buena impresión del equipo.

¿Podrías contarme brevemente en qué me quedé corto frente a los demás candidatos y qué podría haber hecho mejor en la prueba de diseño? Me ayudaría mucho de cara a próximos procesos.

Un saludo,
Diego Fernández"""
    a_subject = "Feedback sobre mi entrevista – Diseñador de Producto"
    put(
        sent,
        "request-lumen",
        message(
            sender=diego_from,
            to="Lucía Martín <lucia.martin@estudiolumen.example>",
            subject=a_subject,
            date=when(2025, 2, 17, 19, 25),
            mid=a1,
            body=gmail("d-a1", a1_text),
        ),
    )
    a_reply = "<195269c2a41.d3e90f1c221504.5213408866725502207@estudiolumen.example>"
    a_html = (
        '<div style="font-family: Verdana, Arial, Helvetica, sans-serif; font-size: 10pt;">'
        "<div>Hola Diego,<br></div><div><br></div><div>Gracias a ti por tu interés en "
        "Estudio Lumen y por el tiempo que dedicaste al proceso.<br></div><div><br></div>"
        "<div>Lamentablemente, por política interna no compartimos valoraciones individuales "
        "de las entrevistas, así que no puedo darte más detalle sobre la decisión. Espero "
        "que lo entiendas.<br></div><div><br></div><div>Te deseamos mucha suerte en tu "
        "búsqueda.<br></div><div><br></div><div>Un saludo,<br></div><div>Lucía Martín<br>"
        "</div><div>People &amp; Talent · Estudio Lumen<br></div><div><br></div>"
        '<div class="zmail_extra_hr" style="border-top: 1px solid rgb(204, 204, 204); '
        'height: 0px; margin-top: 10px; margin-bottom: 10px; line-height: 0px;"><br></div>'
        '<div class="zmail_extra"><div><br></div><div id="Zm-_Id_-Sgn1">---- El lun, '
        "17 feb 2025 19:25:00 +0100 <b>Diego Fernández &lt;diego.fernandez@correo.example"
        '&gt;</b> escribió ---<br></div><div><br></div><blockquote style="border-left: 1px '
        'solid rgb(204, 204, 204); padding-left: 6px; margin: 0px 0px 0px 5px;">'
        + "".join(f"<div>{_esc(line) or '<br>'}</div>" for line in a1_text.split("\n"))
        + "</blockquote></div></div><br>\n"
    )
    put(
        inbox,
        "reply-lumen-refusal",
        message(
            sender="Lucía Martín <lucia.martin@estudiolumen.example>",
            to=diego_from,
            subject="RE: " + a_subject,
            date=when(2025, 2, 19, 10, 2),
            mid=a_reply,
            in_reply_to=a1,
            extra=["User-Agent: Zoho Mail", "X-Mailer: Zoho Mail"],
            body=html_leaf(a_html, cte="base64"),
        ),
    )
    box.expect(
        [a1],
        status="rejection",
        replies={a_reply: "rejection"},
        why="Spanish HTML-only base64 reply declining to give feedback",
    )

    # -- request B: Cafeína Labs (Lisbon), Portuguese; a colleague answers with feedback
    b1 = gmail_id("d-b1")
    b1_text = """Olá Rafael,

Obrigado pela conversa da semana passada e por me ter informado da decisão. Fiquei com pena, porque gostei muito do projeto da app de pagamentos.

Seria possível partilhar comigo o que pesou na decisão e em que pontos posso melhorar? Qualquer comentário, mesmo breve, seria muito útil.

Cumprimentos,
Diego Fernández"""
    b_subject = "Pedido de feedback – entrevista para Product Designer"
    put(
        sent,
        "request-cafeina",
        message(
            sender=diego_from,
            to="Rafael Costa <rafael.costa@cafeinalabs.example>",
            subject=b_subject,
            date=when(2025, 2, 20, 12, 40),
            mid=b1,
            body=gmail("d-b1", b1_text),
        ),
    )
    b_reply = uuid_id("d-b-reply", "cafeinalabs.example", upper=True)
    put(
        inbox,
        "reply-cafeina-colleague",
        message(
            sender="Beatriz Souza <beatriz.souza@cafeinalabs.example>",
            to=diego_from,
            cc="Rafael Costa <rafael.costa@cafeinalabs.example>",
            subject="Re: " + b_subject,
            date=when(2025, 2, 25, 15, 18, tz=0),
            mid=b_reply,
            in_reply_to=b1,
            extra=[APPLE],
            body=plain(
                f"""Olá Diego,

O Rafael pediu-me que lhe respondesse em nome da equipa, e peço desculpa pela demora.

O seu portfólio foi dos mais bem avaliados e a apresentação do caso da app de saúde foi muito clara. O que nos fez optar por outro candidato foi o exercício de whiteboard: avançou muito depressa para ecrãs de alta fidelidade sem validar as hipóteses com os dados que lhe demos, e a questão da acessibilidade só surgiu no fim, quando o Rafael perguntou. Para próximas entrevistas, sugiro que comece por explicar o problema e as métricas de sucesso antes de desenhar.

Desejamos-lhe muito sucesso!

Beatriz Souza
Talent Partner | Cafeína Labs

> No dia 20/02/2025, às 11:40, Diego Fernández <{me}> escreveu:
>
{quoted(b1_text)}
""",
                cte="quoted-printable",
            ),
        ),
    )
    box.expect(
        [b1],
        status="feedback",
        replies={b_reply: "feedback"},
        why="European Portuguese feedback from a colleague at the same company (Apple Mail)",
    )

    # -- request C: Tidewater (London); three asks, the last unthreaded, no answer at all
    c1 = gmail_id("d-c1")
    c1_text = """Hi Oliver,

Thank you for the interview on Thursday and for calling me with the news yesterday. I'm disappointed, but I appreciated hearing it directly from you.

Would you be willing to share a little about how I compared with the other finalists and what I could have done better? Even a couple of bullet points would be really useful to me.

Kind regards,
Diego"""
    c_subject = "Feedback on my Product Designer interview"
    put(
        sent,
        "request-tidewater",
        message(
            sender=diego_from,
            to="Oliver Grant <oliver.grant@tidewater.example>",
            subject=c_subject,
            date=when(2025, 2, 24, 18, 10),
            mid=c1,
            body=gmail("d-c1", c1_text),
        ),
    )
    c2 = gmail_id("d-c2")
    c2_text = """Hi Oliver,

Just floating this back to the top of your inbox – I know how busy hiring periods get. I'd still really value any thoughts on my interview.

Thanks,
Diego"""
    put(
        sent,
        "second-ask-tidewater",
        message(
            sender=diego_from,
            to="Oliver Grant <oliver.grant@tidewater.example>",
            subject="Re: " + c_subject,
            date=when(2025, 3, 4, 9, 5),
            mid=c2,
            in_reply_to=c1,
            body=gmail(
                "d-c2",
                c2_text,
                f"On Mon, 24 Feb 2025 at 18:10, Diego Fernández <{me}> wrote:",
                c1_text,
            ),
        ),
    )
    c3 = gmail_id("d-c3")
    put(
        sent,
        "third-ask-tidewater-unthreaded",
        message(
            sender=diego_from,
            to="Oliver Grant <oliver.grant@tidewater.example>",
            subject="One last try – interview feedback",
            date=when(2025, 3, 12, 13, 30),
            mid=c3,
            body=gmail(
                "d-c3",
                """Hi Oliver,

Sorry to write again. I'm preparing for a couple of other design interviews and your view on where I fell short at Tidewater would genuinely help. If it's easier, I'm happy to jump on a 10-minute call instead.

If I don't hear back I'll assume you're swamped and won't bother you further.

All the best,
Diego""",
            ),
        ),
    )
    box.expect(
        [c1, c2, c3],
        status="no_response",
        gone_quiet=True,
        why="third ask as a new mail (no In-Reply-To) on 12 March; quiet since",
    )

    # -- request D: Pixelgrove (Berlin); a holding reply, then nothing
    d1 = gmail_id("d-d1")
    d1_text = """Hi Hannah,

Thanks for letting me know about the decision, and for the great conversation with you and Jakob last week.

I'd really appreciate any feedback you can share – what made the difference, and anything I could work on before my next interviews.

Best regards,
Diego"""
    d_subject = "Thanks – and a quick request for feedback"
    put(
        sent,
        "request-pixelgrove",
        message(
            sender=diego_from,
            to="Hannah Weiss <hannah@pixelgrove.example>",
            subject=d_subject,
            date=when(2025, 3, 6, 17, 2),
            mid=d1,
            body=gmail("d-d1", d1_text),
        ),
    )
    d_hold = gmail_id("d-d-hold")
    put(
        inbox,
        "reply-pixelgrove-holding",
        message(
            sender="Hannah Weiss <hannah@pixelgrove.example>",
            to=diego_from,
            subject="Re: " + d_subject,
            date=when(2025, 3, 7, 9, 14),
            mid=d_hold,
            in_reply_to=d1,
            body=gmail(
                "d-d-hold",
                """Hi Diego,

Thanks for asking, and of course! I want to give you something more useful than a two-liner, so let me collect the notes from Jakob and the rest of the panel first. I'll come back to you next week.

Hannah""",
                f"On Thu, 6 Mar 2025 at 17:02, Diego Fernández <{me}> wrote:",
                d1_text,
            ),
        ),
    )
    box.expect(
        [d1],
        status="no_response",
        due="second_ask",
        replies={d_hold: "no_response"},
        why="holding reply promising an answer next week (by 14 March); nothing since",
    )

    # -- request E: Nube Verde, Spanish; asked four days ago
    e1 = gmail_id("d-e1")
    put(
        sent,
        "request-nubeverde",
        message(
            sender=diego_from,
            to="Carmen Ruiz <carmen.ruiz@nubeverde.example>",
            subject="Sobre la entrevista del martes",
            date=when(2025, 3, 20, 10, 15),
            mid=e1,
            body=gmail(
                "d-e1",
                """Hola Carmen,

Gracias por la entrevista del martes y por tu mensaje de ayer. Es una pena, me había ilusionado mucho el proyecto.

Si tienes un momento, ¿me podrías decir qué aspectos de mi perfil o de la entrevista pesaron más en la decisión? Cualquier comentario me vendrá muy bien para seguir mejorando.

Muchas gracias de antemano,
Diego""",
            ),
        ),
    )
    box.expect(
        [e1],
        status="no_response",
        why="asked on Thursday 20 March; the next ask is due on 27 March",
    )

    # -- noise in March
    put(
        inbox,
        "recruiter-cold",
        message(
            sender="Jack Turner <jack@northstar-talent.example>",
            to=me,
            subject="Senior Product Designer – fintech – €70-80k – remote",
            date=when(2025, 3, 3, 11, 40, tz=0),
            mid=outlook_id("d-cold", "gbrp265"),
            extra=OUTLOOK,
            body=alternative(
                "d-cold",
                """Hi Diego,

Hope you're well! I'm working with a Series B fintech who are hiring a Senior Product Designer to own their lending journey end to end. Fully remote in Europe, €70-80k plus equity.

Your banking app work caught my eye. Open to a quick chat this week?

Cheers,
Jack Turner
Principal Consultant – Design | Northstar Talent
""",
                outlook_html("""Hi Diego,

Hope you're well! I'm working with a Series B fintech who are hiring a Senior Product Designer to own their lending journey end to end. Fully remote in Europe, €70-80k plus equity.

Your banking app work caught my eye. Open to a quick chat this week?

Cheers,
Jack Turner"""),
            ),
        ),
    )
    put(
        inbox,
        "newsletter-2",
        message(
            sender="UX Collective <hello@uxcollective-news.example>",
            to=me,
            subject="Accessibility audits in an afternoon",
            date=when(2025, 3, 10, 7, 30),
            mid=mta_id("d-news2", when(2025, 3, 10, 7, 30), "uxcollective-news.example"),
            extra=bulk_headers(
                "UX Collective <weekly.uxcollective-news.example>",
                "https://uxcollective-news.example/unsubscribe/ab12",
            ),
            body=plain(
                """This week: accessibility audits in an afternoon, and why your design system needs a changelog.

Unsubscribe: https://uxcollective-news.example/unsubscribe/ab12
""",
                cte="7bit",
                charset="us-ascii",
            ),
        ),
    )
    put(
        inbox,
        "personal-mum",
        message(
            sender="Maribel López <maribel.lopez@telefonica.example>",
            to=me,
            subject="¿Vienes el domingo?",
            date=when(2025, 3, 17, 20, 11),
            mid=uuid_id("d-mum", "telefonica.example"),
            body=plain(
                """Hola hijo,

¿Vienes a comer el domingo? Tu padre quiere hacer paella. Y cuéntame qué tal las entrevistas, que no me cuentas nada.

Besos,
Mamá
""",
                cte="quoted-printable",
                charset="iso-8859-1",
            ),
        ),
    )
    put(
        inbox,
        "jobalert-2",
        message(
            sender="InfoEmpleo Alertas <alertas@infoempleo-mail.example>",
            to=me,
            subject="Nuevas ofertas: Diseñador UX/UI en Madrid (3)",
            date=when(2025, 3, 18, 8, 0),
            mid=mta_id("d-alert2", when(2025, 3, 18, 8, 0), "infoempleo-mail.example"),
            extra=bulk_headers(
                "<alertas.infoempleo-mail.example>", "https://infoempleo-mail.example/baja?id=55120"
            ),
            body=plain(
                """Hola Diego:

3 ofertas nuevas para tu alerta «Diseñador UX/UI – Madrid».

Darse de baja: https://infoempleo-mail.example/baja?id=55120
""",
                cte="quoted-printable",
            ),
        ),
    )
    return box


# ============================================================================================
# 3. Amélie Laurent, data project manager in Lyon: French Outlook, a university address too
# ============================================================================================


def amelie() -> Mailbox:
    me, uni = "amelie.laurent@courriel.example", "amelie.laurent@etu.univ-lyon2.example"
    box = Mailbox("amelie_lyon", "Amélie Laurent", [me, uni], "2025-10-20T08:30:00+02:00")
    amelie_from = address("Amélie Laurent", me)
    sent, tz = "Éléments envoyés", 2
    fr = OUTLOOK + ["Content-Language: fr-FR"]

    def outlook(seed: str, text: str, head: list[str] = (), original: str = "") -> Multi:
        full = text + ("\n" + "\n".join(head) + "\n\n" + original if head else "")
        return alternative(
            seed, full, outlook_html(text, head, original, lang="FR"), charset="windows-1252"
        )

    box.put(
        "INBOX",
        "newsletter",
        message(
            sender="Welcome to the Jungle <newsletter@welcometothejungle-mail.example>",
            to=me,
            subject="Les offres de la semaine : data, produit et projet",
            date=when(2025, 9, 1, 8, 0, tz=tz),
            mid=mta_id("a-news1", when(2025, 9, 1, 8, 0), "welcometothejungle-mail.example"),
            extra=bulk_headers(
                "<hebdo.welcometothejungle-mail.example>",
                "https://welcometothejungle-mail.example/desinscription/9f3",
            ),
            body=alternative(
                "a-news1",
                """Bonjour Amélie,

Cette semaine, 48 nouvelles offres qui pourraient vous plaire à Lyon :
- Cheffe de projet data – Veridis
- Data Project Manager – Cobalt Conseil
- Chargé·e d'études statistiques – Orbital Santé

Se désinscrire : https://welcometothejungle-mail.example/desinscription/9f3
""",
                "<h2>Les offres de la semaine</h2><p>Cheffe de projet data – Veridis</p><p>Data Project "
                'Manager – Cobalt Conseil</p><p><a href="https://welcometothejungle-mail.example/'
                'desinscription/9f3">Se désinscrire</a></p>',
            ),
        ),
    )
    application = outlook_id("a-application", "eurp195")
    box.put(
        sent,
        "application-veridis",
        message(
            sender=amelie_from,
            to="Recrutement Veridis <recrutement@veridis.example>",
            subject="Candidature – Cheffe de projet data (réf. VRD-118)",
            date=when(2025, 9, 2, 20, 15, tz=tz),
            mid=application,
            extra=fr,
            body=mixed(
                "a-application",
                outlook(
                    "a-application-body",
                    """Madame, Monsieur,

Je souhaite vous proposer ma candidature au poste de cheffe de projet data (réf. VRD-118). Depuis trois ans, je pilote chez un assureur lyonnais des projets de migration de données et de reporting réglementaire, avec des équipes de cinq à huit personnes.

Votre projet de plateforme de données pour les collectivités m'intéresse tout particulièrement. Vous trouverez ci-joint mon CV et ma lettre de motivation.

Je reste à votre disposition pour un entretien.

Bien cordialement,
Amélie Laurent""",
                ),
                attachment("CV_Amelie_Laurent.pdf", pdf("Amelie Laurent CV")),
                attachment("Lettre_motivation_Veridis.pdf", pdf("Lettre de motivation")),
            ),
        ),
    )
    box.not_requests.append(application)
    box.put(
        "Candidatures/Orbital",
        "ats-orbital",
        message(
            sender="Orbital Santé <noreply@orbital-sante.teamtailor-mail.example>",
            to=uni,
            subject="Votre candidature a bien été reçue",
            date=when(2025, 9, 3, 10, 4, tz=tz),
            mid=mta_id("a-ats", when(2025, 9, 3, 10, 4), "teamtailor-mail.example"),
            extra=["Auto-Submitted: auto-generated"],
            body=html_leaf(
                "<p>Bonjour Amélie,</p><p>Merci pour votre candidature au poste de "
                "<b>Chargé·e d'études statistiques</b>. Notre équipe l'étudiera avec "
                "attention et reviendra vers vous dans les meilleurs délais.</p><p>L'équipe "
                "recrutement d'Orbital Santé</p><p><small>Merci de ne pas répondre à ce "
                "message.</small></p>",
                cte="quoted-printable",
            ),
        ),
    )
    box.put(
        "INBOX",
        "jobalert",
        message(
            sender="Apec <alertes@apec-mail.example>",
            to=me,
            subject="5 nouvelles offres correspondent à votre recherche",
            date=when(2025, 9, 4, 6, 45, tz=tz),
            mid=mta_id("a-alert", when(2025, 9, 4, 6, 45), "apec-mail.example"),
            extra=bulk_headers(
                "<alertes.apec-mail.example>",
                "mailto:desinscription@apec-mail.example?subject=alerte-77120",
            ),
            body=plain(
                """Bonjour,

5 nouvelles offres correspondent à votre alerte « chef de projet data – Lyon (69) » :

- Chef de projet data H/F – Hexagone Data – Lyon 7e
- Data Project Manager H/F – Cobalt Conseil – Villeurbanne
- ...

Pour ne plus recevoir cette alerte : desinscription@apec-mail.example
""",
                cte="quoted-printable",
            ),
        ),
    )
    invite = gmail_id("a-invite")
    invite_text = """Bonjour Amélie,

Merci pour votre candidature. Nous aimerions vous rencontrer pour un entretien avec Julien Moreau, directeur des opérations data. Seriez-vous disponible le jeudi 11 septembre à 14h ou le vendredi 12 septembre à 10h, dans nos locaux de la Part-Dieu ?

Bien à vous,
Nadia Benali
Chargée de recrutement – Veridis"""
    box.put(
        "INBOX",
        "invite-veridis",
        message(
            sender="Nadia Benali <nadia.benali@veridis.example>",
            to=amelie_from,
            subject="Entretien – Cheffe de projet data",
            date=when(2025, 9, 8, 11, 30, tz=tz),
            mid=invite,
            body=alternative("a-invite", invite_text, gmail_html(invite_text)),
        ),
    )
    scheduling = outlook_id("a-sched", "eurp195")
    box.put(
        sent,
        "scheduling-veridis",
        message(
            sender=amelie_from,
            to="Nadia Benali <nadia.benali@veridis.example>",
            subject="RE : Entretien – Cheffe de projet data",
            date=when(2025, 9, 8, 13, 2, tz=tz),
            mid=scheduling,
            in_reply_to=invite,
            extra=fr,
            body=outlook(
                "a-sched",
                """Bonjour Nadia,

Merci beaucoup. Le jeudi 11 septembre à 14h me convient parfaitement, je serai présente à la Part-Dieu.

Bonne journée,
Amélie Laurent""",
                [
                    "De : Nadia Benali <nadia.benali@veridis.example>",
                    "Envoyé : lundi 8 septembre 2025 11:30",
                    f"À : Amélie Laurent <{me}>",
                    "Objet : Entretien – Cheffe de projet data",
                ],
                invite_text,
            ),
        ),
    )
    box.not_requests.append(scheduling)
    cv_ask = outlook_id("a-cv", "eurp195")
    cv_text = """Coucou Camille,

Tu aurais un moment ce week-end pour relire mon CV ? J'ai l'impression qu'il est trop chargé et je n'arrive plus à prendre de recul. Dis-moi franchement ce qui cloche, même si ça pique !

Bisous,
Amélie"""
    box.put(
        sent,
        "personal-cv-ask",
        message(
            sender=amelie_from,
            to="Camille Laurent <camille.laurent@free.fr>",
            subject="Tu peux relire mon CV ?",
            date=when(2025, 9, 10, 21, 40, tz=tz),
            mid=cv_ask,
            extra=fr,
            body=mixed(
                "a-cv",
                outlook("a-cv-body", cv_text),
                attachment("CV_Amelie_2025.pdf", pdf("Amelie CV 2025")),
            ),
        ),
    )
    box.not_requests.append(cv_ask)
    box.put(
        "INBOX",
        "personal-cv-answer",
        message(
            sender="Camille Laurent <camille.laurent@free.fr>",
            to=amelie_from,
            subject="Re: Tu peux relire mon CV ?",
            date=when(2025, 9, 11, 8, 2, tz=tz),
            mid=uuid_id("a-camille", "free.fr"),
            in_reply_to=cv_ask,
            extra=[THUNDERBIRD],
            body=plain(
                f"""Hello !

Franchement il est bien. Enlève la partie « centres d'intérêt », personne ne la lit, et
mets tes chiffres en gras (budget, taille d'équipe). Et bonne chance jeudi !!

Camille

Le 10/09/2025 à 21:40, Amélie Laurent a écrit :
{quoted(cv_text)}
""",
                flowed=True,
            ),
        ),
    )

    # -- request A: Veridis; Gmail-style French reply with feedback, and her thank-you
    a1 = outlook_id("a-a1", "eurp195")
    a1_text = """Bonjour Julien,

Merci encore pour l'entretien de jeudi dernier et pour votre appel de ce matin. Même si la réponse n'est pas celle que j'espérais, j'ai beaucoup apprécié nos échanges.

Accepteriez-vous de me dire ce qui a fait la différence avec la personne retenue, et sur quels points je pourrais progresser ? Quelques lignes me seraient déjà très utiles.

Bien cordialement,
Amélie Laurent"""
    a_subject = "Retour sur mon entretien – cheffe de projet data"
    box.put(
        sent,
        "request-veridis",
        message(
            sender=amelie_from,
            to="Julien Moreau <julien.moreau@veridis.example>",
            subject=a_subject,
            date=when(2025, 9, 15, 18, 4, tz=tz),
            mid=a1,
            extra=fr,
            body=outlook("a-a1", a1_text),
        ),
    )
    a_reply = gmail_id("a-a-reply")
    a_new = """Bonjour Amélie,

Avec plaisir, c'est une démarche que j'apprécie.

Sur le fond, votre expérience en pilotage de projets data était tout à fait au niveau, et le jury a aimé votre présentation du projet de migration. Ce qui a fait pencher la balance : lors de la mise en situation budgétaire, vous êtes restée assez floue sur les arbitrages et vous n'avez pas chiffré l'impact des retards. La personne retenue avait déjà géré un budget de cette taille et l'a montré avec des exemples précis.

Mon conseil : préparez deux ou trois exemples chiffrés de décisions difficiles que vous avez prises, c'est ce que les jurys retiennent.

Bonne continuation,
Julien"""
    a_attr = f"Le lun. 15 sept. 2025 à 18:04, Amélie Laurent <{me}> a écrit :"
    box.put(
        "INBOX",
        "reply-veridis-feedback",
        message(
            sender="Julien Moreau <julien.moreau@veridis.example>",
            to=amelie_from,
            subject="Re: " + a_subject,
            date=when(2025, 9, 17, 8, 51, tz=tz),
            mid=a_reply,
            in_reply_to=a1,
            body=alternative(
                "a-a-reply",
                f"{a_new}\n\n{a_attr}\n{quoted(a1_text)}\n",
                gmail_html(a_new, a_attr, a1_text),
            ),
        ),
    )
    thanks = outlook_id("a-thanks", "eurp195")
    box.put(
        sent,
        "thanks-veridis",
        message(
            sender=amelie_from,
            to="Julien Moreau <julien.moreau@veridis.example>",
            subject="RE : Re: " + a_subject,
            date=when(2025, 9, 17, 12, 10, tz=tz),
            mid=thanks,
            in_reply_to=a_reply,
            references=[a1, a_reply],
            extra=fr,
            body=outlook(
                "a-thanks",
                """Bonjour Julien,

Un grand merci pour ce retour franc et détaillé, c'est exactement ce dont j'avais besoin. Je vais travailler mes exemples chiffrés !

Belle journée,
Amélie""",
                [
                    "De : Julien Moreau <julien.moreau@veridis.example>",
                    "Envoyé : mercredi 17 septembre 2025 08:51",
                    f"À : Amélie Laurent <{me}>",
                    "Objet : Re: " + a_subject,
                ],
                a_new,
            ),
        ),
    )
    box.not_requests.append(thanks)
    box.expect(
        [a1],
        status="feedback",
        replies={a_reply: "feedback"},
        why="French Gmail reply with specific feedback; her thank-you is not an ask",
    )

    # -- request B: Orbital Santé, from her university address; refusal filed in a folder
    box.put(
        "Candidatures/Orbital",
        "rejection-orbital",
        message(
            sender="Claire Dubois <claire.dubois@orbital-sante.example>",
            to=uni,
            subject="Votre candidature – Chargé·e d'études statistiques",
            date=when(2025, 9, 19, 17, 45, tz=tz),
            mid=outlook_id("a-orb-rej"),
            extra=fr,
            body=outlook(
                "a-orb-rej",
                """Bonjour Madame Laurent,

Nous vous remercions de l'intérêt que vous avez porté à Orbital Santé et du temps que vous nous avez consacré lors de votre entretien.

Après examen attentif, nous avons le regret de vous informer que nous ne donnerons pas suite à votre candidature.

Bien cordialement,
Claire Dubois
Chargée de recrutement""",
            ),
        ),
    )
    b1 = uuid_id("a-b1", "etu.univ-lyon2.example")
    b1_text = """Madame Dubois,

Je vous remercie pour l'entretien du 18 septembre pour le poste de chargée d'études statistiques, ainsi que pour votre message m'informant de votre décision.

Afin de m'améliorer pour mes prochaines candidatures, serait-il possible d'avoir un bref retour sur mon entretien ? Je serais notamment curieuse de savoir ce qui m'a manqué par rapport aux autres profils.

Je vous prie d'agréer, Madame, mes salutations distinguées.

Amélie Laurent
Master 2 Statistique – Université Lumière Lyon 2"""
    b_subject = "Demande de retour – entretien du 18 septembre"
    box.put(
        sent,
        "request-orbital-from-uni",
        message(
            sender=address("Amélie Laurent", uni),
            to="Claire Dubois <claire.dubois@orbital-sante.example>",
            subject=b_subject,
            date=when(2025, 9, 22, 9, 15, tz=tz),
            mid=b1,
            extra=["User-Agent: Roundcube Webmail/1.6.9"],
            body=plain(b1_text, cte="quoted-printable"),
        ),
    )
    b_reply = outlook_id("a-b-reply")
    box.put(
        "Candidatures/Orbital",
        "reply-orbital-refusal",
        message(
            sender="Claire Dubois <claire.dubois@orbital-sante.example>",
            to=address("Amélie Laurent", uni),
            subject="RE: " + b_subject,
            date=when(2025, 9, 25, 14, 2, tz=tz),
            mid=b_reply,
            in_reply_to=b1,
            extra=fr,
            body=outlook(
                "a-b-reply",
                """Bonjour Madame Laurent,

Nous vous remercions pour votre message et pour l'intérêt que vous portez à Orbital Santé.

Malheureusement, notre politique RH ne nous permet pas de communiquer de retour individualisé à l'issue des entretiens. Nous conservons néanmoins votre candidature et ne manquerons pas de revenir vers vous si un poste correspondant à votre profil venait à se libérer.

Nous vous souhaitons pleine réussite dans vos recherches.

Bien cordialement,

Claire Dubois
Chargée de recrutement
Orbital Santé""",
                [
                    f"De : Amélie Laurent <{uni}>",
                    "Envoyé : lundi 22 septembre 2025 09:15",
                    "À : Claire Dubois <claire.dubois@orbital-sante.example>",
                    "Objet : " + b_subject,
                ],
                b1_text,
            ),
        ),
    )
    box.expect(
        [b1],
        status="rejection",
        replies={b_reply: "rejection"},
        why="asked from her university address; refusal filed in Candidatures/Orbital",
    )

    # -- request C: Atelier Nova; the answer comes as a new mail with a new subject
    c1 = outlook_id("a-c1", "eurp195")
    box.put(
        sent,
        "request-atelier-nova",
        message(
            sender=amelie_from,
            to="Marc Lefèvre <marc.lefevre@atelier-nova.example>",
            subject="Entretien du 24 septembre – vos impressions ?",
            date=when(2025, 9, 29, 17, 45, tz=tz),
            mid=c1,
            extra=fr,
            body=outlook(
                "a-c1",
                """Bonjour Marc,

Merci pour l'échange de mercredi et pour votre franchise au téléphone vendredi. J'ai bien compris que vous partiez sur un profil plus technique.

Si vous avez cinq minutes, j'aimerais beaucoup savoir ce que je pourrais améliorer – dans ma façon de présenter mes projets comme sur le fond.

Merci d'avance et bonne semaine,
Amélie""",
            ),
        ),
    )
    c_reply = uuid_id("a-c-reply", "atelier-nova.example", upper=True)
    box.put(
        "INBOX",
        "reply-atelier-nova-unthreaded",
        message(
            sender=address("Marc Lefèvre", "marc.lefevre@atelier-nova.example", "iso-8859-1"),
            to=me,
            subject="Quelques retours sur votre entretien",
            date=when(2025, 10, 3, 19, 22, tz=tz),
            mid=c_reply,
            extra=[APPLE],
            subject_charset="iso-8859-1",
            body=plain(
                """Bonjour Amélie,

Je vous dois une réponse depuis lundi, désolé. Voici ce que l'équipe et moi avons noté :

- très bonne compréhension du métier et des enjeux clients, rien à redire là-dessus ;
- en revanche, sur la partie SQL/Python, les réponses sont restées assez théoriques. Quand Inès vous a demandé comment vous dédoublonneriez les commandes, vous avez décrit l'idée sans l'écrire ;
- la présentation était un peu longue : 25 minutes au lieu de 15, on a dû couper les questions.

Si vous retravaillez la partie technique, n'hésitez pas à repostuler chez nous l'an prochain.

Marc
""",
                cte="quoted-printable",
                charset="iso-8859-1",
            ),
        ),
    )
    box.expect(
        [c1],
        status="feedback",
        replies={c_reply: "feedback"},
        why="feedback sent as a new mail: new subject, no In-Reply-To or References",
    )

    # -- request D: Lumenia; out of office until after the next ask would be due
    d1 = outlook_id("a-d1", "eurp195")
    d_subject = "Suite à notre entretien – un retour possible ?"
    box.put(
        sent,
        "request-lumenia",
        message(
            sender=amelie_from,
            to="Sophie Martin <sophie.martin@lumenia.example>",
            subject=d_subject,
            date=when(2025, 10, 6, 10, 20, tz=tz),
            mid=d1,
            extra=fr,
            body=outlook(
                "a-d1",
                """Bonjour Sophie,

Merci pour le temps que vous m'avez accordé la semaine dernière. J'ai bien reçu votre réponse négative ; je voulais simplement vous demander, si c'est possible, quels éléments vous ont fait choisir un autre profil et ce que je pourrais améliorer.

Bien à vous,
Amélie Laurent""",
            ),
        ),
    )
    d_ooo = outlook_id("a-d-ooo")
    box.put(
        "INBOX",
        "reply-lumenia-ooo",
        message(
            sender="Sophie Martin <sophie.martin@lumenia.example>",
            to=amelie_from,
            subject="Réponse automatique : " + d_subject,
            date=when(2025, 10, 6, 10, 20, 14, tz=tz),
            mid=d_ooo,
            in_reply_to=d1,
            extra=[h.format("sophie.martin@lumenia.example") for h in AUTO_REPLY],
            body=outlook(
                "a-d-ooo",
                """Bonjour,

Je suis absente du bureau jusqu'au 24 octobre inclus, avec un accès limité à mes e-mails. Pour toute question urgente, merci de contacter rh@lumenia.example.

Cordialement,
Sophie Martin""",
            ),
        ),
    )
    box.expect(
        [d1],
        status="no_response",
        replies={d_ooo: "no_response"},
        why="out of office to 24 October inclusive: next ask due on 27 October, not 13",
    )

    # -- request E: Hexagone Data; no answer, and a follow-up she drafted but never sent
    e1 = outlook_id("a-e1", "eurp195")
    e1_text = """Bonjour Monsieur Girard,

Suite à notre entretien du 2 octobre et à votre réponse, je me permets de vous solliciter pour un court retour : qu'est-ce qui a manqué à ma candidature, selon vous ? Vos remarques m'aideraient à mieux préparer mes prochains entretiens.

Cordialement,
Amélie Laurent"""
    box.put(
        sent,
        "request-hexagone",
        message(
            sender=amelie_from,
            to="Paul Girard <p.girard@hexagone-data.example>",
            subject="Votre retour sur mon entretien",
            date=when(2025, 10, 8, 16, 30, tz=tz),
            mid=e1,
            extra=fr,
            body=outlook("a-e1", e1_text),
        ),
    )
    draft = outlook_id("a-draft", "eurp195")
    box.put(
        "Brouillons",
        "draft-second-ask-hexagone",
        message(
            sender=amelie_from,
            to="Paul Girard <p.girard@hexagone-data.example>",
            subject="RE : Votre retour sur mon entretien",
            date=when(2025, 10, 17, 22, 48, tz=tz),
            mid=draft,
            in_reply_to=e1,
            extra=fr,
            body=outlook(
                "a-draft",
                """Bonjour Monsieur Girard,

Je me permets de revenir vers vous au sujet de mon message du 8 octobre. Un bref retour me serait très précieux.

Cordialement,
Amélie Laurent""",
                [
                    f"De : Amélie Laurent <{me}>",
                    "Envoyé : mercredi 8 octobre 2025 16:30",
                    "À : Paul Girard <p.girard@hexagone-data.example>",
                    "Objet : Votre retour sur mon entretien",
                ],
                e1_text,
            ),
        ),
    )
    box.not_requests.append(draft)
    box.expect(
        [e1],
        status="no_response",
        due="second_ask",
        why="asked 8 October, due 15 October; the follow-up is only a draft",
    )

    # -- noise in October
    box.put(
        "INBOX",
        "recruiter-cold",
        message(
            sender="Thomas Roux <thomas.roux@talentis-conseil.example>",
            to=me,
            subject="Opportunité – Data Project Manager – Lyon",
            date=when(2025, 9, 30, 10, 3, tz=tz),
            mid=outlook_id("a-cold"),
            extra=fr,
            body=outlook(
                "a-cold",
                """Bonjour Amélie,

Je me permets de vous contacter car votre profil a retenu toute mon attention. J'accompagne actuellement un groupe industriel lyonnais dans le recrutement d'un(e) Data Project Manager en CDI (55-62 k€).

Seriez-vous disponible pour un échange téléphonique cette semaine ?

Bien à vous,
Thomas Roux
Consultant senior – Talentis Conseil""",
            ),
        ),
    )
    box.put(
        "INBOX",
        "newsletter-2",
        message(
            sender="Welcome to the Jungle <newsletter@welcometothejungle-mail.example>",
            to=me,
            subject="Négocier son salaire : le guide",
            date=when(2025, 10, 1, 8, 0, tz=tz),
            mid=mta_id("a-news2", when(2025, 10, 1, 8, 0), "welcometothejungle-mail.example"),
            extra=bulk_headers(
                "<hebdo.welcometothejungle-mail.example>",
                "https://welcometothejungle-mail.example/desinscription/9f3",
            ),
            body=html_leaf(
                "<h1>Négocier son salaire : le guide</h1><p>Tout ce qu'il faut savoir "
                'avant votre prochain entretien.</p><p><a href="https://welcometothejungle'
                '-mail.example/desinscription/9f3">Se désinscrire</a></p>'
            ),
        ),
    )
    box.put(
        "INBOX",
        "ats-smartrecruiters",
        message(
            sender="Cobalt Conseil <no-reply@jobs.smartrecruiters.example>",
            to=me,
            subject="Merci pour votre candidature – Data Project Manager",
            date=when(2025, 10, 9, 9, 12, tz=tz),
            mid=mta_id("a-ats2", when(2025, 10, 9, 9, 12), "smartrecruiters.example"),
            extra=["Auto-Submitted: auto-generated", "Precedence: bulk"],
            body=html_leaf(
                "<p>Bonjour Amélie,</p><p>Merci d'avoir postulé chez Cobalt Conseil. Votre "
                "candidature au poste de Data Project Manager a bien été transmise à "
                "l'équipe.</p>"
            ),
        ),
    )
    lea_invite = outlook_id("a-lea")
    lea_text = """Bonjour Amélie,

Suite à notre échange téléphonique, je vous propose un entretien en visio avec notre directrice data le mardi 21 octobre à 9h30. Cela vous convient-il ?

Cordialement,
Léa Fontaine
Cobalt Conseil"""
    box.put(
        "INBOX",
        "invite-cobalt",
        message(
            sender="Léa Fontaine <lea.fontaine@cobalt-conseil.example>",
            to=amelie_from,
            subject="Entretien – Data Project Manager",
            date=when(2025, 10, 13, 11, 20, tz=tz),
            mid=lea_invite,
            extra=fr,
            body=outlook("a-lea", lea_text),
        ),
    )
    scheduling2 = outlook_id("a-sched2", "eurp195")
    box.put(
        sent,
        "scheduling-cobalt",
        message(
            sender=amelie_from,
            to="Léa Fontaine <lea.fontaine@cobalt-conseil.example>",
            subject="RE : Entretien – Data Project Manager",
            date=when(2025, 10, 13, 12, 5, tz=tz),
            mid=scheduling2,
            in_reply_to=lea_invite,
            extra=fr,
            body=outlook(
                "a-sched2",
                """Bonjour Léa,

C'est noté pour mardi 21 octobre à 9h30 en visio. Merci de m'envoyer le lien !

À mardi,
Amélie""",
                [
                    "De : Léa Fontaine <lea.fontaine@cobalt-conseil.example>",
                    "Envoyé : lundi 13 octobre 2025 11:20",
                    f"À : Amélie Laurent <{me}>",
                    "Objet : Entretien – Data Project Manager",
                ],
                lea_text,
            ),
        ),
    )
    box.not_requests.append(scheduling2)
    box.put(
        "INBOX",
        "personal-friend",
        message(
            sender="Inès Haddad <ines.haddad@gmail.com>",
            to=me,
            subject="Ciné jeudi ?",
            date=when(2025, 10, 16, 19, 5, tz=tz),
            mid=gmail_id("a-ines"),
            body=alternative(
                "a-ines",
                """Coucou !

Ça te dit un ciné jeudi soir au Comoedia ? Il y a le dernier Kore-eda.

Bises
Inès""",
                gmail_html("""Coucou !

Ça te dit un ciné jeudi soir au Comoedia ? Il y a le dernier Kore-eda.

Bises
Inès"""),
            ),
        ),
    )
    return box


# ============================================================================================
# 4. Sanne de Vries, UX researcher in Utrecht: Dutch and English, Apple Mail, an Archive folder
# ============================================================================================


def sanne() -> Mailbox:
    me = "sanne.devries@kpnmail.example"
    box = Mailbox("sanne_utrecht", "Sanne de Vries", [me], "2025-02-03T08:00:00+01:00")
    sanne_from = address("Sanne de Vries", me)

    def apple(seed: str, text: str, attr: str = "", original: str = "") -> Multi:
        full = text + (f"\n\n> {attr}\n>\n{quoted(original)}\n" if attr else "\n")
        markup = (
            '<html><head><meta http-equiv="content-type" content="text/html; charset='
            'utf-8"></head><body style="overflow-wrap: break-word;">' + paragraphs_html(text)
        )
        if attr:
            markup += (
                f'<div><br><blockquote type="cite"><div>{_esc(attr)}</div><br>'
                + paragraphs_html(original)
                + "</blockquote></div>"
            )
        return alternative(seed, full, markup + "</body></html>\n")

    box.put(
        "INBOX",
        "jobalert",
        message(
            sender="Nationale Vacaturebank <alerts@vacaturebank-mail.example>",
            to=me,
            subject="7 nieuwe vacatures voor 'UX Researcher' in Utrecht",
            date=when(2025, 1, 2, 7, 0),
            mid=mta_id("s-alert", when(2025, 1, 2, 7, 0), "vacaturebank-mail.example"),
            extra=bulk_headers(
                "<vacaturealerts.vacaturebank-mail.example>",
                "https://vacaturebank-mail.example/afmelden?k=42ab",
            ),
            body=alternative(
                "s-alert",
                """Hoi Sanne,

Er staan 7 nieuwe vacatures voor je klaar:

- UX Researcher – Wolkenkrabber – Utrecht
- Senior UX-onderzoeker – Studio Dijk – Amsterdam
- User Researcher – Kanaal Zeven – Hilversum

Afmelden: https://vacaturebank-mail.example/afmelden?k=42ab
""",
                "<h2>7 nieuwe vacatures</h2><p>UX Researcher – Wolkenkrabber</p><p>Senior "
                'UX-onderzoeker – Studio Dijk</p><p><a href="https://vacaturebank-mail.example/'
                'afmelden?k=42ab">Afmelden</a></p>',
            ),
        ),
    )
    box.put(
        "INBOX",
        "personal-joris",
        message(
            sender="Joris Meijer <joris.meijer@hotmail.com>",
            to=me,
            subject="Gelukkig nieuwjaar!",
            date=when(2025, 1, 3, 12, 14),
            mid=outlook_id("s-joris", "eurprd08"),
            body=plain(
                """Hoi Sanne,

Gelukkig nieuwjaar! Zin om zaterdag te gaan schaatsen als het blijft vriezen?

Groetjes,
Joris
""",
                cte="quoted-printable",
            ),
        ),
    )

    # -- request A: Wolkenkrabber, Dutch; the feedback was filed in Archive
    a1 = uuid_id("s-a1", "kpnmail.example", upper=True)
    a1_text = """Beste Pieter,

Bedankt voor het gesprek van afgelopen donderdag en voor je telefoontje vanochtend. Jammer dat het niet gelukt is, maar ik heb er veel van geleerd.

Zou je me willen vertellen wat de doorslag heeft gegeven en waar ik nog aan kan werken? Een paar zinnen zouden me al enorm helpen bij mijn volgende sollicitaties.

Hartelijke groet,
Sanne de Vries"""
    a_subject = "Feedback op mijn sollicitatiegesprek"
    box.put(
        "Sent",
        "request-wolkenkrabber",
        message(
            sender=sanne_from,
            to="Pieter Jansen <pieter.jansen@wolkenkrabber.example>",
            subject=a_subject,
            date=when(2025, 1, 6, 17, 22),
            mid=a1,
            extra=[APPLE],
            body=apple("s-a1", a1_text),
        ),
    )
    application = uuid_id("s-application", "kpnmail.example", upper=True)
    box.put(
        "Sent",
        "application-kanaalzeven",
        message(
            sender=sanne_from,
            to="Kanaal Zeven Recruitment <jobs@kanaalzeven.example>",
            subject="Sollicitatie UX Researcher – Sanne de Vries",
            date=when(2025, 1, 7, 9, 48),
            mid=application,
            extra=[APPLE],
            body=mixed(
                "s-application",
                apple(
                    "s-application-body",
                    """Beste recruiter,

Met veel enthousiasme solliciteer ik naar de functie van UX Researcher bij Kanaal Zeven. De afgelopen vier jaar deed ik kwalitatief en kwantitatief onderzoek voor een Utrechtse zorgverzekeraar, van diepte-interviews tot grootschalige enquêtes.

Jullie streamingplatform wordt door alle generaties gebruikt, en juist dat onderzoek naar heel verschillende gebruikers spreekt me aan. Mijn cv en portfolio vind je in de bijlage.

Met vriendelijke groet,
Sanne de Vries""",
                ),
                attachment("CV_Sanne_de_Vries.pdf", pdf("Sanne de Vries CV")),
            ),
        ),
    )
    box.not_requests.append(application)
    box.put(
        "INBOX",
        "ats-kanaalzeven",
        message(
            sender="Kanaal Zeven <no-reply@kanaalzeven.recruitee.example>",
            to=me,
            subject="Bedankt voor je sollicitatie bij Kanaal Zeven",
            date=when(2025, 1, 7, 9, 49),
            mid=mta_id("s-ats", when(2025, 1, 7, 9, 49), "recruitee.example"),
            extra=["Auto-Submitted: auto-generated"],
            body=html_leaf(
                "<p>Hoi Sanne,</p><p>Bedankt voor je sollicitatie als <b>UX Researcher</b>. "
                "We nemen binnen tien werkdagen contact met je op.</p><p>Team Kanaal Zeven"
                "</p>"
            ),
        ),
    )
    a_reply = "<9b1d7e43.2f0a.4c11.b8e6.5d02c9aa7e10@wolkenkrabber.example>"
    a_new = """Hoi Sanne,

Goed dat je het vraagt. Eerlijk gezegd was het verschil klein. Je onderzoeksaanpak was sterk en je stelde goede vragen over onze gebruikers. Waar de andere kandidaat beter scoorde was de casus: jouw synthese bleef hangen bij losse citaten, terwijl we juist wilden zien welke conclusies je trekt en wat het team daarmee moet doen. Ook had je aan het eind weinig tijd over voor vragen.

Mijn advies: oefen met het terugbrengen van een stapel interviews naar drie heldere inzichten met een aanbeveling.

Succes!
Pieter"""
    box.put(
        "Archive",
        "reply-wolkenkrabber-feedback",
        message(
            sender="Pieter Jansen <pieter.jansen@wolkenkrabber.example>",
            to=sanne_from,
            subject="Antw: " + a_subject,
            date=when(2025, 1, 8, 13, 5),
            mid=a_reply,
            in_reply_to=a1,
            extra=["X-Mailer: GroupWise Internet Agent 18.4.1"],
            body=plain(
                f"""{a_new}

>>> Sanne de Vries <{me}> 6-1-2025 17:22 >>>
{a1_text}
""",
                cte="base64",
            ),
        ),
    )
    box.expect(
        [a1],
        status="feedback",
        replies={a_reply: "feedback"},
        why="Dutch feedback, base64 text/plain, filed in Archive",
    )

    # -- request B: Harbourline (London); the coordinator answers a forwarded copy
    b1 = uuid_id("s-b1", "kpnmail.example", upper=True)
    b1_text = """Dear Mark,

Thank you for the final-round interview last week, and for letting me know your decision. While I'm disappointed, I really enjoyed learning about Harbourline's research practice.

I'd be grateful for any feedback on my interview – in particular, what set the successful candidate apart and what I could improve.

Kind regards,
Sanne de Vries"""
    b_subject = "Feedback request – UX Researcher interview"
    box.put(
        "Sent",
        "request-harbourline",
        message(
            sender=sanne_from,
            to="Mark Evans <mark.evans@harbourline.example>",
            subject=b_subject,
            date=when(2025, 1, 9, 20, 14),
            mid=b1,
            extra=[APPLE],
            body=apple("s-b1", b1_text),
        ),
    )
    forward = outlook_id("s-b-fw", "gbrp123")
    b_reply = outlook_id("s-b-reply", "gbrp123")
    b_new = """Hi Sanne,

Mark passed your email on to me - thank you so much for taking the time to write, and for your patience while we came back to you.

I want to say first that the whole panel genuinely enjoyed meeting you. Everyone commented on your warmth and your obvious passion for research, and it was a very strong shortlist - honestly, it came down to a few details at the end.

Unfortunately, as a matter of policy we aren't able to provide individual interview feedback, and I hope you'll understand that this applies to all candidates. We'd love to keep in touch and would encourage you to look out for future roles with us.

Wishing you every success,

Emma Brooks
Talent Acquisition Coordinator | Harbourline
T: +44 20 7946 0321"""
    b_head = [
        "From: Mark Evans <mark.evans@harbourline.example>",
        "Sent: Friday, January 10, 2025 9:02 AM",
        "To: Emma Brooks <emma.brooks@harbourline.example>",
        "Subject: FW: " + b_subject,
    ]
    b_fw = (
        "Can you pick this up please? Thanks, M\n\n-----Original Message-----\n"
        f"From: Sanne de Vries <{me}>\nSent: Thursday, January 9, 2025 7:14 PM\n"
        f"To: Mark Evans <mark.evans@harbourline.example>\nSubject: {b_subject}\n\n{b1_text}"
    )
    box.put(
        "INBOX",
        "reply-harbourline-coordinator",
        message(
            sender="Emma Brooks <emma.brooks@harbourline.example>",
            to=sanne_from,
            cc="Mark Evans <mark.evans@harbourline.example>",
            subject="RE: " + b_subject,
            date=when(2025, 1, 13, 16, 48, tz=0),
            mid=b_reply,
            in_reply_to=forward,
            references=[b1, forward],
            extra=OUTLOOK + ["Content-Language: en-GB"],
            body=alternative(
                "s-b-reply",
                b_new + "\n\n-----Original Message-----\n" + "\n".join(b_head) + "\n\n" + b_fw,
                outlook_html(b_new, b_head, b_fw),
                charset="windows-1252",
            ),
        ),
    )
    box.expect(
        [b1],
        status="rejection",
        replies={b_reply: "rejection"},
        why="warm, long refusal from a coordinator, In-Reply-To her colleague's forward",
    )

    # -- request C: Studio Dijk, Dutch; two asks, no answer
    c1 = uuid_id("s-c1", "kpnmail.example", upper=True)
    c1_text = """Hoi Femke,

Nogmaals bedankt voor het fijne gesprek vorige week bij Studio Dijk. Ik begrijp dat jullie voor iemand anders hebben gekozen.

Zou je kort willen toelichten hoe ik het deed ten opzichte van de andere kandidaten, en wat ik beter had kunnen doen? Dat zou ik erg waarderen.

Groetjes,
Sanne"""
    c_subject = "Terugkoppeling gesprek UX-onderzoeker"
    box.put(
        "Sent",
        "request-studiodijk",
        message(
            sender=sanne_from,
            to="Femke Bakker <femke@studiodijk.example>",
            subject=c_subject,
            date=when(2025, 1, 14, 11, 3),
            mid=c1,
            extra=[APPLE],
            body=apple("s-c1", c1_text),
        ),
    )
    c2 = uuid_id("s-c2", "kpnmail.example", upper=True)
    box.put(
        "Sent",
        "second-ask-studiodijk",
        message(
            sender=sanne_from,
            to="Femke Bakker <femke@studiodijk.example>",
            subject="Re: " + c_subject,
            date=when(2025, 1, 23, 9, 40),
            mid=c2,
            in_reply_to=c1,
            extra=[APPLE],
            body=apple(
                "s-c2",
                """Hoi Femke,

Ik wilde mijn vraag van vorige week nog even onder je aandacht brengen. Ook een korte reactie zou me al verder helpen!

Groetjes,
Sanne""",
                f"Op 14 jan 2025, om 11:03 heeft Sanne de Vries <{me}> het volgende geschreven:",
                c1_text,
            ),
        ),
    )
    box.expect(
        [c1, c2],
        status="no_response",
        due="third_ask",
        why="second ask on 23 January; five business days passed on 30 January",
    )

    # -- request D: Kanaal Zeven; an HTML-only answer with feedback
    d1 = uuid_id("s-d1", "kpnmail.example", upper=True)
    d1_text = """Hi Noor,

Thanks again for having me on Tuesday, and for the quick update. I'd love to understand where I fell short – could you share a few honest thoughts on my interview, especially the research plan exercise?

Best wishes,
Sanne"""
    d_subject = "Feedback after Tuesday's interview"
    box.put(
        "Sent",
        "request-kanaalzeven",
        message(
            sender=sanne_from,
            to="Noor El Amrani <noor.elamrani@kanaalzeven.example>",
            subject=d_subject,
            date=when(2025, 1, 15, 10, 30),
            mid=d1,
            extra=[APPLE],
            body=apple("s-d1", d1_text),
        ),
    )
    d_reply = outlook_id("s-d-reply", "eurprd02")
    d_html = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
        '</head><body><div style="font-family: Aptos, Arial, sans-serif; font-size: 12pt;'
        '">Hi Sanne,</div><div><br></div><div>Sure, happy to. Your research plan was solid '
        "and well scoped — no complaints there. The weak spot was the synthesis: you mostly "
        "read out quotes instead of telling us what they meant and what the product team "
        "should do next. The candidate we chose turned the same material into three clear "
        "recommendations.</div><div><br></div><div>You were also less familiar with "
        "quantitative methods than we need for this role; A/B test analysis is about a third "
        "of the job here.</div><div><br></div><div>Good luck — I'm sure you'll land "
        'something soon.</div><div>Noor</div><div><br></div><hr style="display:inline-'
        'block;width:98%"><div id="divRplyFwdMsg"><b>From:</b> Sanne de Vries &lt;'
        f"{me}&gt;<br><b>Sent:</b> Wednesday, January 15, 2025 10:30<br><b>To:</b> Noor El "
        "Amrani &lt;noor.elamrani@kanaalzeven.example&gt;<br><b>Subject:</b> "
        f"{_esc(d_subject)}</div><div><br></div>" + paragraphs_html(d1_text) + "</body></html>\n"
    )
    box.put(
        "INBOX",
        "reply-kanaalzeven-html-only",
        message(
            sender="Noor El Amrani <noor.elamrani@kanaalzeven.example>",
            to=sanne_from,
            subject="RE: " + d_subject,
            date=when(2025, 1, 21, 14, 12),
            mid=d_reply,
            in_reply_to=d1,
            extra=["X-MS-Exchange-Organization-SCL: -1", "Content-Language: nl-NL"],
            body=html_leaf(d_html),
        ),
    )
    box.expect(
        [d1],
        status="feedback",
        replies={d_reply: "feedback"},
        why="HTML-only (quoted-printable) reply with feedback",
    )

    # -- noise, and the mail around request E
    box.put(
        "INBOX",
        "newsletter",
        message(
            sender="UX Weekly NL <redactie@uxweekly-nl.example>",
            to=me,
            subject="UX Weekly #88: onderzoek met kleine budgetten",
            date=when(2025, 1, 8, 7, 30),
            mid=mta_id("s-news", when(2025, 1, 8, 7, 30), "uxweekly-nl.example"),
            extra=bulk_headers(
                "UX Weekly NL <nieuwsbrief.uxweekly-nl.example>",
                "https://uxweekly-nl.example/uitschrijven/s77",
            ),
            body=plain(
                """Deze week: onderzoek doen met een klein budget, guerrilla-tests in de bibliotheek en een interview met een onderzoeker bij de gemeente.

Uitschrijven: https://uxweekly-nl.example/uitschrijven/s77
""",
                cte="quoted-printable",
            ),
        ),
    )
    cv_ask = uuid_id("s-cv", "kpnmail.example", upper=True)
    cv_text = """Hoi Joris,

Jij hebt toch zelf net een baan gevonden: wil jij eens naar mijn cv en portfolio kijken? Ik krijg steeds gesprekken maar net geen aanbod, dus misschien klopt er iets niet aan hoe ik mezelf neerzet. Zeg het gerust eerlijk.

Zaterdag schaatsen klinkt top trouwens!

Groetjes,
Sanne"""
    box.put(
        "Sent",
        "personal-cv-ask",
        message(
            sender=sanne_from,
            to="Joris Meijer <joris.meijer@hotmail.com>",
            subject="Wil jij naar mijn cv kijken?",
            date=when(2025, 1, 10, 19, 55),
            mid=cv_ask,
            extra=[APPLE],
            body=mixed(
                "s-cv",
                apple("s-cv-body", cv_text),
                attachment("cv-sanne-2025.pdf", pdf("Sanne cv 2025")),
            ),
        ),
    )
    box.not_requests.append(cv_ask)
    box.put(
        "INBOX",
        "personal-cv-answer",
        message(
            sender="Joris Meijer <joris.meijer@hotmail.com>",
            to=sanne_from,
            subject="RE: Wil jij naar mijn cv kijken?",
            date=when(2025, 1, 12, 10, 31),
            mid=outlook_id("s-joris2", "eurprd08"),
            in_reply_to=cv_ask,
            body=plain(
                f"""Hoi Sanne,

Ziet er goed uit! Ik zou bij elk project zetten wat er met je onderzoek gebeurd is (wat is er veranderd in het product?). Nu lees ik vooral wat je gedaan hebt, niet wat het opleverde.

Joris

Van: Sanne de Vries <{me}>
Verzonden: vrijdag 10 januari 2025 19:55
Aan: Joris Meijer <joris.meijer@hotmail.com>
Onderwerp: Wil jij naar mijn cv kijken?

{cv_text}
""",
                cte="quoted-printable",
            ),
        ),
    )
    box.put(
        "INBOX",
        "recruiter-cold",
        message(
            sender="Youssef Amrani <youssef@brightstaff.example>",
            to=me,
            subject="Senior UX Researcher – fintech – Amsterdam (hybrid)",
            date=when(2025, 1, 16, 14, 2),
            mid=gmail_id("s-cold"),
            body=alternative(
                "s-cold",
                """Hi Sanne,

I hope you don't mind me reaching out. I'm recruiting a Senior UX Researcher for a fintech scale-up in Amsterdam (hybrid, 2 days in office), €65-75k. Your mix of qual and quant research looks like a strong fit.

Would you be open to a short call?

Best,
Youssef Amrani | Brightstaff""",
                gmail_html("""Hi Sanne,

I hope you don't mind me reaching out. I'm recruiting a Senior UX Researcher for a fintech scale-up in Amsterdam (hybrid, 2 days in office), €65-75k.

Would you be open to a short call?

Best,
Youssef Amrani | Brightstaff"""),
            ),
        ),
    )
    lars_invite = outlook_id("s-lars-invite")
    lars_text = """Hi Sanne,

Thanks for your application. We'd like to invite you for an interview with me and our product lead at our Rotterdam office. Would Wednesday 22 January at 14:00 work for you?

Best regards,
Lars Visser
Head of Research | Polder Data"""
    box.put(
        "INBOX",
        "invite-polderdata",
        message(
            sender="Lars Visser <lars.visser@polderdata.example>",
            to=sanne_from,
            subject="Interview at Polder Data",
            date=when(2025, 1, 17, 10, 40),
            mid=lars_invite,
            extra=OUTLOOK,
            body=alternative(
                "s-lars-invite", lars_text, outlook_html(lars_text), charset="us-ascii", cte="7bit"
            ),
        ),
    )
    scheduling = uuid_id("s-sched", "kpnmail.example", upper=True)
    box.put(
        "Sent",
        "scheduling-polderdata",
        message(
            sender=sanne_from,
            to="Lars Visser <lars.visser@polderdata.example>",
            subject="Re: Interview at Polder Data",
            date=when(2025, 1, 17, 12, 3),
            mid=scheduling,
            in_reply_to=lars_invite,
            extra=[APPLE],
            body=apple(
                "s-sched",
                """Hi Lars,

Thank you for the invitation! Wednesday 22 January at 14:00 works well for me. I'll be at your Rotterdam office.

Best,
Sanne""",
                "On 17 Jan 2025, at 10:40, Lars Visser <lars.visser@polderdata.example> wrote:",
                lars_text,
            ),
        ),
    )
    box.not_requests.append(scheduling)

    # -- request E: Polder Data; a Dutch out-of-office until 14 February
    e1 = uuid_id("s-e1", "kpnmail.example", upper=True)
    e_subject = "Any feedback on my interview?"
    box.put(
        "Sent",
        "request-polderdata",
        message(
            sender=sanne_from,
            to="Lars Visser <lars.visser@polderdata.example>",
            subject=e_subject,
            date=when(2025, 1, 27, 9, 12),
            mid=e1,
            extra=[APPLE],
            body=apple(
                "s-e1",
                """Hi Lars,

Thank you for the interview last Wednesday. I understand the team has moved forward with another candidate – congratulations to them.

If you have a moment, I'd really appreciate hearing what I could have done better and how I compared with the others.

Best,
Sanne de Vries""",
            ),
        ),
    )
    e_ooo = outlook_id("s-e-ooo")
    box.put(
        "INBOX",
        "reply-polderdata-ooo",
        message(
            sender="Lars Visser <lars.visser@polderdata.example>",
            to=sanne_from,
            subject="Automatisch antwoord: " + e_subject,
            date=when(2025, 1, 27, 9, 12, 40),
            mid=e_ooo,
            in_reply_to=e1,
            extra=[h.format("lars.visser@polderdata.example") for h in AUTO_REPLY],
            body=alternative(
                "s-e-ooo",
                """Beste afzender,

Ik ben met ouderschapsverlof en tot en met 14 februari niet aanwezig. Je e-mail wordt niet doorgestuurd. Voor dringende zaken kun je contact opnemen met hr@polderdata.example.

Met vriendelijke groet,
Lars Visser""",
                outlook_html(
                    """Beste afzender,

Ik ben met ouderschapsverlof en tot en met 14 februari niet aanwezig. Je e-mail wordt niet doorgestuurd. Voor dringende zaken kun je contact opnemen met hr@polderdata.example.

Met vriendelijke groet,
Lars Visser""",
                    lang="NL",
                ),
            ),
        ),
    )
    box.expect(
        [e1],
        status="no_response",
        replies={e_ooo: "no_response"},
        why="Dutch out-of-office to 14 February inclusive: next ask due 17 February",
    )

    box.put(
        "INBOX",
        "newsletter-2",
        message(
            sender="UX Weekly NL <redactie@uxweekly-nl.example>",
            to=me,
            subject="UX Weekly #91: de staat van UX-onderzoek in 2025",
            date=when(2025, 1, 29, 7, 30),
            mid=mta_id("s-news2", when(2025, 1, 29, 7, 30), "uxweekly-nl.example"),
            extra=bulk_headers(
                "UX Weekly NL <nieuwsbrief.uxweekly-nl.example>",
                "https://uxweekly-nl.example/uitschrijven/s77",
            ),
            body=plain(
                """Deze week: de staat van UX-onderzoek in 2025, en vijf vacatures bij overheidsorganisaties.

Uitschrijven: https://uxweekly-nl.example/uitschrijven/s77
""",
                cte="quoted-printable",
            ),
        ),
    )
    tegel_invite = gmail_id("s-tegel")
    tegel_text = """Hoi Sanne,

Leuk dat je wilt komen kennismaken! Schikt dinsdag 4 februari om 10:00 uur bij ons op kantoor aan de Oudegracht?

Groet,
Mirjam – Tegelwerk"""
    box.put(
        "INBOX",
        "invite-tegelwerk",
        message(
            sender="Mirjam de Boer <mirjam@tegelwerk.example>",
            to=sanne_from,
            subject="Kennismaking bij Tegelwerk",
            date=when(2025, 1, 30, 15, 20),
            mid=tegel_invite,
            body=alternative("s-tegel", tegel_text, gmail_html(tegel_text)),
        ),
    )
    scheduling2 = uuid_id("s-sched2", "kpnmail.example", upper=True)
    box.put(
        "Sent",
        "scheduling-tegelwerk",
        message(
            sender=sanne_from,
            to="Mirjam de Boer <mirjam@tegelwerk.example>",
            subject="Re: Kennismaking bij Tegelwerk",
            date=when(2025, 1, 30, 17, 2),
            mid=scheduling2,
            in_reply_to=tegel_invite,
            extra=[APPLE],
            body=apple(
                "s-sched2",
                """Hoi Mirjam,

Dinsdag 4 februari om 10:00 uur is prima, tot dan!

Groet,
Sanne""",
                "Op 30 jan 2025, om 15:20 heeft Mirjam de Boer <mirjam@tegelwerk.example> het "
                "volgende geschreven:",
                tegel_text,
            ),
        ),
    )
    box.not_requests.append(scheduling2)
    return box


# ============================================================================================
# 5. Tom Okafor, backend engineer in Leeds: Fastmail, a second address, replies filed by rules
# ============================================================================================


def tom() -> Mailbox:
    me, alias = "tom.okafor@fastmail.example", "tom@okafor.example"
    box = Mailbox("tom_leeds", "Tom Okafor", [me, alias], "2024-11-25T08:00:00+00:00")
    tom_from = address("Tom Okafor", me)
    fm = ["User-Agent: Fastmail/1.0"]

    def fastmail(text: str, attr: str = "", original: str = "") -> Leaf:
        return plain(
            text + (f"\n\n{attr}\n{quoted(original)}\n" if attr else "\n"), cte="quoted-printable"
        )

    box.put(
        "INBOX",
        "jobalert",
        message(
            sender="LinkedIn Job Alerts <jobalerts-noreply@linkedin-mail.example>",
            to=me,
            subject="“backend engineer”: 24 new jobs in Leeds",
            date=when(2024, 10, 7, 6, 12, tz=1),
            mid=mta_id("t-alert", when(2024, 10, 7, 6, 12), "linkedin-mail.example"),
            extra=bulk_headers(
                "<jobalerts.linkedin-mail.example>",
                "https://linkedin-mail.example/comm/unsub?t=9a1",
            ),
            body=alternative(
                "t-alert",
                """Your job alert for backend engineer in Leeds

Backend Engineer (Go) – Quanta Pay – Leeds (Hybrid)
Platform Engineer – Fjordline – Remote
Site Reliability Engineer – Ironbridge – Manchester

See all jobs: https://linkedin-mail.example/jobs/alerts/9a1
Unsubscribe: https://linkedin-mail.example/comm/unsub?t=9a1
""",
                "<table><tr><td><b>Backend Engineer (Go)</b><br>Quanta Pay – Leeds (Hybrid)</td></tr>"
                "<tr><td><b>Platform Engineer</b><br>Fjordline – Remote</td></tr></table><a href="
                '"https://linkedin-mail.example/comm/unsub?t=9a1">Unsubscribe</a>',
            ),
        ),
    )
    application = uuid_id("t-application", "fastmail.example")
    box.put(
        "Sent",
        "application-quantapay",
        message(
            sender=tom_from,
            to="careers@quantapay.example",
            subject="Application: Backend Engineer (Go) – Tom Okafor",
            date=when(2024, 10, 8, 20, 3, tz=1),
            mid=application,
            extra=fm,
            body=mixed(
                "t-application",
                fastmail("""Hello Quanta Pay team,

I'd like to apply for the Backend Engineer (Go) role in Leeds. I've spent the last four years building payment reconciliation services in Go at a Manchester fintech, including the ledger service that now settles around two million transactions a day.

I'm attracted by your work on instant payouts for small merchants, and I'd enjoy the on-call and reliability side of the role as much as the feature work.

CV attached. Thanks for considering me.

Tom Okafor
github.com/tokafor"""),
                attachment("Tom_Okafor_CV.pdf", pdf("Tom Okafor CV")),
            ),
        ),
    )
    box.not_requests.append(application)
    box.put(
        "INBOX",
        "ats-quantapay",
        message(
            sender="Quanta Pay <no-reply@ashbyhq.example>",
            to=me,
            subject="Thanks for applying to Quanta Pay",
            date=when(2024, 10, 8, 20, 5, tz=1),
            mid=mta_id("t-ats", when(2024, 10, 8, 20, 5), "ashbyhq.example"),
            extra=["Auto-Submitted: auto-generated"],
            body=html_leaf(
                "<p>Hi Tom,</p><p>Thanks for applying for <b>Backend Engineer (Go)</b>. "
                "We've received your application and will be in touch.</p><p>– The Quanta "
                "Pay Talent Team</p>"
            ),
        ),
    )
    box.put(
        "INBOX",
        "newsletter",
        message(
            sender="The Backend Brief <brief@backendbrief.example>",
            to=me,
            subject="The Backend Brief: idempotency keys, done properly",
            date=when(2024, 10, 9, 12, 0, tz=1),
            mid=mta_id("t-news", when(2024, 10, 9, 12, 0), "backendbrief.example"),
            extra=bulk_headers(
                "The Backend Brief <brief.backendbrief.example>",
                "https://backendbrief.example/unsubscribe?s=tom-41",
            ),
            body=plain(
                """Idempotency keys, done properly - plus: why your retries are a DDoS, and a reading list on event sourcing.

Unsubscribe: https://backendbrief.example/unsubscribe?s=tom-41
""",
                cte="7bit",
                charset="us-ascii",
            ),
        ),
    )
    chris_invite = gmail_id("t-chris")
    chris_text = """Hi Tom,

Thanks for applying! We'd like to invite you to a technical interview: 45 minutes of pairing on a small Go service, then 45 minutes of system design with Ravi Patel, our engineering manager.

Does Thursday 10 October at 2pm work?

Cheers,
Chris Lee
Engineering Recruiter, Quanta Pay"""
    box.put(
        "Jobs/Quanta Pay",
        "invite-quantapay",
        message(
            sender="Chris Lee <chris.lee@quantapay.example>",
            to=tom_from,
            subject="Quanta Pay – technical interview",
            date=when(2024, 10, 9, 9, 30, tz=1),
            mid=chris_invite,
            body=alternative("t-chris", chris_text, gmail_html(chris_text)),
        ),
    )
    scheduling = uuid_id("t-sched", "fastmail.example")
    box.put(
        "Sent",
        "scheduling-quantapay",
        message(
            sender=tom_from,
            to="Chris Lee <chris.lee@quantapay.example>",
            subject="Re: Quanta Pay – technical interview",
            date=when(2024, 10, 9, 10, 2, tz=1),
            mid=scheduling,
            in_reply_to=chris_invite,
            extra=fm,
            body=fastmail(
                """Hi Chris,

Thursday at 2pm works great, thanks. Will it be on Google Meet?

Tom""",
                "On Wed, 9 Oct 2024, at 09:30, Chris Lee wrote:",
                chris_text,
            ),
        ),
    )
    box.not_requests.append(scheduling)

    # -- request A: Quanta Pay; short blunt feedback, filed by a rule, and his thanks
    a1 = uuid_id("t-a1", "fastmail.example")
    a1_text = """Hi Ravi,

Thanks for letting me know, and for the time you and Chris put into the process. Gutted, but I'd rather learn from it.

What would you say I most needed to do better? Be as blunt as you like.

Cheers,
Tom"""
    a_subject = "Backend Engineer interview - feedback?"
    box.put(
        "Sent",
        "request-quantapay",
        message(
            sender=tom_from,
            to="Ravi Patel <ravi@quantapay.example>",
            subject=a_subject,
            date=when(2024, 10, 14, 19, 2, tz=1),
            mid=a1,
            extra=fm,
            body=fastmail(a1_text),
        ),
    )
    a_reply = gmail_id("t-a-reply")
    a_new = """Hey Tom,

Sure. Short version: tech-wise we didn't think you were at the senior bar yet. In the system design round you stayed at boxes-and-arrows level - no numbers on throughput, no plan for when the ledger service falls over. Your Go exercise was tidy though, and everyone liked working with you.

Ravi"""
    a_attr = f"On Mon, 14 Oct 2024 at 19:02, Tom Okafor <{me}> wrote:"
    box.put(
        "Jobs/Quanta Pay",
        "reply-quantapay-feedback",
        message(
            sender="Ravi Patel <ravi@quantapay.example>",
            to=tom_from,
            subject="Re: " + a_subject,
            date=when(2024, 10, 15, 8, 40, tz=1),
            mid=a_reply,
            in_reply_to=a1,
            body=alternative(
                "t-a-reply",
                f"{a_new}\n\n{a_attr}\n{quoted(a1_text)}\n",
                gmail_html(a_new, a_attr, a1_text),
            ),
        ),
    )
    thanks = uuid_id("t-thanks", "fastmail.example")
    box.put(
        "Sent",
        "thanks-quantapay",
        message(
            sender=tom_from,
            to="Ravi Patel <ravi@quantapay.example>",
            subject="Re: " + a_subject,
            date=when(2024, 10, 15, 12, 20, tz=1),
            mid=thanks,
            in_reply_to=a_reply,
            references=[a1, a_reply],
            extra=fm,
            body=fastmail(
                """Cheers Ravi, that's really useful and exactly what I needed to hear. I'll work on putting numbers and failure modes into my designs.

Thanks again,
Tom""",
                "On Tue, 15 Oct 2024, at 08:40, Ravi Patel wrote:",
                a_new,
            ),
        ),
    )
    box.not_requests.append(thanks)
    box.expect(
        [a1],
        status="feedback",
        replies={a_reply: "feedback"},
        why="short, blunt feedback in a Gmail reply filed in Jobs/Quanta Pay",
    )

    # -- request B: Fjordline (Oslo); a long, warm refusal in Norwegian Outlook
    b1 = uuid_id("t-b1", "fastmail.example")
    b1_text = """Hi Zoë,

Thank you for Friday's final interview and for the kind call this morning. I'd really value your perspective: how did I compare with the other finalists, and what should I focus on improving?

Best wishes,
Tom Okafor"""
    b_subject = "Feedback — Platform Engineer interview"
    box.put(
        "Sent",
        "request-fjordline",
        message(
            sender=tom_from,
            to="Zoë Ørsted <zoe.orsted@fjordline.example>",
            subject=b_subject,
            date=when(2024, 10, 21, 12, 15, tz=1),
            mid=b1,
            extra=fm,
            body=fastmail(b1_text),
        ),
    )
    b_reply = outlook_id("t-b-reply", "eurprd05")
    b_new = """Hi Tom,

Thank you so much for your message, and again for all the time and energy you put into our process. I want you to know that everyone on the panel was genuinely impressed with you – your background, your curiosity and the way you talked about your open-source work. You would clearly bring a lot to any platform team.

It was an exceptionally strong group of finalists and in the end it came down to a few details. I'm afraid we're not able to share detailed feedback on individual interviews, but please don't read anything negative into that.

We'd be delighted to stay in touch, and I hope our paths cross again.

Warm regards,
Zoë

Zoë Ørsted
Head of Platform | Fjordline"""
    b_head = [
        f"Fra: Tom Okafor <{me}>",
        "Sendt: mandag 21. oktober 2024 13:15",
        "Til: Zoë Ørsted <zoe.orsted@fjordline.example>",
        "Emne: " + b_subject,
    ]
    box.put(
        "INBOX",
        "reply-fjordline-refusal",
        message(
            sender=address("Zoë Ørsted", "zoe.orsted@fjordline.example", "iso-8859-1"),
            to=tom_from,
            subject="SV: " + b_subject,
            date=when(2024, 10, 24, 15, 30, tz=2),
            mid=b_reply,
            in_reply_to=b1,
            extra=OUTLOOK + ["Content-Language: nb-NO"],
            body=alternative(
                "t-b-reply",
                b_new + "\n\n" + "\n".join(b_head) + "\n\n" + b1_text,
                outlook_html(b_new, b_head, b1_text, lang="NB"),
                charset="windows-1252",
            ),
        ),
    )
    box.expect(
        [b1],
        status="rejection",
        replies={b_reply: "rejection"},
        why="effusive praise, 'came down to a few details', no feedback: a refusal",
    )

    # -- request C: Ironbridge; three asks, the second a new mail from his other address
    c1 = uuid_id("t-c1", "fastmail.example")
    box.put(
        "Sent",
        "request-ironbridge",
        message(
            sender=tom_from,
            to="Greg Holt <greg.holt@ironbridge.example>",
            subject="Thanks for Thursday – any feedback?",
            date=when(2024, 10, 22, 17, 20, tz=1),
            mid=c1,
            extra=fm,
            body=fastmail("""Hi Greg,

Thanks for the SRE interview on Thursday. I heard from Megan that you've gone another way – no hard feelings at all.

Would you be up for sharing what tipped it, and anything I could have done better in the incident simulation? It'd help me a lot.

Thanks,
Tom"""),
        ),
    )
    c2 = uuid_id("t-c2", "okafor.example")
    c2_text = """Hi Greg,

Following up on my note from last week (sending from my other address in case that one got filtered). Any quick thoughts on my SRE interview would be much appreciated – even a line or two.

Best,
Tom Okafor"""
    box.put(
        "Sent",
        "second-ask-ironbridge-alias-unthreaded",
        message(
            sender=address("Tom Okafor", alias),
            to="Greg Holt <greg.holt@ironbridge.example>",
            subject="Following up: SRE interview feedback",
            date=when(2024, 10, 31, 10, 5, tz=0),
            mid=c2,
            extra=[APPLE],
            body=plain(c2_text + "\n", cte="quoted-printable"),
        ),
    )
    c3 = uuid_id("t-c3", "fastmail.example")
    box.put(
        "Sent",
        "third-ask-ironbridge",
        message(
            sender=tom_from,
            to="Greg Holt <greg.holt@ironbridge.example>",
            subject="Re: Following up: SRE interview feedback",
            date=when(2024, 11, 12, 9, 30, tz=0),
            mid=c3,
            in_reply_to=c2,
            extra=fm,
            body=fastmail(
                """Hi Greg,

Last nudge from me, promise. If you do get a minute I'd still love to hear what I could improve. Otherwise, all the best with the new hire!

Tom""",
                f"On Thu, 31 Oct 2024, at 10:05, Tom Okafor <{alias}> wrote:",
                c2_text,
            ),
        ),
    )
    box.expect(
        [c1, c2, c3],
        status="no_response",
        gone_quiet=True,
        why="second ask a new mail from his alias, third threaded to it; quiet since",
    )

    # -- request D: Larkspur Health; an acknowledgement, then the hiring manager's feedback
    d1 = uuid_id("t-d1", "fastmail.example")
    d1_text = """Hi Aisha,

Thanks for coordinating everything for the Data Engineer interviews, and for letting me know the outcome. Would it be possible to get some feedback from the panel? I'm especially keen to know how my take-home compared with the other candidates'.

Many thanks,
Tom Okafor"""
    d_subject = "Request for feedback: Data Engineer (ref LH-884)"
    box.put(
        "Sent",
        "request-larkspur",
        message(
            sender=tom_from,
            to="Aisha Khan <aisha.khan@larkspurhealth.example>",
            subject=d_subject,
            date=when(2024, 11, 4, 8, 50, tz=0),
            mid=d1,
            extra=fm,
            body=fastmail(d1_text),
        ),
    )
    d_ack = outlook_id("t-d-ack", "gbrp265")
    d_ack_text = """Hi Tom,

Thanks for your email. I've asked the hiring panel for their notes and will pass them on once I have them.

Kind regards,
Aisha Khan
Recruitment Coordinator | Larkspur Health"""
    box.put(
        "INBOX",
        "reply-larkspur-ack",
        message(
            sender="Aisha Khan <aisha.khan@larkspurhealth.example>",
            to=tom_from,
            subject="RE: " + d_subject,
            date=when(2024, 11, 4, 11, 32, tz=0),
            mid=d_ack,
            in_reply_to=d1,
            extra=OUTLOOK,
            body=plain(
                d_ack_text + "\n\n________________________________\nFrom: Tom Okafor <"
                f"{me}>\nSent: 04 November 2024 08:50\nTo: Aisha Khan <aisha.khan@larkspur"
                f"health.example>\nSubject: {d_subject}\n\n{d1_text}\n",
                cte="7bit",
                charset="us-ascii",
            ),
        ),
    )
    d_reply = outlook_id("t-d-reply", "gbrp265")
    d_new = """Hi Tom,

Aisha forwarded me your note - sorry it's taken a while.

Your take-home was one of the better ones: a sensible dbt structure and good tests. Where you lost ground was the stakeholder round. When our clinical lead asked how you'd handle two conflicting definitions of a "readmission", you went straight to the technical fix rather than asking who owns the definition. The person we hired handled that part well, and it's a big part of this job.

Hope that's useful, and good luck.

Ben

Dr Ben Carter
Head of Data, Larkspur Health"""
    d_head = [
        "From: Aisha Khan <aisha.khan@larkspurhealth.example>",
        "Sent: 04 November 2024 11:32",
        f"To: Tom Okafor <{me}>",
        "Cc: Ben Carter <ben.carter@larkspurhealth.example>",
        "Subject: RE: " + d_subject,
    ]
    box.put(
        "INBOX",
        "reply-larkspur-feedback",
        message(
            sender="Dr Ben Carter <ben.carter@larkspurhealth.example>",
            to=tom_from,
            cc="Aisha Khan <aisha.khan@larkspurhealth.example>",
            subject="RE: " + d_subject,
            date=when(2024, 11, 13, 16, 5, tz=0),
            mid=d_reply,
            in_reply_to=d_ack,
            references=[d1, d_ack],
            extra=OUTLOOK,
            body=alternative(
                "t-d-reply",
                d_new + "\n\n" + "\n".join(d_head) + "\n\n" + d_ack_text,
                outlook_html(d_new, d_head, d_ack_text),
                cte="base64",
            ),
        ),
    )
    box.expect(
        [d1],
        status="feedback",
        replies={d_ack: "no_response", d_reply: "feedback"},
        why="coordinator's acknowledgement, then feedback from the hiring manager",
    )

    # -- request E: Brightwater AI; a mistyped address, and the bounce
    hana = gmail_id("t-hana")
    hana_text = """Hi Tom,

Jo Smith, our ML lead, would like to meet you for the final interview. Could you do Monday 18 November at 11:00?

Best,
Hana Suzuki
People Operations, Brightwater AI"""
    box.put(
        "INBOX",
        "invite-brightwater",
        message(
            sender="Hana Suzuki <hana.suzuki@brightwater-ai.example>",
            to=tom_from,
            subject="Interview – ML Engineer",
            date=when(2024, 11, 13, 10, 12, tz=0),
            mid=hana,
            body=alternative("t-hana", hana_text, gmail_html(hana_text)),
        ),
    )
    scheduling2 = uuid_id("t-sched2", "fastmail.example")
    box.put(
        "Sent",
        "scheduling-brightwater",
        message(
            sender=tom_from,
            to="Hana Suzuki <hana.suzuki@brightwater-ai.example>",
            subject="Re: Interview – ML Engineer",
            date=when(2024, 11, 13, 12, 40, tz=0),
            mid=scheduling2,
            in_reply_to=hana,
            extra=fm,
            body=fastmail(
                """Hi Hana,

Monday 18th at 11 works for me. Looking forward to meeting Jo.

Thanks,
Tom""",
                "On Wed, 13 Nov 2024, at 10:12, Hana Suzuki wrote:",
                hana_text,
            ),
        ),
    )
    box.not_requests.append(scheduling2)
    e1 = uuid_id("t-e1", "fastmail.example")
    e_subject = "Feedback on my ML Engineer interview"
    box.put(
        "Sent",
        "request-brightwater",
        message(
            sender=tom_from,
            to="Jo Smith <jo.smyth@brightwater-ai.example>",
            subject=e_subject,
            date=when(2024, 11, 20, 14, 10, tz=0),
            mid=e1,
            extra=fm,
            body=fastmail("""Hi Jo,

Thanks for Monday's interview, and for being so open about where the team is heading. Hana let me know you've offered the role to someone else.

If you have a few minutes, I'd be grateful for any feedback – what made the difference, and what I could do better next time.

Best,
Tom"""),
        ),
    )
    bounce = mta_id(
        "t-bounce", when(2024, 11, 20, 14, 10, 31, tz=0), "smtp.messagingengine.example"
    )
    box.put(
        "INBOX",
        "bounce-brightwater",
        message(
            top=["Return-Path: <>"],
            sender="Mail Delivery System <Mailer-Daemon@smtp.messagingengine.example>",
            to=me,
            subject="Mail delivery failed: returning message to sender",
            date=when(2024, 11, 20, 14, 10, 31, tz=0),
            mid=bounce,
            extra=[
                "Auto-Submitted: auto-replied",
                "X-Failed-Recipients: jo.smyth@brightwater-ai.example",
            ],
            body=dsn(
                seed="t-bounce",
                mta="smtp.messagingengine.example",
                date=when(2024, 11, 20, 14, 10, 29, tz=0),
                recipient="jo.smyth@brightwater-ai.example",
                explanation="""This message was created automatically by mail delivery software.

A message that you sent could not be delivered to one or more of its
recipients. This is a permanent error. The following address(es) failed:

  jo.smyth@brightwater-ai.example
    host aspmx.brightwater-ai.example [198.51.100.17]
    SMTP error from remote mail server after RCPT TO:<jo.smyth@brightwater-ai.example>:
    550 5.1.1 The email account that you tried to reach does not exist.
""",
                diagnostic="550 5.1.1 The email account that you tried to reach does not exist.",
                original_headers=f"""From: Tom Okafor <{me}>
To: Jo Smith <jo.smyth@brightwater-ai.example>
Subject: {e_subject}
Date: Wed, 20 Nov 2024 14:10:00 +0000
Message-Id: {e1}
""",
            ),
        ),
    )
    box.expect(
        [e1],
        status="no_response",
        undeliverable=True,
        replies={bounce: "no_response"},
        why="mistyped address bounced; the next ask would not be due before 27 November",
    )

    # -- more noise
    cv_ask = uuid_id("t-cv", "fastmail.example")
    cv_text = """Mate,

Can you have a look at my CV and tell me if it's rubbish? Be honest. Two final rounds and no offer, so something's off and I reckon it might be how I pitch myself.

Pint on me Friday.
Tom"""
    box.put(
        "Sent",
        "personal-cv-ask",
        message(
            sender=tom_from,
            to="Dan Whitaker <dan.whitaker@gmail.com>",
            subject="cv?",
            date=when(2024, 10, 18, 21, 15, tz=1),
            mid=cv_ask,
            extra=fm,
            body=mixed(
                "t-cv", fastmail(cv_text), attachment("tom-okafor-cv.pdf", pdf("Tom Okafor CV"))
            ),
        ),
    )
    box.not_requests.append(cv_ask)
    box.put(
        "INBOX",
        "personal-cv-answer",
        message(
            sender="Dan Whitaker <dan.whitaker@gmail.com>",
            to=tom_from,
            subject="Re: cv?",
            date=when(2024, 10, 19, 10, 2, tz=1),
            mid=gmail_id("t-dan"),
            in_reply_to=cv_ask,
            body=alternative(
                "t-dan",
                f"""It's not rubbish, you muppet. Put the ledger numbers at the top, drop the "hobbies" bit, and say "led" instead of "was involved in". Pint accepted.

D

On Fri, 18 Oct 2024 at 21:15, Tom Okafor <{me}> wrote:
{quoted(cv_text)}
""",
                gmail_html(
                    """It's not rubbish, you muppet. Put the ledger numbers at the top, drop the "hobbies" bit, and say "led" instead of "was involved in". Pint accepted.

D""",
                    f"On Fri, 18 Oct 2024 at 21:15, Tom Okafor <{me}> wrote:",
                    cv_text,
                ),
            ),
        ),
    )
    box.put(
        "INBOX",
        "recruiter-cold",
        message(
            sender="Laura Finch <laura@sourcedtalent.example>",
            to=me,
            subject="Go engineer roles – Leeds & remote",
            date=when(2024, 10, 28, 9, 41, tz=0),
            mid=outlook_id("t-cold", "gbrp265"),
            extra=OUTLOOK,
            body=alternative(
                "t-cold",
                """Hi Tom,

I came across your GitHub and thought you'd be a great fit for a couple of Go roles I'm working on – one at a Leeds-based insurtech (£75-85k, hybrid) and one fully remote at a payments company.

Would you be open to a 15-minute call this week?

Best,
Laura Finch
Senior Tech Recruiter | Sourced Talent""",
                outlook_html("""Hi Tom,

I came across your GitHub and thought you'd be a great fit for a couple of Go roles I'm working on.

Would you be open to a 15-minute call this week?

Best,
Laura Finch"""),
                charset="windows-1252",
            ),
        ),
    )
    box.put(
        "INBOX",
        "personal-mum",
        message(
            sender="Grace Okafor <grace.okafor@btinternet.com>",
            to=me,
            subject="Sunday",
            date=when(2024, 11, 6, 18, 30, tz=0),
            mid=uuid_id("t-mum", "btinternet.com"),
            extra=[APPLE],
            body=plain(
                """Hi love,

Are you still coming for lunch on Sunday? Your dad's doing jollof. Any news on the jobs?

Mum x

Sent from my iPad
""",
                cte="7bit",
                charset="us-ascii",
            ),
        ),
    )
    box.put(
        "INBOX",
        "jobalert-2",
        message(
            sender="LinkedIn Job Alerts <jobalerts-noreply@linkedin-mail.example>",
            to=me,
            subject="“backend engineer”: 11 new jobs in Leeds",
            date=when(2024, 11, 22, 6, 12, tz=0),
            mid=mta_id("t-alert2", when(2024, 11, 22, 6, 12), "linkedin-mail.example"),
            extra=bulk_headers(
                "<jobalerts.linkedin-mail.example>",
                "https://linkedin-mail.example/comm/unsub?t=9a1",
            ),
            body=plain(
                """Your job alert for backend engineer in Leeds: 11 new jobs.

Unsubscribe: https://linkedin-mail.example/comm/unsub?t=9a1
""",
                cte="quoted-printable",
            ),
        ),
    )
    return box


# ============================================================================================

SCENARIOS = [lena, diego, amelie, sanne, tom]


def write(box: Mailbox, root: Path) -> None:
    """The mailbox as <root>/<name>/<folder>/<file>.eml plus expected.json (old files removed)."""
    import json
    import shutil

    base = root / box.name
    if base.exists():
        shutil.rmtree(base)
    ids: dict[str, str] = {}
    for folder, filename, raw in box.files:
        mid = next(line for line in raw.split(b"\r\n") if line.startswith(b"Message-ID: "))
        mid_text = mid[12:].decode()
        where = f"{folder}/{filename}"
        if mid_text in ids and folder != "[Gmail]/All Mail":
            raise ValueError(f"{box.name}: {mid_text} in {ids[mid_text]} and {where}")
        ids.setdefault(mid_text, where)
        path = base / folder / filename
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            raise ValueError(f"{box.name}: two messages would be written to {where}")
        path.write_bytes(raw)
    for t in box.threads:
        for mid in t["ask_message_ids"] + t["replies"]:
            if mid not in ids:
                raise ValueError(f"{box.name}: expected {mid} is not in the mailbox")
    expected = {
        "person": box.person,
        "addresses": box.addresses,
        "now": box.now,
        "threads": box.threads,
        "not_requests": box.not_requests,
    }
    (base / "expected.json").write_text(json.dumps(expected, indent=2, ensure_ascii=False) + "\n")


def main() -> None:
    from pathlib import Path as _Path

    root = _Path(__file__).resolve().parent
    for make in SCENARIOS:
        box = make()
        write(box, root)
        print(f"{box.name}: {len(box.files)} messages, {len(box.threads)} requests")


if __name__ == "__main__":
    main()
