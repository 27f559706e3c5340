"""What the classifiers read of a message (pure): its new text, subject and automatic signals."""

from __future__ import annotations

from dataclasses import dataclass

from watcher.messages import AutoSignals, Message
from watcher.replies import strip_quotes, visible_text


@dataclass(frozen=True)
class Sample:
    """One message as the text models see it."""

    text: str  # what the author newly wrote
    subject: str  # normalized subject
    signals: str  # space-separated tokens for header facts ("sig_auto_submitted ...")
    quoted: str = ""  # the quoted part (a follow-up ask often quotes the first ask)


def signal_tokens(signals: AutoSignals) -> str:
    tokens = []
    if signals.auto_submitted and signals.auto_submitted != "no":
        tokens.append("sig_auto_submitted")
    for name in ("auto_reply_header", "mailing_list", "auto_reply_subject", "bounce",
                 "read_receipt"):
        if getattr(signals, name, False):
            tokens.append("sig_" + name)
    if signals.precedence:
        tokens.append("sig_precedence_" + signals.precedence.replace("-", "_"))
    if signals.return_date:
        tokens.append("sig_return_date")
    return " ".join(tokens) or "sig_none"


def reply_text(message: Message) -> str:
    """The reply's new text: quotes and signatures removed; from HTML when that is all it has."""
    text = visible_text(message.body_text) if message.body_text.strip() else ""
    if not text.strip() and message.body_html:
        text = visible_text(message.body_html)
    return text.strip()


def reply_sample(message: Message) -> Sample:
    return Sample(reply_text(message), message.normalized_subject,
                  signal_tokens(message.signals))


def sent_sample(message: Message) -> Sample:
    """A sent message, for the request detector: its own words, and what it quotes."""
    body = message.body_text
    if not body.strip() and message.body_html:
        body = visible_text(message.body_html)
    own = strip_quotes(body)
    quoted = body.replace(own, "", 1) if own and own in body else ""
    return Sample(own.strip(), message.normalized_subject, signal_tokens(message.signals),
                  quoted.strip())
