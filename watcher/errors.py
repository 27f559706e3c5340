"""The product's exceptions: one base class, a few kinds the CLI maps to exit codes."""


class WatcherError(Exception):
    """An expected failure, shown to the user as one line."""

    exit_code = 1


class ConfigError(WatcherError):
    """The configuration file or a command-line value is wrong; the message says how to fix it."""

    exit_code = 2


class CredentialError(WatcherError):
    """No password could be found, or the server refused it."""

    exit_code = 3


class AuthenticationFailed(CredentialError):
    """The server refused the login: retrying with the same password only risks a lockout."""


class LoginPaused(CredentialError):
    """A login refused before is not tried again until the password or the settings change."""


class MailServerError(WatcherError):
    """The mail server could not be reached or answered in a way we cannot use."""

    exit_code = 4


class ServerRefused(MailServerError):
    """The server answered NO or BAD to one command; the connection itself still works."""


class UntrustedCertificate(MailServerError):
    """The server's TLS certificate is not trusted (a private CA: set ca_file)."""


class WrongTlsMode(MailServerError):
    """The port speaks TLS from the first byte where STARTTLS was set, or the other way."""

    def __init__(self, message: str, speaks: str) -> None:
        super().__init__(message)
        self.speaks = speaks  # "ssl" or "plain"


class StorageError(WatcherError):
    """The state database could not be opened or written."""

    exit_code = 5


class ModelError(WatcherError):
    """A classifier could not be loaded or trained."""

    exit_code = 6


# What `sync` exits with when some accounts, folders or messages could not be read. One rule
# for every command that syncs: the first that applies wins, so the code names what the user
# should look at first. Interrupted wins (the user asked to stop); then credentials (nothing
# will work until they act); then a server that failed a whole account; then a partial sync
# (some folders or messages skipped, everything else is current).
EXIT_PARTIAL = 7


class Interrupted(WatcherError):
    """SIGTERM or SIGINT arrived; the work done so far is committed."""

    exit_code = 130  # as a shell reports a command stopped by Ctrl-C (128 + SIGINT)


class AlreadyRunning(WatcherError):
    """Another ``run`` holds this data directory's service lock."""

    exit_code = 75  # EX_TEMPFAIL: it can start once the other one stops
