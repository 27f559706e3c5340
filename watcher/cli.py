"""The command line: the composition root and the one error boundary."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

from watcher import __version__
from watcher.config import (
    Config,
    config_is_private,
    config_is_writable_by_others,
    default_config_path,
    default_data_dir,
    load_config,
)
from watcher.daemon import WORKER_FLAG
from watcher.errors import ConfigError, Interrupted, StorageError, WatcherError
from watcher.language import plural
from watcher.mail.messages import Message
from watcher.storage import USER_SOURCE, RequestMark, Store
from watcher.termsafe import visible

if TYPE_CHECKING:
    from watcher.config import Account
    from watcher.credentials import Secret
    from watcher.daemon import Settings
    from watcher.followups import ThreadState

if TYPE_CHECKING:
    from watcher.journal import Journal

log = logging.getLogger("watcher")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line and exit code 2, like a config mistake
        raise ConfigError(f"{message} (see '{self.prog} --help')")


class Context:
    """What every command needs: where things are, and the loaded pieces, made on first use."""

    def __init__(self, args: argparse.Namespace, environ: Mapping[str, str]) -> None:
        self.args = args
        self.environ = environ
        self.config_path = (
            Path(args.config).expanduser() if args.config else default_config_path(environ)
        )
        self.data_dir = (
            Path(args.data_dir).expanduser() if args.data_dir else default_data_dir(environ)
        )
        self._config: Config | None = None
        self._store: Store | None = None

    @property
    def config(self) -> Config:
        if self._config is None:
            self._config = load_config(self.config_path)
            if config_is_writable_by_others(self.config_path):
                log.warning(
                    "%s can be changed by other users, and the password_command in it runs at "
                    "every poll; run: chmod 600 %s",
                    self.config_path,
                    self.config_path,
                )
            elif not config_is_private(self.config_path):
                log.warning(
                    "%s is readable by other users; run: chmod 600 %s",
                    self.config_path,
                    self.config_path,
                )
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


def now_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--now", metavar="ISO-8601", help="pretend it is this time (for testing the rules)"
    )


def no_arguments(p: argparse.ArgumentParser) -> None:
    pass


@dataclass(frozen=True)
class Command:
    """One subcommand: its name and help, what it runs, and the arguments it takes."""

    name: str
    help: str
    run: Callable[[Context], int]
    add_arguments: Callable[[argparse.ArgumentParser], None] = no_arguments


def cmd_sync(ctx: Context) -> int:
    from watcher.service import (
        AuthGuard,
        lazy_request_detector,
        mail_source_factory,
        sync_accounts,
        sync_exit_code,
    )

    config = ctx.config
    if not config.accounts:
        raise ConfigError(f"no [[accounts]] in {ctx.config_path}: add one (see README)")
    stop = StopOnSignals()
    if ctx.environ.get(WORKER_FLAG) == "1":
        stop.orphan_of = os.getppid()
    try:
        results = sync_accounts(
            config,
            ctx.store,
            # The service's workers keep off a login refused before; a sync you run tries.
            mail_source_factory(
                ctx.environ, AuthGuard(ctx.store, ctx.now(), ctx.environ.get(WORKER_FLAG) == "1")
            ),
            lazy_request_detector(ctx.data_dir),
            ctx.now(),
            stop.is_set,
        )
        if any(r.report and r.report.new_messages for r in results):
            from watcher.service import (
                journal_points,
                lazy_point_extractor,
                lazy_reply_classifier,
                thread_states,
            )

            # Classify new replies now, and read their points, so the digest, `status` and
            # `journal` need no model later.
            states = thread_states(
                config, ctx.store, lazy_reply_classifier(ctx.data_dir), ctx.now()
            )
            journal_points(ctx.store, states, lazy_point_extractor(ctx.data_dir))
    finally:
        stop.disarm()
    for r in results:
        if r.report:
            say(
                f"{r.account}: {plural(len(r.report.folders), 'folder')}, "
                f"{plural(r.report.fetched, 'message')} fetched, {r.report.new_messages} new, "
                f"{plural(r.report.requests, 'request')} tracked"
            )
            if r.partial:
                say(f"{r.account}: partial sync: {r.partial}", sys.stderr)
        else:
            say(f"{r.account}: sync failed: {r.error}", sys.stderr)
    return sync_exit_code(results)


SYNC_STOP_GRACE = 5  # seconds the current batch gets after the first signal


class StopOnSignals:
    """SIGINT and SIGTERM during a sync.

    The first says so in one line and sets a flag the sync checks between batches, so it stops
    with everything fetched so far committed. If the batch is not done within
    ``SYNC_STOP_GRACE`` seconds (a server dripping a byte at a time keeps a read alive for
    ever), or at a second signal, the connections are cut and the sync stops where it is
    (exit 130); a transaction under way is rolled back whole.
    """

    def __init__(self) -> None:
        import signal

        self.event = threading.Event()
        self.orphan_of: int | None = None
        self.previous = {
            sig: signal.signal(sig, handler)
            for sig, handler in (
                (signal.SIGTERM, self.handler),
                (signal.SIGINT, self.handler),
                (signal.SIGALRM, self.late),
            )
        }

    def is_set(self) -> bool:
        # A worker whose service died (SIGKILL, a crash) stops too, after its current batch.
        return self.event.is_set() or (
            self.orphan_of is not None and os.getppid() != self.orphan_of
        )

    def handler(self, signum: int, frame: object) -> None:
        import signal

        if self.event.is_set():
            self._now("stopped at once")
        self.event.set()
        again = " (Ctrl-C again to stop at once)" if signum == signal.SIGINT else ""
        print(f"feedback-watcher: stopping after the current batch{again}", file=sys.stderr)
        log.info("signal %d: stopping after the current batch", signum)
        signal.alarm(SYNC_STOP_GRACE)

    def late(self, signum: int, frame: object) -> None:
        self._now(f"the current batch took over {SYNC_STOP_GRACE} s; stopped where it was")

    def _now(self, why: str) -> NoReturn:
        from watcher.imap import abort_connections

        abort_connections()
        raise Interrupted(f"sync {why}; what was committed before is saved")

    def disarm(self) -> None:
        """The sync is over: no late stop, and the handlers from before."""
        import signal

        signal.alarm(0)
        for sig, handler in self.previous.items():
            signal.signal(sig, handler)


def cmd_status(ctx: Context) -> int:
    from watcher.storage import rebuild_advice

    config, store = ctx.config, ctx.store
    problem = store.quick_check()
    if problem != "ok":
        raise StorageError(
            f"the state database {store.path} is damaged (quick_check: {problem}); "
            + rebuild_advice(store.path)
        )
    from watcher.service import AUTH_KEY, RefusedLogin, account_failing, account_record

    for account in config.accounts:
        rec = account_record(store, account.name, ctx.now())
        last = (
            f"last successful sync {rec.last_ok.isoformat(timespec='seconds')}"
            if rec.last_ok
            else "never synced"
        )
        where = (
            f"maildir {account.maildir}"
            if account.maildir
            else f"mbox {account.mbox}"
            if account.mbox
            else f"{account.username} at {account.host}"
        )
        gone = store.gone_count(account.name)
        gone_note = f" ({gone} since deleted on the server)" if gone else ""
        stored = plural(store.message_count(account.name), "message")
        say(f"{account.name} ({where}): {last}; {stored} stored{gone_note}")
        for warning in filter(
            None, (store.get(f"folder_warnings:{account.name}") or "").split("\n")
        ):
            say(f"  warning: {warning}")
        refused = RefusedLogin.load(store.get(AUTH_KEY + account.name))
        if refused is not None:
            say(
                f"  login refused at {refused.at.isoformat(timespec='minutes')}: the service "
                "will not try again until the password or the account's settings change"
                + (" (OAuth2: or 3 h have passed)" if refused.oauth2 else "")
                + "; 'feedback-watcher sync' tries now"
            )
        if account_failing(rec):
            say(f"  last attempt failed: {rec.last_error}")
        elif rec.partial:
            say(f"  last sync was partial: {rec.partial}")
        plan = store.get(f"search_plan:{account.name}")
        if plan:
            from watcher.sync import LEVEL_NAMES, SearchPlan

            say(f"  search: {LEVEL_NAMES[min(SearchPlan.load(plan).level, len(LEVEL_NAMES) - 1)]}")
        for f in store.folders(account.name):
            on_server = plural(f.messages, "message")
            say(
                f"  {f.name:<24} {f.role:<8} {on_server:>16} on server, "
                f"{store.location_count(account.name, f.name)} stored"
                + (f"; refused at the last sync: {f.error}" if f.error else "")
            )
    return 0


def _read_inputs(paths: Sequence[str]) -> list[tuple[str, bytes]]:
    out = []
    for p in paths:
        if p == "-":
            out.append(("-", sys.stdin.buffer.read()))
            continue
        try:
            out.append((p, Path(p).read_bytes()))
        except OSError as exc:
            raise ConfigError(f"cannot read {p}: {exc.strerror}") from None
    return out


def _threshold(ctx: Context) -> float:
    if ctx.args.config or ctx.config_path.exists():
        return ctx.config.confidence_threshold
    return Config().confidence_threshold


def classify_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="+", metavar="PATH", help=".eml file, or - for stdin")
    p.add_argument("--json", action="store_true", help="one JSON object per line")


def cmd_classify(ctx: Context) -> int:
    import json

    from watcher.classify.classifier import ReplyClassifier
    from watcher.classify.features import reply_text
    from watcher.mail.messages import parse_message

    inputs = _read_inputs(ctx.args.paths)
    messages = [parse_message(raw) for _, raw in inputs]
    verdicts = ReplyClassifier(ctx.data_dir).classify(messages)
    threshold = _threshold(ctx)
    for (path, _), m, v in zip(inputs, messages, verdicts):
        review = v.confidence < threshold
        if ctx.args.json:
            print(
                json.dumps(
                    {
                        "path": path,
                        "label": v.label,
                        "confidence": round(v.confidence, 4),
                        "needs_review": review,
                        "text": reply_text(m),
                    },
                    ensure_ascii=False,
                )
            )
        else:
            note = "  (needs your eye)" if review else ""
            print(f"{visible(path)}\t{v.label}\t{v.confidence:.2f}{note}")
    return 0


def label_arguments(p: argparse.ArgumentParser) -> None:
    now_argument(p)
    p.add_argument(
        "message_id",
        metavar="HANDLE",
        help="a reply's handle from the digest (12) or its Message-ID; or a point's handle "
        "(p17, from the journal)",
    )
    p.add_argument(
        "label", metavar="LABEL", nargs="?", help="for a reply: feedback, rejection or no_response"
    )
    p.add_argument(
        "--kind",
        help="for a point: strength, improvement, comparison, or none (not a point)",
    )
    p.add_argument("--theme", help="for a point: its theme (technical, communication, ...)")


def record_label(store: Store, message: Message, label: str, now: datetime) -> str:
    """The user's label for a reply (label, review); what to tell them."""
    store.add_correction(message.ref, label, now)
    return f"[{message.ref}] {message.message_id}: recorded as {label}"


