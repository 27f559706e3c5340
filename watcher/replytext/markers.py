"""The vocabulary of reply markers: quote headers, sign-offs, footers (pure data).

Precompiled patterns used by ``watcher.replytext.quotes``. Each table lists the wording
real mail clients and people use, in the languages feedback-watcher meets
most (English, German, French, Spanish, Portuguese, Italian, Dutch, the
Nordic languages, Polish, Czech, Russian, and a few others). Nothing here
decides anything; the rules that combine these patterns live in
``watcher.replytext.quotes``.
"""

from __future__ import annotations

import re

# -- quote attribution lines ("On <date>, <name> wrote:") ---------------------

# Verbs that end an attribution line. "sent" is weak (it ends ordinary
# sentences too), so the caller asks for an address or a date with it.
_WROTE = (
    r"wrote|writes|has written|schrieb|hat geschrieben|a écrit|a ecrit|écrit|escribió|escribio"
    r"|ha escrito|escreveu|escreve|scrisse|ha scritto|schreef|het volgende geschreven|geschreven"
    r"|skrev|skriver|napisał\(a\)|napisała|napisał|napisal|napsal\(a\)|napsala|napsal|kirjoitti"
    r"|írta|написал\(а\)|написала|написал|пишет|yazdı|έγραψε|đã viết|写道|寫道|が書きました"
    r"|님이 작성|wrote"
)
WROTE_END_RE = re.compile(r"(?:\b|(?<=\W))(?:" + _WROTE + r")\s*[:：]?\s*[-*]*\s*$", re.I)
# Cheap pre-check: the last word of a line that may end an attribution.
WROTE_SUFFIXES = tuple(
    sorted({alt.split()[-1].replace("\\", "").lower() for alt in _WROTE.split("|")} | {"sent"})
)
SENT_END_RE = re.compile(r"\bsent\s*:\s*$", re.I)
# Nordic and Dutch clients put the verb before the name ("Op <date> schreef X <x@y>:"),
# Lotus Notes after it ("X <x@y> wrote on 03/03/2025 10:00:").
WROTE_INSIDE_RE = re.compile(
    r"\b(?:schreef|skrev|schrieb|geschreven|napisał|escribió|escreveu|wrote|a écrit)\b", re.I
)

# Words that open an attribution line in each language.
OPENER_RE = re.compile(
    r"^[\s\-*_]*(?:on|le|am|el|em|il|op|den|på|w dniu|dnia|vào|στις|в|dne|dňa|pada|ngày|às|a las"
    r"|il giorno|in data|den \d|ons|tis|mån|tors|fre|lör|sön)\b",
    re.I,
)
# An attribution opener glued to reply text on the same line ("ok--- On Wed, ...").
# "On" keeps its capital: "X wrote on 03/03/2025:" is Lotus Notes' whole line.
INLINE_ON_RE = re.compile(
    r"(?:-{2,}\s*|\s+)(On\s+(?i:mon|tue|wed|thu|fri|sat|sun|jan|feb|mar|apr|may|jun|jul|aug|sep"
    r"|oct|nov|dec|\d).*)$"
)

_MONTHS = (
    r"jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|janv|févr|fevr|mars|avr|mai|juin|juil|août"
    r"|aout|sept|déc|ene|abr|ago|dic|dez|okt|mrt|mei|maj|sty|lut|kwi|cze|lip|sie|wrz|paź|lis|gru"
    r"|stycznia|lutego|marca|kwietnia|maja|czerwca|lipca|sierpnia|września|października|listopada"
    r"|grudnia|januar|februar|märz|juni|juli|august|september|oktober|november|dezember|tháng"
)
DATEISH_RE = re.compile(
    r"\d{1,2}[:.h]\d{2}\b|\b\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}\b|\b(?:19|20)\d{2}\b|\d年|\d+\s*(?:"
    + _MONTHS
    + r")\b|\b(?:"
    + _MONTHS
    + r")[a-z]*\.?\s*\d",
    re.I,
)

# -- separators that start the original -----------------------------------------

