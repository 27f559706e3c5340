"""The day a holding reply promises an answer by (pure: the reply's date is passed in).

"I'll get back to you by Friday", "je reviens vers vous d'ici la fin de la semaine prochaine",
"Bel me volgende week even", "ich melde mich spätestens nächste Woche", "te escribimos la
semana que viene", "te retorno até sexta": English, German, French, Spanish, Portuguese, Dutch.

Each phrase gives the last day the writer gave themselves; the next ask is due the business
day after it. What is read:

- dates, as the out-of-office reader reads them ("by 14 March", "bis zum 14.03.", "avant le
  20 mars"), and days of the month after a cue ("before the 20th", "avant le 20", "antes del
  20", "até dia 15", "vor dem 20.", "voor de 20e"); "by" and "before" X both mean X, "after X"
  the business day after X;
- weekdays after a cue ("by Friday", "bis Freitag", "d'ici vendredi", "antes del viernes", "até
  sexta", "uiterlijk vrijdag", "get back to you Friday"): the next one; "next Tuesday" (and
  "mardi prochain", "nächsten Dienstag", "el próximo martes", "volgende week dinsdag") is the
  Tuesday of next week; "this/coming Tuesday" the next one;
- weeks: "this week", "end of the week" (its Friday); "next week", "end of next week" (next
  week's Friday); "early next week" (Tuesday), "mid next week" (Wednesday); "the week after next";
- months: "end of the month" (its last day), "next month" (the last day of next month), "early /
  mid / end of April" (the 7th / 15th / last day), "in April" (its last day);
- spans: "in two weeks", "d'ici quinze jours", "binnen 5 werkdagen", "in den nächsten Tagen" (no
  number: 3 business days, 2 weeks, 1 month), "tomorrow", "today", "after the weekend" (Monday),
  "over the weekend" (Sunday), "before the weekend" (Friday);
- holidays: "after Christmas / the new year" (6 January), "after Easter" (Easter Monday), and
  "after the holidays" ("après les vacances", "nach den Ferien", "na de vakantie"): in June to
  August the end of August, in December 6 January, around Easter a week after Easter Monday,
  otherwise two weeks.

Care, as in ``returndate``: a date counts only on or after the reply's own day and at most
``MAX_AHEAD`` after it; a bare weekday, "tomorrow" in Spanish, a day of the month or a date in
digits only ("14.03.") counts only right after a cue; nothing counts right after a start or past
cue ("since 3 March", "we met on Monday", "last Friday"). Of several, the latest wins: "the
panel meets on Thursday; I'll come back to you early next week" is early next week's Tuesday.
"As soon as I know" and other promises without a time give None: the caller restarts its clock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from watcher.language import detect_language
from watcher.mail.returndate import date_mentions, fold

MAX_CHARS = 1500  # the promise is near the top; below are signatures and quotes
MAX_AHEAD = timedelta(days=200)  # "after the summer" in May; further is a misread


@dataclass(frozen=True)
class Promise:
    """A promised day and the sentence that promises it, as written."""

    day: date
    sentence: str


def _alt(words: str) -> str:
    """A regex alternation of '|'-separated phrases, longest first, spaces as \\s+."""
    parts = sorted({w.strip() for w in words.split("|") if w.strip()}, key=len, reverse=True)
    return "(?:" + "|".join(p.replace(" ", r"\s+") for p in parts) + ")"


# -- words ----------------------------------------------------------------------------------

_WD_NAMES = {
    0: "monday|montag|lundi|lunes|segunda-feira|segunda|maandag",
    1: "tuesday|dienstag|mardi|martes|terca-feira|terca|dinsdag",
    2: "wednesday|mittwoch|mercredi|miercoles|quarta-feira|quarta|woensdag",
    3: "thursday|donnerstag|jeudi|jueves|quinta-feira|quinta|donderdag",
    4: "friday|freitag|vendredi|viernes|sexta-feira|sexta|vrijdag",
    5: "saturday|samstag|sonnabend|samedi|sabado|zaterdag",
    6: "sunday|sonntag|dimanche|domingo|zondag",
}
_WD = {w: n for n, ws in _WD_NAMES.items() for w in ws.split("|")}
WD = _alt("|".join(_WD))

_MONTH_NAMES = {
    1: "january|januar|janner|janvier|enero|janeiro|januari",
    2: "february|februar|fevrier|febrero|fevereiro|februari",
    3: "march|marz|maerz|mars|marzo|marco|maart",
    4: "april|avril|abril",
    5: "may|mai|mayo|maio|mei",
    6: "june|juni|juin|junio|junho",
    7: "july|juli|juillet|julio|julho",
    8: "august|aout|agosto|augustus",
    9: "september|septembre|septiembre|setiembre|setembro",
    10: "october|oktober|octobre|octubre|outubro",
    11: "november|novembre|noviembre|novembro",
    12: "december|dezember|decembre|diciembre|dezembro",
}
_MON = {w: n for n, ws in _MONTH_NAMES.items() for w in ws.split("|")}
MONTH = _alt("|".join(_MON))

_NUMBERS = {
    1: "a|an|one|1|ein|eine|einer|einem|einen|un|une|uno|una|um|uma|een",
    2: "two|2|a couple of|couple of|zwei|deux|dos|dois|duas|twee|un par de|um par de|een paar",
    3: "three|3|a few|few|drei|ein paar|paar|einigen|trois|quelques|tres|unos|unas|algunos"
    "|algunas|alguns|algumas|drie|enkele|een aantal|several",
    4: "four|4|vier|quatre|cuatro|quatro",
    5: "five|5|funf|fuenf|cinq|cinco|vijf",
    6: "six|6|sechs|seis|zes",
    7: "seven|7|sieben|sept|siete|sete|zeven|huit",  # "huit jours": a week
    8: "eight|8|acht|ocho|oito",
    10: "ten|10|zehn|dix|diez|dez|tien",
    14: "fourteen|14|vierzehn|quinze|quince|veertien|15",  # "quinze jours": a fortnight
}
_NUM = {w: n for n, ws in _NUMBERS.items() for w in ws.split("|")}
NUM = _alt("|".join(_NUM))

# Units of a span: d(ays), b(usiness days), w(eeks), m(onths).
_UNITS = {
    "b": "business days|business day|working days|working day|work days|werktage|werktagen"
    "|arbeitstage|arbeitstagen|jours ouvres|jours ouvrables|dias habiles|dias laborables"
    "|dias uteis|werkdagen|werkdag",
    "d": "days|day|tage|tagen|tag|jours|jour|dias|dia|dagen|dag",
    "w": "weeks|week|wochen|woche|semaines|semaine|semanas|semana|weken",
    "m": "months|month|monate|monaten|monat|mois|meses|mes|maanden|maand",
}
_UNIT = {w: k for k, ws in _UNITS.items() for w in ws.split("|")}
UNIT = _alt("|".join(_UNIT))

_SPAN_PREFIX = _alt(
    "within|in|over|within the next|in the next|over the next|in the coming|during the next"
    "|binnen|binnen de|in de komende|de komende|over|innerhalb|innerhalb von|innerhalb der"
    "|innerhalb der nachsten|in den nachsten|in den kommenden|im laufe der nachsten|dans|dans les"
    "|dans les prochains|dans les prochaines|d'ici|sous|en|en los proximos|en las proximas"
    "|en unos|en unas|dentro de|en el plazo de|em|nos proximos|nas proximas|daqui a"
    "|no prazo de|ao longo dos proximos|les prochains|los proximos|os proximos|the next"
)

_EARLY = _alt(
    "early|earlier|beginning of|the beginning of|start of|the start of|at the start of"
    "|at the beginning of|debut|debut de|au debut de|en debut de|des le debut de|anfang"
    "|zu beginn|zu beginn der|principios de|a principios de|comienzos de|a comienzos de"
    "|inicio de|inicio da|no inicio da|no inicio de|comeco da|no comeco da|begin|begin van"
    "|in het begin van|aan het begin van|het begin van"
)
_MID = _alt(
    "mid|mid-|middle of|the middle of|in the middle of|milieu de|au milieu de|en milieu de"
    "|mi-|mitte|mediados de|a mediados de|meados de|em meados de|meio da|no meio da"
    "|midden|halverwege|half"
)
_END = _alt(
    "end of|the end of|by the end of|at the end of|late|fin|fin de|fin du|a la fin de"
    "|a la fin du|en fin de|d'ici la fin de|d'ici la fin du|ende|ende der|ende des|gegen ende"
    "|bis ende|finales de|a finales de|final de|al final de|final del|a fines de|fines de"
    "|fim de|fim da|fim do|final da|final do|no final da|no final do|ate o final da"
    "|ate o final do|ate o fim da|ate o fim do|eind|eind van|einde van|aan het eind van"
    "|tegen het eind van|tegen het einde van|aan het einde van"
)
_NEXT_WEEK = _alt(
    "next week|the following week|the coming week|this coming week|nachste woche"
    "|nachsten woche|nachster woche|naechste woche|naechsten woche|kommende woche"
    "|kommenden woche|der nachsten woche|der kommenden woche|la semaine prochaine"
    "|semaine prochaine|la semaine suivante|la semana que viene|la proxima semana"
    "|proxima semana|semana que viene|la semana proxima|semana que vem|a semana que vem"
    "|da semana que vem|da proxima semana|a proxima semana|na proxima semana"
    "|na semana que vem|volgende week|komende week|de volgende week|van volgende week"
)
_THIS_WEEK = _alt(
    "this week|later this week|in the course of the week|cette semaine|plus tard cette semaine"
    "|au cours de la semaine|diese woche|dieser woche|noch diese woche|im laufe der woche"
    "|esta semana|essa semana|nesta semana|ainda esta semana|ainda essa semana|deze week"
    "|later deze week|nog deze week|in de loop van de week"
)
# The week after "end of", "early", "mid": "fin de la semaine", "Ende der Woche".
_WEEK_NOUN = _alt(
    "week|the week|this week|semaine|la semaine|cette semaine|woche|der woche|diese woche"
    "|dieser woche|semana|la semana|esta semana|essa semana|da semana|desta semana|de week"
    "|deze week"
)
_WEEK_AFTER_NEXT = _alt(
    "the week after next|ubernachste woche|ubernachsten woche|uebernachste woche"
    "|la semaine d'apres|la semana siguiente|na outra semana|de week daarna|de week erna"
)
_NEXT_MONTH = _alt(
    "next month|the following month|nachsten monat|nachster monat|nachsten monats"
    "|kommenden monat|im nachsten monat|im kommenden monat|le mois prochain|mois prochain"
    "|du mois prochain|el mes que viene|el proximo mes|del mes que viene|del proximo mes"
    "|proximo mes|mes que vem|o proximo mes|do proximo mes|do mes que vem|volgende maand"
    "|komende maand|van volgende maand"
)
_THIS_MONTH = _alt(
    "this month|the month|ce mois|ce mois-ci|du mois|le mois|diesen monat|dieses monats"
    "|des monats|este mes|del mes|de mes|este mes|deste mes|do mes|deze maand|van de maand"
    "|de maand|van deze maand|month|monats|monat|mois|mes|maand"
)

_NEXT_WD = (
    r"(?:next|the following|nachsten|nachster|naechsten|el proximo|la proxima|na proxima"
    r"|proxima|proximo|volgende|volgende week)\s+(?P<a>" + WD + r")"
    r"|(?P<b>" + WD + r")(?:\s+(?:of|de|der|da|van))?\s+(?:la\s+|the\s+)?(?:" + _NEXT_WEEK + r")"
    r"|(?P<c>" + WD + r")\s+(?:prochain|que viene|que vem|proximo|en huit)"
)
_THIS_WD = (
    r"(?:this|this coming|coming|diesen|kommenden|ce|este|esta|nesta|neste|deze|aanstaande"
    r"|komende)\s+(?P<a>" + WD + r")"
)

_TOMORROW = _alt("tomorrow|morgen|demain|manana|amanha")
_DAY_AFTER_TOMORROW = _alt(
    "the day after tomorrow|ubermorgen|uebermorgen|apres-demain|apres demain|pasado manana"
    "|depois de amanha|overmorgen"
)
_TODAY = _alt(
    "today|later today|tonight|end of day|end of the day|by eod|eod|heute|heute noch|heute abend"
    "|im laufe des tages|aujourd'hui|ce soir|dans la journee|hoy|esta tarde|esta noche|hoje"
    "|ainda hoje|hoje a tarde|vandaag|vanavond|vanmiddag|nog vandaag"
)
_AFTER_WEEKEND = _alt(
    "after the weekend|nach dem wochenende|apres le week-end|apres le weekend"
    "|despues del fin de semana|tras el fin de semana|depois do fim de semana"
    "|apos o fim de semana|na het weekend|na het weekeinde"
)
_OVER_WEEKEND = _alt(
    "over the weekend|this weekend|at the weekend|am wochenende|ubers wochenende|ce week-end"
    "|ce weekend|pendant le week-end|este fin de semana|el fin de semana|durante el fin de semana"
    "|neste fim de semana|no fim de semana|este fim de semana|dit weekend|in het weekend"
)
_BEFORE_WEEKEND = _alt(
    "before the weekend|vor dem wochenende|bis zum wochenende|avant le week-end"
    "|avant le weekend|antes del fin de semana|antes do fim de semana|voor het weekend"
    "|voor het weekeinde"
)
_AFTER_CHRISTMAS = _alt(
    "after christmas|after the new year|in the new year|after new year|after the holiday season"
    "|nach weihnachten|nach neujahr|nach den feiertagen|im neuen jahr|apres noel|apres les fetes"
    "|apres le nouvel an|despues de navidad|despues de las fiestas|despues de reyes"
    "|en el ano nuevo|depois do natal|apos o natal|depois das festas|depois do ano novo"
    "|no ano novo|na kerst|na de kerst|na de feestdagen|na nieuwjaar|in het nieuwe jaar"
)
_AFTER_EASTER = _alt(
    "after easter|nach ostern|apres paques|despues de semana santa|despues de pascua"
    "|depois da pascoa|apos a pascoa|na pasen"
)
_AFTER_HOLIDAYS = _alt(
    "after the holidays|after the summer|after the summer holidays|after the summer break"
    "|after the break|after my holiday|after my holidays|after my vacation|after the vacation"
    "|after the holiday|when i'm back from holiday|nach den ferien|nach dem urlaub"
    "|nach meinem urlaub|nach der sommerpause|nach den sommerferien|nach der urlaubszeit"
    "|apres les vacances|apres mes vacances|apres l'ete|a la rentree|apres la rentree"
    "|des la rentree|despues de las vacaciones|despues de mis vacaciones|despues del verano"
    "|a la vuelta de vacaciones|a la vuelta de las vacaciones|tras las vacaciones"
    "|a la vuelta del verano|depois das ferias|apos as ferias|depois do verao"
    "|na volta das ferias|na de vakantie|na mijn vakantie|na de zomer|na de zomervakantie"
    "|na de zomerstop|na het reces"
)

# A day of the month after an article: "le 20", "el 20", "el dia 20", "dia 15", "den 20.",
# "the 20th", "de 20e". Never before a month or another number (that is a date).
_DAY_OF_MONTH = (
    r"(?:the|le|el dia|el|del|al|au|ao|ao dia|do dia|o dia|dia|den|dem|zum|am|de)\s+"
    r"(?P<d>[0-3]?\d)"
    r"(?:st|nd|rd|th|er|e|ste|de|\.)?(?![\d.:/]*\d)"
    r"(?!\.?\s*(?:(?:de|of|-)\s*)?(?:" + MONTH + "|" + UNIT + r"|h\b|uhr|heures?|%))"
)
# A weekday and a day of the month: "viernes 28", "Friday the 28th", "Freitag, den 28.".
_WEEKDAY_DAY = (
    r"(?P<a>" + WD + r")(?:-feira)?,?\s+(?:(?:the|den|dem|le|el|o|dia|de)\s+)?(?P<d>[0-3]?\d)"
    r"(?:st|nd|rd|th|er|e|ste|de|\.)?(?![\d.:/]*\d)"
    r"(?!\.?\s*(?:(?:de|of|-)\s*)?(?:" + MONTH + "|" + UNIT + r"|h\b|uhr|heures?|%|:))"
)

# Cues before a date. "By" and "before" X both mean X (an answer by then); "after" X the
# business day after X.
_BY_CUES = _alt(
    "by|before|until|till|til|on|no later than|at the latest|latest by|around|for"
    "|bis|bis zum|bis zur|bis spatestens|spatestens|spatestens am|spatestens bis|vor|am|zum"
    "|gegen|d'ici|d'ici a|d'ici au|avant|au plus tard|au plus tard le|pour|jusqu'a|jusqu'au"
    "|vers|antes|antes de|antes del|para|para el|hasta|hasta el|como muy tarde|a mas tardar|sobre"
    "|ate|ate a|ate o|ate ao|antes da|antes do|no maximo|o mais tardar|voor|uiterlijk"
    "|uiterlijk op|op|tot|tegen|rond"
)
_AFTER_CUES = _alt(
    "after|nach|nach dem|nach der|apres|apres le|despues de|despues del|tras|tras el"
    "|depois de|depois da|depois do|apos|apos a|apos o"
)
# Words a promise puts right before its day: "get back to you Friday", "melde mich Freitag",
# "reviens vers vous vendredi", "te escribo mañana", "te retorno sexta", "bel me vrijdag".
_OBJECT_CUES = _alt(
    "you|us|it|ihnen|dich|euch|mich|uns|vous|te|toi|lhe|lhes|voce|je|u|jullie|het"
    "|back|touch|know|call|ring|write|email|reply|respond|answer|decide|update|confirm"
    "|melde|melden|rufe|schreibe|sage|gebe|antworte|bescheid|zuruck"
    "|reviens|reviendrai|reviendrons|appelle|rappelle|ecris|ecrirai|dis|dirai|contacte"
    "|recontacte|envoie|enverrai|confirme"
    "|escribo|escribimos|digo|decimos|aviso|avisamos|contesto|contestamos|respondo"
    "|respondemos|llamo|llamamos|confirmo|cuento|comento"
    "|retorno|retornamos|avisamos|falo|falamos|ligo|ligamos|escrevo|escrevemos"
    "|terug|weten|bel|bellen|mail|mailen|hoort|horen"
)
# A start or a past, right before the date: it is not what is promised.
_NOT_A_PROMISE = re.compile(
    r"\b(?:since|from|last|ago|met|was|were|had|did|spoke|came|went|interviewed|said|told|sent"
    r"|received|previous|past|seit|vom|von|ab|letzten|letzte|letzter|vergangenen|vergangene"
    r"|vorigen|vorige|war|waren|hatten|hatte|gestern|gesprochen|getroffen|depuis|des|dernier"
    r"|derniere|passe|passee|etait|avons eu|hier|rencontre|desde|pasado|pasada|anterior|fue"
    r"|fuimos|tuvimos|hablamos|vimos|ayer|estuvo|hace|a partir de|a partir del|passado"
    r"|passada|foi|fomos|tivemos|falamos|ontem|esteve|sinds|vanaf|van|vorige|afgelopen"
    r"|hadden|gisteren|gesproken|gezien|read|gelesen|lu|leido|lido|lida|gelezen)(?:\s+(?:the|on|am|le|el|o|a|de|den|dem|op|du|del)"
    r")?\s*$"
)
# A quoted header line's date ("Sent: 3/11/2025 2:44 PM") is when the original was sent.
_HEADER_BEFORE = re.compile(
    r"\b(?:sent|date|gesendet|datum|envoye|date d'envoi|enviado|fecha|data|verzonden|verstuurd"
    r"|received|on)\s*:\s*$"
)
# "After that" after a day: "the panel meets on Thursday; I'll update you after that".
_AFTER_THAT = re.compile(
    r"\b(?:after that|after this|afterwards|after the meeting|straight after|right after"
    r"|danach|im anschluss|gleich danach|daarna|na afloop|apres cela|apres ca|a l'issue"
    r"|despues de eso|justo despues|a continuacion|depois disso|logo depois|em seguida)\b"
)
# "After" an event on a day: "after our board meeting on Thursday", "nach dem Termin am Montag".
_AFTER_EVENT = re.compile(
    r"\b(?:after|nach|apres|despues de|depois d[eoa]|apos)(?:\s+[\w'-]+){1,4}?"
    r"\s+(?:on|am|le|el|no|na|op|this|next)?\s*$"
)
# A week already under way or past: "they've been slow this week" promises nothing.
_PAST_IN_CLAUSE = re.compile(
    r"\b(?:been|was|were|had|have had|war|waren|hatte|hatten|gewesen|ete|etait|etaient"
    r"|estado|sido|estuvo|estuvieron|fue|fueron|foi|foram|esteve|estiveram|geweest|hadden)\b"
)
_CLAUSE_BREAK = re.compile(r"[.!?;\n]\s|\n")
_CUE_WINDOW = 40  # characters before a date that its cue is looked for in


# -- the phrases, most specific first ---------------------------------------------------------

# "two or three", "two to three", "2-3", "deux à trois", "zwei bis drei", "twee tot drie".
_OR = r"(?:\s*[-\u2013]\s*|\s+(?:or|to|oder|bis|ou|a|o|y|e|tot|of|en)\s+)"

# Articles between "end of" and "next week": "fin de la semaine prochaine", "Ende der Woche".
_FILL = r"\s*(?:(?:the|of|de|la|der|des|da|van|het|du|do)\s+)*"

_PHRASES: list[tuple[str, str]] = [
    ("after_christmas", _AFTER_CHRISTMAS),
    ("after_easter", _AFTER_EASTER),
    ("after_holidays", _AFTER_HOLIDAYS),
    ("after_weekend", _AFTER_WEEKEND),
    ("before_weekend", _BEFORE_WEEKEND),
    ("over_weekend", _OVER_WEEKEND),
    ("day_after_tomorrow", _DAY_AFTER_TOMORROW),
    ("early_next_week", _EARLY + _FILL + _NEXT_WEEK),
    ("mid_next_week", _MID + _FILL + _NEXT_WEEK),
    ("end_next_week", _END + _FILL + _NEXT_WEEK),
    ("end_next_month", _END + _FILL + _NEXT_MONTH),
    ("early_next_month", _EARLY + _FILL + _NEXT_MONTH),
    ("mid_next_month", _MID + _FILL + _NEXT_MONTH),
    ("week_after_next", _WEEK_AFTER_NEXT),
    ("next_wd", _NEXT_WD),
    ("this_wd", _THIS_WD),
    ("next_week", _NEXT_WEEK),
    ("next_month", _NEXT_MONTH),
    ("end_month_name", _END + r"\s*(?:(?:of|de|van|the)\s+)?(?P<m>" + MONTH + r")\b"),
    ("early_month_name", _EARLY + r"\s+(?:(?:of|de|van|the)\s+)?(?P<m>" + MONTH + r")\b"),
    ("mid_month_name", _MID + r"\s*(?:(?:of|de|van|the)\s+)?(?P<m>" + MONTH + r")\b"),
    (
        "in_month_name",
        r"(?:in|im|en|em|au mois d'|au mois de|no mes de|in de maand)\s*(?P<m>"
        + MONTH
        + r")\b(?!\s*\d)",
    ),
    ("end_month", _END + _FILL + _THIS_MONTH),
    ("end_month", r"(?:monatsende|month-end|month end|fin de mois|fin-de-mois)"),
    ("end_week", _END + _FILL + _WEEK_NOUN),
    ("this_week", _THIS_WEEK),
    (
        "span",
        _SPAN_PREFIX + r"\s+(?:(?P<n>" + NUM + r")(?:" + _OR + r"(?P<n2>" + NUM + r"))?\s+)?"
        r"(?:(?:more|weitere|weiteren|autres)\s+)?(?P<u>" + UNIT + r")\b"
        r"(?:" + _OR + r"(?P<n3>" + NUM + r")\b)?",
    ),
    (
        "span",
        r"(?P<n>" + NUM + ")" + _OR + r"(?P<n2>" + NUM + r")\s+(?P<u>" + UNIT + r")\b",
    ),
    ("today", _TODAY),
    ("tomorrow", _TOMORROW),
    ("weekday_day", _WEEKDAY_DAY),
    ("day_of_month", _DAY_OF_MONTH),
    ("weekday", r"(?P<a>" + WD + r")"),
]
# A bare weekday or day of the month needs a cue; "today" too ("I'm chasing them today").
_NEEDS_CUE = {"weekday", "day_of_month", "today", "in_month_name"}
_UNNAMED = re.compile(r"\(\?P<\w+>")
_PHRASE_RE = re.compile(
    r"(?<![\w-])(?:"
    + "|".join(f"(?P<k{i}>{_UNNAMED.sub('(?:', rx)})" for i, (_, rx) in enumerate(_PHRASES))
    + r")(?![\w-])"
)
# Named groups inside each phrase are numbered apart in the combined pattern: read them from
# the phrase's own pattern.
_ONE = [re.compile(rx) for _, rx in _PHRASES]
_CUE_RE = re.compile(
    r"(?<![\w'])(?:(?P<after>"
    + _AFTER_CUES
    + r")|(?P<by>"
    + _BY_CUES
    + r")|(?P<obj>"
    + _OBJECT_CUES
    + r")|(?P<na>na|no|nesta|neste))"
    r"(?:\s+(?:the|le|la|el|o|a|de|den|dem|der|het|al|ao))?\s*,?\s*$"
)
# Portuguese ordinals that are weekdays too ("na segunda" Monday, "segunda entrevista" second).
_PT_SHORT_WEEKDAYS = {"segunda", "terca", "quarta", "quinta", "sexta"}
_PT_AFTER_WEEKDAY = re.compile(
    r"-feira|\s*(?:[,.!?;)]|$)|\s+(?:que|a|as|de|da|pela|e|ou|para|eu|te|lhe|sem|com|depois"
    r"|antes|ate|se|ja|ok|no|na|agora|mesmo|ao)\b"
)


# -- days -------------------------------------------------------------------------------------


def _next_business_day(day: date) -> date:
    day += timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _business_days(day: date, n: int) -> date:
    for _ in range(n):
        day = _next_business_day(day)
    return day


def _friday(day: date, weeks_ahead: int = 0) -> date:
    """The Friday of ``day``'s week (Monday to Sunday), ``weeks_ahead`` weeks on."""
    monday = day - timedelta(days=day.weekday())
    return monday + timedelta(days=4 + 7 * weeks_ahead)


