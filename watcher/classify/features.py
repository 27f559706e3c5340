"""What the classifiers read of a message (pure): its new text, subject and automatic signals."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from watcher.classify.askwords import ASK_WORDS
from watcher.classify.stems import stems_pattern
from watcher.mail.autosignals import AutoSignals
from watcher.mail.messages import Message
from watcher.replytext import strip_quotes, visible_text


@dataclass(frozen=True)
class Sample:
    """One message as the text models see it."""

    text: str  # what the author newly wrote
    subject: str  # normalized subject
    signals: str  # space-separated tokens for header facts ("sig_auto_submitted ...")
    quoted: str = ""  # sent mail: the text it quotes or forwards (the other side's words)
    context: SentContext | None = None  # sent mail: recipients, what it answers, whom it asks


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


# -- context: what a person looks at beside the words ----------------------------------------
#
# Whether a sent message asks for feedback depends on whom it goes to and what it answers as
# much as on its words: "I asked them for feedback but heard nothing" is a report to a mother,
# the same words to a recruiter would be a nudge. These facts are computed here, purely, from
# the message and what the state already knows about its recipients (``RecipientFacts``, built
# by an adapter from stored mail).


@dataclass(frozen=True)
class RecipientFacts:
    """What stored mail shows about one recipient address (facts the state holds, no guesses)."""

    hiring_mail: bool = False  # this address has written hiring-process mail to the user
    domain_hiring_mail: bool = False  # someone else at its company domain has
    messages: int = 0  # stored messages from this address, of any kind
    # When the user first asked this address for feedback (a tracked request): a later message
    # to the same person that "writes again" is read as the follow-up it is.
    first_request_at: datetime | None = None


@dataclass(frozen=True)
class SentContext:
    """The context of one sent message, as the request model reads it beside the text."""

    recipients: int  # To + Cc, the user's own addresses left out
    free_mail: bool  # the first recipient is at a free-mail provider
    own_domain: bool  # the first recipient shares the user's own company domain
    hiring_contact: bool  # that address or its company has written hiring-process mail
    reply: bool  # Re:/AW:/Antw:/RV:... subject, or In-Reply-To
    forward: bool  # Fwd:/WG:/TR:/RV: forward
    quoted_hiring: bool  # the quoted text reads like an interview, application or decision mail
    quoted_personal: bool  # the quoted text reads like personal chat
    asks_you: bool  # the user's own words put a question or request to this recipient
    reports_asking: bool  # the user's own words tell of asking others (third person)
    greets_family: bool = False  # the salutation names a relative or an endearment ("Hola abuela")
    greets_formally: bool = False  # "Dear Ms Smit", "Sehr geehrte", "Geachte", "Madame"
    signs_off_personally: bool = False  # "xx", "bisous", "liefs", "un abrazo", "love"
    asked_before: bool = False  # the user already asked this recipient for feedback, earlier
    emoji: int = 0  # emoji, emoticons and written laughs in the user's own words
    asks_assessment: int = 0  # sentences that ask something AND name an assessment of the user
    # ... of which ask about a document of the user's ("feedback on my CV?"), not a decision
    asks_about_document: int = 0

    def vector(self) -> list[float]:
        return [
            min(self.recipients, 5) / 5.0,
            1.0 if self.recipients > 1 else 0.0,
            float(self.free_mail),
            float(self.own_domain),
            float(self.hiring_contact),
            float(self.reply),
            float(self.forward),
            float(self.quoted_hiring),
            float(self.quoted_personal),
            float(self.asks_you),
            float(self.reports_asking),
            float(self.asks_you and not self.reports_asking),
            float(self.reply and self.quoted_hiring),
            float(self.free_mail and not self.hiring_contact and not self.quoted_hiring),
            float(self.asked_before),
            float(self.greets_family),
            float(self.greets_formally),
            float(self.signs_off_personally),
            min(self.emoji, 3) / 3.0,
            min(self.asks_assessment, 3) / 3.0,
            float(self.asks_assessment > 0),
            float(self.asks_about_document > 0),
            float(self.asks_assessment > self.asks_about_document),
        ]


CONTEXT_FEATURES = (
    "recipients",
    "several_recipients",
    "free_mail",
    "own_domain",
    "hiring_contact",
    "reply",
    "forward",
    "quoted_hiring",
    "quoted_personal",
    "asks_you",
    "reports_asking",
    "asks_you_only",
    "replies_to_hiring_mail",
    "free_mail_unknown",
    "asked_before",
    "greets_family",
    "greets_formally",
    "signs_off_personally",
    "emoji",
    "asks_assessment",
    "asks_assessment_any",
    "asks_about_document",
    "asks_about_the_process",
)

_REPLY_SUBJECT = re.compile(
    r"^\s*(?:(?:re|aw|antw|antwort|res|sv|vs|r)\s*(?:\[\d+\])?\s*:\s*)+", re.I
)
_FORWARD_SUBJECT = re.compile(r"^\s*(?:fwd?|wg|tr|doorst|enc|rv|fw)\s*:", re.I)
_FORWARD_BODY = re.compile(
    r"^-{2,}\s*(?:forwarded message|original message|weitergeleitete nachricht|"
    r"message transf[ée]r[ée]|mensaje reenviado|doorgestuurd bericht|mensagem encaminhada)",
    re.I | re.M,
)

# Hiring-process mail: an interview invitation, an application acknowledgement, a decision.
_HIRING_MAIL = re.compile(
    r"your application|application for|applied for|thank you for applying|"
    r"invite you (?:to|for) (?:an? )?(?:interview|call|assessment)|interview (?:with|on|for)|"
    r"(?:not|unable) to (?:move|take) (?:you )?forward|other candidates?|another candidate|"
    r"not (?:been )?(?:selected|successful|shortlisted)|unsuccessful|hiring (?:manager|team)|"
    r"recruit(?:ment|ing|er)|talent (?:acquisition|team)|the (?:role|position|vacancy)\b|"
    r"offer letter|"
    r"ihre bewerbung|bewerbung als|vorstellungsgespr[äa]ch|absage|andere[nr]? kandidat|"
    r"nicht ber[üu]cksichtig|stelle als|"
    r"votre candidature|candidature (?:au|pour)|entretien|pas (?:été )?retenu|"
    r"autre candidat|recrutement|le poste|"
    r"su candidatura|candidatura (?:al|para|a)|entrevista|proceso de selecci[óo]n|"
    r"otro candidato|no ha(?:s|n)? sido seleccionad|el puesto|la vacante|"
    r"uw sollicitatie|je sollicitatie|sollicitatiegesprek|gesprek (?:op|met)|"
    r"andere kandida(?:at|ten)|afgewezen|niet geselecteerd|de vacature|de functie|"
    r"sua candidatura|candidatura (?:à|ao|para)|processo (?:de )?sele[çc][ãa]o|"
    r"outro candidato|n[ãa]o (?:foi|fo?ste) selecionad|a vaga",
    re.I,
)
_PERSONAL_MAIL = re.compile(
    r"\b(?:mum|mom|mam|mama|maman|mamá|mãe|mutti|dad|papa|papá|pai|oma|opa|granny|grandma|"
    r"auntie|tía|tante|tia|honey|darling|chérie?|cariño|schatz|lieverd|querid[ao]|"
    r"love you|lots of love|hugs|xx+|liefs|dikke kus|kusjes|bisous|bises|gros bisous|"
    r"besos|un abrazo|beijinhos|beijos|abraço|liebe grüße|lg|hdl|"
    r"how are you|how are things|hoe gaat het|wie geht'?s|comment ça va|ça va|qué tal|"
    r"tudo bem|dinner|lunch|weekend|wochenende|week-?end|fin de semana|fim de semana|"
    r"birthday|geburtstag|anniversaire|cumpleaños|verjaardag|aniversário|"
    r"party|feest|fiesta|festa|fête|zondag|sunday|sonntag|dimanche|domingo)\b",
    re.I,
)
# A question or request put to the reader: second person with a question mark or a polite ask.
_ASKS_YOU = re.compile(
    r"\b(?:could|would|can|will|might) you\b|\bare you (?:able|willing|open)|"
    r"\bwould it be possible|\bi(?:'d| would) (?:\w+ )?(?:be grateful|appreciate|love|welcome)|"
    r"\bplease (?:let me know|share|tell|send)|\bany (?:chance|feedback|thoughts|pointers)|"
    r"\b(?:könnten|würden|können) sie\b|\bkönntest du|\bwürdest du|\bwäre(?:n sie| es möglich)|"
    r"\bpourriez-vous|\bpourrais-tu|\bseriez-vous|\bauriez-vous|\bvous serait-il possible|"
    r"\bje vous serais reconnaissant|"
    r"\bpodr[íi]a(?:s|n)?\b|\bser[íi]a posible|\ble(?:s)? agradecer[íi]a|\bme (?:podr|dir)[íi]a|"
    r"\bzou(?:den)? (?:u|je|jij|jullie)\b|\bkunt u|\bkun je|\bwilt u|\bwil je|"
    r"\bpoderia(?:m)?\b|\bseria poss[íi]vel|\bagradeceria|"
    r"\bpode(?:ria)?s? (?:me )?(?:dizer|partilhar)",
    re.I,
)
_SECOND_PERSON_QUESTION = re.compile(
    r"\b(?:you|your|sie|ihnen|ihr(?:e|en)?|du|dir|dich|vous|votre|vos|tu|ton|ta|tes|usted|"
    r"ustedes|su|sus|te|u|uw|je|jij|jouw|você|vocês|o senhor|a senhora|teu|tua)\b[^.!?\n]*\?",
    re.I,
)
# Telling someone about asking others: "I asked them for feedback", "they never replied".
_REPORTS_ASKING = re.compile(
    r"\bi(?:'ve| have)? (?:already )?asked (?:them|him|her|the (?:recruiter|company|hr|hiring))|"
    r"\b(?:they|he|she) (?:never|still haven'?t|didn'?t|hasn'?t|haven'?t) (?:replied|answered|"
    r"got(?:ten)? back|responded|written)|\bheard nothing|\bhaven'?t heard (?:back|anything)|"
    r"\bno (?:reply|answer|response) (?:yet|so far)|\bghosted|"
    r"\bich habe (?:sie|ihn|die firma|nachgefragt|um feedback)|\bhabe (?:sie|ihn) gefragt|"
    r"\bkeine antwort|\bnoch nichts gehört|\bsie (?:haben|melden sich) (?:nicht|nie)|"
    r"\bje (?:leur|lui) ai demandé|\bj'ai demandé (?:un retour|des retours|à la rh)|"
    r"\bils? ne (?:m'ont|répond)|\bpas de (?:réponse|nouvelles)|\baucune réponse|"
    r"\b(?:les|le|la) (?:he|hemos) (?:pedido|preguntado)|\bles pregunté|\bles pedí|"
    r"\bno me (?:han|ha) (?:contestado|respondido|dicho)|\bni caso|\bsin respuesta|"
    r"\bik heb (?:ze|hen|haar|hem|het bedrijf) (?:gevraagd|gemaild)|\bnog (?:niks|niets) gehoord|"
    r"\bgeen (?:antwoord|reactie)|\bze (?:reageren|antwoorden) (?:niet|nooit)|"
    r"\bpedi-lhes|\bperguntei-lhes|\bj[áa] lhes (?:pedi|perguntei)|\bn[ãa]o (?:me )?responderam|"
    r"\bsem resposta|\bnunca responderam",
    re.I,
)


# How the user opens and closes: a person writes "Hola abuela" or "Coucou papa" to family and
# "Dear Ms Smit" or "Geachte mevrouw" to a hiring manager, whatever the body talks about.
_FAMILY_GREETING = re.compile(
    r"^\W*(?:hi|hey|hello|hallo|hoi|hola|ol[áa]|oi|coucou|salut|cher|ch[èe]re|lieve|liebe|"
    r"lieber|querid[ao]|dear)?\W*(?:mum|mom|mummy|mam|mama|mamma|maman|mamá|mãe|mutti|dad|daddy|"
    r"papa|papá|pai|pap|paps|abuela|abuelo|abuelita|oma|opa|grand-?m[èe]re|mamie|papi|papy|"
    r"vov[óô]|av[óô]|granny|grandma|grandpa|nan|nana|tante|tía|tia|tio|tío|onkel|oom|sis|bro|"
    r"zus|zusje|broer|schwesterherz|hermanita|hermano|hermana|mana|mano|maninha|schatz|"
    r"lieverd|cari[ñn]o|ch[ée]ri[e]?|amor|darling|honey|love|"
    # a few more languages job seekers' families write in (Polish, Italian, Turkish; not the
    # Turkish "anne": Anne is a hiring manager's name as often)
    r"mamo|mamusiu|tato|tatusiu|babciu|dziadku|mamma|papà|nonna|nonno|annecim|baba)\b",
    re.I,
)
_FORMAL_GREETING = re.compile(
    r"^\W*(?:dear (?:mr|mrs|ms|miss|dr|prof|sir|madam|hiring|recruit|team|all|colleagues)|"
    r"to whom it may concern|sehr geehrte|geachte|beste (?:heer|mevrouw|meneer)|"
    r"madame|monsieur|mesdames|estimad[ao]s?|prezad[ao]s?|exm[ao]s?\.?|caro senhor|"
    r"cara senhora|ilustr[ií]sim)",
    re.I,
)
_PERSONAL_SIGNOFF = re.compile(
    r"(?:^|\s)(?:xx+|x|bisous|bises|grosses? bises|gros bisous|besos|besitos|un beso|kusjes|kus|"
    r"liefs|dikke knuffel|beijos|beijinhos|bj+s|abra[çc]os?|hugs|love|lots of love|all my love|"
    r"un abrazo|abrazos|hdl|hdgdl|bussi|knuffel|tschüss|ciao)\W*$",
    re.I | re.M,
)
# Emoji, and their typed forms: ":)", "xD", "haha", "jaja", "kkk", "mdr". In the corpus of sent
# mail of eleven writers they were in 288 of 4,076 other messages and 21 of 1,336 requests.
_EMOJI = re.compile(
    "[\U0001f300-\U0001faff\u2600-\u27bf]|(?<!\\w)[:;]-?[)DP(](?!\\w)|(?<!\\w)xD(?!\\w)|\\^\\^|"
    r"\b(?:haha|hehe|jaja|kkk+|lol|mdr|ptdr)\b",
    re.I,
)
# A sentence that asks (a question mark or a polite request) and names an assessment of the
# user: "what tipped it?", "could you share any feedback", "¿en qué podría mejorar?".
_ASKING = re.compile(
    r"\?|\b(?:could|would|can|will) you\b|\bi(?:'d| would) (?:\w+ )?(?:be grateful|appreciate|love|"
    r"welcome|value)|\bplease\b|\bany (?:chance|feedback|thoughts|pointers)|"
    r"k[öo]nnten sie|w[üu]rden sie|k[öo]nntest du|w[äa]re(?:n sie| es m[öo]glich)|bitte|"
    r"pourriez|pourrais|auriez|serait-il|serait possible|"
    r"podr[íi]a|agradecer[íi]a|ser[íi]a posible|"
    r"zou(?:den)? (?:u|je|jij)|kunt u|kun je|wilt u|wil je|graag|"
    r"poderia|agradeceria|seria poss[íi]vel|gostaria|"
    # an ask put as what an answer would do: "your view ... would genuinely help"
    r"would (?:\w+ )?(?:help|mean a lot|be (?:\w+ )?(?:helpful|useful|great|appreciated))|"
    r"ser[íi]a (?:\w+ )?(?:[úu]til|de gran ayuda)|seraient? (?:\w+ )?(?:utiles?|pr[ée]cieux)|"
    r"w[äa]re (?:\w+ )?hilfreich|zou (?:\w+ )?(?:helpen|fijn|waarderen)|"
    r"seria (?:\w+ )?(?:[úu]til|de grande ajuda)",
    re.I,
)
_ASSESSMENT = re.compile(
    r"feedback|retour|r[üu]ckmeldung|comentarios|opini[óo]n|terugkoppeling|parecer|\bavis\b|"
    r"einsch[äa]tzung|improve|better|differently|verbesser|besser|am[ée]liorer|mieux|mejorar|"
    r"melhorar|verbeter|beter|\bwhy\b|warum|pourquoi|por ?qu[ée]|waarom|porqu[êe]|tipped|"
    r"stood out|stack(?:ed)? up|compare|against the other|fell short|scores?\b|notes\b|"
    r"debrief|lacking|missing|\bgap|manqu|falt|ontbr|gefehlt|weak|pointers|made the difference|"
    r"decisive|doorslag|d[ée]cisif|ausschlaggebend|entscheidend|decisivo|pes[óo]|differen|"
    r"diferen|verschil|unterschied|progress|progres|vooruit|weiterentwickeln|ontwikkel|"
    r"desenvolver|\bdone\b|overtuig|[üu]berzeug|convainc|convenc",
    re.I,
)
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+|\n+")


def _greeting_and_signoff(own_text: str) -> tuple[bool, bool, bool]:
    lines = [line for line in own_text.splitlines() if line.strip()]
    first = lines[0] if lines else ""
    last = "\n".join(lines[-3:])
    return (
        bool(_FAMILY_GREETING.search(first)),
        bool(_FORMAL_GREETING.search(first)),
        bool(_PERSONAL_SIGNOFF.search(last)),
    )


# A document of the user's that a friend or mentor may be asked to read, and the words of a
# hiring decision: "feedback on my CV" asks about the CV, "feedback on my interview" about a
# decision. "Application" is neither: "my CV before I send more applications" is a CV review.
_OWN_DOCUMENT = re.compile(
    r"\b(?:my|mein(?:en)?|mon|ma|mes|mi|mis|meu|minha|mijn)\s+(?:\w+\s+)?(?:cv|c\.v\.|resume|"
    r"résumé|cover letter|portfolio|linkedin|profile|lebenslauf|anschreiben|profil|"
    r"lettre de motivation|currículum|curriculo|currículo|carta de presentación|"
    r"motivatiebrief|sollicitatiebrief|profiel|carta de apresentação|portefólio|draft|slides|"
    r"deck|essay|thesis|presentation|präsentation|présentation|presentación|apresentação)",
    re.I,
)
_PROCESS = re.compile(
    r"interview|entretien|gespr[äa]ch|entrevista|sollicitatiegesprek|panel|jury|"
    r"assessment|decision|entscheidung|décision|decisión|besluit|decisão|selected|"
    r"ausgew[äa]hlt|retenu|seleccionad|geselecteerd|selecionad|"
    r"outcome|result|ergebnis|résultat|resultado|uitslag|"
    r"trial|probe|test|case",
    re.I,
)


def _sentences_that_ask(own_text: str) -> list[str]:
    """The sentences of the user's own words that put a question or a polite request."""
    return [s for s in _SENTENCE_BREAK.split(own_text) if s and _ASKING.search(s)]