def cmd_label(ctx: Context) -> int:
    from watcher.labels import Label

    if _point_handle(ctx.args.message_id) is not None:
        return _label_point(ctx)
    label = ctx.args.label
    if ctx.args.kind or ctx.args.theme:
        raise ConfigError("--kind and --theme correct a point: give its handle (p17)")
    if label not in Label.names():
        raise ConfigError(f"label must be one of {', '.join(Label.names())}, got {label!r}")
    message = _one_message(ctx.store, ctx.args.message_id, own=False)
    said = record_label(ctx.store, message, label, ctx.now())
    say(f"{said}; run 'feedback-watcher train' to learn from it")
    return 0


def cmd_train(ctx: Context) -> int:
    from watcher.classify import train
    from watcher.classify.classifier import load_classifier, personal_path

    store = ctx.store
    corrections = [
        (message, label)
        for ref, label in store.corrections().items()
        if (message := store.message(ref)) is not None
    ]
    result = train.train_personal(
        corrections,
        load_classifier("reply", None).pipeline,
        personal_path(ctx.data_dir, "reply"),
    )
    store.clear_labels()  # the digest relabels every reply with the new model
    print(
        f"personal reply model trained on {result.examples} corpus replies and "
        f"{result.corrections} of your corrections; {result.fixed} corrected replies now "
        f"classified as you said; saved to {result.path}"
    )
    # The request detector learns from track and ignore the same way: the user's marks are
    # examples ("request" or "other") weighed above the corpus.
    marks = [
        (message, "request" if mark.is_request else "other")
        for ref, mark in store.request_marks().items()
        if mark.source == USER_SOURCE and (message := store.message(ref)) is not None
    ]
    if not marks:
        print(
            "request model: no track or ignore marks of yours yet, so the shipped model "
            "keeps deciding which sent messages are requests"
        )
        _train_points(ctx)
        return 0
    result = train.train_personal(
        marks,
        load_classifier("request", None).pipeline,
        personal_path(ctx.data_dir, "request"),
        kind="request",
    )
    print(
        f"personal request model trained on {result.examples} corpus messages and "
        f"{result.corrections} of your track/ignore marks; {result.fixed} of those messages "
        f"now judged as you said; it judges mail you send from now on (your marks always "
        f"win); saved to {result.path}"
    )
    _train_points(ctx)
    return 0