_ORIGINAL = (
    r"original message|reply message|forwarded by|ursprüngliche nachricht|original-nachricht"
    r"|originalnachricht|antwort nachricht|oprindelig meddelelse|message d'origine|message original"
    r"|mensaje original|mensagem original|messaggio originale|oorspronkelijk bericht"
    r"|origineel bericht|originalmeddelande|ursprungligt meddelande|opprinnelig melding"
    r"|alkuperäinen viesti|wiadomość oryginalna|oryginalna wiadomość|původní zpráva"
    r"|pôvodná správa|исходное сообщение|оригинальное сообщение|eredeti üzenet|orijinal mesaj"
    r"|αρχικό μήνυμα|原始邮件|原始郵件|元のメッセージ|원본 메시지"
)
ORIGINAL_MESSAGE_RE = re.compile(r"^[\s\-=_*]*(?:" + _ORIGINAL + r")[\s\-=_*:]*$", re.I)
# GroupWise heads the original, unquoted, with ">>> Name <addr> 6-1-2025 17:22 >>>".
GROUPWISE_RE = re.compile(r"^>>>\s*\S.*\d.*>>>\s*$")

_FORWARDED = (
    r"forwarded message|weitergeleitete nachricht|message transféré|message transfere"
    r"|mensaje reenviado|mensagem encaminhada|mensagem reencaminhada|messaggio inoltrato"
    r"|doorgestuurd bericht|vidarebefordrat meddelande|videresendt meddelelse|videresendt melding"
    r"|przekazana wiadomość|wiadomość przekazana|přeposlaná zpráva|пересылаемое сообщение"
    r"|továbbított üzenet|välitetty viesti|iletilen mesaj|转发的邮件"
)
_BEGIN_FORWARDED = (
    r"begin forwarded message|anfang der weitergeleiteten nachricht|début du message réexpédié"
    r"|début du message transféré|inicio del mensaje reenviado|início da mensagem reencaminhada"
    r"|inizio messaggio inoltrato|begin doorgestuurd bericht|vidarebefordrat brev"
    r"|videresendt besked|start of forwarded message"
)
FORWARDED_RE = re.compile(
    r"^\s*(?:-{2,}\s*(?:" + _FORWARDED + r")\s*-{2,}|(?:" + _BEGIN_FORWARDED + r")\s*:?)\s*$", re.I
)

# A line that only separates: underscores, dashes, equals, box drawing.
SEPARATOR_RE = re.compile(r"^\s*(?:[-_=*~—–─━]\s*){2,}$")
SIG_DELIMITER_RE = re.compile(r"^\s*(?:--+|__+|—+|–+|~~+)\s*$")

# -- header blocks (Outlook "From: / Sent: / To: / Subject:" and translations) ----

_FIELD_KINDS = {
    "from": "from|von|de|van|da|från|fra|od|от|lähettäjä|feladó|kimden|odesílatel|absender"
    "|expéditeur|remetente|发件人|寄件者|差出人|보낸 사람|보낸사람|από",
    "date": "date|sent|datum|gesendet|envoyé|envoye|enviado|enviada|fecha|data|verzonden|inviato"
    "|skickat|sendt|wysłano|wysłane|отправлено|дата|lähetetty|päivämäärä|elküldve|dátum|tarih"
    "|gönderildi|gönderilme|odesláno|发送时间|日期|送信日時|날짜|보낸 날짜|στάλθηκε",
    "to": "to|an|à|a|para|aan|til|till|do|кому|vastaanottaja|címzett|kime|komu|收件人|宛先"
    "|받는 사람|받는사람|προς",
    "cc": "cc|bcc|kopie|copie|copie à|cópia|copia|kopia|dw|копия|kopio|másolatot kap|bilgi|抄送",
    "subject": "subject|betreff|objet|asunto|assunto|onderwerp|oggetto|ämne|emne|temat|тема|aihe"
    "|tárgy|konu|předmět|主题|件名|제목|θέμα|sujet",
}
FIELD_KIND = {word: kind for kind, words in _FIELD_KINDS.items() for word in words.split("|")}
# Multi-word names first so "보낸 사람" wins over shorter prefixes.
_FIELD_NAMES = sorted(FIELD_KIND, key=len, reverse=True)
FIELD_RE = re.compile(
    r"^[\s>]*\*{0,2}\s*(" + "|".join(re.escape(n) for n in _FIELD_NAMES) + r")\s*\*{0,2}\s*[:：]",
    re.I,
)

# -- signatures, footers, disclaimers ----------------------------------------------

