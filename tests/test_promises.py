"""Promised days of holding replies in six languages; the language and style of the user's mail."""

from __future__ import annotations

from datetime import date

import pytest

from watcher.language import detect_language, writing_style
from watcher.mail.promises import easter, find_promise, holidays_end, promised_date

SENT = date(2025, 2, 11)  # a Tuesday

CASES = [
    # fr
    ("je reviens vers vous d'ici la fin de la semaine prochaine", date(2025, 2, 21)),
    ("Je reviens vers vous d'ici quinze jours.", date(2025, 2, 25)),
    ("je reviens vers vous après les vacances", date(2025, 2, 25)),  # no season: two weeks
    ("je vous réponds avant le 20", date(2025, 2, 20)),
    ("probablement début de semaine prochaine", date(2025, 2, 18)),
    ("Je vous rappelle mardi prochain.", date(2025, 2, 18)),
    ("Je reviens vers vous dès que j'en sais plus.", None),
    # nl
    ("Bel me volgende week even", date(2025, 2, 21)),
    ("kom er begin volgende week bij je op terug", date(2025, 2, 18)),
    ("Ik ben deze week op vakantie maar pak het maandag op", date(2025, 2, 17)),
    ("uiterlijk vrijdag hoor je van me", date(2025, 2, 14)),
    ("Ik laat het je binnen twee weken weten.", date(2025, 2, 25)),
    # de
    ("Ich melde mich spätestens nächste Woche bei Ihnen.", date(2025, 2, 21)),
    ("Bis zum 20.02. haben Sie eine Antwort.", date(2025, 2, 20)),
    ("Ich melde mich Anfang nächster Woche.", date(2025, 2, 18)),
    ("Sie hören bis Ende des Monats von uns.", date(2025, 2, 28)),
    ("Ich melde mich, sobald ich mehr weiß.", None),
    ("Guten Morgen Herr Peters, danke für Ihre Mail!", None),
    # es
    ("Te escribimos con calma la semana que viene con nuestros comentarios.", date(2025, 2, 21)),
    ("Calculo que a finales de la semana que viene.", date(2025, 2, 21)),
    ("te digo algo antes del 20", date(2025, 2, 20)),
    ("Buenos días, te contesto mañana", date(2025, 2, 12)),
    ("Te escribo por la mañana, en cuanto pueda.", None),
    # pt
    ("vou conversar com a enfermeira chefe e te retorno até sexta, ok?", date(2025, 2, 14)),
    ("respondo-lhe com mais calma, provavelmente na próxima semana.", date(2025, 2, 21)),
    ("dou-lhe uma resposta até dia 15", date(2025, 2, 15)),
    ("Ela foi muito bem na segunda entrevista.", None),
    # en
    ("I'll come back to you before Friday", date(2025, 2, 14)),
    ("I'll let you know next Tuesday", date(2025, 2, 18)),
    ("we should have news in two weeks", date(2025, 2, 25)),
    ("before the 20th", date(2025, 2, 20)),
    ("We met on Monday and I'll reply by Thursday", date(2025, 2, 13)),
    ("I'll get back to you after the weekend", date(2025, 2, 17)),
    ("I'll be in touch in the next few days", date(2025, 2, 14)),
    ("We aim to respond within 5 working days.", date(2025, 2, 18)),
    ("The panel meets on Thursday; I'll come back to you early next week.", date(2025, 2, 18)),
    ("I'll get back to you after Easter.", date(2025, 4, 21)),
    ("Sent: 2/11/2025 2:44 PM", None),  # a quoted header's date
    ("was read on Tuesday, February 11, 2025 11:30:05 AM", None),
    ("Thanks, noted.", None),
]


@pytest.mark.parametrize("text,want", CASES)
def test_promised_day(text, want):
    assert promised_date(text, SENT) == want


def test_the_promise_is_quoted_as_written():
    found = find_promise("Hoi Joost,\n\nDank je! Ik bel je volgende week even.\n\nSanne", SENT)
    assert found is not None and found.sentence == "Ik bel je volgende week even."


def test_holidays_depend_on_the_season():
    assert holidays_end(date(2025, 7, 10)) == date(2025, 8, 31)
    assert holidays_end(date(2025, 12, 18)) == date(2026, 1, 6)
    assert holidays_end(date(2025, 4, 10)) == date(2025, 4, 28)  # Easter Monday 21 April + 7
    assert easter(2025) == date(2025, 4, 20) and easter(2026) == date(2026, 4, 5)


def test_after_a_day_is_the_business_day_after():
    # "after Thursday's meeting": Friday is the first day an answer can come.
    assert promised_date("I'll come back to you after Thursday.", SENT) == date(2025, 2, 14)


@pytest.mark.parametrize(
    "text,lang",
    [
        ("Hoi Sanne, bedankt voor het gesprek. Zou je me wat feedback kunnen geven?", "nl"),
        ("Bonjour Madame Durand, je vous remercie pour l'entretien.", "fr"),
        ("Hola Marta, muchas gracias por la entrevista. ¿Podrías darme algo de feedback?", "es"),
        ("Olá Ana, obrigado pela entrevista. Gostaria de saber o que posso melhorar.", "pt"),
        ("Hallo Herr Weber, vielen Dank für das Gespräch. Ich würde mich freuen.", "de"),
        ("Hi Tom, thanks for the interview. Could you share any feedback?", "en"),
        ("OK", "en"),
    ],
)
def test_language_by_stopwords(text, lang):
    assert detect_language(text) == lang


def test_greeting_and_signoff_as_written():
    style = writing_style("Hoi Sanne,\n\nBedankt voor het gesprek.\n\nGroetjes,\nJoost")
    assert (style.language, style.greeting, style.signoff) == (
        "nl",
        "Hoi Sanne,",
        "Groetjes,\nJoost",
    )
    style = writing_style(
        "Bonjour Madame Durand,\n\nMerci pour l'entretien. Auriez-vous un retour ?\n\n"
        "Bien cordialement,\nLucía Fernández"
    )
    assert style.greeting == "Bonjour Madame Durand,"
    assert style.signoff == "Bien cordialement,\nLucía Fernández"
    assert writing_style("Thanks for the chat. Any feedback?\n\nSana").signoff == "Sana"
    assert writing_style("quick question: any feedback?").signoff == ""