def eval_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--kind",
        choices=("reply", "request", "points"),
        default="reply",
        help="which classifier (default: reply; points: the journal's points models)",
    )
    p.add_argument("--quick", action="store_true", help="skip cross-validation")
    p.add_argument("--dev", metavar="PATH", help="a labeled JSONL set to score too")
    p.add_argument(
        "--dev-sets",
        metavar="PATH",
        help="a folder holding replies-dev.jsonl and sent-dev.jsonl, scored too",
    )


def _eval_requests(ctx: Context, examples: list[Any], dev_sets: list[Path]) -> int:
    """The request detector with and without its context features: leave-one-writer-out,
    held-out, dev set, and false asks on real mail (``<dev-sets>/real-mail``)."""
    from watcher.classify import train
    from watcher.classify.textmodel import REQUEST_HIGH, REQUEST_LOW

    real_mail = Path(ctx.args.dev_sets).expanduser() / "real-mail" if ctx.args.dev_sets else None
    dev = dev_sets[-1] if dev_sets else None
    print(
        f"request detector: yes at P >= {REQUEST_HIGH}, unsure from {REQUEST_LOW}; "
        "an unsure request counts as missed"
    )
    for context in (True, False):
        for scores in train.request_evaluation(examples, context, dev, real_mail, ctx.args.quick):
            print(scores.text(), flush=True)
    return 0


def cmd_eval(ctx: Context) -> int:
    from watcher.classify import train

    kind = ctx.args.kind
    if kind == "points":
        return _eval_points(ctx)
    dev_sets = []
    if ctx.args.dev:
        dev_sets.append(Path(ctx.args.dev))
    if ctx.args.dev_sets:
        # Checked first: a wrong folder should not cost a cross-validation to find out.
        path = Path(ctx.args.dev_sets).expanduser() / train.DEV_SET_FILES[kind]
        if not path.is_file():
            raise ConfigError(f"--dev-sets: no {path.name} in {path.parent}")
        dev_sets.append(path)
    examples = train.load_corpus(kind)
    if kind == "request":
        return _eval_requests(ctx, examples, dev_sets)
    if not ctx.args.quick:
        print(train.cross_validate(examples, kind).text(), "\n")
        if len({e.source for e in examples}) > 1:
            print(train.leave_one_writer_out(examples, kind).text(), "\n")
    model = train.fit(examples, kind)
    held = train.heldout_path(kind)
    if held:
        print(train.evaluate_file(model, held, kind, f"{kind} held-out ({held.name})").text(), "\n")
    scores = [
        train.evaluate_file(model, dev, kind, f"{kind} dev set ({dev.name})").text()
        for dev in dev_sets
        if dev.exists()
    ]
    if scores:
        print("\n\n".join(scores))
    return 0


def output_format_arguments(
    p: argparse.ArgumentParser, html_help: str
) -> argparse._MutuallyExclusiveGroup:
    """--json, --markdown and --html, one at most (the digest and the journal)."""
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="JSON for scripts")
    fmt.add_argument("--markdown", action="store_true", help="Markdown")
    fmt.add_argument("--html", action="store_true", help=html_help)
    return fmt


def output_format(args: argparse.Namespace) -> str:
    """The format those arguments chose: json, markdown, html or text."""
    for name in ("json", "markdown", "html"):
        if getattr(args, name):
            return name
    return "text"


def digest_arguments(p: argparse.ArgumentParser) -> None:
    now_argument(p)
    fmt = output_format_arguments(p, "a self-contained HTML page")
    fmt.add_argument(
        "--deliver",
        action="store_true",
        help="deliver it as configured (files, notification, mailbox) "
        "and remember it as today's digest",
    )


def cmd_digest(ctx: Context) -> int:
    from watcher.digest import render
    from watcher.service import (
        lazy_point_extractor,
        lazy_reply_classifier,
        make_digest,
        trusted_time,
    )

    store, now = ctx.store, ctx.now()
    since_raw = store.get("last_digest_at")
    try:
        since = datetime.fromisoformat(since_raw) if since_raw else None
    except ValueError:
        since = None
    since = trusted_time(since, now, "last digest")
    digest = make_digest(
        ctx.config,
        store,
        lazy_reply_classifier(ctx.data_dir),
        now,
        since,
        lazy_point_extractor(ctx.data_dir),
    )
    fmt = output_format(ctx.args)
    if ctx.args.deliver:
        from watcher.delivery import deliver_digest

        # Mark the day first: a digest delivered twice is worse than one cut short.
        store.put("last_digest_day", now.date().isoformat())
        delivered = deliver_digest(digest, ctx.config, ctx.data_dir, ctx.environ)
        store.put("last_digest_at", now.isoformat())
        log.info("digest delivered: %s", ", ".join(delivered) or "nowhere (all channels off)")
        return 0
    sys.stdout.write(render(digest, fmt))
    return 0


def run_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--poll-seconds", type=float, help=argparse.SUPPRESS)
    p.add_argument("--deadline-seconds", type=float, help=argparse.SUPPRESS)


def _service_settings(config: Config) -> Settings:
    from watcher.daemon import Settings

    return Settings(config.poll_minutes, config.digest_time, config.sync_deadline_minutes)


def cmd_run(ctx: Context) -> int:
    import signal

    from watcher.daemon import Daemon, parse_day, worker_command, worker_environ
    from watcher.servicelock import ServiceLock, runtime_dir
    from watcher.storage import peek

    config = ctx.config
    if not config.accounts:
        raise ConfigError(f"no [[accounts]] in {ctx.config_path}: add one (see README)")
    lock = ServiceLock(ctx.data_dir, runtime_dir(ctx.environ))
    try:
        lock.acquire()
    except OSError as exc:
        raise StorageError(
            f"cannot use data directory {ctx.data_dir}: {exc.strerror}; "
            "pass --data-dir PATH to a writable directory"
        ) from None
    _log_to_file(ctx.data_dir, rotating=True)
    worker = worker_command(str(ctx.config_path), str(ctx.data_dir), ctx.args.verbose)
    idle = IdleWatchers(ctx)

    def reload() -> Settings:
        # Workers read the configuration themselves at each start; the loop's own settings and
        # the IDLE connections are what a reload changes here.
        ctx._config = None
        fresh = ctx.config
        idle.restart(fresh)
        return _service_settings(fresh)

    # The state is read per job, never through a connection held open: a data directory
    # removed or a state file replaced while the service runs is read anew.
    service = Daemon(
        worker,
        worker_environ(ctx.environ),
        config.poll_minutes,
        config.digest_time,
        lambda: parse_day(peek(ctx.data_dir, "last_digest_day")),
        deadline_minutes=config.sync_deadline_minutes,
        lock=lock,
        reload=reload,
    )
    idle.wake = service.wake
    if ctx.args.poll_seconds:
        service.set_poll_seconds(ctx.args.poll_seconds)
    if ctx.args.deadline_seconds:
        service.deadline = service.deadline_override = ctx.args.deadline_seconds
    signal.signal(signal.SIGTERM, service.request_stop)
    signal.signal(signal.SIGINT, service.request_stop)
    signal.signal(signal.SIGHUP, service.request_reload)
    idle.restart(config)
    try:
        return service.run_forever()
    finally:
        idle.stop()
        lock.release()