_SIGNOFFS = (
    r"thanks|thank you|thanks a lot|thanks again|many thanks|thanks so much|thank you so much"
    r"|thanks in advance|thank you in advance|thx|tia|regards|best regards|kind regards"
    r"|kindest regards|warm regards|warmest regards|with regards|with kind regards|best wishes"
    r"|all the best|all best|best|cheers|sincerely|yours sincerely|sincerely yours|yours truly"
    r"|yours faithfully|yours|respectfully|take care|talk soon|speak soon|br|brgds|rgds"
    r"|thanks & regards|thanks and regards|thanks & best regards|thanks and best regards"
    r"|mit freundlichen grüßen|mit freundlichen grüssen|freundliche grüße|freundliche grüsse"
    r"|viele grüße|viele grüsse|beste grüße|beste grüsse|liebe grüße|liebe grüsse"
    r"|herzliche grüße|herzliche grüsse|schöne grüße|grüße|grüsse|gruß|gruss|lg|vg|mfg|danke"
    r"|vielen dank|besten dank"
    r"|cordialement|bien cordialement|bien à vous|salutations|meilleures salutations"
    r"|sincères salutations|amicalement|merci|merci beaucoup|bonne journée|à bientôt"
    r"|saludos|un saludo|saludos cordiales|atentamente|cordialmente|gracias|muchas gracias"
    r"|un abrazo|abrazos|atenciosamente|abraços|obrigado|obrigada|cumprimentos|att"
    r"|cordiali saluti|distinti saluti|saluti|grazie|a presto"
    r"|met vriendelijke groet|met vriendelijke groeten|vriendelijke groet|vriendelijke groeten"
    r"|hartelijke groet|hartelijke groeten|groeten|groetjes|mvg|bedankt|dank je|dank u"
    r"|mvh|med vänlig hälsning|med vänliga hälsningar|vänliga hälsningar|vänlig hälsning"
    r"|hälsningar|hälsning|vh|med venlig hilsen|venlig hilsen|venlige hilsner|hilsen|kh"
    r"|kærlig hilsen|med vennlig hilsen|vennlig hilsen|tack|tak|takk"
    r"|ystävällisin terveisin|terveisin|pozdrawiam|z poważaniem|z powazaniem"
    r"|serdecznie pozdrawiam|pozdrowienia|dziękuję|dziekuje|s pozdravem|děkuji|с уважением"
    r"|спасибо|üdvözlettel|saygılarımla|med hilsen|warmly|warm wishes|with best wishes"
    r"|with every good wish|with best regards|with warm regards|with thanks|good luck"
    r"|best of luck|un saludo cordial|abraço|abraços|beijos|grüessli|hugs"
)
_NAME_WORD = r"[^\W\d_][\w.'’-]*"
# A sign-off and what follows it on the line; ``replies`` judges the rest
# (a name may follow, a sentence may not).
_SIGNOFF_ALTERNATIVES = "|".join(sorted(_SIGNOFFS.split("|"), key=len, reverse=True))
SIGNOFF_RE = re.compile(r"^\s*(?i:" + _SIGNOFF_ALTERNATIVES + r")(?P<rest>[\s,.!:;–-].*)?$")
# "-Abhishek Kona", "- roman", "/John", "~ Jo": a name signed with a leading mark.
DASH_NAME_RE = re.compile(r"^\s*[-–—~/]\s?" + _NAME_WORD + r"(?:\s+" + _NAME_WORD + r"){0,2}\s*$")
# One-word replies that look like a signed name but answer the mail.
SHORT_ANSWERS = frozenset(
    "yes no sure ok okay agreed done noted great perfect fine cool absolutely definitely correct"
    " right nope yep yeah thanks welcome confirmed approved declined accepted understood"
    " ja nein oui non si sí sim não nee nej tak ja klar gerne volontiers claro certo".split()
)
BULLET_RE = re.compile(r"^\s*(?:[-*•–]\s|\d+[.)]\s)")
# A line that could be a name: one to three words, each starting with a capital.
NAME_LINE_RE = re.compile(r"^\s*" + _NAME_WORD + r"(?:\s+(?:&\s+)?" + _NAME_WORD + r"){0,3}\s*$")
# Lower-case words inside names and titles ("Head of School", "Laura de la Cruz").
NAME_PARTICLES = frozenset(
    "of de da do dos das del la le du van von der den ten y e and at für for".split()
)

