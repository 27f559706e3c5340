"""The words of follow-up and thank-you drafts in de/en/es/fr/nl/pt (pure data and formatting).

Each language has a formal and an informal register where it has two (Sie/du, vous/tu,
usted/tú, u/je); Portuguese is written without a pronoun of address, so it reads right in
Portugal and Brazil; English has one. Texts are short, warm and specific, and never assume the
writer's or the reader's gender. ``{date}`` is the day of the earlier ask; ``{name}`` the
person first asked.

Parts: ``follow_up`` opens a second ask, ``redirect`` opens an ask to someone else after a
bounce, ``ask`` is the question itself, ``last`` a whole last ask; ``thanks_feedback`` and
``thanks_rejection`` are thank-you notes.
"""

from __future__ import annotations

from datetime import date

MONTHS = {
    "en": "January February March April May June July August September October November December",
    "de": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember",
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre "
    "diciembre",
    "pt": "janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro "
    "dezembro",
    "nl": "januari februari maart april mei juni juli augustus september oktober november december",
}


def format_day(day: date, lang: str) -> str:
    """'31 March', '31. März', '31 mars', '31 de marzo', '31 de março', '31 maart'."""
    month = MONTHS.get(lang, MONTHS["en"]).split()[day.month - 1]
    if lang == "de":
        return f"{day.day}. {month}"
    if lang in ("es", "pt"):
        return f"{day.day} de {month}"
    return f"{day.day} {month}"