class IdleWatchers:
    """The IDLE threads of the service, one per IMAP account, started again on a reload."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.wake: Callable[[], None] = lambda: None
        self.stop_event = threading.Event()

    def restart(self, config: Config) -> None:
        from watcher.idlewatch import IdleWatcher

        self.stop()
        self.stop_event = threading.Event()
        for account in config.accounts:
            if account.idle and not (account.maildir or account.mbox):
                IdleWatcher(
                    account, self.ctx.environ, self._wake, self.stop_event, paused=self._paused
                ).start()

    def _paused(self, account: Account, secret: Secret) -> bool:
        """A sync worker's record of a refused login, read per check (the service holds no
        connection to the state)."""
        from watcher.service import AUTH_KEY, RefusedLogin
        from watcher.storage import peek

        refused = RefusedLogin.load(peek(self.ctx.data_dir, AUTH_KEY + account.name))
        return refused is not None and refused.holds(account, secret, self.ctx.now())

    def _wake(self) -> None:
        self.wake()

    def stop(self) -> None:
        self.stop_event.set()


def _message_id(raw: str) -> str:
    """A Message-ID as typed, with or without its angle brackets."""
    raw = raw.strip()
    return raw if raw.startswith("<") else f"<{raw}>"


def _handle(raw: str) -> int | None:
    """The state's own id from a handle as the digest prints it ("12"; "#12" works too), else
    None (then it is a Message-ID)."""
    raw = raw.strip()
    digits = raw[1:] if raw.startswith("#") else raw
    return int(digits) if digits.isdigit() else None


def _one_message(store: Store, raw: str, *, own: bool) -> Message:
    """The synced message a user named by handle or Message-ID, one they sent (``own``) or one
    they received; one line when it is unclear or the wrong kind."""
    ref = _handle(raw)
    if ref is not None:
        found = [m for m in [store.message(ref)] if m is not None]
        what = str(ref)
    else:
        what = _message_id(raw)
        # A reply may quote the request's id; the user means the sent one for track/ignore.
        found = store.messages_with_id(what, own=own) or store.messages_with_id(what)
    if not found:
        raise ConfigError(
            f"no synced message {what}; use a handle (12) or Message-ID from "
            "'feedback-watcher digest' or 'feedback-watcher sent', or run 'feedback-watcher sync'"
        )
    if len(found) > 1:
        handles = ", ".join(str(m.ref) for m in found)
        raise ConfigError(f"{what} names {len(found)} messages ({handles}); give one handle")
    message = found[0]
    if store.is_own(message.ref) != own:
        raise ConfigError(
            f"{what} is a reply you received; track and ignore take a message you sent "
            "(see 'feedback-watcher sent')"
            if own
            else f"{what} is a message you sent; label takes a reply (its handle is in the digest)"
        )
    return message


def draft_arguments(p: argparse.ArgumentParser) -> None:
    now_argument(p)
    p.add_argument(
        "request_id",
        metavar="HANDLE",
        help="the request's handle from the digest (12), or its Message-ID",
    )
    p.add_argument(
        "--to-mailbox",
        action="store_true",
        help="also save it in the account's Drafts folder (never sends)",
    )
    p.add_argument(
        "--to",
        metavar="EMAIL",
        help="write the ask to someone else at the company (after a bounce)",
    )
    p.add_argument(
        "--thank-you",
        action="store_true",
        help="a thank-you for the feedback or answer instead of another ask",
    )


def _find_state(ctx: Context) -> ThreadState:
    from watcher.service import lazy_reply_classifier, thread_states

    ref = _handle(ctx.args.request_id)
    states = thread_states(ctx.config, ctx.store, lazy_reply_classifier(ctx.data_dir), ctx.now())
    if ref is not None:
        wanted = str(ref)
        state = next((s for s in states if ref in {a.ref for a in s.thread.asks}), None)
    else:
        wanted = _message_id(ctx.args.request_id)
        state = next((s for s in states if wanted in {a.message_id for a in s.thread.asks}), None)
    if state is None:
        mark = ctx.store.request_marks().get(ref) if ref is not None else None
        if ref is not None and ctx.store.is_own(ref) is False:
            why = f"{wanted} is a reply you received; draft takes a request's handle"
        elif mark is not None and mark.unsure:
            why = (
                f"{wanted} is not a tracked request yet; if it asks for feedback, run "
                f"'feedback-watcher track {wanted}' first"
            )
        else:
            why = f"no tracked request {wanted}; the digest shows each request's handle"
        raise ConfigError(why)
    return state


def no_draft_line(state: ThreadState, own: frozenset[str], command: str) -> str | None:
    """Why ``draft`` writes no ask for this thread, and what to run instead; None to write one."""
    from watcher.drafts import why_no_ask

    no = why_no_ask(state, own)
    if no is None:
        return None
    if no.kind == "answered":
        return f"no draft: {no.reason}; a thank-you instead: {command} --thank-you"
    if no.contacts:
        c = no.contacts[0]
        others = f" (and {len(no.contacts) - 1} more)" if len(no.contacts) > 1 else ""
        return (
            f"no draft: {no.reason}; another contact in this thread: {c.email} ({c.how}){others}: "
            f"{command} --to {c.email}"
        )
    where = state.thread.company or "that company"
    return (
        f"no draft: {no.reason}, and no one else at {where} shows up in this thread; "
        f"find a contact, then: {command} --to ADDRESS"
    )


def _draft_command(ctx: Context) -> str:
    """The command that prints a draft: the demo's own, in the demo."""
    return (
        "feedback-watcher demo --draft" if ctx.args.command == "demo" else "feedback-watcher draft"
    )