def _weekday_of_week(day: date, weekday: int, weeks_ahead: int) -> date:
    monday = day - timedelta(days=day.weekday())
    return monday + timedelta(days=weekday + 7 * weeks_ahead)


def _next_weekday(day: date, weekday: int) -> date:
    """The next such weekday after ``day`` (one to seven days ahead)."""
    return day + timedelta(days=(weekday - day.weekday() - 1) % 7 + 1)


def _month_end(year: int, month: int) -> date:
    first_next = date(year + month // 12, month % 12 + 1, 1)
    return first_next - timedelta(days=1)


def _month_ahead(sent: date, months: int) -> tuple[int, int]:
    index = sent.month - 1 + months
    return sent.year + index // 12, index % 12 + 1


def _month_named(sent: date, month: int) -> int:
    """The year of the next such month (this one while it lasts)."""
    return sent.year if month >= sent.month else sent.year + 1


def easter(year: int) -> date:
    """Easter Sunday (Gregorian; the anonymous algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    leap = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * leap) // 451
    month = (h + leap - 7 * m + 114) // 31
    day = (h + leap - 7 * m + 114) % 31 + 1
    return date(year, month, day)


def _twelfth_night(sent: date) -> date:
    """6 January: the end of the Christmas holidays (this one in the first days of January)."""
    this = date(sent.year, 1, 6)
    return this if sent <= this else date(sent.year + 1, 1, 6)


def _easter_monday(sent: date) -> date:
    monday = easter(sent.year) + timedelta(days=1)
    return monday if monday >= sent - timedelta(days=7) else easter(sent.year + 1) + timedelta(1)


def holidays_end(sent: date) -> date:
    """The end of "the holidays" as said on ``sent``: summer, Christmas, Easter, or two weeks."""
    if sent.month in (6, 7, 8):
        return date(sent.year, 8, 31)
    if sent.month == 12 or (sent.month == 1 and sent.day <= 6):
        return _twelfth_night(sent)
    easter_monday = easter(sent.year) + timedelta(days=1)
    if easter_monday - timedelta(days=21) <= sent <= easter_monday + timedelta(days=7):
        return easter_monday + timedelta(days=7)
    return sent + timedelta(days=14)


def _span(n: int, unit: str, sent: date) -> date:
    if unit == "b":
        return _business_days(sent, n)
    if unit == "w":
        return sent + timedelta(weeks=n)
    if unit == "m":
        year, month = _month_ahead(sent, n)
        return min(date(year, month, 1) + timedelta(days=sent.day - 1), _month_end(year, month))
    if n <= 3:
        return _business_days(sent, n)  # "in a few days": working days
    return sent + timedelta(days=n)


_SPAN_DEFAULT = {"d": 3, "b": 3, "w": 2, "m": 1}


def _phrase_day(kind: str, g: dict[str, str | None], sent: date) -> date | None:  # noqa: C901
    """The day a phrase of this kind means, said on ``sent``."""
    simple = {
        "after_christmas": lambda: _twelfth_night(sent),
        "after_easter": lambda: _easter_monday(sent),
        "after_holidays": lambda: holidays_end(sent),
        "after_weekend": lambda: (
            _weekday_of_week(sent + timedelta(days=2), 0, 1)
            if sent.weekday() < 5
            else _next_weekday(sent, 0)
        ),
        "before_weekend": lambda: _friday(sent) if sent.weekday() < 5 else _friday(sent, 1),
        "over_weekend": lambda: _weekday_of_week(sent, 6, 0 if sent.weekday() < 6 else 1),
        "day_after_tomorrow": lambda: sent + timedelta(days=2),
        "early_next_week": lambda: _weekday_of_week(sent, 1, 1),
        "mid_next_week": lambda: _weekday_of_week(sent, 2, 1),
        "end_next_week": lambda: _friday(sent, 1),
        "next_week": lambda: _friday(sent, 1),
        "week_after_next": lambda: _friday(sent, 2),
        "this_week": lambda: _friday(sent) if sent.weekday() < 5 else _friday(sent, 1),
        "end_week": lambda: _friday(sent) if sent.weekday() < 5 else _friday(sent, 1),
        "end_month": lambda: _month_end(sent.year, sent.month),
        "end_next_month": lambda: _month_end(*_month_ahead(sent, 1)),
        "next_month": lambda: _month_end(*_month_ahead(sent, 1)),
        "early_next_month": lambda: date(*_month_ahead(sent, 1), 7),
        "mid_next_month": lambda: date(*_month_ahead(sent, 1), 15),
        "today": lambda: sent,
        "tomorrow": lambda: sent + timedelta(days=1),
    }
    if kind in simple:
        return simple[kind]()
    if kind in ("next_wd", "this_wd", "weekday"):
        word = g.get("a") or g.get("b") or g.get("c") or ""
        weekday = _WD[word]
        if kind == "next_wd":
            return _weekday_of_week(sent, weekday, 1)
        return _next_weekday(sent, weekday)
    if kind.endswith("month_name"):
        month = _MON[g["m"] or ""]
        year = _month_named(sent, month)
        day = {"end": _month_end(year, month).day, "early": 7, "mid": 15, "in": 0}[
            kind.split("_")[0]
        ]
        return date(year, month, day or _month_end(year, month).day)
    if kind == "span":
        unit = _UNIT[g["u"] or ""]
        n = max(_NUM.get(g.get(k) or "", 0) for k in ("n", "n2", "n3"))
        return _span(n or _SPAN_DEFAULT[unit], unit, sent)
    if kind == "day_of_month":
        return _day_of_month(int(g["d"] or 0), sent)
    if kind == "weekday_day":
        return _day_of_month(int(g["d"] or 0), sent, _WD[g["a"] or ""])
    return None


def _day_of_month(day: int, sent: date, weekday: int | None = None) -> date | None:
    """'the 20th': the first such day on or after ``sent``, up to two months ahead; with a
    weekday ("Friday the 28th"), the first that falls on it, else the first."""
    days = []
    for months in range(3):
        year, month = _month_ahead(sent, months)
        try:
            found = date(year, month, day)
        except ValueError:
            continue
        if found >= sent:
            days.append(found)
    on_weekday = [d for d in days if d.weekday() == weekday]
    return next(iter(on_weekday or days), None)


# -- reading ----------------------------------------------------------------------------------


def _fold_mapped(text: str) -> tuple[str, list[int]]:
    """``fold(text)`` and, for each folded character, where it came from in ``text``."""
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        f = ch.lower() if ch.isascii() else fold(ch).replace("\u2019", "'")
        out.append(f)
        where.extend([i] * len(f))
    return "".join(out), where


def _clause_before(folded: str, start: int, window: int = 80) -> str:
    before = folded[max(0, start - window) : start]
    breaks = list(_CLAUSE_BREAK.finditer(before))
    return before[breaks[-1].end() :] if breaks else before


def _cue_before(folded: str, start: int, lang: str) -> str | None:
    """What stands right before a date in its clause: "not", "by", "after", or None."""
    before = _clause_before(folded, start, _CUE_WINDOW)
    if _NOT_A_PROMISE.search(before) or _HEADER_BEFORE.search(folded, 0, start):
        return "not"
    cue = _CUE_RE.search(before)
    if cue is None:
        return "after" if _AFTER_EVENT.search(before) else None
    if cue.group("by") and _AFTER_EVENT.search(before):
        return "after"  # "after our board meeting on Thursday"
    if cue.group("after"):
        return "after"
    if cue.group("na"):
        # Dutch "na vrijdag" is after Friday; Portuguese "na sexta" is on Friday.
        return "after" if lang == "nl" and cue.group("na") == "na" else "by"
    return "by"


def _with_cue(cue: str | None, day: date, needs_cue: bool) -> date | None:
    if cue == "not" or (cue is None and needs_cue):
        return None
    return _next_business_day(day) if cue == "after" else day


def _sentence(text: str, start: int, end: int) -> str:
    """The sentence around text[start:end], whitespace folded."""
    left = max(text.rfind(c, 0, start) for c in ".!?\n")
    right_candidates = [i for i in (text.find(c, end) for c in ".!?\n") if i != -1]
    right = min(right_candidates) + 1 if right_candidates else len(text)
    return " ".join(text[left + 1 : right].split())


def _lang_ok(kind: str, cue: str | None, folded: str, start: int, end: int, lang: str) -> bool:
    """Words that mean one thing in one language and another in the next."""
    word = folded[start:end]
    before = folded[max(0, start - 12) : start]
    if kind == "tomorrow":
        # "guten Morgen", "por la mañana", "esta mañana": a morning, not tomorrow.
        if re.search(r"(?:guten|heute|la|esta|cada|am|this|every)\s+$", before):
            return False
        if word == "morgen" and lang not in ("de", "nl"):
            return False
        if word == "manana" and lang != "es":
            return cue is not None
    if kind in ("weekday", "this_wd", "next_wd") and word.split()[-1] in _PT_SHORT_WEEKDAYS:
        return lang == "pt" and bool(_PT_AFTER_WEEKDAY.match(folded, end))
    return True


def find_promise(text: str, sent: date, lang: str | None = None) -> Promise | None:
    """The latest day a holding reply promises an answer by, or None when it names none."""
    head = text[:MAX_CHARS]
    folded, where = _fold_mapped(head)
    lang = lang or detect_language(head)
    found: list[tuple[date, int, int]] = []
    # Dates first: "Thursday 4 December" is one date, not "Thursday".
    dates = [m for m in date_mentions(folded, sent, "en" if lang == "en" else "xx") if not m.bare]
    taken: list[tuple[int, int]] = []
    for m in _PHRASE_RE.finditer(folded):
        index = int(str(m.lastgroup)[1:])
        kind = _PHRASES[index][0]
        if kind in ("weekday", "this_wd") and any(d.start == m.start() for d in dates):
            continue
        cue = _cue_before(folded, m.start(), lang)
        taken.append((m.start(), m.end()))
        if not _lang_ok(kind, cue, folded, m.start(), m.end(), lang):
            continue
        if kind == "this_week" and _PAST_IN_CLAUSE.search(_clause_before(folded, m.start())):
            continue
        one = _ONE[index].fullmatch(m.group())
        day = _phrase_day(kind, one.groupdict() if one else {}, sent)
        if kind.startswith("after_") and cue != "not":
            cue = None  # "after" is in the phrase already
        day = _with_cue(cue, day, kind in _NEEDS_CUE) if day else None
        if day is not None:
            found.append((day, m.start(), m.end()))
    for mention in dates:
        if any(s < mention.end and mention.start < e for s, e in taken):
            continue
        cue = _cue_before(folded, mention.start, lang)
        day = _with_cue(cue, mention.day, mention.numeric)
        if day is not None:
            found.append((day, mention.start, mention.end))
    for m in _AFTER_THAT.finditer(folded):
        earlier = [f for f in found if f[2] <= m.start()]
        if earlier:
            day = max(earlier, key=lambda f: f[2])[0]
            found.append((_next_business_day(day), m.start(), m.end()))
    good = [f for f in found if sent <= f[0] <= sent + MAX_AHEAD]
    if not good:
        return None
    day, start, end = max(good, key=lambda f: (f[0], -f[1]))
    return Promise(day, _sentence(head, where[start], where[end - 1] + 1))


def promised_date(text: str, sent: date, lang: str | None = None) -> date | None:
    """The day a holding reply promises an answer by ("by Friday", "la semaine prochaine")."""
    found = find_promise(text, sent, lang)
    return found.day if found else None