MOBILE_FOOTER_RE = re.compile(
    r"^\s*(?:sent (?:from|with|via|using|by) |sent wirelessly |get outlook for "
    r"|envoyé (?:de|depuis|avec|sans fil|à partir) |enviado (?:desde|do|de|com|con|a partir) "
    r"|von meinem |gesendet (?:von|mit|vom) |verzonden (?:vanaf|met|van) "
    r"|verstuurd (?:vanaf|met|van) |inviato da |skickat från |sendt fra |lähetetty |wysłane z "
    r"|wysłano z |отправлено с |odesláno z |(?:via|from) (?:my )?"
    r"(?:mobile|phone|iphone|ipad|android|blackberry)\b|tapped on |typed on |sent on the go\b)",
    re.I,
)

CONTACT_RE = re.compile(
    r"[\w.+-]+@[\w-]+\.[\w.-]+|https?://|\bwww\.|\b[\w-]+\.(?:com|org|net|io|co|de|fr|uk|nl|se"
    r"|dk|no|pl|es|it|eu|ch|at|be)\b|(?:\+|\(|\b)\d(?:[\s().-]{0,2}\d){8,}|^\s*(?:tel|phone|mobile|mob"
    r"|cell|fax|skype|linkedin|twitter|[tmfe])\s*[.:]",
    re.I,
)

# Footers a mailing list or a notification service appends. The weak words
# count only under a rule line or next to a link.
LIST_FOOTER_STRONG_RE = re.compile(
    r"you received this (?:message|email) because you are subscribed"
    r"|to unsubscribe from this group|view it on github|reply to this email directly"
    r"|you are receiving this because",
    re.I,
)
LIST_FOOTER_RE = re.compile(
    r"mailing list|/listinfo|unsubscribe|manage your (?:subscription|notification)|abmelden"
    r"|désinscri|darse de baja|afmelden|avregistrera|abbestellen",
    re.I,
)

# Every footer and disclaimer pattern contains one of these (a cheap pre-check).
FOOTER_WORDS = (
    "confiden",
    "intended",
    "privileg",
    "disclaimer",
    "notice",
    "print",
    "in error",
    "by mistake",
    "vertrau",
    "destinat",
    "riservat",
    "fortrolig",
    "konfidentiel",
    "mottag",
    "modtag",
    "mottak",
    "unsubscribe",
    "mailing list",
    "listinfo",
    "subscri",
    "github",
    "receiving this",
    "abmelden",
    "désinscri",
    "baja",
    "afmelden",
    "avregistrera",
    "abbestellen",
    "irrtümlich",
    "geadresseerde",
)
DISCLAIMER_RE = re.compile(
    r"intended (?:solely |only )?for the (?:exclusive )?(?:use of the )?(?:individual|person|entity"
    r"|addressee|named|recipient)|(?:not the intended recipient|received this (?:e-?mail|message"
    r"|communication|transmission) (?:in error|by mistake))|^\s*\W*(?:confidentiality|legal"
    r"|privacy)? ?(?:notice|disclaimer)\s*\W|confidential(?:ity)? (?:notice|note|statement"
    r"|disclaimer)|(?:is|are|may be|contains?) (?:strictly )?(?:confidential|privileged)\b.{0,100}"
    r"\b(?:privileged|confidential|intended|protected)|environment before printing"
    r"|think before you print|vertraulich.{0,160}(?:irrtümlich|empfänger|adressat)"
    r"|diese (?:e-?mail|nachricht) (?:enthält|kann) vertrauliche"
    r"|(?:ce|le présent|cet) (?:message|courriel|e-?mail).{0,160}(?:confidenti|destinataire)"
    r"|(?:este|el presente) (?:mensaje|correo|e-?mail).{0,160}(?:confidencial|destinatario)"
    r"|esta mensagem.{0,160}(?:confidencia|destinatário)"
    r"|questo (?:messaggio|e-?mail).{0,160}(?:riservat|confidenzial|destinatari)"
    r"|dit (?:e-?mail)?bericht.{0,160}(?:vertrouwelijk|geadresseerde)"
    r"|(?:detta|denne|dette) (?:e-?post|meddelande|meddelelse|melding).{0,160}(?:konfidentiel"
    r"|fortrolig|mottagare|modtager|mottaker)",
    re.I | re.S,
)
