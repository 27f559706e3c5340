"""The date an out-of-office reply says its writer is back (pure: the message date is passed in).

Reads English, German, French, Spanish, Portuguese, Dutch and Italian phrasings: "back on
12 March", "returning Monday 3/10", "zurück am 14.03.2025", "ab dem 17.3. wieder im Büro",
"de retour le 3 mars", "de vuelta el 5 de mayo", "terug op 7 april", "fino al 9 aprile".

A date counts only when a return cue stands next to it ("back", "until", "zurück", "bis",
"jusqu'au", "hasta", "até", "tot", ...), so the start of an absence ("from 3 March") and dates
in the quoted original are not taken for the return. Year-less dates resolve to the next such
date on or after the message date, except that a day at most two weeks before it stays in this
year (an out-of-office left on after the return, not one a year ahead). "Through", "bis
einschließlich", "t/m" and "inclus" mean the day after. Relative phrases other than "tomorrow"
("in two weeks", "next month") are not read.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

# Only this much of a reply is read: the return date is stated at the top; below are quotes.
MAX_CHARS = 1500
# A return further away than this is a misread (a year in a signature, a quoted date).
MAX_AHEAD = timedelta(days=400)
# A year-less date this many days before the message is a stale out-of-office, not next year.
STALE = timedelta(days=14)

_MONTHS = {
    1: "january jan januar janner janvier janv enero ene janeiro jan januari gennaio genn",
    2: "february feb februar fevrier fevr fev febrero fevereiro februari febbraio",
    3: "march mar marz maerz mars marzo marco maart mrt",
    4: "april apr avril avr abril aprile",
    5: "may mai mayo maio mei maggio",
    6: "june jun juni juin junio junho giugno",
    7: "july jul juli juillet juil julio julho luglio",
    8: "august aug aout agosto augustus",
    9: "september sep sept septembre septiembre setiembre setembro settembre",
    10: "october oct oktober okt octobre octubre outubro ottobre",
    11: "november nov novembre noviembre novembro",
    12: "december dec dezember dez decembre diciembre dic dezembro dicembre",
}
_MONTH = {word: n for n, words in _MONTHS.items() for word in words.split()}

# Monday = 0, as date.weekday() counts.
_WEEKDAYS = {
    0: "monday mon montag mo lundi lunes segunda maandag lunedi",
    1: "tuesday tue tues dienstag di mardi martes terca dinsdag martedi",
    2: "wednesday wed mittwoch mi mercredi miercoles quarta woensdag mercoledi",
    3: "thursday thu thur thurs donnerstag do jeudi jueves quinta donderdag giovedi",
    4: "friday fri freitag fr vendredi viernes sexta vrijdag venerdi",
    5: "saturday sat samstag sonnabend sa samedi sabado zaterdag",
    6: "sunday sun sonntag so dimanche domingo zondag domenica",
}
_WEEKDAY = {word: n for n, words in _WEEKDAYS.items() for word in words.split()}
# Two-letter German weekday abbreviations collide with words in every language; they count
# only directly before a date ("Mo, 17.03.").
# Portuguese ordinals ("quinta") and short words ("so", "do", "mi") likewise.
_AMBIGUOUS_WEEKDAYS = {
    "mo",
    "di",
    "mi",
    "do",
    "fr",
    "sa",
    "so",
    "segunda",
    "terca",
    "quarta",
    "quinta",
    "sexta",
}

# Read by watcher.mail.promises, which shares this date grammar.
MONTHS: Mapping[str, int] = _MONTH
WEEKDAYS: Mapping[str, int] = _WEEKDAY
AMBIGUOUS_WEEKDAYS = frozenset(_AMBIGUOUS_WEEKDAYS)

_MONTH_ALT = "|".join(sorted(_MONTH, key=len, reverse=True))
_WEEKDAY_ALT = "|".join(sorted(_WEEKDAY, key=len, reverse=True))


def _wd(tag: str) -> str:
    """An optional weekday before a date ("Monday 3/10", "Montag, den 14.03.")."""
    return (
        r"(?:(?P<wd" + tag + r">" + _WEEKDAY_ALT + r")(?:-feira)?\.?,?\s+"
        r"(?:the\s+|den\s+|dem\s+|le\s+|el\s+|il\s+|o\s+|dia\s+)?)?"
    )


_DATE_RE = re.compile(
    r"\b(?:"
    r"(?P<iso_y>\d{4})-(?P<iso_m>\d{1,2})-(?P<iso_d>\d{1,2})"
    r"|" + _wd("1") + r"(?P<dm_d>\d{1,2})(?:st|nd|rd|th|er|e|o|a|\.)?\s*(?:of\s+|de\s+|-)?"
    r"(?P<dm_m>" + _MONTH_ALT + r")\b\.?(?:,?\s*(?:de\s+)?(?P<dm_y>\d{4})\b)?"
    r"|"
    + _wd("2")
    + r"(?P<md_m>"
    + _MONTH_ALT
    + r")\.?\s+(?:the\s+)?(?P<md_d>\d{1,2})(?:st|nd|rd|th)?\b"
    r"(?:,?\s*(?P<md_y>\d{4})\b)?"
    r"|" + _wd("3") + r"(?P<dot_d>\d{1,2})\.(?P<dot_m>\d{1,2})(?:\.(?P<dot_y>\d{4}|\d{2})?)?(?!\d)"
    r"|" + _wd("4") + r"(?P<sl_a>\d{1,2})/(?P<sl_b>\d{1,2})(?:/(?P<sl_y>\d{4}|\d{2}))?(?![\d/])"
    r"|" + _wd("5") + r"(?P<ds_d>\d{1,2})-(?P<ds_m>\d{1,2})-(?P<ds_y>\d{4})"
    r"|the\s+(?P<th_d>\d{1,2})(?:st|nd|rd|th)\b"
    r"|(?P<wdo>" + _WEEKDAY_ALT + r")\b"
    r"|(?P<rel>tomorrow|demain|manana|amanha|domani)\b"
    r")",
)

# Return cues before a date, by language; "+" marks inclusive ones (back the day after).
_CUES_BEFORE = [
    (
        "en",
        r"\b(?:back|return(?:ing|s)?|until|till|til|resum(?:e|ing)"
        r"|(?:available|reachable|in the office) (?:again )?(?:from|on))\b",
    ),
    ("en+", r"\b(?:through|thru|up to and including|until and including)\b"),
    ("de", r"\b(?:zuruck|zurueck|wieder|bis(?: zum| am)?|erst (?:wieder )?(?:ab|am))\b"),
    ("de+", r"\b(?:bis (?:einschliesslich|einschl\.?|inkl\.?|inklusive)|einschliesslich)\b"),
    (
        "fr",
        r"(?:\bde retour|\bretour|\bjusqu.\s?(?:au|a|le)|\breviens|\breviendrai"
        r"|\brentre(?:rai)?)\b",
    ),
    (
        "es",
        r"\b(?:de vuelta|vuelta|regres(?:o|are|ara)|volvere|volvera|hasta(?: el)?"
        r"|reincorporo|reincorporare)\b",
    ),
    (
        "pt",
        r"\b(?:de volta|volta|voltarei|retorno|retornarei|regresso|ate(?: o dia| dia| o| a)?)\b",
    ),
    ("nl", r"\b(?:terug|weer|tot(?: en met| en)?|t/m)\b"),
    ("it", r"\b(?:di ritorno|ritorno|rientro|rientrero|tornero|torno|fino (?:al|a|il))\b"),
]
_INCLUSIVE_AFTER_RE = re.compile(
    r"\s*\(?(?:inclus|inclusive|inclusief|incluido|incluso|included|einschliesslich|inkl)\b"
)
_INCLUSIVE_NL = re.compile(r"\b(?:tot en met|t/m)\s*$")
_CUE_BEFORE_RE = re.compile("|".join(f"(?P<c{i}>{rx})" for i, (_, rx) in enumerate(_CUES_BEFORE)))
# Return cues after a date: "ab dem 17.3. wieder im Büro", "vanaf 7 april weer aanwezig".
_CUE_AFTER_RE = re.compile(
    r"\b(?:wieder|zuruck|zurueck|weer|terug|back|de retour|de nuevo|de vuelta|de volta|di nuovo)\b"
)
_START_RE = re.compile(
    r"\b(?:from|vom|von|ab|du|des|depuis|desde|del|de|van|vanaf|dal|dall|since|seit)"
    r"(?:\s+(?:the|dem|den|le|el|il|o|dia))?\s*$"
)
_WEEKDAY_GAP_RE = re.compile(
    r"\s*(?:on|am|le|el|op|il|next|this|coming|on the|ce|este|deze|questo)?\s*"
)
_COMBINING_RE = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_TOKEN_RE = re.compile(r"[a-z]+|\d+")
_ANCHOR_WORDS = (
    frozenset(_MONTH)
    | frozenset(_WEEKDAY)
    | {"the", "tomorrow", "demain", "manana", "amanha", "domani"}
)
_CLAUSE_BREAK_RE = re.compile(r"[!?;\n]|\.\s+(?=[a-z]{2})")


def fold(text: str) -> str:
    """Lower-case ASCII-ish text: accents dropped so 'zurück' matches 'zuruck'."""
    lowered = text.lower()
    if lowered.isascii():
        return lowered
    decomposed = unicodedata.normalize("NFKD", lowered)
    return _COMBINING_RE.sub("", decomposed).replace("ß", "ss")


def _date_matches(folded: str) -> Iterator[re.Match[str]]:
    """Dates in order, tried only where a number or a month or weekday name starts.

    Running the date pattern over every position cost 6 ms for 3 KB of text (it has a dozen
    branches, five of them behind an optional weekday); anchoring it at candidate words
    costs a few hundred microseconds.
    """
    resume = 0
    for token in _TOKEN_RE.finditer(folded):
        start = token.start()
        word = token.group()
        if start < resume or not (word[0].isdigit() or word in _ANCHOR_WORDS):
            continue
        m = _DATE_RE.match(folded, start)
        if m is not None:
            resume = m.end()
            yield m


@dataclass(frozen=True)
class DateMention:
    """A date written in folded text, resolved against the message date."""

    start: int
    end: int
    day: date
    bare: bool  # a weekday or "tomorrow" alone, with no day or month beside it
    numeric: bool  # digits only ("14.03.", "3/10"), no month name and no year


def date_mentions(folded: str, sent: date, lang: str = "xx") -> Iterator[DateMention]:
    """Every date in ``folded`` (text already passed through ``fold``), in order.

    No cue is looked for: the caller decides what a date means from the words around it.
    ``lang`` "en" reads 3/10 as March 10, any other as 3 October (a weekday beside it settles
    it either way).
    """
    for m in _date_matches(folded):
        found = _resolve(m, sent, lang)
        if found is None:
            continue
        g = m.groupdict()
        bare = bool(g["wdo"] or g["rel"])
        has_month = bool(g["dm_m"] or g["md_m"])
        has_year = any(g[k] for k in ("iso_y", "dm_y", "md_y", "dot_y", "sl_y", "ds_y"))
        numeric = not (bare or has_month or has_year or g["th_d"])
        yield DateMention(m.start(), m.end(), found, bare, numeric)


def _next_on_or_after(month: int, day: int, sent: date) -> date | None:
    try:
        recent = date(sent.year, month, day)
    except ValueError:
        recent = None
    if recent is not None and sent - STALE <= recent < sent:
        # An out-of-office left on after its return day: the day just past, not next year's.
        return recent
    for year in range(sent.year, sent.year + 9):
        try:
            found = date(year, month, day)
        except ValueError:
            if month > 12 or day > 31:
                return None
            continue
        if found >= sent:
            return found
    return None


def _explicit(year: int, month: int, day: int) -> date | None:
    if year < 100:
        year += 2000
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _resolve(m: re.Match[str], sent: date, lang: str) -> date | None:
    g = m.groupdict()
    if g["iso_y"]:
        return _explicit(int(g["iso_y"]), int(g["iso_m"]), int(g["iso_d"]))
    if g["rel"]:
        return sent + timedelta(days=1)
    if g["wdo"]:
        if g["wdo"] in _AMBIGUOUS_WEEKDAYS:
            return None
        ahead = (_WEEKDAY[g["wdo"]] - sent.weekday() - 1) % 7 + 1
        return sent + timedelta(days=ahead)
    if g["th_d"]:
        return _day_of_month(int(g["th_d"]), sent)
    wd_word = next((g[k] for k in ("wd1", "wd2", "wd3", "wd4", "wd5") if g[k]), "")
    return _first_reading(_readings(m, lang), sent, wd_word)


def _day_of_month(day: int, sent: date) -> date | None:
    """'the 14th': the first such day on or after ``sent``, looking up to two months ahead."""
    for months_ahead in range(3):
        month = (sent.month - 1 + months_ahead) % 12 + 1
        year = sent.year + (sent.month - 1 + months_ahead) // 12
        found = _explicit(year, month, day)
        if found and found >= sent:
            return found
    return None


def _readings(m: re.Match[str], lang: str) -> list[tuple[int, int, str | None]]:
    """(day, month, year text) for each way the matched date can be read, likeliest first."""
    g = m.groupdict()
    options: list[tuple[int, int, str | None]] = []
    for dd, mm, yy in (("dm_d", "dm_m", "dm_y"), ("md_d", "md_m", "md_y")):
        if g[dd]:
            options.append((int(g[dd]), _MONTH[g[mm]], g[yy]))
    if g["dot_d"]:
        options.append((int(g["dot_d"]), int(g["dot_m"]), g["dot_y"]))
    if g["ds_d"]:
        options.append((int(g["ds_d"]), int(g["ds_m"]), g["ds_y"]))
    if g["sl_a"]:
        a, b = int(g["sl_a"]), int(g["sl_b"])
        # US month/day for English text, day/month elsewhere; a weekday settles it either way.
        pairs = [(b, a), (a, b)] if lang.startswith("en") else [(a, b), (b, a)]
        options.extend((d, mo, g["sl_y"]) for d, mo in pairs if d != mo or (d, mo) == pairs[0])
    return options


def _first_reading(
    options: list[tuple[int, int, str | None]], sent: date, wd_word: str
) -> date | None:
    """The first reading that is a real date, preferring one on the weekday written beside it."""
    found_dates = []
    for day, month, year_text in options:
        found = (
            _explicit(int(year_text), month, day)
            if year_text
            else _next_on_or_after(month, day, sent)
        )
        if found is not None:
            found_dates.append(found)
    if wd_word and wd_word in _WEEKDAY:
        matching = [d for d in found_dates if d.weekday() == _WEEKDAY[wd_word]]
        if matching:
            return matching[0]
    return found_dates[0] if found_dates else None


def _clause_tail(text: str) -> str:
    breaks = list(_CLAUSE_BREAK_RE.finditer(text))
    return text[breaks[-1].end() :] if breaks else text


def _clause_head(text: str) -> str:
    brk = _CLAUSE_BREAK_RE.search(text)
    return text[: brk.start()] if brk else text


def find_return_date(text: str, sent: date) -> date | None:
    """The return date an out-of-office text states, or None when it states none."""
    folded = fold(text[:MAX_CHARS])
    candidates: list[date] = []
    prev_end = 0
    for m in _date_matches(folded):
        # Cues before an earlier date belong to that date, not this one.
        before = _clause_tail(folded[max(prev_end, m.start() - 50) : m.start()])
        after = _clause_head(folded[m.end() : m.end() + 40])
        prev_end = m.end()
        cue = None
        for cue_match in _CUE_BEFORE_RE.finditer(before):
            cue = cue_match
        gap = before[cue.end() :] if cue is not None else ""
        inclusive = False
        if cue is not None and not _START_RE.search(gap):
            lang = _CUES_BEFORE[int(str(cue.lastgroup)[1:])][0]
            inclusive = lang.endswith("+") or bool(_INCLUSIVE_NL.search(before))
        elif _CUE_AFTER_RE.search(after):
            cue, lang = None, ("en" if re.search(r"\bback\b", after) else "xx")
        else:
            continue
        if (m.group("wdo") or m.group("rel")) and (
            cue is None or not _WEEKDAY_GAP_RE.fullmatch(gap)
        ):
            # A bare weekday counts only right after its cue: "back on Monday", "bis Montag".
            continue
        found = _resolve(m, sent, lang)
        if found is None:
            continue
        if inclusive:
            found += timedelta(days=1)
        if _INCLUSIVE_AFTER_RE.match(after) and not inclusive:
            found += timedelta(days=1)
        if sent - STALE <= found <= sent + MAX_AHEAD:
            candidates.append(found)
    # "out until 13 March, back on 14 March": the latest stated day is when they are back.
    return max(candidates) if candidates else None