# (language, formal) -> part -> text
TEXTS: dict[tuple[str, bool], dict[str, str]] = {
    ("en", True): {
        "follow_up": "I hope you're well. I wanted to follow up on my note of {date} about "
        "feedback on my interview. Thank you again for the time you and the team gave me; I "
        "really enjoyed learning about the role, and I'm still very interested in working "
        "with you.",
        "redirect": "I wrote to {name} on {date} about feedback on my interview, but my "
        "message could not be delivered, so I hope you don't mind me asking you instead.",
        "ask": "I'm working on improving, so any honest feedback would mean a lot: how did I "
        "stack up against the other candidates, and what could I have done better or "
        "differently in the interviews?\n\nEven a few lines would be really helpful.",
        "last": "I know you are busy, so this is my last note on this. If you have two "
        "minutes, even a line or two on how I compared with the other candidates, or on one "
        "thing I could have done differently, would help me a lot. And if you can't share "
        'feedback, a short "no" is completely fine too.\n\nThank you again for your time and '
        "for considering me.",
        "thanks_feedback": "Thank you so much for taking the time to write this. It's "
        "genuinely useful, and I'll put it to work in my next interviews.\n\nI really enjoyed "
        "meeting you and the team.",
        "thanks_rejection": "Thank you for letting me know, and for your time during the "
        "process. I enjoyed meeting you and the team. If anything ever comes to mind that I "
        "could do better, I'd be glad to hear it.\n\nI hope our paths cross again.",
    },
    ("de", True): {
        "follow_up": "ich hoffe, es geht Ihnen gut. Ich wollte noch einmal an meine Nachricht "
        "vom {date} anknüpfen, in der ich Sie um eine Rückmeldung zu meinem "
        "Vorstellungsgespräch gebeten hatte.",
        "redirect": "ich hatte mich am {date} an {name} gewandt und um eine Rückmeldung zu "
        "meinem Vorstellungsgespräch gebeten, aber meine Nachricht konnte nicht zugestellt "
        "werden. Ich hoffe, es ist in Ordnung, dass ich mich stattdessen an Sie wende.",
        "ask": "Ich möchte mich weiterentwickeln, deshalb wäre mir Ihre ehrliche Einschätzung "
        "sehr wertvoll: Wie habe ich im Vergleich zu den anderen Kandidaten abgeschnitten, und "
        "was hätte ich besser machen können?\n\nSchon ein paar Zeilen würden mir sehr helfen.",
        "last": "ich weiß, dass Sie viel zu tun haben, deshalb ist dies meine letzte Nachricht "
        "dazu. Wenn Sie zwei Minuten finden, würden mir schon ein, zwei Sätze sehr helfen: wie "
        "ich im Vergleich zu den anderen abgeschnitten habe oder was ich hätte anders machen "
        "können. Und falls Sie keine Rückmeldung geben können, ist ein kurzes „Nein“ völlig "
        "in Ordnung.\n\nVielen Dank noch einmal für Ihre Zeit.",
        "thanks_feedback": "vielen Dank, dass Sie sich die Zeit für diese Rückmeldung genommen "
        "haben. Sie hilft mir wirklich weiter, und ich werde sie in meinen nächsten Gesprächen "
        "beherzigen.\n\nIch habe mich sehr über das Kennenlernen gefreut.",
        "thanks_rejection": "vielen Dank für Ihre Nachricht und für Ihre Zeit im "
        "Bewerbungsprozess. Ich habe mich über das Kennenlernen gefreut. Falls Ihnen noch "
        "etwas einfällt, was ich besser machen könnte, freue ich mich jederzeit darüber.\n\n"
        "Ich hoffe, wir begegnen uns wieder.",
    },
    ("de", False): {
        "follow_up": "ich hoffe, dir geht's gut. Ich wollte mich noch einmal wegen meiner "
        "Nachricht vom {date} melden, in der ich dich um Feedback zu meinem "
        "Vorstellungsgespräch gebeten hatte.",
        "redirect": "ich hatte am {date} {name} um Feedback zu meinem Vorstellungsgespräch "
        "gebeten, aber meine Nachricht kam nicht an. Ich hoffe, es ist okay, dass ich "
        "stattdessen dich frage.",
        "ask": "Ich möchte daraus lernen, deshalb wäre mir deine ehrliche Einschätzung viel "
        "wert: Wie habe ich im Vergleich zu den anderen abgeschnitten, und was hätte ich besser "
        "machen können?\n\nSchon ein paar Zeilen würden mir sehr helfen.",
        "last": "ich weiß, dass du viel um die Ohren hast, deshalb ist das meine letzte "
        "Nachricht dazu. Wenn du zwei Minuten findest, würden mir schon ein, zwei Sätze sehr "
        "helfen: wie ich im Vergleich abgeschnitten habe oder was ich anders hätte machen "
        "können. Und wenn du kein Feedback geben kannst, ist ein kurzes „Nein“ völlig "
        "okay.\n\nDanke dir noch mal für deine Zeit.",
        "thanks_feedback": "vielen Dank, dass du dir die Zeit für das Feedback genommen hast. "
        "Das hilft mir wirklich weiter, und ich nehme es mit in meine nächsten Gespräche.\n\n"
        "Es hat mich sehr gefreut, dich und das Team kennenzulernen.",
        "thanks_rejection": "danke, dass du mir Bescheid gegeben hast, und danke für deine "
        "Zeit. Es hat mich gefreut, dich und das Team kennenzulernen. Wenn dir noch etwas "
        "einfällt, was ich besser machen könnte, freue ich mich jederzeit darüber.\n\n"
        "Vielleicht sieht man sich ja wieder.",
    },
    ("fr", True): {
        "follow_up": "J'espère que vous allez bien. Je me permets de revenir vers vous au "
        "sujet de mon message du {date}, dans lequel je vous demandais un retour sur mon "
        "entretien.",
        "redirect": "J'avais écrit à {name} le {date} pour lui demander un retour sur mon "
        "entretien, mais mon message n'a pas pu être remis. Je me permets donc de m'adresser "
        "à vous.",
        "ask": "Je cherche à progresser, et votre avis sincère me serait très précieux : "
        "comment ma candidature se situait-elle par rapport aux autres, et qu'aurais-je pu "
        "faire mieux ou autrement ?\n\nQuelques lignes m'aideraient déjà beaucoup.",
        "last": "Je sais que votre emploi du temps est chargé, aussi ce sera mon dernier "
        "message à ce sujet. Si vous avez deux minutes, une ou deux phrases sur ce qui m'a "
        "manqué, ou sur un point à améliorer, m'aideraient beaucoup. Et si vous ne pouvez pas "
        "faire de retour, un simple « non » me convient tout à fait.\n\nMerci encore pour "
        "votre temps.",
        "thanks_feedback": "Merci beaucoup d'avoir pris le temps de me faire ce retour. Il "
        "m'est vraiment utile, et j'en tiendrai compte lors de mes prochains entretiens.\n\n"
        "J'ai beaucoup apprécié notre échange.",
        "thanks_rejection": "Merci pour votre réponse et pour le temps que vous m'avez "
        "consacré. J'ai beaucoup apprécié nos échanges. Si un conseil pour la suite vous vient "
        "à l'esprit, je le recevrai avec plaisir.\n\nAu plaisir de recroiser votre chemin.",
    },
    ("fr", False): {
        "follow_up": "J'espère que tu vas bien. Je reviens vers toi au sujet de mon message "
        "du {date}, où je te demandais un retour sur mon entretien.",
        "redirect": "J'avais écrit à {name} le {date} pour avoir un retour sur mon entretien, "
        "mais mon message n'est pas passé. Du coup, je me permets de te poser la question.",
        "ask": "J'essaie de progresser, et ton avis sincère me serait très utile : comment ma "
        "candidature se situait-elle par rapport aux autres, et qu'est-ce que j'aurais pu "
        "faire mieux ?\n\nQuelques lignes m'aideraient déjà beaucoup.",
        "last": "Je sais que tu as beaucoup de choses en ce moment, donc c'est mon dernier "
        "message à ce sujet. Si tu as deux minutes, une ou deux phrases sur ce qui m'a manqué, "
        "ou sur un point à améliorer, m'aideraient beaucoup. Et si tu ne peux pas, un simple "
        "« non » me va très bien.\n\nMerci encore pour ton temps.",
        "thanks_feedback": "Merci beaucoup d'avoir pris le temps de me faire ce retour. Ça "
        "m'aide vraiment, et je vais m'en servir pour mes prochains entretiens.\n\nJ'ai "
        "beaucoup apprécié notre échange.",
        "thanks_rejection": "Merci pour ta réponse et pour le temps que tu m'as consacré. J'ai "
        "beaucoup apprécié nos échanges. Si un conseil pour la suite te vient à l'esprit, je "
        "le prendrai avec plaisir.\n\nAu plaisir de se recroiser.",
    },
    ("es", True): {
        "follow_up": "Espero que se encuentre bien. Le escribo para retomar mi mensaje del "
        "{date}, en el que le pedía su opinión sobre mi entrevista.",
        "redirect": "El {date} escribí a {name} para pedirle su opinión sobre mi entrevista, "
        "pero mi mensaje no se pudo entregar. Espero que no le importe que le escriba a usted.",
        "ask": "Quiero seguir mejorando, así que su valoración sincera me sería muy útil: "
        "¿cómo quedé en comparación con los demás candidatos y qué podría haber hecho mejor?"
        "\n\nCon unas pocas líneas me ayudaría muchísimo.",
        "last": "Sé que tiene mucho trabajo, así que este será mi último mensaje sobre el "
        "tema. Si dispone de dos minutos, una o dos frases sobre qué me faltó o qué podría "
        "mejorar me ayudarían mucho. Y si no puede darme su opinión, un simple «no» también "
        "está bien.\n\nMuchas gracias de nuevo por su tiempo.",
        "thanks_feedback": "Muchas gracias por tomarse el tiempo de darme esta valoración. Me "
        "resulta muy útil y la tendré en cuenta en mis próximas entrevistas.\n\nFue un placer "
        "conversar con usted.",
        "thanks_rejection": "Muchas gracias por comunicármelo y por su tiempo durante el "
        "proceso. Disfruté mucho de nuestras conversaciones. Si en algún momento se le ocurre "
        "algo que pueda mejorar, lo recibiré con mucho gusto.\n\nOjalá volvamos a coincidir.",
    },
    ("es", False): {
        "follow_up": "Espero que estés bien. Te escribo para retomar mi mensaje del {date}, en "
        "el que te pedía feedback sobre mi entrevista.",
        "redirect": "El {date} escribí a {name} para pedirle feedback sobre mi entrevista, "
        "pero mi mensaje no llegó. Espero que no te importe que te lo pregunte a ti.",
        "ask": "Quiero seguir mejorando, así que tu opinión sincera me vendría genial: ¿cómo "
        "quedé en comparación con los demás candidatos y qué podría haber hecho mejor?\n\n"
        "Con unas pocas líneas me ayudarías muchísimo.",
        "last": "Sé que vas a tope, así que este es mi último mensaje sobre el tema. Si tienes "
        "dos minutos, una o dos frases sobre qué me faltó o qué podría mejorar me ayudarían "
        "mucho. Y si no puedes darme feedback, un simple «no» también está perfecto.\n\nMil "
        "gracias de nuevo por tu tiempo.",
        "thanks_feedback": "Muchísimas gracias por tomarte el tiempo de darme feedback. Me "
        "resulta muy útil y lo tendré en cuenta en mis próximas entrevistas.\n\nFue un placer "
        "hablar contigo.",
        "thanks_rejection": "Gracias por avisarme y por tu tiempo durante el proceso. Disfruté "
        "mucho de nuestras conversaciones. Si en algún momento se te ocurre algo que pueda "
        "mejorar, me encantará saberlo.\n\nOjalá volvamos a coincidir.",
    },
    ("pt", True): {
        "follow_up": "Espero que esteja tudo bem. Escrevo para retomar a minha mensagem de "
        "{date}, em que pedia um feedback sobre a minha entrevista.",
        "redirect": "No dia {date} escrevi a {name} a pedir um feedback sobre a minha "
        "entrevista, mas a mensagem não pôde ser entregue. Por isso, tomo a liberdade de lhe "
        "escrever.",
        "ask": "Gostaria muito de melhorar, por isso uma opinião sincera seria muito valiosa: "
        "como me saí em comparação com os outros candidatos e o que poderia ter feito melhor?"
        "\n\nAlgumas linhas já ajudariam muito.",
        "last": "Sei que a agenda anda cheia, por isso esta é a minha última mensagem sobre o "
        "assunto. Se tiver dois minutos, uma ou duas frases sobre o que faltou ou o que eu "
        "poderia melhorar ajudariam muito. E se não for possível, um simples “não” também "
        "está ótimo.\n\nAgradeço mais uma vez o seu tempo.",
        "thanks_feedback": "Agradeço muito o tempo que dedicou a este feedback. É muito útil e "
        "vou tê-lo em conta nas minhas próximas entrevistas.\n\nFoi um prazer conversarmos.",
        "thanks_rejection": "Agradeço a resposta e o tempo dedicado ao processo. Gostei muito "
        "das nossas conversas. Se um dia lhe ocorrer algo que eu possa melhorar, será muito "
        "bem-vindo.\n\nEspero que os nossos caminhos se voltem a cruzar.",
    },
    ("nl", True): {
        "follow_up": "Ik hoop dat het goed met u gaat. Ik kom nog even terug op mijn bericht "
        "van {date}, waarin ik u om feedback op mijn sollicitatiegesprek vroeg.",
        "redirect": "Op {date} schreef ik {name} om feedback op mijn sollicitatiegesprek, "
        "maar mijn bericht kon niet worden bezorgd. Ik hoop dat u het goedvindt dat ik het "
        "daarom aan u vraag.",
        "ask": "Ik wil mezelf graag verbeteren, dus uw eerlijke mening zou veel voor me "
        "betekenen: hoe deed ik het in vergelijking met de andere kandidaten, en wat had ik "
        "beter kunnen doen?\n\nEen paar regels zouden me al enorm helpen.",
        "last": "Ik weet dat u het druk heeft, dus dit is mijn laatste bericht hierover. Als u "
        "twee minuten heeft, zouden een of twee zinnen over wat er ontbrak of wat ik anders "
        "had kunnen doen me veel helpen. En als u geen feedback kunt geven, is een kort „nee” "
        "ook helemaal prima.\n\nNogmaals dank voor uw tijd.",
        "thanks_feedback": "Hartelijk dank dat u de tijd nam om mij deze feedback te geven. Ik "
        "heb er echt iets aan en neem het mee naar mijn volgende gesprekken.\n\nIk vond het "
        "prettig om kennis met u te maken.",
        "thanks_rejection": "Dank u voor uw bericht en voor de tijd die u in de procedure hebt "
        "gestoken. Ik vond de gesprekken erg prettig. Mocht u nog een tip voor me hebben, dan "
        "hoor ik die graag.\n\nWie weet tot een volgende keer.",
    },
    ("nl", False): {
        "follow_up": "Ik hoop dat alles goed met je gaat. Ik kom even terug op mijn bericht "
        "van {date}, waarin ik je om feedback op mijn sollicitatiegesprek vroeg.",
        "redirect": "Op {date} heb ik {name} om feedback op mijn sollicitatiegesprek gevraagd, "
        "maar mijn bericht kwam niet aan. Ik hoop dat je het niet erg vindt dat ik het daarom "
        "aan jou vraag.",
        "ask": "Ik wil er graag van leren, dus je eerlijke mening zou veel voor me betekenen: "
        "hoe deed ik het vergeleken met de andere kandidaten, en wat had ik beter kunnen doen?"
        "\n\nEen paar regels zouden me al enorm helpen.",
        "last": "Ik weet dat je het druk hebt, dus dit is mijn laatste berichtje hierover. Als "
        "je twee minuten hebt, zouden een of twee zinnen over wat er ontbrak of wat ik anders "
        "had kunnen doen me echt helpen. En als je geen feedback kunt geven, is een kort "
        "„nee” ook prima.\n\nNogmaals bedankt voor je tijd.",
        "thanks_feedback": "Heel erg bedankt dat je de tijd nam om me feedback te geven. Ik "
        "heb er echt wat aan en neem het mee naar mijn volgende gesprekken.\n\nLeuk om je te "
        "hebben leren kennen.",
        "thanks_rejection": "Bedankt voor je bericht en voor je tijd tijdens de procedure. Ik "
        "vond de gesprekken erg leuk. Als je nog een tip voor me hebt, hoor ik die graag.\n\n"
        "Wie weet tot een volgende keer.",
    },
}

