"""Promised days read from held-out holding replies, per language.

The replies are writer E's (models/pending/replies-e.jsonl): an independent writer who never saw
the promise patterns. The items are its no_response replies whose ``why`` calls them a holding
reply or a promise. The day each one promises was written down below, from the text alone and
before the reader ran on it, by the conventions watcher/mail/promises.py documents ("next week"
is next week's Friday, "early next week" its Tuesday, "after X" the business day after X). A
reply names no date for its reference day: the day after the quoted request when the reply quotes
it (the Monday after, for a Friday), else Tuesday 11 March 2025.

Run from the repository root: ``python bench/bench_promises.py`` (``-v`` lists every item).
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from watcher.mail.promises import promised_date  # noqa: E402
from watcher.replytext import visible_text  # noqa: E402

REPLIES = ROOT / "models" / "pending" / "replies-e.jsonl"
DEFAULT_SENT = date(2025, 3, 11)

# id: (the reply's day, the promised day or None), annotated blind.
GOLD: dict[str, tuple[date, date | None]] = {
    "RE-0003": (DEFAULT_SENT, date(2025, 3, 20)),  # before 20 March
    "RE-0008": (DEFAULT_SENT, date(2025, 3, 14)),  # bis Freitag
    "RE-0012": (date(2025, 3, 18), date(2025, 3, 28)),  # d'ici la fin de la semaine prochaine
    "RE-0016": (DEFAULT_SENT, date(2025, 3, 21)),  # la semana que viene
    "RE-0024": (DEFAULT_SENT, date(2025, 3, 15)),  # até dia 15
    "RE-0042": (DEFAULT_SENT, None),  # once I've spoken to the rest of the panel
    "RE-0049": (date(2025, 3, 17), None),  # as soon as I hear back ("this week" is no promise)
    "RE-0054": (DEFAULT_SENT, None),  # I'll revert
    "RE-0058": (DEFAULT_SENT, date(2025, 3, 18)),  # Anfang nächster Woche
    "RE-0063": (DEFAULT_SENT, None),  # au plus vite
    "RE-0067": (DEFAULT_SENT, date(2025, 3, 28)),  # como muy tarde antes del viernes 28
    "RE-0071": (date(2025, 3, 25), date(2025, 3, 27)),  # uiterlijk donderdag
    "RE-0075": (DEFAULT_SENT, date(2025, 3, 14)),  # até sexta
    "RE-0090": (date(2025, 3, 25), date(2025, 4, 4)),  # by the end of next week
    "RE-0091": (DEFAULT_SENT, date(2025, 4, 1)),  # in the next two to three weeks
    "RE-0098": (DEFAULT_SENT, date(2025, 3, 21)),  # nächste Woche
    "RE-0102": (DEFAULT_SENT, date(2025, 3, 28)),  # d'ici le 28 mars
    "RE-0106": (DEFAULT_SENT, date(2025, 3, 21)),  # la semana que viene
    "RE-0110": (DEFAULT_SENT, None),  # daarna kom ik bij je terug
    "RE-0114": (date(2025, 3, 18), date(2025, 3, 28)),  # o mais tardar na próxima semana
    "RE-0126": (date(2025, 3, 28), date(2025, 4, 2)),  # by Wednesday 2 April
    "RE-0127": (DEFAULT_SENT, None),  # shortly
    "RE-0135": (DEFAULT_SENT, date(2025, 3, 21)),  # Ende nächster Woche
    "RE-0148": (DEFAULT_SENT, date(2025, 4, 15)),  # voor 15 april
    "RE-0165": (DEFAULT_SENT, date(2025, 3, 14)),  # until Friday
    "RE-0173": (DEFAULT_SENT, date(2025, 3, 19)),  # Mitte nächster Woche
    "RE-0177": (DEFAULT_SENT, date(2025, 3, 17)),  # je vous recontacte lundi
    "RE-0181": (date(2025, 3, 31), date(2025, 4, 10)),  # antes del 10 de abril
    "RE-0189": (DEFAULT_SENT, date(2025, 3, 12)),  # ele volta na quarta (then the answer)
    "RE-0201": (DEFAULT_SENT, date(2025, 3, 14)),  # by the 14th
    "RE-0202": (date(2025, 4, 8), date(2025, 4, 11)),  # meets Thursday, update after that
    "RE-0203": (DEFAULT_SENT, None),  # as soon as I can
    "RE-0209": (DEFAULT_SENT, date(2025, 4, 11)),  # bis zum 11. April
    "RE-0214": (DEFAULT_SENT, None),  # dès que j'en sais plus ("aujourd'hui" is the chasing)
    "RE-0218": (date(2025, 4, 1), None),  # en cuanto lo tenga
    "RE-0221": (DEFAULT_SENT, date(2025, 3, 21)),  # volgende week weet ik meer
    "RE-0226": (DEFAULT_SENT, date(2025, 3, 31)),  # até ao final do mês
    "RE-0237": (DEFAULT_SENT, date(2025, 3, 12)),  # tomorrow
    "RE-0238": (DEFAULT_SENT, date(2025, 4, 22)),  # after Easter; short-staffed until 22 April
    "RE-0250": (DEFAULT_SENT, date(2025, 3, 18)),  # mardi prochain au plus tard
    "RE-0255": (DEFAULT_SENT, date(2025, 4, 15)),  # a mediados de abril
    "RE-0263": (DEFAULT_SENT, date(2025, 3, 20)),  # até o dia 20
    "RE-0275": (date(2025, 4, 11), date(2025, 4, 14)),  # by Monday
    "RE-0290": (DEFAULT_SENT, None),  # te digo algo
}


def run(verbose: bool = False) -> dict[str, tuple[int, int, int, int]]:
    """Per language: (dated right, dated, undated right, undated)."""
    rows = {}
    for line in REPLIES.read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        if item["id"] in GOLD:
            rows[item["id"]] = item
    score: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for rid, (sent, want) in GOLD.items():
        item = rows[rid]
        got = promised_date(visible_text(item["body_text"] or ""), sent)
        s = score[item["lang"]]
        s[0 if want else 2] += got == want
        s[1 if want else 3] += 1
        if verbose or got != want:
            mark = "ok   " if got == want else "WRONG"
            print(f"{mark} {rid} {item['lang']} want {want} got {got}")
    return {lang: (s[0], s[1], s[2], s[3]) for lang, s in sorted(score.items())}


def main() -> None:
    results = run("-v" in sys.argv)
    print("\nlang  dated read right   no date, none read")
    total = [0, 0, 0, 0]
    for lang, (ok, n, ok0, n0) in results.items():
        print(f"{lang:4}  {ok:2}/{n:<2}              {ok0}/{n0}")
        total = [t + v for t, v in zip(total, (ok, n, ok0, n0))]
    print(f"all   {total[0]:2}/{total[1]:<2}              {total[2]}/{total[3]}")


if __name__ == "__main__":
    main()
