"""Which of the product's six languages a text is in, and how its writer opens and signs off (pure).

The language is the one whose common short words (articles, pronouns, prepositions) a text
uses most: de, en, es, fr, nl or pt. A few dozen words of mail are enough; a text with too few
of them is the ``default``. The greeting is the first line when it greets ("Hoi Sanne,",
"Bonjour Madame Durand,"); the sign-off is the closing line ("Groetjes,", "Bien cordialement,")
and the name lines under it, as the user wrote them.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from watcher.mail.returndate import fold

LANGUAGES = ("de", "en", "es", "fr", "nl", "pt")

# Folded (lower case, no accents). A word shared by two languages counts for both; the words
# only one of them uses decide.
_STOPWORDS = {
    "en": "the and you your to of for is it that this with have be would could i my me we will "
    "on are was not if what how thank thanks any about very from at an been just can did "
    "interview feedback".split(),
    "de": "und der die das ich sie ihnen nicht mit mich mir fur ist ein eine einen dem den zu "
    "auf bei auch wie sehr vielen dank uber ware wurde haben habe sind es noch gerne dass "
    "bitte meine ihre wir gesprach ruckmeldung danke dir du was hat hatte war mein furs".split(),
    "fr": "je vous le la les et est pour que qui pas une des du mon ma mes votre vos avec sur "
    "dans merci ce cette au aux avoir serait bien suis ete il nous ne j d l qu entretien "
    "retour".split(),
    "es": "el los las y que por para con una del mi muy gracias su es lo me se pero como estoy "
    "seria he si te tu usted le mas muchas saludos entrevista podrias podria".split(),
    "pt": "o os as e que nao por para com uma um do da dos das meu minha muito obrigado "
    "obrigada voce seu sua em no na foi gostaria seria ao pelo pela isso mas entrevista "
    "poderia".split(),
    "nl": "het een ik je jij u van niet met voor op dat is mijn zou kunnen graag bedankt "
    "dank wat heb hebt heeft ben naar ook maar nog wel om bij als er hoe jullie gesprek tot dan "
    "kan mij".split(),
}
_WORD_RE = re.compile(r"[a-z]+")
MIN_WORDS = 2  # fewer stopwords than this: not enough to tell


def plural(n: int, word: str, many: str | None = None) -> str:
    """'1 message', '2 messages' (English: the words around the digest and the commands)."""
    return f"{n} {word if n == 1 else many or word + 's'}"


_WORD_SETS = {lang: frozenset(words) for lang, words in _STOPWORDS.items()}


def detect_language(text: str, default: str = "en") -> str:
    """The language of ``text`` by stopword counts over de/en/es/fr/nl/pt."""
    counts: Counter[str] = Counter()
    for word in _WORD_RE.findall(fold(text[:4000])):
        for lang, words in _WORD_SETS.items():
            if word in words:
                counts[lang] += 1
    top = max(counts.values(), default=0)
    if top < MIN_WORDS:
        return default
    leaders = sorted(lang for lang, n in counts.items() if n == top)
    return default if default in leaders else leaders[0]


_GREETING_RE = re.compile(
    r"^(?:hi|hello|hey|dear|good (?:morning|afternoon|evening)|greetings"
    r"|hallo|hi|liebe|lieber|sehr geehrte[rs]?|guten (?:tag|morgen|abend)|servus|moin"
    r"|bonjour|bonsoir|salut|cher|chere|madame|monsieur"
    r"|hola|estimad[oa]s?|querid[oa]s?|buen(?:os|as) (?:dias|tardes|noches)"
    r"|ola|oi|bom dia|boa (?:tarde|noite)|prezad[oa]s?|car[oa]"
    r"|hoi|beste|geachte|dag|goedemorgen|goedemiddag|goedenavond)\b"
)
# A closing line: the words a sign-off is made of, and little else.
_SIGNOFF_RE = re.compile(
    r"^(?:(?:with )?(?:best|kind|warm|warmest|many)? ?(?:regards|wishes)|best|all best"
    r"|(?:with |many )?thanks(?: again| so much| in advance)?|thank you(?: again| so much)?"
    r"|cheers|sincerely|respectfully|yours(?: sincerely| truly| faithfully)?|all the best"
    r"|take care"
    r"|(?:mit )?(?:freundlichen|besten|lieben|vielen|herzlichen|viele|beste|liebe|herzliche)"
    r" grussen?|gruss|grusse|lg|vg|mfg|danke|vielen dank|schonen gruss"
    r"|(?:bien |tres )?cordialement|bien a (?:vous|toi)|merci(?: encore| beaucoup| d'avance)?"
    r"|(?:sinceres |meilleures )?salutations|belle journee|bonne journee|a bientot|amities"
    r"|respectueusement|bonne continuation"
    r"|(?:un )?saludos?(?: cordiales)?|atentamente|un abrazo|abrazos|gracias|muchas gracias"
    r"|(?:com os )?(?:melhores )?cumprimentos|atenciosamente|abracos?|abs|obrigad[oa]"
    r"|um abraco|beijos|att"
    r"|(?:met )?(?:vriendelijke|hartelijke|beste)? ?groet(?:en|jes)?|mvg|groetjes|bedankt"
    r"|alvast bedankt|dank je wel|dank u wel)[ ,.!]*$"
)
MAX_GREETING = 60
MAX_SIGNOFF_LINES = 4


@dataclass(frozen=True)
class Style:
    """How the user writes to this person: language, greeting line and sign-off block."""

    language: str
    greeting: str  # "" when the request had none
    signoff: str  # the closing line and the name lines under it, "" when none
    formal: bool = True  # Sie, vous, usted, u (not du, tu, tú, je)


def _is_greeting(line: str) -> bool:
    s = line.strip()
    return 0 < len(s) <= MAX_GREETING and bool(_GREETING_RE.match(fold(s)))


def _is_signoff(line: str) -> bool:
    s = fold(line.strip())
    return 0 < len(s) <= 45 and bool(_SIGNOFF_RE.match(s))


def writing_style(text: str, default_language: str = "en") -> Style:
    """The language, greeting and sign-off of a message the user wrote (quotes removed)."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    filled = [i for i, line in enumerate(lines) if line.strip()]
    greeting = ""
    if filled and _is_greeting(lines[filled[0]]):
        greeting = lines[filled[0]].strip()
    lang = detect_language(text, default_language)
    return Style(lang, greeting, _signoff(lines, filled), is_formal(text, lang, greeting))