def cmd_draft(ctx: Context) -> int:
    """Print a draft. Exit code 2 with one line when the thread gets none (see README)."""
    from watcher.digest import command_arg
    from watcher.drafts import compose, compose_thank_you
    from watcher.service import own_addresses

    state = _find_state(ctx)
    sender = state.thread.request.sender
    name = sender.name if sender else ""
    command = f"{_draft_command(ctx)} {command_arg(state.thread.request)}"
    if ctx.args.thank_you:
        draft = compose_thank_you(state, name)
        if draft is None:
            raise ConfigError(
                f"no thank-you: nobody has answered in this thread yet; the next ask: {command}"
            )
    else:
        refusal = no_draft_line(state, own_addresses(ctx.config), command)
        if refusal and not (ctx.args.to and state.undeliverable):
            raise ConfigError(refusal)
        draft = compose(state, name, to=ctx.args.to)
    say(f"To: {draft.to_name} <{draft.to}>" if draft.to_name else f"To: {draft.to}")
    say(f"Subject: {draft.subject}")
    print()
    say(draft.body, lines=True)
    if ctx.args.to_mailbox:
        from watcher.mailbox_write import append_draft

        done = append_draft(ctx.config, ctx.environ, state, draft)
        where = "already in" if done.already_there else "saved in"
        say(f"\n({where} {done.folder}; nothing was sent)", lines=True)
    return 0


def record_request(store: Store, message: Message, is_request: bool) -> str:
    """The user's word on a sent message (track, ignore, review); what to tell them."""
    store.mark_requests([(message.ref, is_request, USER_SOURCE, None)])
    verdict = "tracked as a feedback request" if is_request else "ignored"
    return f"[{message.ref}] {message.message_id}: {verdict}"


def _set_request(ctx: Context, is_request: bool) -> int:
    message = _one_message(ctx.store, ctx.args.message_id, own=True)
    said = record_request(ctx.store, message, is_request)
    if is_request:
        said += "; replies to it are looked for at the next sync"
    say(said)
    return 0


def message_id_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "message_id",
        metavar="HANDLE",
        help="the sent message's handle (12, from the digest or 'sent'), or its Message-ID",
    )


def cmd_track(ctx: Context) -> int:
    return _set_request(ctx, True)


def cmd_ignore(ctx: Context) -> int:
    return _set_request(ctx, False)


def cmd_review(ctx: Context) -> int:
    from watcher import review, terminal
    from watcher.digest import states_sorted
    from watcher.service import lazy_reply_classifier, thread_states, unsure_requests

    if not terminal.is_terminal(sys.stdin):
        raise ConfigError("review needs a terminal; use track, ignore and label instead")
    store, now = ctx.store, ctx.now()
    states = thread_states(ctx.config, store, lazy_reply_classifier(ctx.data_dir), now)
    questions = review.items(unsure_requests(store), states_sorted(states))  # digest order
    if not questions:
        print("Nothing to review: no unsure requests and no replies that need your eye.")
        return 0

    def record(item: review.Item, answer: str) -> str:
        if item.is_reply:
            return record_label(store, item.message, answer, now)
        return record_request(store, item.message, answer == "track")

    def write(text: str) -> None:
        print(text, flush=True)

    with terminal.keys() as reader:
        tally = review.run(questions, reader.read_key, write, record)
    print(tally.summary())
    return 130 if tally.interrupted else 0


SENT_DAYS = 30


def sent_arguments(p: argparse.ArgumentParser) -> None:
    now_argument(p)
    p.add_argument(
        "--since",
        metavar="DATE",
        help=f"from this date on (YYYY-MM-DD; default: the last {SENT_DAYS} days)",
    )
    p.add_argument("--json", action="store_true", help="JSON for scripts")


def _since(ctx: Context, now: datetime) -> datetime:
    raw = ctx.args.since
    if not raw:
        from datetime import timedelta

        return now - timedelta(days=SENT_DAYS)
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise ConfigError(f"--since must be a date (YYYY-MM-DD), got {raw!r}") from None
    return value if value.tzinfo else value.replace(tzinfo=now.tzinfo)


def verdict(mark: RequestMark | None) -> str:
    """What was decided about a sent message, in the words 'sent' and 'review' use."""
    if mark is None:
        return "not judged yet"
    if mark.source == USER_SOURCE:
        return "your mark: " + ("request" if mark.is_request else "not a request")
    if mark.unsure:
        return "unsure"
    return "request" if mark.is_request else "not a request"


def cmd_sent(ctx: Context) -> int:
    import json

    from watcher.digest import one_line, recipient

    now = ctx.now()
    since = _since(ctx, now)
    rows = ctx.store.sent_messages(since)
    if ctx.args.json:
        out = [
            {
                "handle": m.ref,
                "message_id": m.message_id,
                "date": m.date.isoformat(),
                "to": [a.email for a in m.to + m.cc],
                "subject": m.subject,
                "verdict": None
                if mark is None
                else "unsure"
                if mark.unsure
                else "request"
                if mark.is_request
                else "not_a_request",
                "decided_by": mark.source if mark else None,
                "confidence": None
                if mark is None or mark.confidence is None
                else round(mark.confidence, 4),
            }
            for m, mark in rows
        ]
        print(json.dumps({"since": since.isoformat(), "sent": out}, indent=2, ensure_ascii=False))
        return 0
    day = since.astimezone(now.tzinfo).strftime("%d %b %Y")
    if not rows:
        print(f"No sent messages stored since {day}; 'feedback-watcher sync' reads new mail.")
        return 0
    print(f"Sent since {day} ({len(rows)}), newest first:")
    width = max(len(str(m.ref)) for m, _ in rows) + 2
    for m, mark in rows:
        when = m.date.astimezone(now.tzinfo).strftime("%d %b %Y")
        print(
            f"  {f'[{m.ref}]':>{width}}  {when}  {one_line(recipient(m), 28):<28}  "
            f"{one_line(m.subject, 38):<38}  {verdict(mark)}"
        )
    print(
        "Change one: feedback-watcher track HANDLE (it asks for feedback) or "
        "feedback-watcher ignore HANDLE (it does not)."
    )
    return 0


DEMO_NOW = "2025-04-14T08:00:00+01:00"
DEMO_ADDRESS = "alex.morgan@mail.example"


def demo_arguments(p: argparse.ArgumentParser) -> None:
    now_argument(p)
    p.add_argument("--json", action="store_true", help="the digest as JSON")
    p.add_argument(
        "--draft",
        metavar="REQUEST-ID",
        help="print the draft for one of the demo's requests, as 'draft' does for yours",
    )
    p.add_argument("--to", metavar="EMAIL", help=argparse.SUPPRESS)
    p.add_argument("--thank-you", action="store_true", help=argparse.SUPPRESS)