def _about_own_document(sentence: str) -> bool:
    """Whether a sentence names one of the user's documents and no hiring process."""
    return bool(_OWN_DOCUMENT.search(sentence)) and not _PROCESS.search(sentence)


# What an asking sentence is about, in any of the six languages: an assessment of the user,
# something else (a timeline, a reference, a claim), the words of a hiring process.
_ASK_WORD_RES = {name: stems_pattern(words) for name, words in ASK_WORDS.items()}


def asking_sentences(own_text: str) -> str:
    """The sentences of the user's own words that ask something of the reader (a question or
    a polite request), joined: what a message asks, read apart from the story around it. A
    letter to a friend about asking companies for feedback asks the friend something else.

    Each sentence is followed by a token per kind of ask it words (``askwords``), and one when
    it asks about a document of the user's rather than a decision: shared words that let what
    one writer taught carry over to another's phrasing and language."""
    out = []
    for sentence in _sentences_that_ask(own_text):
        lowered = sentence.lower()
        tokens = [f"ask_{name}" for name, rx in _ASK_WORD_RES.items() if rx.search(lowered)]
        if _about_own_document(sentence):
            tokens.append("ask_document")
        out.append(" ".join([sentence, *tokens]))
    return " ".join(out)


def _assessment_asks(own_text: str) -> tuple[int, int]:
    """Sentences that ask for an assessment of the user, and how many of them ask about one
    of the user's documents rather than a hiring process."""
    asks = documents = 0
    for sentence in _sentences_that_ask(own_text):
        if _ASSESSMENT.search(sentence):
            asks += 1
            if _about_own_document(sentence):
                documents += 1
    return asks, documents


