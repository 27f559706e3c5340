"""Families of phrasing the points models weigh, in the product's six languages (pure).

Each family present in a segment adds one token ("kc_praise", "tc_materials"): features the
models weigh against everything else they read, not rules. They carry what a few hundred
marked replies cannot teach on their own: that "schwach", "faible" and "zwak" all say weak,
and that a "Lebenslauf" and a "portefólio" are both the candidate's materials.
"""

from __future__ import annotations

import re

from watcher.classify.stems import stems_pattern
from watcher.classify.themewords import THEME_WORDS

__all__ = ["cue_tokens"]

# Kind cues: is this about the candidate, praising, naming a gap, comparing, or courtesy.
_KIND_CUES = {
    "praise": r"strong|strength|excellent|impressi|great|good|solid|clear(?:ly)?\b|well\b|"
    r"thorough|outstanding|standout|stood out|neat|nice|lovely|loved|liked|valued|appreciated|"
    r"confident|convinc|sharp|spot on|best|brilliant|polished|calm|creative|praised|"
    r"stark|überzeug|hervorragend|ausgezeichnet|sehr gut|\bgut\b|gute[nmrs]?\b|sauber|souverän|"
    r"gelungen|positiv|beeindruck|gefallen|klar\b|klare|"
    r"excellen|très bien|\bbien\b|solide|convaincant|remarquabl|apprécié|impressionn|réussi|"
    r"\bclair|point fort|qualité|"
    r"excelente|muy bien|\bbien\b|buen[oa]?\b|sólid|fuerte|destac|impresion|valoramos|gustó|"
    r"claridad|acertad|"
    r"uitstekend|sterk|\bgoed|prima|overtuig|indruk|helder|gewaardeerd|mooi|knap|"
    r"ótim|muito bem|\bbom\b|\bboa\b|sólid|forte|destac|impression|gostamos|elogi|clareza",
    "gap": r"\bweak|lack|less\b|limited|could have|would have|should have|not enough|"
    r"lost (?:ground|points|marks|out)|fell behind|cost you|held you back|"
    r"insufficient|struggl|shallow|vague|missing|\bmiss(?:ed)?\b|unclear|difficult to follow|"
    r"hesita|unsure|concern|gap|too\b|a (?:bit|little)\b|rather\b|fell (?:short|down|behind)|"
    r"let you down|didn.t|did not|wasn.t|weren.t|couldn.t|no (?:real|clear)|generic|"
    r"schwach|fehlt|gefehlt|mangel|zu wenig|\bzu\b|etwas|nicht|kein|unsicher|knapp|"
    r"faible|manqu|insuffisant|trop|un peu|\bpas\b|peu\b|moins|hésit|lacune|"
    r"débil|falt[óoa]|insuficiente|demasiado|un poco|\bno\b|poco\b|menos|dud|"
    r"zwak|ontbr|miste|onvoldoende|\bte\b|wat\b|niet|geen|weinig|minder|twijfel|"
    r"fraco|falt|insuficiente|demais|um pouco|\bnão\b|pouco|menos|dúvida",
    "advice": r"recommend|suggest|advise|encourage|work on|next time|would help|try to|"
    # advice put as what the writer would do in the candidate's place
    r"if i were you|in your (?:place|shoes)|an ihrer stelle|an deiner stelle|[àa] votre place|"
    r"[àa] ta place|en tu lugar|en su lugar|yo que t[úu]|als ik (?:jou|u) was|in uw plaats|"
    r"no seu lugar|no teu lugar|se eu fosse (?:voc[êe]|tu)|you (?:might|may) want to|"
    r"i.d (?:practi|focus|look|work|get|spend)|brush up|gain|get some|"
    r"empfehl|rate[n]? (?:ich|wir)|sollten|arbeiten sie|"
    r"conseill|recommand|je vous sugg|travailler|"
    r"recomend|aconsej|suger|trabajar en|"
    r"raad|aanbevel|zou ik|werken aan|"
    r"recomend|aconselh|sugiro|sugerimos|trabalhar",
    "contrast": r"\bbut\b|however|whereas|although|though|on the other hand|"
    r"\baber\b|jedoch|allerdings|dagegen|\bmais\b|en revanche|cependant|toutefois|"
    r"\bpero\b|sin embargo|no obstante|\bmaar\b|echter|daarentegen|\bmas\b|porém|contudo|"
    r"no entanto",
    "others": r"candidate|finalist|applicant|shortlist|the (?:person|one|guy|woman|man) "
    r"(?:we|who)|hired|appointed|successful|went with|chose|ranked|rank|place[d]?\b|"
    r"second|third|top (?:two|three|\d)|compared|between you|close\b|"
    r"kandidat|bewerber|eingestellt|ausgewählt|platz|rang|zweite|dritte|knapp|vergleich|"
    r"candidat|retenu|classé|deuxième|troisième|comparé|finaliste|"
    r"candidat|seleccionad|elegid|contratad|segund|tercer|finalist|comparad|"
    r"kandidaat|aangenomen|gekozen|tweede|derde|vergeleken|"
    r"candidat|escolhid|selecionad|contratad|segund|terceir|comparad",
    "courtesy": r"thank|pleasure|enjoyed|wish|luck|keep in touch|apply again|future|"
    r"appreciate your|sorry|reach(?:ing)? out|hope|"
    r"danke|vielen dank|viel erfolg|alles gute|freuen|bewerben sie sich gerne|"
    r"merci|bonne chance|plaisir|souhait|avenir|"
    r"gracias|suerte|placer|deseamos|futuro|"
    r"bedankt|dank je|succes|plezier|toekomst|"
    r"obrigad|sorte|prazer|desejamos|futuro",
    "decision": r"decided|decision|not (?:been )?(?:selected|successful|moving|progress)|"
    r"move forward|another candidate|offer|position has been|"
    r"entschieden|entscheidung|absage|nicht berücksichtig|"
    r"décid|décision|pas été retenu|"
    r"decidid|decisión|no ha sido seleccion|"
    r"besloten|besluit|niet geselecteerd|"
    r"decidi|decisão|não foi selecion",
    "policy": r"policy|unable to (?:provide|share|give)|not able to (?:provide|share|give)|"
    r"cannot (?:provide|share|give)|individual feedback|"
    r"richtlinie|keine (?:individuelle|detaillierte)|politique|pas en mesure|"
    r"política|no podemos|beleid|kunnen (?:geen|wij geen)|política|não podemos",
    "you": r"\b(?:you|your|du|dein\w*|ihr\w*|sie|vous|votre|vos|tu|ton|ta|tes|usted|su|sus|"
    r"je|jij|jouw|uw|você|seu|sua|teu|tua)\b",
}
# Theme cues: what the point is about.
_THEME_CUES = {
    "technical": r"code|coding|sql|python|java|go\b|test|technical|knowledge|skill|"
    r"fundamental|exercise|take-home|system|model|excel|tool|clinical|knife|cook|design|"
    r"accounting|legal|law|statistic|data|math|techni|fachlich|kenntnis|wissen|fähigkeit|"
    r"compétence|connaissance|technique|conocimiento|técnic|habilidad|kennis|vaardigheid|"
    r"vakkennis|conhecimento|técnic|habilidade",
    "problem_solving": r"problem|approach|structur|reason|logic|case|scenario|framework|"
    r"analy|judgement|judgment|debug|root cause|priorit|trade-off|clarifying|solution|"
    r"lösung|ansatz|herangehen|vorgehen|analys|fallaufgabe|"
    r"raisonnement|démarche|résolution|cas pratique|analys|"
    r"razonamiento|enfoque|resolución|caso práctico|análisis|"
    r"aanpak|redenering|oplossing|casus|analys|"
    r"raciocínio|abordagem|resolução|estudo de caso|análise",
    "communication": r"communicat|present|explain|articulat|concise|clear|listen|rapport|"
    r"manner|tone|english|language|answer(?:s)? (?:ran|were) long|to the point|"
    r"kommunik|präsent|ausdruck|erklär|deutsch|"
    r"communic|présent|expli|expression|français|"
    r"comunica|present|explic|expres|español|inglés|"
    r"communic|presentat|uitleg|verwoord|nederlands|"
    r"comunica|apresent|explic|expressão|inglês|português",
    "experience": r"experience|years|background|exposure|track record|hands-on|"
    r"worked (?:on|in|with)|previous|production|senior|qualification|certif|chartered|"
    r"erfahrung|jahre|berufserfahrung|expérience|années|parcours|"
    r"experiencia|años|trayectoria|ervaring|jaar|achtergrond|experiência|anos|trajetória",
    "preparation": r"prepar|homework|research(?:ed)? (?:on|the|our)|read up|our (?:product|"
    r"company|site|app|figures|numbers|business|projects|website)|familiar|knew our|"
    r"vorbereit|unser(?:e|em|en)? (?:unternehmen|produkt|website)|"
    r"prépar|notre (?:entreprise|société|produit|site)|"
    r"prepar|nuestr[oa]s? (?:empresa|producto|web)|"
    r"voorbereid|ons (?:bedrijf|product)|onze (?:website|producten)|"
    r"prepar|noss[oa]s? (?:empresa|produto|site)",
    "motivation_fit": r"motivat|passion|enthusias|why you|fit\b|culture|values|keen|"
    r"career|long-term|commit|care about|warmth|"
    r"motivation|leidenschaft|begeister|kultur|werte|"
    r"motivation|passion|enthousias|culture|valeurs|"
    r"motivación|pasión|entusias|cultura|valores|"
    r"motivatie|passie|enthousias|cultuur|"
    r"motivação|paixão|entusias|cultura|valores",
    "collaboration_leadership": r"team|lead|manag|stakeholder|collaborat|coach|mentor|"
    r"supervis|conflict|delegat|influenc|people|colleague|"
    r"führung|mitarbeiter|zusammenarbeit|équipe|management|encadr|collabor|"
    r"equipo|liderazgo|gestión de|colabor|leiding|samenwerk|"
    r"equipe|liderança|gestão de|colabor",
    "materials": r"\bcv\b|résumé|resume|portfolio|cover letter|writing sample|sample|"
    r"book\b|reel|application form|lebenslauf|anschreiben|bewerbungsunterlagen|mappe|"
    r"lettre de motivation|dossier|carta de presentación|currículum|"
    r"motivatiebrief|sollicitatiebrief|carta de apresentação|currículo|portefólio",
    "other": r"late|availability|notice period|relocat|salary|weekend|shift|licen[cs]e|"
    r"visa|permit|start date|nights|"
    r"verspät|kündigungsfrist|gehalt|retard|préavis|salaire|"
    r"tarde|preaviso|salario|te laat|opzegtermijn|salaris|atras|aviso prévio|salário",
}
_KIND_RES = {name: re.compile(rx, re.I) for name, rx in _KIND_CUES.items()}
_THEME_RES = {name: re.compile(rx, re.I) for name, rx in _THEME_CUES.items()}


# One pattern per theme over every language's words: a segment's language need not be known.
_THEME_WORD_RES = {
    theme: stems_pattern(w for ws in langs.values() for w in ws)
    for theme, langs in THEME_WORDS.items()
}


def cue_tokens(text: str) -> list[str]:
    """One token per family of phrasing found in ``text``, and one per theme whose words it
    uses (``themewords``)."""
    tokens = [f"kc_{name}" for name, rx in _KIND_RES.items() if rx.search(text)]
    tokens += [f"tc_{name}" for name, rx in _THEME_RES.items() if rx.search(text)]
    lowered = text.lower()
    tokens += [f"tw_{name}" for name, rx in _THEME_WORD_RES.items() if rx.search(lowered)]
    return tokens or ["kc_none"]