def _demo_config(mailbox: Path) -> Config:
    from watcher.config import Account

    return Config(
        accounts=(
            Account(
                name="demo",
                host="localhost",
                username="",
                maildir=str(mailbox),
                addresses=(DEMO_ADDRESS,),
            ),
        ),
        lookback_days=365,
    )


def cmd_demo(ctx: Context) -> int:
    import tempfile
    from dataclasses import replace
    from importlib import resources

    from watcher.digest import render
    from watcher.service import (
        lazy_point_extractor,
        lazy_reply_classifier,
        lazy_request_detector,
        mail_source_factory,
        make_digest,
        sync_accounts,
    )

    config = _demo_config(Path(str(resources.files("watcher") / "demo" / "mailbox")))
    now = ctx.now() if ctx.args.now else datetime.fromisoformat(DEMO_NOW)
    with tempfile.TemporaryDirectory(prefix="feedback-watcher-demo-") as tmp:
        data_dir = Path(ctx.args.data_dir).expanduser() if ctx.args.data_dir else Path(tmp)
        store = Store.open(data_dir)
        points = lazy_point_extractor(data_dir)
        try:
            results = sync_accounts(
                config,
                store,
                mail_source_factory(ctx.environ),
                lazy_request_detector(data_dir),
                now,
            )
            report = results[0].report
            if report is None:
                raise WatcherError(f"demo sync failed: {results[0].error}")
            if ctx.args.draft:
                # The demo's own state answers, as 'draft' answers from yours.
                ctx._config, ctx._store, ctx.data_dir = config, store, data_dir
                ctx.args.request_id, ctx.args.to_mailbox = ctx.args.draft, False
                ctx.args.now = now.isoformat()
                return cmd_draft(ctx)
            digest = make_digest(config, store, lazy_reply_classifier(data_dir), now, None, points)
            digest = replace(digest, draft_command=_draft_command(ctx))
            threads = len(digest.states)
            asks = sum(len(st.thread.asks) for st in digest.states)
            print(
                f"Demo mailbox of {DEMO_ADDRESS}: {plural(len(report.folders), 'folder')}, "
                f"{plural(report.fetched, 'message')} read, "
                f"{plural(threads, 'feedback request')} found ({plural(asks, 'ask')} in all).\n",
                file=sys.stderr,
            )
            fmt = "json" if ctx.args.json else "text"
            sys.stdout.write(render(digest, fmt))
            if not ctx.args.json:
                from watcher.journal import render as render_journal

                journal = _journal(config, store, lazy_reply_classifier(data_dir), points, now)
                sys.stdout.write("\n" + "-" * 72 + "\n")
                sys.stdout.write(render_journal(journal, "text"))
                print(
                    "\n(feedback-watcher journal shows this for your own mailbox; "
                    "--html adds a chart)",
                    file=sys.stderr,
                )
        finally:
            store.close()
            ctx._store = None  # closed here; Context.close must not close it again
    return 0


def points_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="+", metavar="PATH", help="reply .eml file, or - for stdin")
    p.add_argument("--json", action="store_true", help="one JSON object per point per line")


def _stored_handles(ctx: Context, message: Message) -> dict[str, str]:
    """Handles of points already stored for this message (text -> "p17"), if it was synced."""
    from watcher.storage import DB_NAME

    if not (ctx.data_dir / DB_NAME).exists():  # a file read without any state: no handles
        return {}
    found = ctx.store.messages_with_id(message.message_id)
    refs = {m.ref for m in found if m.body_text == message.body_text}
    return {p.text: p.handle for p in ctx.store.points(refs)} if refs else {}


def cmd_points(ctx: Context) -> int:
    import json

    from watcher.classify.features import reply_text
    from watcher.classify.pointmodel import PointExtractor
    from watcher.mail.messages import parse_message

    inputs = _read_inputs(ctx.args.paths)
    extractor = PointExtractor(ctx.data_dir)
    for path, raw in inputs:
        message = parse_message(raw)
        points = extractor.points(reply_text(message))
        handles = _stored_handles(ctx, message)
        if not ctx.args.json:
            print(f"{path}: {len(points)} point{'s' if len(points) != 1 else ''}")
        for p in points:
            handle = handles.get(p.text)
            if ctx.args.json:
                item = {
                    "path": path,
                    "kind": p.kind,
                    "theme": p.theme,
                    "confidence": round(p.confidence, 4),
                    "text": p.text,
                }
                if handle:
                    item["handle"] = handle
                print(json.dumps(item, ensure_ascii=False))
            else:
                tag = f"{handle} " if handle else ""
                print(
                    f"  {tag}[{p.kind}, {p.theme}, {p.confidence:.2f}] {' '.join(p.text.split())}"
                )
    return 0


def journal_arguments(p: argparse.ArgumentParser) -> None:
    now_argument(p)
    output_format_arguments(p, "a self-contained HTML page with a chart")
    p.add_argument(
        "--since", metavar="DATE", help="only feedback that came on or after this day (YYYY-MM-DD)"
    )


def _journal(
    config: Config,
    store: Store,
    classify: Callable,
    extract: Callable,
    now: datetime,
    since: date | None = None,
) -> Journal:
    from watcher.journal import Journal
    from watcher.service import journal_points, thread_states

    states = thread_states(config, store, classify, now)
    points, answered = journal_points(store, states, extract)
    if since is not None:
        points = [p for p in points if p.date.date() >= since]
        answered = [(c, d) for c, d in answered if d.date() >= since]
    companies = tuple(sorted({c for c, _ in answered}))
    return Journal(now, tuple(points), companies, since)


def cmd_journal(ctx: Context) -> int:
    from watcher.journal import render
    from watcher.service import lazy_point_extractor, lazy_reply_classifier

    since = None
    if ctx.args.since:
        try:
            since = date.fromisoformat(ctx.args.since)
        except ValueError:
            raise ConfigError(
                f"--since must be a date (YYYY-MM-DD), got {ctx.args.since!r}"
            ) from None
    journal = _journal(
        ctx.config,
        ctx.store,
        lazy_reply_classifier(ctx.data_dir),
        lazy_point_extractor(ctx.data_dir),
        ctx.now(),
        since,
    )
    fmt = output_format(ctx.args)
    sys.stdout.write(render(journal, fmt))
    return 0


def _point_handle(raw: str) -> int | None:
    """A point's id from its handle ("p17"), else None."""
    raw = raw.strip().lower()
    return int(raw[1:]) if raw.startswith("p") and raw[1:].isdigit() else None