def own_and_quoted(message: Message) -> tuple[str, str]:
    """The user's own new words, and the text they quote (the message they answer or forward)."""
    body = message.body_text
    if not body.strip() and message.body_html:
        body = visible_text(message.body_html)
    body = body[: MAX_TEXT_CHARS * 2]
    own = strip_quotes(body).strip()[:MAX_TEXT_CHARS]
    kept = {line.strip() for line in own.splitlines() if line.strip()}
    quoted = []
    for line in body.splitlines():
        s = line.strip()
        if s and s not in kept:
            quoted.append(s.lstrip("> ").strip())
    return own, "\n".join(quoted)[:MAX_TEXT_CHARS]


def reads_like_hiring_mail(text: str) -> bool:
    """True for text that reads like an employer's mail about an application or interview."""
    return bool(_HIRING_MAIL.search(text))


def _is_reply(message: Message) -> bool:
    return bool(message.in_reply_to or _REPLY_SUBJECT.match(message.subject))


def _is_forward(message: Message) -> bool:
    return bool(_FORWARD_SUBJECT.match(message.subject) or _FORWARD_BODY.search(message.body_text))


def other_recipients(message: Message, own: frozenset[str]) -> list[str]:
    """The message's To and Cc addresses, lower case, the user's own left out; the first is
    the person the message is written to."""
    own_lower = {a.lower() for a in own}
    return [a.email.lower() for a in message.recipients if a.email.lower() not in own_lower]


