"""Mail provider presets for setup: server, TLS, and what each provider needs from you (pure)."""

from __future__ import annotations

from dataclasses import dataclass

PASSWORD, APP_PASSWORD, OAUTH2, BRIDGE = "password", "app_password", "oauth2", "bridge"


@dataclass(frozen=True)
class Provider:
    """How to reach one provider's IMAP server, and the sign-in it accepts."""

    key: str
    name: str
    host: str
    port: int
    tls: str
    auth: str  # the sign-in we suggest: PASSWORD, APP_PASSWORD, OAUTH2 or BRIDGE
    needs: str  # what the user has to do first, in a sentence or two
    domains: tuple[str, ...] = ()
    username_hint: str = "your full email address"
    needs_ca_file: bool = False


PROVIDERS: tuple[Provider, ...] = (
    Provider(
        "gmail",
        "Gmail / Google Workspace",
        "imap.gmail.com",
        993,
        "ssl",
        APP_PASSWORD,
        "Google does not accept your normal password over IMAP. Either turn on 2-Step "
        "Verification and create an app password (Google Account > Security > App passwords; "
        "16 letters), or use OAuth2: a token helper such as oama or mutt_oauth2.py that "
        "prints an access token (oauth2_token_command).",
        ("gmail.com", "googlemail.com"),
    ),
    Provider(
        "outlook",
        "Outlook.com / Microsoft 365",
        "outlook.office365.com",
        993,
        "ssl",
        OAUTH2,
        "Microsoft has switched off password sign-in over IMAP for most accounts: use OAuth2 "
        "(recommended). Install a token helper (oama, mutt_oauth2.py or "
        "email-oauth2-proxy), sign in once in its browser window, and give its command as "
        "the OAuth2 token command. Work accounts may need an admin to allow IMAP.",
        ("outlook.com", "hotmail.com", "live.com", "msn.com", "outlook.de", "hotmail.co.uk"),
    ),
    Provider(
        "fastmail",
        "Fastmail",
        "imap.fastmail.com",
        993,
        "ssl",
        APP_PASSWORD,
        "Create an app password with IMAP access (Fastmail Settings > Privacy & Security > "
        "App passwords); your login password will not work.",
        ("fastmail.com", "fastmail.fm"),
    ),
    Provider(
        "icloud",
        "iCloud Mail",
        "imap.mail.me.com",
        993,
        "ssl",
        APP_PASSWORD,
        "Create an app-specific password at account.apple.com (Sign-In and Security > "
        "App-Specific Passwords); two-factor authentication must be on.",
        ("icloud.com", "me.com", "mac.com"),
        username_hint="usually the name before @icloud.com (try the full address if that fails)",
    ),
    Provider(
        "yahoo",
        "Yahoo Mail",
        "imap.mail.yahoo.com",
        993,
        "ssl",
        APP_PASSWORD,
        "Create an app password (Yahoo Account Info > Account Security > Generate app "
        "password); your normal password will not work.",
        ("yahoo.com", "ymail.com", "rocketmail.com"),
    ),
    Provider(
        "proton",
        "Proton Mail (through Proton Mail Bridge)",
        "127.0.0.1",
        1143,
        "starttls",
        BRIDGE,
        "Proton Mail needs the Proton Mail Bridge app (paid plans) running on this computer. "
        "Use the username and the Bridge password that the Bridge shows for your account "
        "(not your Proton password), and export the Bridge's TLS certificate (Bridge > "
        "Settings > Advanced settings > Export TLS certificates) so the connection can be "
        "verified.",
        ("proton.me", "protonmail.com", "protonmail.ch", "pm.me"),
        username_hint="the username the Bridge shows (usually your Proton address)",
        needs_ca_file=True,
    ),
    Provider(
        "custom",
        "Another provider or your own server",
        "",
        993,
        "ssl",
        PASSWORD,
        "You need the IMAP server name and port from your provider (usually port 993 with "
        "SSL/TLS, or 143 with STARTTLS), and your password or an app password.",
    ),
)

BY_KEY = {p.key: p for p in PROVIDERS}


def provider(key: str) -> Provider:
    """The preset with this key; KeyError names the choices."""
    try:
        return BY_KEY[key.lower()]
    except KeyError:
        raise KeyError(f"unknown provider {key!r}; choose one of {', '.join(BY_KEY)}") from None


def guess_provider(address: str) -> Provider | None:
    """The preset whose mail domain this address is on, if any."""
    domain = address.rpartition("@")[2].strip().lower()
    for p in PROVIDERS:
        if domain in p.domains:
            return p
    return None