def _label_point(ctx: Context) -> int:
    from watcher.classify.pointscore import KINDS, NOT_A_POINT, THEMES

    point_id = _point_handle(ctx.args.message_id)
    point = ctx.store.point(point_id) if point_id is not None else None
    if point is None:
        raise ConfigError(
            f"no point {ctx.args.message_id}; see 'feedback-watcher journal' for point handles"
        )
    if ctx.args.label:
        raise ConfigError("a point takes --kind and --theme, not a reply label")
    kind = ctx.args.kind or point.kind
    theme = ctx.args.theme or point.theme
    if not (ctx.args.kind or ctx.args.theme):
        raise ConfigError("give --kind, --theme or both for a point")
    if kind not in (*KINDS, NOT_A_POINT):
        raise ConfigError(f"--kind must be one of {', '.join((*KINDS, NOT_A_POINT))}, got {kind!r}")
    if theme not in THEMES:
        raise ConfigError(f"--theme must be one of {', '.join(THEMES)}, got {theme!r}")
    ctx.store.correct_point(point.id, kind, theme, ctx.now())
    what = "not a point" if kind == NOT_A_POINT else f"{kind}, {theme}"
    print(f"{point.handle}: recorded as {what}; run 'feedback-watcher train' to learn from it")
    return 0


def _train_points(ctx: Context) -> None:
    """Retrain the points models with the user's point corrections, when there are any."""
    from watcher.classify import pointmodel
    from watcher.classify.features import reply_text

    store = ctx.store
    corrections = []
    for p in store.point_corrections():
        message = store.message(p.msg)
        if message is None:
            continue
        text = reply_text(message)
        start = p.start if text[p.start : p.start + len(p.text)] == p.text else text.find(p.text)
        if start < 0:
            continue
        sample = pointmodel.sample_at(text, start, start + len(p.text))
        if sample is not None:
            corrections.append(pointmodel.Correction(sample, p.kind, p.theme))
    if not corrections:
        return
    path = pointmodel.personal_path(ctx.data_dir)
    pointmodel.train_personal(corrections, path)
    store.clear_point_scans()  # the journal reads every reply again with the new model
    print(
        f"personal points model trained with {len(corrections)} point corrections; saved to {path}"
    )


def _eval_points(ctx: Context) -> int:
    from watcher.classify import pointmodel

    replies = pointmodel.load_corpus()
    if not ctx.args.quick:
        print(pointmodel.cross_validate(replies).text(), "\n")
        lowo = pointmodel.leave_one_writer_out(replies)
        if lowo is not None:
            print(lowo.text(), "\n")
    models = pointmodel.fit(replies)
    held = pointmodel.heldout_path()
    sets = [held] if held else []
    if ctx.args.dev:
        sets.append(Path(ctx.args.dev))
    for path in sets:
        print(pointmodel.evaluate(models, pointmodel.read_replies(path), path.name).text(), "\n")
    return 0


def _log_to_file(data_dir: Path, rotating: bool) -> None:
    from watcher.logs import FORMAT, PrivateLogFile, SafeFormatter

    try:
        path = data_dir / "logs" / "feedback-watcher.log"
        handler: logging.Handler = (
            PrivateLogFile(path, max_bytes=1_000_000, backups=3)
            if rotating
            else PrivateLogFile(path)
        )
    except OSError as exc:
        log.warning("cannot write the log file in %s: %s", data_dir, exc)
        return
    handler.setFormatter(SafeFormatter(FORMAT))
    logging.getLogger().addHandler(handler)
    logging.getLogger().setLevel(min(logging.getLogger().level, logging.INFO))


def _given_paths(ctx: Context) -> list[str]:
    """The --config/--data-dir a later command needs to find what this one set up."""
    out = []
    if ctx.args.config or ctx.environ.get("FEEDBACK_WATCHER_CONFIG"):
        out += ["--config", str(ctx.config_path.absolute())]
    if ctx.args.data_dir or ctx.environ.get("FEEDBACK_WATCHER_DATA_DIR"):
        out += ["--data-dir", str(ctx.data_dir.absolute())]
    return out


def setup_arguments(p: argparse.ArgumentParser) -> None:
    from watcher.providers import BY_KEY

    p.add_argument(
        "--provider",
        choices=sorted(BY_KEY),
        help="a preset for the server and sign-in (custom needs --host)",
    )
    p.add_argument("--host", help="IMAP server name (instead of a preset's)")
    p.add_argument("--port", type=int, help="IMAP port (993 for ssl, 143 for starttls)")
    p.add_argument(
        "--tls",
        choices=("ssl", "starttls", "none"),
        help="encryption (none only for 127.0.0.1 or localhost)",
    )
    p.add_argument("--username", help="the login name, usually your email address")
    secret = p.add_mutually_exclusive_group()
    secret.add_argument(
        "--password-command", metavar="COMMAND", help="a shell command that prints the password"
    )
    secret.add_argument(
        "--password-env", metavar="VAR", help="an environment variable that holds the password"
    )
    secret.add_argument(
        "--oauth2-token-command",
        metavar="COMMAND",
        help="a shell command that prints an OAuth2 access token",
    )
    p.add_argument(
        "--ca-file",
        metavar="PATH",
        help="trust this CA certificate (Proton Mail Bridge, your own server)",
    )
    p.add_argument(
        "--address",
        action="append",
        metavar="EMAIL",
        help="one of your own addresses (repeat for several; default: username)",
    )
    p.add_argument("--name", help="a short name for the account (default: personal)")
    p.add_argument(
        "--no-test", action="store_true", help="write the configuration without logging in first"
    )
    p.add_argument("--force", action="store_true", help="replace an existing configuration")


def cmd_setup(ctx: Context) -> int:
    from watcher.setup_wizard import Prompter, SetupOptions, run_setup

    a = ctx.args
    opts = SetupOptions(
        provider=a.provider,
        host=a.host,
        port=a.port,
        tls=a.tls,
        username=a.username,
        password_command=a.password_command,
        password_env=a.password_env,
        oauth2_token_command=a.oauth2_token_command,
        ca_file=a.ca_file,
        addresses=tuple(a.address or ()),
        name=a.name,
        test=not a.no_test,
        force=a.force,
        interactive=sys.stdin.isatty(),
    )
    result = run_setup(opts, ctx.config_path, ctx.environ, Prompter())
    prog = " ".join(["feedback-watcher", *_given_paths(ctx)])
    print(
        f"Configuration written to {result.path}.\nNext: '{prog} sync' reads your mail once "
        f"(read-only); '{prog} install-service' keeps it running in the background."
    )
    return 0