def first_asks(requests: Iterable[Message], own: frozenset[str]) -> dict[str, datetime]:
    """When each person was first asked: the earliest of these requests to each first
    recipient."""
    first: dict[str, datetime] = {}
    for request in requests:
        to = other_recipients(request, own)
        if to:
            first[to[0]] = min(request.date, first.get(to[0], request.date))
    return first


def with_requests_in_batch(
    messages: Sequence[Message],
    verdicts: Sequence[bool],
    facts: Mapping[str, RecipientFacts],
    own: frozenset[str],
) -> tuple[dict[str, RecipientFacts], list[int]]:
    """The facts once the requests judged in this batch count as asked before, and the indexes
    of the messages those new facts change (sent later to someone asked in the batch).

    A first sync judges months of sent mail at once, before any request is stored: without
    this, a second ask would not know that its first was one.
    """
    first_asked = first_asks([m for m, yes in zip(messages, verdicts) if yes], own)
    out = dict(facts)
    changed = []
    for index, message in enumerate(messages):
        to = other_recipients(message, own)
        if not to or to[0] not in first_asked or first_asked[to[0]] >= message.date:
            continue
        fact = out.get(to[0], RecipientFacts())
        if fact.first_request_at is not None and fact.first_request_at <= first_asked[to[0]]:
            continue
        out[to[0]] = replace(fact, first_request_at=first_asked[to[0]])
        changed.append(index)
    return out, changed


