"""Which address domains stand for a company, and which are free-mail providers (pure)."""

from __future__ import annotations

# A colleague at the same company may answer for the person asked; at a free-mail provider
# a shared domain means nothing.
FREE_MAIL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "hotmail.co.uk",
        "live.com",
        "msn.com",
        "yahoo.com",
        "yahoo.co.uk",
        "yahoo.fr",
        "yahoo.de",
        "yahoo.es",
        "ymail.com",
        "aol.com",
        "icloud.com",
        "me.com",
        "mac.com",
        "proton.me",
        "protonmail.com",
        "pm.me",
        "gmx.de",
        "gmx.net",
        "gmx.com",
        "web.de",
        "t-online.de",
        "freenet.de",
        "orange.fr",
        "free.fr",
        "laposte.net",
        "sfr.fr",
        "wanadoo.fr",
        "libero.it",
        "virgilio.it",
        "mail.ru",
        "yandex.ru",
        "yandex.com",
        "zoho.com",
        "fastmail.com",
        "fastmail.fm",
        "hey.com",
        "tutanota.com",
        "tuta.io",
        "mail.com",
        "qq.com",
        "163.com",
        "126.com",
        "naver.com",
        "bol.com.br",
        "uol.com.br",
        "terra.com.br",
        "ziggo.nl",
        "kpnmail.nl",
        "hetnet.nl",
        "telenet.be",
        "skynet.be",
        "btinternet.com",
        "sky.com",
        "virginmedia.com",
        "comcast.net",
        "verizon.net",
        "att.net",
        "sbcglobal.net",
        "seznam.cz",
        "wp.pl",
        "o2.pl",
        "interia.pl",
    }
)

AUTOMATED_SENDERS = ("mailer-daemon", "postmaster")


def domain_of(address: str) -> str:
    return address.rpartition("@")[2].lower()


def company_domain(address: str) -> str | None:
    """The address's domain when it can stand for an employer, else None."""
    domain = domain_of(address)
    if not domain or domain in FREE_MAIL_DOMAINS or "." not in domain:
        return None
    return domain