def install_service_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--print",
        dest="print_only",
        action="store_true",
        help="show the service file without writing it",
    )


def cmd_install_service(ctx: Context) -> int:
    from watcher import servicefiles

    given = _given_paths(ctx)
    config = ctx.config_path if "--config" in given else None
    data_dir = ctx.data_dir if "--data-dir" in given else None
    home = Path(ctx.environ.get("HOME") or Path.home())
    service = servicefiles.service_file(
        sys.platform, home, sys.executable, config, data_dir, ctx.data_dir / "logs"
    )
    if ctx.args.print_only:
        sys.stdout.write(service.text)
        return 0
    if not ctx.config_path.exists():
        print(
            f"Note: there is no configuration at {ctx.config_path} yet; run "
            "'feedback-watcher setup' before starting the service."
        )
    else:
        for account in ctx.config.accounts:
            if account.password_env:
                print(
                    f"Note: account {account.name} reads its password from "
                    f"${account.password_env}, which a service does not inherit from your "
                    "shell; the system keyring or a password_command works everywhere."
                )
    replaced = servicefiles.write(service)
    print(f"{'Replaced' if replaced else 'Wrote'} {service.path}")
    session = service.kind != "systemd" or servicefiles.systemd_user_session()
    print(servicefiles.start_instructions(service, session))
    return 0


def cmd_uninstall_service(ctx: Context) -> int:
    from watcher import servicefiles

    home = Path(ctx.environ.get("HOME") or Path.home())
    manage = home.resolve() == servicefiles.real_home().resolve()
    removed = servicefiles.uninstall(sys.platform, home, manage=manage)
    if removed is None:
        print(
            f"No service file at {servicefiles.service_path(sys.platform, home)}; "
            "nothing to remove."
        )
    else:
        print(f"Stopped the service and removed {removed}." if manage else f"Removed {removed}.")
    return 0


COMMANDS = {
    c.name: c
    for c in (
        Command(
            "demo",
            "run the whole pipeline on a bundled sample mailbox (no account needed)",
            cmd_demo,
            demo_arguments,
        ),
        Command(
            "run",
            "the background service: sync every poll_minutes, digest every morning",
            cmd_run,
            run_arguments,
        ),
        Command(
            "sync",
            "fetch new mail from every account once (read-only) and exit",
            cmd_sync,
            now_argument,
        ),
        Command(
            "status",
            "show accounts, watched folders, message counts and the last sync",
            cmd_status,
        ),
        Command(
            "digest",
            "print the digest: due follow-ups, feedback, rejections, quiet threads",
            cmd_digest,
            digest_arguments,
        ),
        Command(
            "draft",
            "print a follow-up draft for a request (--to-mailbox saves it in Drafts)",
            cmd_draft,
            draft_arguments,
        ),
        Command(
            "track",
            "treat a sent message as a feedback request",
            cmd_track,
            message_id_argument,
        ),
        Command(
            "ignore",
            "stop treating a sent message as a feedback request",
            cmd_ignore,
            message_id_argument,
        ),
        Command(
            "sent",
            "list your recent sent messages with handles and whether each is a request",
            cmd_sent,
            sent_arguments,
        ),
        Command(
            "review",
            "answer what needs your word, one key each: unsure requests, unsure replies",
            cmd_review,
            now_argument,
        ),
        Command(
            "classify",
            "classify reply messages (.eml files, or - for stdin)",
            cmd_classify,
            classify_arguments,
        ),
        Command(
            "points",
            "list the points a reply makes about you (.eml files, or - for stdin)",
            cmd_points,
            points_arguments,
        ),
        Command(
            "journal",
            "the feedback journal: what employers said about you, by theme",
            cmd_journal,
            journal_arguments,
        ),
        Command(
            "label",
            "record your correction of a synced reply's label, or of a point's kind and theme",
            cmd_label,
            label_arguments,
        ),
        Command(
            "train",
            "retrain your personal models from the corpus and your labels, tracks and ignores",
            cmd_train,
        ),
        Command(
            "eval",
            "evaluate a classifier: cross-validation, held-out set, dev set",
            cmd_eval,
            eval_arguments,
        ),
        Command(
            "setup",
            "first run: choose your provider, test the login, write the config",
            cmd_setup,
            setup_arguments,
        ),
        Command(
            "install-service",
            "run the watcher at login (systemd user unit on Linux, launchd on macOS)",
            cmd_install_service,
            install_service_arguments,
        ),
        Command(
            "uninstall-service",
            "stop the service and remove its file",
            cmd_uninstall_service,
        ),
    )
}


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="feedback-watcher",
        description=(
            "Watches your mailbox for answers to the interview-feedback requests you sent, "
            "and tells you when to ask again."
        ),
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--config",
        metavar="PATH",
        help="configuration file (default: the platform's user config dir, "
        "or $FEEDBACK_WATCHER_CONFIG)",
    )
    parser.add_argument(
        "--data-dir",
        metavar="PATH",
        help="state directory (default: the platform's user data dir, "
        "or $FEEDBACK_WATCHER_DATA_DIR)",
    )
    parser.add_argument(
        "-v", "--verbose", action="count", default=0, help="more log output (-vv for debug)"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for command in COMMANDS.values():
        p = sub.add_parser(command.name, help=command.help, description=command.help)
        command.add_arguments(p)
    return parser


def say(text: str, file: TextIO | None = None, *, lines: bool = False) -> None:
    """Print text for a person: control and bidi characters made visible (watcher.termsafe),
    so mail or a server's answer can neither send escape codes to the terminal nor, unless
    ``lines``, start a line of its own."""
    print(visible(text, "\n\t" if lines else ""), file=file or sys.stdout)


def _configure_logging(verbosity: int) -> None:
    level = logging.WARNING - 10 * verbosity
    from watcher.logs import SafeFormatter

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(SafeFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=max(level, logging.DEBUG), handlers=[handler])


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
        if environ.get(WORKER_FLAG) == "1":
            _log_to_file(ctx.data_dir, rotating=False)  # a worker of `run`: same log file
        return COMMANDS[args.command].run(ctx)
    except Interrupted as exc:
        log.info("%s", exc)
        return exc.exit_code
    except WatcherError as exc:
        # One line: a value quoted from a config file or a server's reply can neither add lines
        # nor send escape codes to the terminal.
        say(f"feedback-watcher: error: {exc}", sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`... | head`): not an error. Silence the final flush too.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception:  # noqa: BLE001 - the one boundary that turns a bug into a report
        log.exception("unexpected error; please report it with this traceback")
        return 70
    finally:
        if ctx is not None:
            ctx.close()