def judge_in_order(
    messages: Sequence[Message],
    facts: Mapping[str, RecipientFacts],
    own: frozenset[str],
    high: float,
    probabilities: Callable[[list[Sample]], list[float]],
) -> list[float]:
    """P(request) per message, a batch judged as a first sync judges it: a message sent after
    a request (P >= ``high``) to the same person is judged again knowing that person was
    asked before, as it would be once the first ask is stored."""
    p = probabilities([sent_sample(m, facts, own) for m in messages])
    for _ in range(2):  # a second ask found in the first round dates a third's fact no earlier
        facts, changed = with_requests_in_batch(messages, [x >= high for x in p], facts, own)
        if not changed:
            break
        again = probabilities([sent_sample(messages[i], facts, own) for i in changed])
        for index, x in zip(changed, again):
            p[index] = x
    return p


def _context(
    message: Message,
    own_text: str,
    quoted: str,
    facts: Mapping[str, RecipientFacts],
    own: frozenset[str],
    free_mail: Callable[[str], bool] | None,
) -> SentContext:
    from watcher.domains import domain_of, is_free_mail

    is_free = free_mail or is_free_mail
    recipients = other_recipients(message, own)
    first = recipients[0] if recipients else ""
    domain = domain_of(first) if first else ""
    fact = facts.get(first, RecipientFacts())
    own_domains = {domain_of(a.lower()) for a in own} - {""}
    own_domains = {d for d in own_domains if not is_free(d)}
    words = message.subject + "\n" + own_text
    family, formal, personal_signoff = _greeting_and_signoff(own_text)
    assessment_asks, document_asks = _assessment_asks(own_text)
    return SentContext(
        recipients=len(recipients),
        free_mail=bool(domain) and is_free(domain),
        own_domain=bool(domain) and domain in own_domains,
        hiring_contact=fact.hiring_mail or fact.domain_hiring_mail,
        reply=_is_reply(message),
        forward=_is_forward(message),
        quoted_hiring=reads_like_hiring_mail(quoted),
        quoted_personal=bool(quoted) and bool(_PERSONAL_MAIL.search(quoted)),
        asks_you=bool(_ASKS_YOU.search(own_text) or _SECOND_PERSON_QUESTION.search(own_text)),
        reports_asking=bool(_REPORTS_ASKING.search(words)),
        asked_before=fact.first_request_at is not None and fact.first_request_at < message.date,
        greets_family=family,
        greets_formally=formal,
        signs_off_personally=personal_signoff,
        emoji=len(_EMOJI.findall(own_text)),
        asks_assessment=assessment_asks,
        asks_about_document=document_asks,
    )


