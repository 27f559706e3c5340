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
    data = leaf.content if isinstance(leaf.content, bytes) else \
        leaf.content.encode(leaf.charset or "ascii")
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
    """"Name <addr>" with a non-ASCII name as encoded-words; anything else as given."""
    if value.isascii() or not value.endswith(">"):
        return value
    name, _, addr = value.rpartition(" <")
    return address(name.strip('"'), addr[:-1])


def message(*, sender: str, to: str | list[str], subject: str, date: datetime, mid: str,
            body: Leaf | Multi, cc: str | list[str] = (), in_reply_to: str | None = None,
            references: list[str] | None = None, top: list[str] = (),
            extra: list[str] = (), subject_charset: str = "utf-8") -> bytes:
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
    box = "AM" + _digits(seed, 1, "0123456789") + "PR0" + _digits(seed, 1, "12345678") + \
        "MB" + _digits(seed + "b", 4, "0123456789")
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

    def expect(self, asks: list[str], *, status: str, due: str | None = None,
               gone_quiet: bool = False, undeliverable: bool = False,
               replies: list[str] = (), why: str = "") -> None:
        """One request thread: its asks (the first is the request) and what the digest says."""
        self.threads.append({
            "request_message_id": asks[0], "ask_message_ids": list(asks), "asks": len(asks),
            "status": status, "due": due, "gone_quiet": gone_quiet,
            "undeliverable": undeliverable, "replies": sorted(replies), "why": why})


# -- body builders in the styles of common clients ---------------------------------------------

def when(y: int, mo: int, d: int, h: int, mi: int, s: int = 0, tz: float = 1) -> datetime:
    from datetime import timedelta, timezone

    return datetime(y, mo, d, h, mi, s, tzinfo=timezone(timedelta(hours=tz)))


def plain(text: str, cte: str = "8bit", charset: str = "utf-8", flowed: bool = False) -> Leaf:
    return Leaf("text/plain", text, charset, cte, "; format=flowed" if flowed else "")


def html_leaf(markup: str, cte: str = "quoted-printable", charset: str = "utf-8") -> Leaf:
    return Leaf("text/html", markup, charset, cte)


def alternative(seed: str, text: str, markup: str, cte: str = "quoted-printable",
                charset: str = "utf-8", html_cte: str | None = None) -> Multi:
    return Multi("alternative", (plain(text, cte, charset),
                                 html_leaf(markup, html_cte or cte, charset)), boundary(seed))


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
        body += (f'<br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">{_esc(header)}'
                 '<br></div><blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex;'
                 'border-left:1px solid rgb(204,204,204);padding-left:1ex">'
                 f'{paragraphs_html(original)}</blockquote></div>')
    return body + "\n"


def outlook_html(new: str, header_lines: list[str] = (), original: str = "",
                 lang: str = "EN-GB") -> str:
    def ps(text: str) -> str:
        return "\n".join(f'<p class="MsoNormal">{_esc(line) if line else "&nbsp;"}<o:p></o:p></p>'
                         for line in text.strip("\n").split("\n"))

    head = ('<html xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:'
            'office:office" xmlns:w="urn:schemas-microsoft-com:office:word" xmlns:m="http://schemas'
            '.microsoft.com/office/2004/12/omml" xmlns="http://www.w3.org/TR/REC-html40">\n<head>\n'
            '<meta name="Generator" content="Microsoft Word 15 (filtered medium)">\n<style><!--\n'
            'p.MsoNormal, li.MsoNormal, div.MsoNormal\n\t{margin:0cm;font-size:11.0pt;'
            'font-family:"Calibri",sans-serif;}\n--></style>\n</head>\n'
            f'<body lang="{lang}" link="#0563C1" vlink="#954F72" style="word-wrap:break-word">\n'
            '<div class="WordSection1">\n')
    body = ps(new)
    if header_lines:
        body += ('\n<div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm '
                 '0cm">\n<p class="MsoNormal">' + "<br>\n".join(
                     f"<b>{_esc(k)}</b> {_esc(v)}" for k, _, v in
                     (line.partition(" ") for line in header_lines)) + "<o:p></o:p></p>\n</div>\n")
        body += ps(original)
    return head + body + "\n</div>\n</body>\n</html>\n"


