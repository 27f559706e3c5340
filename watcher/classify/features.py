"""What the classifiers read of a message (pure): its new text, subject and automatic signals."""

from __future__ import annotations

import re
from dataclasses import dataclass

from watcher.mail.autosignals import AutoSignals
from watcher.mail.messages import Message
from watcher.replytext import strip_quotes, visible_text


@dataclass(frozen=True)
class Sample:
    """One message as the text models see it."""

    text: str  # what the author newly wrote
    subject: str  # normalized subject
    signals: str  # space-separated tokens for header facts ("sig_auto_submitted ...")


def signal_tokens(signals: AutoSignals) -> str:
    tokens = []
    if signals.auto_submitted and signals.auto_submitted != "no":
        tokens.append("sig_auto_submitted")
    for name in (
        "auto_reply_header",
        "mailing_list",
        "auto_reply_subject",
        "bounce",
        "read_receipt",
        "delivery_report",
        "out_of_office",
    ):
        if getattr(signals, name, False):
            tokens.append("sig_" + name)
    if signals.precedence:
        tokens.append("sig_precedence_" + signals.precedence.replace("-", "_"))
    if signals.return_date:
        tokens.append("sig_return_date")
    return " ".join(tokens) or "sig_none"


# A human reply or ask is a few kilobytes; a 2 MB pasted log or report would cost the phrase
# patterns and the vectorizers seconds and say nothing more.
MAX_TEXT_CHARS = 20_000


def reply_text(message: Message) -> str:
    """The reply's new text: quotes and signatures removed; from HTML when that is all it has."""
    text = visible_text(message.body_text) if message.body_text.strip() else ""
    if not text.strip() and message.body_html:
        text = visible_text(message.body_html)
    return text.strip()[:MAX_TEXT_CHARS]


def reply_sample(message: Message) -> Sample:
    return Sample(reply_text(message), message.normalized_subject, signal_tokens(message.signals))


# Families of phrasing a request for feedback is made of, in the product's languages. They are
# features the model weighs (it learns that "my CV" plus "feedback" is not a request), not
# rules: each family present adds one token.
_CUES = {
    "feedback": r"feedback|retour|r[üu]ckmeldung|comentarios|retroalimentaci|terugkoppeling|"
    r"opmerkingen|parecer|coment[áa]rio|avis\b|r[ée]troaction|einsch[äa]tzung",
    "improve": r"(?:done|do|have|could|could've) (?:it )?(?:better|differently)|improve|work on|"
    r"pointers|tips|advice|fell short|short of|tipped|made the difference|"
    r"stack(?:ed)? up|"
    r"compare|against the other|gap|weak|verbesser|besser|am[ée]liorer|mieux|mejorar|"
    r"melhorar|verbeter|beter|falt[óo]|manqu[ée]|gefehlt|ontbrak|where i (?:went|fell)",
    "process": r"interview|entretien|gespr[äa]ch|entrevista|sollicitat|panel|assessment|"
    r"final round|role|position|application|candida|bewerbung|vaga|vacature|stelle|"
    r"poste|puesto|take-home|case study|presentation",
    "outcome": r"not (?:been )?(?:selected|successful|chosen|moving|progress)|unsuccessful|"
    r"went with|another candidate|other candidate|decided|decision|rejected|outcome|"
    r"absage|nicht ber[üu]cksichtigt|refus|pas retenu|no (?:fui|he sido) seleccion|"
    r"n[ãa]o fui|afgewezen|niet geselecteerd|didn.t get|wasn.t selected",
    "own_material": r"my (?:cv|resume|résumé|portfolio|slides|deck|essay|cover letter|draft|"
    r"thesis|pitch)|mein(?:en)? lebenslauf|mon cv|mi cv|meu cv|mijn cv|"
    r"look (?:at|over)|proofread|review my",
    "reference": r"\breferee|\breference|referenz|r[ée]f[ée]rence",
    "thanks_for_feedback": r"thank(?:s| you)(?: so much| again)? for (?:the|your) "
    r"(?:feedback|notes|comments|insight|time on the feedback)|"
    r"appreciated? (?:the|your) feedback|danke f[üu]r (?:das|ihr) feedback|"
    r"merci pour (?:votre|ton) retour|gracias por (?:tu|su|sus) "
    r"(?:comentarios|feedback)|bedankt voor (?:je|uw) feedback",
    "scheduling": r"reschedul|availability|calendar|time slot|works for me|verschieben|"
    r"disponib|dispon[íi]vel|beschikbaar",
    "follow_up": r"follow(?:ing)? up|bump|circling back|gentle reminder|checking in|"
    r"my (?:earlier|previous|last) (?:note|email|message)|nachfassen|"
    r"erinner|noch einmal|nochmal|meine (?:letzte|vorherige) (?:mail|nachricht)|"
    r"relance|je me permets de revenir|mon (?:précédent|dernier) (?:message|mail)|"
    r"seguimiento|vuelvo a escribir|mi (?:anterior|último) (?:correo|mensaje)|"
    r"acompanhar|retomar|minha mensagem anterior|herinnering|nogmaals|"
    r"onder (?:je|uw) aandacht|mijn (?:vorige|eerdere) (?:mail|bericht)",
}
_CUE_RES = {name: re.compile(pattern, re.I) for name, pattern in _CUES.items()}


def cue_tokens(text: str) -> list[str]:
    tokens = [f"cue_{name}" for name, rx in _CUE_RES.items() if rx.search(text)]
    if "?" in text:
        tokens.append("cue_question")
    return tokens


def sent_sample(message: Message) -> Sample:
    """A sent message, for the request detector: the user's own words, without what they quote.

    What a message quotes is the other side's text (an invitation, a rejection, feedback), so
    it says nothing about whether this message asks for feedback.
    """
    body = message.body_text
    if not body.strip() and message.body_html:
        body = visible_text(message.body_html)
    own = strip_quotes(body).strip()[:MAX_TEXT_CHARS]
    cues = cue_tokens(message.subject + "\n" + own)
    return Sample(
        own, message.normalized_subject, " ".join([signal_tokens(message.signals), *cues])
    )