# A greeting for someone the user has not greeted in this thread: (with a name, without).
GREETINGS = {
    ("en", True): ("Hi {first},", "Hello,"),
    ("de", True): ("Guten Tag {full},", "Guten Tag,"),
    ("de", False): ("Hallo {first},", "Hallo,"),
    ("fr", True): ("Bonjour {full},", "Bonjour,"),
    ("fr", False): ("Bonjour {first},", "Bonjour,"),
    ("es", True): ("Hola {first}:", "Hola:"),
    ("es", False): ("Hola {first},", "Hola:"),
    ("pt", True): ("Olá {first},", "Olá,"),
    ("nl", True): ("Beste {full},", "Goedendag,"),
    ("nl", False): ("Hoi {first},", "Hallo,"),
}
# A sign-off where the user's request had none; the sender's name goes under it.
SIGNOFFS = {
    ("en", True): "Best regards,",
    ("de", True): "Mit freundlichen Grüßen",
    ("de", False): "Viele Grüße",
    ("fr", True): "Bien cordialement,",
    ("fr", False): "À bientôt,",
    ("es", True): "Un saludo cordial,",
    ("es", False): "Un saludo,",
    ("pt", True): "Cumprimentos,",
    ("nl", True): "Met vriendelijke groet,",
    ("nl", False): "Groet,",
}
# English and Portuguese (as written here) have one register.
for _lang in ("en", "pt"):
    TEXTS[(_lang, False)] = TEXTS[(_lang, True)]
    GREETINGS[(_lang, False)] = GREETINGS[(_lang, True)]
    SIGNOFFS[(_lang, False)] = SIGNOFFS[(_lang, True)]


def register(lang: str, formal: bool) -> tuple[str, bool]:
    """The (language, formal) key of the texts; English where the language is not written."""
    return (lang, formal) if (lang, formal) in TEXTS else ("en", True)
