"""The command line: the composition root and the one error boundary."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path

from watcher import __version__
from watcher.config import Config, config_is_private, default_config_path, default_data_dir, \
    load_config
from watcher.errors import ConfigError, WatcherError
from watcher.storage import Store

log = logging.getLogger("watcher")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line and exit code 2, like a config mistake
        raise ConfigError(f"{message} (see '{self.prog} --help')")


class Context:
    """What every command needs: where things are, and the loaded pieces, made on first use."""

    def __init__(self, args: argparse.Namespace, environ: Mapping[str, str]) -> None:
        self.args = args
        self.environ = environ
        self.config_path = Path(args.config).expanduser() if args.config \
            else default_config_path(environ)
        self.data_dir = Path(args.data_dir).expanduser() if args.data_dir \
            else default_data_dir(environ)
        self._config: Config | None = None
        self._store: Store | None = None

    @property
    def config(self) -> Config:
        if self._config is None:
            self._config = load_config(self.config_path)
            if not config_is_private(self.config_path):
                log.warning("%s is readable by other users; run: chmod 600 %s",
                            self.config_path, self.config_path)
        return self._config

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = Store.open(self.data_dir)
        return self._store

    def now(self) -> datetime:
        raw = getattr(self.args, "now", None)
        if raw:
            try:
                value = datetime.fromisoformat(raw)
            except ValueError:
                raise ConfigError(f"--now must be an ISO-8601 time, got {raw!r}") from None
            return value if value.tzinfo else value.astimezone()
        return datetime.now(timezone.utc).astimezone()

    def close(self) -> None:
        if self._store is not None:
            self._store.close()


def cmd_sync(ctx: Context) -> int:
    from watcher.requestdetect import detect_requests
    from watcher.service import imap_source_factory, sync_accounts

    config = ctx.config
    if not config.accounts:
        raise ConfigError(f"no [[accounts]] in {ctx.config_path}: add one (see README)")
    results = sync_accounts(config, ctx.store, imap_source_factory(ctx.environ),
                            detect_requests, ctx.now())
    for r in results:
        if r.report:
            print(f"{r.account}: {len(r.report.folders)} folders, {r.report.fetched} messages "
                  f"fetched, {r.report.new_messages} new, {r.report.requests} requests tracked")
        else:
            print(f"{r.account}: sync failed: {r.error}", file=sys.stderr)
    return 0 if all(r.report for r in results) else 4


def cmd_status(ctx: Context) -> int:
    config, store = ctx.config, ctx.store
    for account in config.accounts:
        rec = store.account(account.name)
        last = rec.last_ok.isoformat(timespec="seconds") if rec.last_ok else "never"
        print(f"{account.name} ({account.username} at {account.host}): last successful sync "
              f"{last}; {store.message_count(account.name)} messages stored")
        if rec.last_error and (not rec.last_ok or (rec.last_attempt and rec.last_attempt > rec.last_ok)):
            print(f"  last attempt failed: {rec.last_error}")
        for f in store.folders(account.name):
            print(f"  {f.name:<24} {f.role:<8} {f.messages:>7} messages on server, "
                  f"{store.location_count(account.name, f.name)} stored")
    return 0


COMMANDS = {
    "sync": (cmd_sync, "fetch new mail from every account once (read-only) and exit"),
    "status": (cmd_status, "show accounts, watched folders, message counts and the last sync"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="feedback-watcher", description=(
        "Watches your mailbox for answers to the interview-feedback requests you sent, "
        "and tells you when to ask again."))
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--config", metavar="PATH",
                        help="configuration file (default: the platform's user config dir, "
                             "or $FEEDBACK_WATCHER_CONFIG)")
    parser.add_argument("--data-dir", metavar="PATH",
                        help="state directory (default: the platform's user data dir, "
                             "or $FEEDBACK_WATCHER_DATA_DIR)")
    parser.add_argument("-v", "--verbose", action="count", default=0,
                        help="more log output (-vv for debug)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, (_, help_text) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        if name in ("sync",):
            p.add_argument("--now", metavar="ISO-8601", help=argparse.SUPPRESS)
    return parser


def _configure_logging(verbosity: int) -> None:
    level = logging.WARNING - 10 * verbosity
    logging.basicConfig(level=max(level, logging.DEBUG), stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    environ = os.environ if environ is None else environ
    parser = build_parser()
    ctx = None
    try:
        args = parser.parse_args(argv)
        _configure_logging(args.verbose)
        if not args.command:
            parser.print_help()
            return 2
        ctx = Context(args, environ)
        return COMMANDS[args.command][0](ctx)
    except WatcherError as exc:
        print(f"feedback-watcher: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except Exception:  # noqa: BLE001 - the one boundary that turns a bug into a report
        log.exception("unexpected error; please report it with this traceback")
        return 70
    finally:
        if ctx is not None:
            ctx.close()