def attachment(filename: str, data: bytes, ctype: str = "application/pdf") -> Leaf:
    return Leaf(ctype, data, None, "base64", f'; name="{filename}"',
                (f'Content-Disposition: attachment; filename="{filename}"',))


def mixed(seed: str, body: Leaf | Multi, *parts: Leaf) -> Multi:
    return Multi("mixed", (body, *parts), boundary(seed + "mixed"))


def pdf(title: str) -> bytes:
    """A small, valid one-page PDF: a CV or cover letter attachment."""
    text = title.encode("latin-1", "replace")
    stream = b"BT /F1 18 Tf 72 760 Td (" + text + b") Tj ET"
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>",
            b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream +
            b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
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
    return [f"List-Id: {list_id}", f"List-Unsubscribe: <{unsubscribe}>",
            "List-Unsubscribe-Post: List-Unsubscribe=One-Click", "Precedence: bulk"]


def dsn(*, seed: str, mta: str, date: datetime, recipient: str, original_headers: str,
        explanation: str, diagnostic: str, status: str = "5.1.1") -> Multi:
    """An RFC 3464 delivery report: explanation, per-recipient status, the original's headers."""
    report = (f"Reporting-MTA: dns; {mta}\n"
              f"Arrival-Date: {format_datetime(date)}\n\n"
              f"Final-Recipient: rfc822; {recipient}\n"
              f"Original-Recipient: rfc822;{recipient}\n"
              f"Action: failed\nStatus: {status}\n"
              f"Diagnostic-Code: smtp; {diagnostic}\n")
    return Multi("report", (
        Leaf("text/plain", explanation, "us-ascii", "7bit", "",
             ("Content-Description: Notification",)),
        Leaf("message/delivery-status", report, None, "7bit", "",
             ("Content-Description: Delivery report",)),
        Leaf("text/rfc822-headers", original_headers, None, "7bit", "",
             ("Content-Description: Undelivered Message Headers",)),
    ), boundary(seed), " report-type=delivery-status;",
        "This is a MIME-encapsulated message.")


THUNDERBIRD = "User-Agent: Mozilla Thunderbird"
OUTLOOK = ["X-Mailer: Microsoft Outlook 16.0", "X-MS-Has-Attach:", "X-MS-TNEF-Correlator:"]
APPLE = "X-Mailer: Apple Mail (2.3826.400.131.1.6)"
AUTO_REPLY = ["Auto-Submitted: auto-replied", "X-Auto-Response-Suppress: All",
              "X-MS-Exchange-Inbox-Rules-Loop: {}"]


# ============================================================================================
# 1. Lena Hoffmann, data engineer in Berlin: German and English, a second address of her own
# ============================================================================================