def sent_context(
    message: Message,
    facts: Mapping[str, RecipientFacts],
    own: frozenset[str] = frozenset(),
    free_mail: Callable[[str], bool] | None = None,
) -> SentContext:
    """The context of a sent message: its recipients, what it answers, whom its words ask.

    ``facts`` maps a recipient address (lower case) to what stored mail shows about it; ``own``
    holds the user's addresses (left out of the recipients; their company domain is the user's
    own); ``free_mail`` decides whether a domain is a free-mail provider (the product's list
    unless the caller knows better, as training does for the corpus writers' invented domains).
    """
    own_text, quoted = own_and_quoted(message)
    return _context(message, own_text, quoted, facts, own, free_mail)


def sent_sample(
    message: Message,
    facts: Mapping[str, RecipientFacts] | None = None,
    own: frozenset[str] = frozenset(),
    free_mail: Callable[[str], bool] | None = None,
) -> Sample:
    """A sent message, for the request detector: the user's own words, apart from what they
    quote, and the message's context.

    What a message quotes is the other side's text (an invitation, a rejection, a mother's
    question): it says what the message answers, not what the user asks, so it is read
    separately from the user's own words.
    """
    own_text, quoted = own_and_quoted(message)
    cues = cue_tokens(message.subject + "\n" + own_text)
    return Sample(
        own_text,
        message.normalized_subject,
        " ".join([signal_tokens(message.signals), *cues]),
        quoted,
        _context(message, own_text, quoted, facts or {}, own, free_mail),
    )
