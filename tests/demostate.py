"""The bundled demo mailbox, synced once per test session, copied into each test's data dir."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from datetime import datetime
from importlib import resources
from pathlib import Path

from watcher.config import Account, Config
from watcher.storage import Store

DEMO_NOW = "2025-04-14T08:00:00+01:00"
DEMO_ADDRESS = "alex.morgan@mail.example"
MAILBOX = Path(str(resources.files("watcher") / "demo" / "mailbox"))

_template: list[Path] = []


def _synced_template() -> Path:
    if not _template:
        from watcher.service import (
            lazy_reply_classifier,
            lazy_request_detector,
            mail_source_factory,
            sync_accounts,
            thread_states,
        )

        base = Path(tempfile.mkdtemp(prefix="fw-demo-state-"))
        atexit.register(shutil.rmtree, base, True)
        config = Config(
            accounts=(
                Account(
                    name="demo",
                    host="localhost",
                    username="",
                    maildir=str(MAILBOX),
                    addresses=(DEMO_ADDRESS,),
                ),
            ),
            lookback_days=365,
        )
        store = Store.open(base)
        try:
            [result] = sync_accounts(
                config,
                store,
                mail_source_factory({}),
                lazy_request_detector(base),
                datetime.fromisoformat(DEMO_NOW),
            )
            assert result.report is not None, result.error
            # Replies classified now, as `sync` does: later commands need no model.
            thread_states(
                config, store, lazy_reply_classifier(base), datetime.fromisoformat(DEMO_NOW)
            )
        finally:
            store.close()
        _template.append(base)
    return _template[0]


class DemoState:
    """A data dir with the demo mailbox synced, and a config pointing at that mailbox."""

    def __init__(self, tmp: Path, extra_config: str = "") -> None:
        self.data_dir = tmp / "data"
        shutil.copytree(_synced_template(), self.data_dir)
        self.config_path = tmp / "demo.toml"
        self.config_path.write_text(
            f'{extra_config}\n[[accounts]]\nname = "demo"\nmaildir = "{MAILBOX}"\n'
            f'addresses = ["{DEMO_ADDRESS}"]\n'
        )
        self.config_path.chmod(0o600)

    def cli(self, *argv: str) -> list[str]:
        return ["--config", str(self.config_path), "--data-dir", str(self.data_dir), *argv]

    def store(self) -> Store:
        return Store.open(self.data_dir)

    def ref(self, message_id: str) -> int:
        store = self.store()
        try:
            [message] = store.messages_with_id(message_id)
            return message.ref
        finally:
            store.close()

    def set_label(self, message_id: str, label: str, confidence: float) -> int:
        """The reply model's label, as unsure as wanted ("needs your eye" below 0.6)."""
        ref = self.ref(message_id)
        store = self.store()
        try:
            store.set_labels([(ref, label, confidence, "reply-test")])
        finally:
            store.close()
        return ref

    def only_marked_unsure(self) -> None:
        """Settle the models' own doubts on the demo's mail (unsure requests become "not a
        request", every reply label sure), so what a test reviews is only what it marks: the
        models and the demo mailbox may move."""
        store = self.store()
        try:
            store.conn.execute(
                "UPDATE request_marks SET source = 'model' WHERE source = 'model-unsure'"
            )
            store.conn.execute("UPDATE labels SET confidence = 0.99")
        finally:
            store.close()

    def mark_unsure(self, message_id: str, confidence: float = 0.45) -> int:
        """What the request model's unsure tier records: is_request 0, source model-unsure."""
        ref = self.ref(message_id)
        store = self.store()
        try:
            store.mark_requests([(ref, False, "model-unsure", confidence)])
        finally:
            store.close()
        return ref
