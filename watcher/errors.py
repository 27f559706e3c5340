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


class MailServerError(WatcherError):
    """The mail server could not be reached or answered in a way we cannot use."""

    exit_code = 4


class StorageError(WatcherError):
    """The state database could not be opened or written."""

    exit_code = 5


class ModelError(WatcherError):
    """A classifier could not be loaded or trained."""

    exit_code = 6


class Interrupted(WatcherError):
    """SIGTERM or SIGINT arrived; the work done so far is committed."""

    exit_code = 0