# Pronouns of address: (formal, informal), counted on the text as written (German "Sie" is
# formal only with its capital).
_ADDRESS = {
    "de": (
        r"\b(?:Sie|Ihnen|Ihr|Ihre|Ihrem|Ihren|Ihrer)\b",
        r"(?i)\b(?:du|dich|dir|dein\w*|euch)\b",
    ),
    "fr": (r"(?i)\b(?:vous|votre|vos)\b", r"(?i)\b(?:tu|toi|ton|ta|tes|t')\b"),
    "es": (r"(?i)\b(?:usted|ustedes)\b", r"(?i)\b(?:tú|tu|tus|te|ti|contigo)\b"),
    "nl": (r"(?i)\b(?:u|uw)\b", r"(?i)\b(?:je|jij|jou|jouw)\b"),
}
_INFORMAL_GREETING = re.compile(r"^(?:hi|hey|hallo|hoi|salut|coucou|hola|oi|moin|servus)\b")


def is_formal(text: str, lang: str, greeting: str = "") -> bool:
    """Whether the writer addresses the reader formally; by pronouns, else by the greeting."""
    if lang not in _ADDRESS:
        return True
    formal_rx, informal_rx = _ADDRESS[lang]
    formal, informal = len(re.findall(formal_rx, text)), len(re.findall(informal_rx, text))
    if formal != informal:
        return formal > informal
    return not _INFORMAL_GREETING.match(fold(greeting))


def _signoff(lines: list[str], filled: list[int]) -> str:
    """The closing line and the name lines under it; or a last paragraph that is only a name."""
    if len(filled) < 2:
        return ""
    # The last closing line in the last few lines; the name lines under it come with it.
    for i in reversed(filled[-(MAX_SIGNOFF_LINES + 1) :]):
        if i != filled[0] and _is_signoff(lines[i]):
            tail = [lines[j].strip() for j in filled if j >= i][: MAX_SIGNOFF_LINES + 1]
            return "\n".join(tail)
    last = filled[-1]
    paragraph_start = last > 0 and not lines[last - 1].strip()
    name = lines[last].strip()
    if paragraph_start and _NAME_RE.match(name):
        return name
    return ""


# A name alone on a line: one to three words, each starting with a capital (or all lower case).
_NAME_RE = re.compile(r"^(?:[^\W\d_][\w'.-]*)(?: [^\W\d_][\w'.-]*){0,2}$")