def lena() -> Mailbox:
    me, alias = "lena.hoffmann@posteo.example", "lena@hoffmann-data.example"
    box = Mailbox("lena_berlin", "Lena Hoffmann", [me, alias], "2025-06-16T08:00:00+02:00")
    lena_from = address("Lena Hoffmann", me)
    tz = 2

    # -- noise before anything happens
    box.put("INBOX", "jobalert", message(
        sender="StellenRadar <alerts@stellenradar.example>", to=me,
        subject="12 neue Jobs für „Data Engineer“ in Berlin", date=when(2025, 5, 5, 6, 30, tz=tz),
        mid=mta_id("l-alert1", when(2025, 5, 5, 6, 30), "mailer.stellenradar.example"),
        extra=bulk_headers("<jobalerts.stellenradar.example>",
                           "https://stellenradar.example/unsubscribe?u=8812&t=a1"),
        body=alternative("l-alert1", """Hallo Lena,

hier sind 12 neue Stellen, die zu deiner Suche „Data Engineer“ in Berlin passen:

Data Engineer (m/w/d) – Kleinfeld Mobility GmbH – Berlin
Senior Data Engineer – Brightloop – Remote (EU)
Analytics Engineer (m/w/d) – Lumio – Berlin-Kreuzberg
... und 9 weitere

Alle Jobs ansehen: https://stellenradar.example/s/8812

Du erhältst diese E-Mail, weil du einen Suchauftrag angelegt hast.
Abmelden: https://stellenradar.example/unsubscribe?u=8812&t=a1
""", "<html><body><h2>12 neue Jobs für dich</h2><ul><li>Data Engineer (m/w/d) – Kleinfeld "
            "Mobility GmbH</li><li>Senior Data Engineer – Brightloop</li><li>Analytics Engineer "
            "– Lumio</li></ul><p><a href=\"https://stellenradar.example/s/8812\">Alle Jobs "
            "ansehen</a></p><p style=\"font-size:11px\"><a href=\"https://stellenradar.example/"
            "unsubscribe?u=8812&amp;t=a1\">Abmelden</a></p></body></html>")))

    application = uuid_id("l-application", "posteo.example")
    box.put("Sent", "application-kleinfeld", message(
        sender=lena_from, to="Kleinfeld Mobility Karriere <karriere@kleinfeld-mobility.example>",
        subject="Bewerbung als Data Engineer (Ref. KM-2291)", date=when(2025, 5, 6, 21, 12, tz=tz),
        mid=application, extra=[THUNDERBIRD, "Content-Language: de-DE"],
        body=mixed("l-application", plain("""Sehr geehrte Damen und Herren,

mit großem Interesse habe ich Ihre Ausschreibung für die Position als Data Engineer
(Ref. KM-2291) gelesen. In den letzten vier Jahren habe ich bei einem Berliner
Logistik-Start-up Datenpipelines mit Spark, Airflow und dbt aufgebaut und betreut,
zuletzt mit Verantwortung für unsere Echtzeit-Auswertung der Fahrzeugflotte.

Besonders reizt mich an Kleinfeld Mobility, dass Ihre Daten direkt in die Planung
der Sharing-Flotte einfließen. Meinen Lebenslauf und meine Zeugnisse finden Sie im
Anhang. Über eine Einladung zu einem persönlichen Gespräch freue ich mich sehr.

Mit freundlichen Grüßen
Lena Hoffmann
""", flowed=True), attachment("Lebenslauf_Lena_Hoffmann.pdf", pdf("Lena Hoffmann - Lebenslauf")),
            attachment("Anschreiben_Kleinfeld.pdf", pdf("Anschreiben Kleinfeld Mobility")))))
    box.not_requests.append(application)

    box.put("INBOX", "ats-kleinfeld", message(
        sender="Kleinfeld Mobility GmbH <no-reply@kleinfeld-mobility.jobs.personio.example>",
        to=me, subject="Ihre Bewerbung bei Kleinfeld Mobility GmbH",
        date=when(2025, 5, 6, 21, 13, tz=tz),
        mid=mta_id("l-ats", when(2025, 5, 6, 21, 13), "personio.example"),
        extra=["Auto-Submitted: auto-generated"],
        body=html_leaf("<p>Hallo Lena Hoffmann,</p><p>vielen Dank für Ihre Bewerbung als "
                       "<b>Data Engineer (Ref. KM-2291)</b>. Wir haben Ihre Unterlagen erhalten "
                       "und melden uns so schnell wie möglich bei Ihnen.</p><p>Ihr Recruiting-"
                       "Team von Kleinfeld Mobility</p><p style=\"color:#888\">Dies ist eine "
                       "automatisch versendete E-Mail. Bitte antworten Sie nicht darauf.</p>")))

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
    box.put("INBOX", "invite-kleinfeld", message(
        sender="Anna Schulz <anna.schulz@kleinfeld-mobility.example>", to=lena_from,
        subject="Einladung zum Gespräch – Data Engineer", date=when(2025, 5, 8, 10, 2, tz=tz),
        mid=invite, extra=OUTLOOK + ["Content-Language: de-DE"],
        body=alternative("l-invite", invite_text, outlook_html(invite_text, lang="DE"),
                         charset="windows-1252")))
    scheduling = uuid_id("l-sched1", "posteo.example")
    box.put("Sent", "scheduling-kleinfeld", message(
        sender=lena_from, to="Anna Schulz <anna.schulz@kleinfeld-mobility.example>",
        subject="Re: Einladung zum Gespräch – Data Engineer", date=when(2025, 5, 8, 12, 40, tz=tz),
        mid=scheduling, in_reply_to=invite, extra=[THUNDERBIRD],
        body=plain(f"""Hallo Frau Schulz,

vielen Dank für die Einladung! Mittwoch, 14. Mai, um 10:00 Uhr passt mir sehr gut.
Ich freue mich auf das Gespräch.

Viele Grüße
Lena Hoffmann

Am 08.05.25 um 10:02 schrieb Anna Schulz:
{quoted(invite_text)}
""", flowed=True)))
    box.not_requests.append(scheduling)

    box.put("INBOX", "newsletter", message(
        sender="Data Engineering Weekly <newsletter@dataengweekly.example>", to=me,
        subject="DEW #212: Iceberg everywhere, and the cost of small files",
        date=when(2025, 5, 12, 7, 0, tz=tz),
        mid=mta_id("l-news1", when(2025, 5, 12, 7, 0), "mail.dataengweekly.example"),
        extra=bulk_headers("Data Engineering Weekly <weekly.dataengweekly.example>",
                           "https://dataengweekly.example/u/3f9a"),
        body=plain("""This week in data engineering:

* Table formats: why everyone is moving to Iceberg, and what it costs you
* The small-files problem, measured
* Job of the week: Staff Data Engineer at a Berlin scale-up

You are receiving this because you subscribed at dataengweekly.example.
Unsubscribe: https://dataengweekly.example/u/3f9a
""", cte="7bit", charset="us-ascii")))

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
    box.put("Sent", "personal-cv-ask", message(
        sender=lena_from, to="Miriam Kaya <miriam.kaya@gmail.com>",
        subject="Kurzer Blick auf meinen Lebenslauf?", date=when(2025, 5, 10, 11, 5, tz=tz),
        mid=cv_ask, extra=[THUNDERBIRD],
        body=mixed("l-cv", plain(cv_text, flowed=True),
                   attachment("CV_Lena_Hoffmann_2025.pdf", pdf("Lena Hoffmann CV")))))
    box.not_requests.append(cv_ask)
    box.put("INBOX", "personal-cv-answer", message(
        sender="Miriam Kaya <miriam.kaya@gmail.com>", to=lena_from,
        subject="Re: Kurzer Blick auf meinen Lebenslauf?", date=when(2025, 5, 11, 19, 48, tz=tz),
        mid=gmail_id("l-miri"), in_reply_to=cv_ask,
        body=alternative("l-miri", f"""Hey Lena,

sieht schon richtig gut aus! Drei Sachen:
1. Oben fehlt mir ein Satz, was du suchst.
2. Bei den Projekten immer eine Zahl dazu (wie viele Events/Tag, wie viel schneller).
3. Die Skills-Liste ist zu lang, nimm die Hälfte raus.

Viel Glück am Mittwoch!!
Miri

Am Sa., 10. Mai 2025 um 11:05 Uhr schrieb Lena Hoffmann <{me}>:
{quoted(cv_text)}
""", gmail_html("""Hey Lena,

sieht schon richtig gut aus! Drei Sachen:
1. Oben fehlt mir ein Satz, was du suchst.
2. Bei den Projekten immer eine Zahl dazu (wie viele Events/Tag, wie viel schneller).
3. Die Skills-Liste ist zu lang, nimm die Hälfte raus.

Viel Glück am Mittwoch!!
Miri""", f"Am Sa., 10. Mai 2025 um 11:05 Uhr schrieb Lena Hoffmann <{me}>:", cv_text))))

    box.put("INBOX", "rejection-kleinfeld", message(
        sender="Anna Schulz <anna.schulz@kleinfeld-mobility.example>", to=lena_from,
        subject="Ihre Bewerbung als Data Engineer (Ref. KM-2291)",
        date=when(2025, 5, 16, 15, 21, tz=tz), mid=outlook_id("l-reject"), extra=OUTLOOK,
        body=alternative("l-reject", """Hallo Frau Hoffmann,

noch einmal vielen Dank für Ihren Besuch am Mittwoch und das angenehme Gespräch.

Nach reiflicher Überlegung haben wir uns leider für eine andere Kandidatin entschieden,
deren Profil noch etwas besser zu den aktuellen Anforderungen passt. Diese Entscheidung
ist uns nicht leichtgefallen.

Wir wünschen Ihnen für Ihren weiteren Weg alles Gute.

Viele Grüße
Anna Schulz
Talent Acquisition | Kleinfeld Mobility GmbH
""", outlook_html("""Hallo Frau Hoffmann,

noch einmal vielen Dank für Ihren Besuch am Mittwoch und das angenehme Gespräch.

Nach reiflicher Überlegung haben wir uns leider für eine andere Kandidatin entschieden, deren Profil noch etwas besser zu den aktuellen Anforderungen passt. Diese Entscheidung ist uns nicht leichtgefallen.

Wir wünschen Ihnen für Ihren weiteren Weg alles Gute.

Viele Grüße
Anna Schulz""", lang="DE"), charset="windows-1252")))

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
    box.put("Sent", "request-kleinfeld", message(
        sender=lena_from, to="Jonas Weber <jonas.weber@kleinfeld-mobility.example>",
        subject="Feedback zu meinem Gespräch am 14. Mai", date=when(2025, 5, 19, 18, 4, tz=tz),
        mid=a1, extra=[THUNDERBIRD, "Content-Language: de-DE"], body=plain(a1_text, flowed=True)))
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
    a_head = [f"Von: Lena Hoffmann <{me}>", "Gesendet: Montag, 19. Mai 2025 18:04",
              "An: Jonas Weber <jonas.weber@kleinfeld-mobility.example>",
              "Betreff: Feedback zu meinem Gespräch am 14. Mai"]
    box.put("INBOX", "reply-kleinfeld-feedback", message(
        sender="Jonas Weber <jonas.weber@kleinfeld-mobility.example>", to=lena_from,
        subject="AW: Feedback zu meinem Gespräch am 14. Mai", date=when(2025, 5, 21, 9, 47, tz=tz),
        mid=a_reply, in_reply_to=a1, extra=OUTLOOK + ["Content-Language: de-DE"],
        body=alternative("l-a-reply", a_new + "\n" + "\n".join(a_head) + "\n\n" + a1_text,
                         outlook_html(a_new, a_head, a1_text, lang="DE"),
                         charset="windows-1252")))
    thanks = uuid_id("l-thanks", "posteo.example")
    box.put("Sent", "thanks-kleinfeld", message(
        sender=lena_from, to="Jonas Weber <jonas.weber@kleinfeld-mobility.example>",
        subject="Re: AW: Feedback zu meinem Gespräch am 14. Mai",
        date=when(2025, 5, 21, 12, 30, tz=tz), mid=thanks, in_reply_to=a_reply,
        references=[a1, a_reply], extra=[THUNDERBIRD],
        body=plain(f"""Hallo Herr Weber,

vielen Dank für die ausführliche und offene Rückmeldung – das hilft mir wirklich
weiter. Den Punkt mit den Randfällen nehme ich mir für das nächste Gespräch zu Herzen.

Ihnen und dem Team alles Gute!
Lena Hoffmann

Am 21.05.25 um 09:47 schrieb Jonas Weber:
{quoted(a_new)}
""", flowed=True)))
    box.not_requests.append(thanks)
    box.expect([a1], status="feedback", replies=[a_reply],
               why="German Outlook reply (windows-1252, quoted-printable) with concrete feedback")

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
    box.put("Sent", "request-brightloop", message(
        sender=lena_from, to="Rachel Kim <rachel.kim@brightloop.example>", subject=b_subject,
        date=when(2025, 5, 23, 16, 12, tz=tz), mid=b1, extra=[THUNDERBIRD],
        body=plain(b1_text, flowed=True)))
    b_ooo = outlook_id("l-b-ooo", "gbrp123")
    box.put("INBOX", "reply-brightloop-ooo", message(
        sender="Rachel Kim <rachel.kim@brightloop.example>", to=lena_from,
        subject="Automatic reply: " + b_subject, date=when(2025, 5, 23, 15, 12, 31, tz=1),
        mid=b_ooo, in_reply_to=b1,
        extra=[h.format("rachel.kim@brightloop.example") for h in AUTO_REPLY],
        body=alternative("l-b-ooo", """Thanks for your email. I'm out of the office until Monday 2 June with limited access to email.

For anything urgent about open roles please contact talent@brightloop.example.

Rachel
""", outlook_html("""Thanks for your email. I'm out of the office until Monday 2 June with limited access to email.

For anything urgent about open roles please contact talent@brightloop.example.

Rachel"""), cte="7bit", charset="us-ascii")))
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
    box.put("INBOX", "reply-brightloop-feedback", message(
        sender="Rachel Kim <rachel.kim@brightloop.example>", to=lena_from,
        subject="Re: " + b_subject, date=when(2025, 6, 4, 10, 20, tz=1), mid=b_reply,
        in_reply_to=b1,
        body=alternative("l-b-reply", f"{b_new}\n{b_attr}\n{quoted(b1_text)}\n",
                         gmail_html(b_new, b_attr, b1_text))))
    box.expect([b1], status="feedback", replies=[b_ooo, b_reply],
               why="out-of-office until 2 June, then a Gmail reply with feedback")

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
    box.put("Sent", "request-nordwerk", message(
        sender=lena_from, to="Tobias Brandt <tobias.brandt@nordwerk-energie.example>",
        subject=c_subject, date=when(2025, 5, 26, 9, 31, tz=tz), mid=c1, extra=[THUNDERBIRD],
        body=plain(c1_text, flowed=True)))
    c2 = uuid_id("l-c2", "hoffmann-data.example")
    box.put("Sent", "second-ask-nordwerk-alias", message(
        sender=address("Lena Hoffmann", alias),
        to="Tobias Brandt <tobias.brandt@nordwerk-energie.example>", subject="Re: " + c_subject,
        date=when(2025, 6, 4, 8, 55, tz=tz), mid=c2, in_reply_to=c1, extra=[THUNDERBIRD],
        body=plain(f"""Hallo Tobias,

ich wollte mich noch einmal kurz melden – vermutlich ist meine Mail in der Hektik
untergegangen. Ein, zwei Sätze dazu, woran es gelegen hat, wären für mich schon sehr
wertvoll.

Danke dir und viele Grüße
Lena

Am 26.05.25 um 09:31 schrieb Lena Hoffmann:
{quoted(c1_text)}
""", flowed=True)))
    box.expect([c1, c2], status="no_response", due="third_ask",
               why="second ask from the alias on 4 June; five business days passed on 11 June")

    # -- request D: Quellwerk; the address was wrong and the mail bounced
    d1 = uuid_id("l-d1", "posteo.example")
    d_subject = "Feedback zum Vorstellungsgespräch am 10. Juni"
    box.put("Sent", "request-quellwerk", message(
        sender=lena_from, to="Michael Krüger <m.krueger@quellwerk.example>", subject=d_subject,
        date=when(2025, 6, 12, 17, 40, tz=tz), mid=d1, extra=[THUNDERBIRD],
        body=plain("""Sehr geehrter Herr Krüger,

vielen Dank für das Gespräch am Dienstag und für Ihren Anruf gestern. Auch wenn ich
mir eine andere Nachricht gewünscht hätte, weiß ich Ihre offene Art sehr zu schätzen.

Wären Sie so freundlich, mir kurz mitzuteilen, was aus Ihrer Sicht gefehlt hat? Ihre
Einschätzung würde mir bei den nächsten Bewerbungen sehr helfen.

Mit freundlichen Grüßen
Lena Hoffmann
""", flowed=True)))
    bounce = mta_id("l-bounce", when(2025, 6, 12, 15, 40, 9, tz=0), "mout01.posteo.example")
    box.put("INBOX", "bounce-quellwerk", message(
        top=["Return-Path: <>"],
        sender="MAILER-DAEMON@mout01.posteo.example (Mail Delivery System)", to=me,
        subject="Undelivered Mail Returned to Sender", date=when(2025, 6, 12, 17, 40, 9, tz=tz),
        mid=bounce, extra=["Auto-Submitted: auto-replied"],
        body=dsn(seed="l-bounce", mta="mout01.posteo.example",
                 date=when(2025, 6, 12, 17, 40, 6, tz=tz), recipient="m.krueger@quellwerk.example",
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
""", diagnostic="550 5.1.1 <m.krueger@quellwerk.example>: Recipient address rejected: "
                "User unknown in virtual mailbox table",
                 original_headers=f"""From: Lena Hoffmann <{me}>
To: =?utf-8?q?Michael_Kr=C3=BCger?= <m.krueger@quellwerk.example>
Subject: =?utf-8?q?Feedback_zum_Vorstellungsgespr=C3=A4ch_am_10=2E_Juni?=
Date: Thu, 12 Jun 2025 17:40:00 +0200
Message-ID: {d1}
""")))
    box.expect([d1], status="no_response", undeliverable=True, replies=[bounce],
               why="bounced (RFC 3464 report); the next ask is not due before 19 June")

    # -- more noise while all that happened
    box.put("INBOX", "ats-lumio", message(
        sender="Lumio Careers <no-reply@lumio.recruitee.example>", to=me,
        subject="Vielen Dank für Ihre Bewerbung – Analytics Engineer (m/w/d)",
        date=when(2025, 5, 28, 8, 15, tz=tz),
        mid=mta_id("l-ats2", when(2025, 5, 28, 8, 15), "recruitee.example"),
        extra=["Auto-Submitted: auto-generated", "Precedence: bulk"],
        body=alternative("l-ats2", """Hallo Lena,

vielen Dank für deine Bewerbung als Analytics Engineer (m/w/d) bei Lumio. Wir schauen
uns deine Unterlagen in Ruhe an und melden uns innerhalb von zwei Wochen.

Dein Lumio People Team

Diese Nachricht wurde automatisch versendet.
""", "<p>Hallo Lena,</p><p>vielen Dank für deine Bewerbung als <b>Analytics Engineer "
            "(m/w/d)</b> bei Lumio. Wir schauen uns deine Unterlagen in Ruhe an und melden uns "
            "innerhalb von zwei Wochen.</p><p>Dein Lumio People Team</p>")))
    box.put("INBOX", "newsletter-2", message(
        sender="Data Engineering Weekly <newsletter@dataengweekly.example>", to=me,
        subject="DEW #215: Streaming joins without tears", date=when(2025, 6, 2, 7, 0, tz=tz),
        mid=mta_id("l-news2", when(2025, 6, 2, 7, 0), "mail.dataengweekly.example"),
        extra=bulk_headers("Data Engineering Weekly <weekly.dataengweekly.example>",
                           "https://dataengweekly.example/u/3f9a"),
        body=plain("""This week: streaming joins without tears, a look at late-arriving data,
and three open-source orchestrators compared.

Unsubscribe: https://dataengweekly.example/u/3f9a
""", cte="7bit", charset="us-ascii")))
    box.put("INBOX", "recruiter-cold", message(
        sender="Sophie Brandl <sophie.brandl@talentbruecke.example>", to=me,
        subject="Senior Data Engineer (m/w/d) – Remote – spannendes Scale-up",
        date=when(2025, 6, 10, 9, 12, tz=tz), mid=outlook_id("l-cold"), extra=OUTLOOK,
        body=alternative("l-cold", """Hallo Lena,

ich bin über dein LinkedIn-Profil auf dich aufmerksam geworden – deine Erfahrung mit
Spark und Echtzeit-Pipelines passt hervorragend zu einer Position, die ich gerade für
einen Kunden besetze: ein stark wachsendes Scale-up im Energiebereich, 100 % remote,
bis 85.000 EUR.

Hättest du diese oder nächste Woche Zeit für ein kurzes Telefonat?

Beste Grüße
Sophie Brandl
Senior Recruiterin | TalentBrücke
""", outlook_html("""Hallo Lena,

ich bin über dein LinkedIn-Profil auf dich aufmerksam geworden – deine Erfahrung mit Spark und Echtzeit-Pipelines passt hervorragend zu einer Position, die ich gerade für einen Kunden besetze.

Hättest du diese oder nächste Woche Zeit für ein kurzes Telefonat?

Beste Grüße
Sophie Brandl""", lang="DE"), charset="windows-1252")))
    lumio_invite = gmail_id("l-lumio-invite")
    lumio_text = """Hallo Lena,

danke für das nette Erstgespräch! Wir würden dich gerne zum Zweitgespräch mit
unserem CTO einladen. Passt dir Mittwoch, 18. Juni, um 10:00 Uhr oder Donnerstag,
19. Juni, um 14:00 Uhr?

Viele Grüße
Jana von Lumio
"""
    box.put("INBOX", "invite-lumio", message(
        sender="Jana Petersen <jana@lumio.example>", to=lena_from,
        subject="Zweitgespräch bei Lumio – Terminvorschläge", date=when(2025, 6, 11, 14, 3, tz=tz),
        mid=lumio_invite, body=alternative("l-lumio-invite", lumio_text,
                                           gmail_html(lumio_text))))
    scheduling2 = uuid_id("l-sched2", "posteo.example")
    box.put("Sent", "scheduling-lumio", message(
        sender=lena_from, to="Jana Petersen <jana@lumio.example>",
        subject="Re: Zweitgespräch bei Lumio – Terminvorschläge",
        date=when(2025, 6, 13, 8, 20, tz=tz), mid=scheduling2, in_reply_to=lumio_invite,
        extra=[THUNDERBIRD], body=plain(f"""Hallo Jana,

sehr gerne! Mittwoch, 18. Juni, 10:00 Uhr passt mir gut. Schickt ihr mir einen Link
für den Call, oder komme ich ins Büro?

Bis dann
Lena

Am 11.06.25 um 14:03 schrieb Jana Petersen:
{quoted(lumio_text)}
""", flowed=True)))
    box.not_requests.append(scheduling2)
    box.put("INBOX", "personal-mum", message(
        sender="Mama <ute.hoffmann@t-online.de>", to=me, subject="Sonntag",
        date=when(2025, 6, 14, 18, 32, tz=tz), mid=uuid_id("l-mum", "t-online.de"),
        body=plain("""Hallo Schatz,

kommst du Sonntag zum Kaffee? Papa hat Rhabarberkuchen gebacken. Und erzähl mal, wie
es mit den Bewerbungen läuft!

Liebe Grüße
Mama
""", cte="quoted-printable", charset="iso-8859-1")))
    return box


# ============================================================================================

SCENARIOS = [lena]


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
    expected = {"person": box.person, "addresses": box.addresses, "now": box.now,
                "threads": box.threads, "not_requests": box.not_requests}
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
