"""The points of a reply: the splitter, the scorer, the keyword baseline, the joining of
clauses, and the state that keeps points with their handles and corrections."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from watcher.classify.pointfeatures import (
    join_points,
    samples,
    segment_labels,
    sentence_span,
)
from watcher.classify.pointscore import Point, PointScore, keyword_points, match, same_words
from watcher.classify.segments import segments


def _texts(text: str) -> list[str]:
    return [s.text for s in segments(text)]


def test_segments_are_exact_slices_of_the_text():
    text = (
        "Hi Tom,\n\nYour Go was clean. Where it fell short was the system design round: you "
        "didn't ask about expected load, but the caching talk was fine.\n\n- bullet one here\n"
        "* second bullet line\n\nCheers,\nAnn"
    )
    for seg in segments(text):
        assert text[seg.start : seg.end] == seg.text
        assert seg.text == seg.text.strip()


def test_sentences_bullets_and_clauses_in_six_languages():
    assert _texts("Your SQL was strong. The case study was vague!") == [
        "Your SQL was strong.",
        "The case study was vague!",
    ]
    # abbreviations and initials do not end a sentence
    assert _texts("Dr. H. Lindqvist liked your talk, e.g. the intro.") == [
        "Dr. H. Lindqvist liked your talk, e.g. the intro."
    ]
    assert _texts("Notes:\n- clean code in the exercise\n- slow on the debugging task") == [
        "Notes:",
        "clean code in the exercise",
        "slow on the debugging task",
    ]
    for sentence, left, right in [
        ("Your code was clean, but the design round was weak.", "Your code was clean", "but"),
        ("Dein Code war sauber, aber die Architektur blieb vage.", "Dein Code war sauber", "aber"),
        ("Votre code était propre, mais la conception restait floue.", "Votre code", "mais"),
        ("Tu código era limpio, pero el diseño fue débil.", "Tu código era limpio", "pero"),
        ("Je code was netjes, maar het ontwerp bleef vaag.", "Je code was netjes", "maar"),
        ("O seu código era limpo, mas o desenho foi fraco.", "O seu código era limpo", "mas"),
        ("The tests were thorough; the naming was poor.", "The tests were thorough", "the"),
    ]:
        first, second = _texts(sentence)
        assert first.startswith(left) and not first.endswith((",", ";"))
        assert second.split()[0].lower() == right


def test_hard_wrapped_lines_run_on_but_short_lines_do_not():
    text = (
        "Your presentation of the case study was well structured and the panel liked\n"
        "the way you handled the questions at the end.\nThanks,\nAnn"
    )
    texts = _texts(text)
    # the wrapped sentence is cut at its clause joint (" and the"), not at the line break
    assert texts[:2] == [
        "Your presentation of the case study was well structured",
        "and the panel liked\nthe way you handled the questions at the end.",
    ]
    assert texts[-2:] == ["Thanks,", "Ann"]


def test_match_is_one_to_one_same_kind_and_half_the_shorter_texts_words():
    gold = [
        Point("Your Go was clean", "strength", "technical"),
        Point("the tests in the take-home were thorough.", "strength", "technical"),
    ]
    assert same_words("Your Go was clean and the tests were thorough", "Your Go was clean")
    # one long prediction cannot claim both marked points
    both = "Your Go was clean and the tests in the take-home were thorough."
    one = [Point(both, "strength", "x")]
    assert len(match(one, gold)) == 1
    # a wrong kind never matches
    assert match([Point("Your Go was clean", "improvement", "technical")], gold) == []
    score = PointScore("t")
    score.add(one, gold)
    assert (score.precision, score.recall, score.theme_accuracy) == (1.0, 0.5, 0.0)
    assert score.f1 == pytest.approx(2 / 3)


def test_keyword_baseline_reads_whole_sentences():
    points = keyword_points("Hi,\n\nYour SQL was strong, but the case was weak. See you.")
    assert [p.text for p in points] == ["Your SQL was strong, but the case was weak."]


def test_segment_labels_follow_the_marked_point_each_segment_lies_in():
    text = "Your code was clean, but the design round was weak. Thanks again for your time."
    gold = [
        Point("Your code was clean", "strength", "technical"),
        Point("the design round was weak.", "improvement", "problem_solving"),
    ]
    segs = segments(text)
    assert segment_labels(text, segs, gold) == [
        ("strength", "technical"),
        ("improvement", "problem_solving"),
        ("none", ""),
    ]


def test_clauses_of_one_kind_join_into_one_point_and_keep_the_surest_theme():
    text = "Your answer was vague, and you did not ask about load. Your SQL was great."
    segs = segments(text)
    assert len(segs) == 3
    judged = [
        ("improvement", 0.9, "problem_solving", 0.4),
        ("improvement", 0.8, "technical", 0.7),
        ("strength", 0.95, "technical", 0.9),
    ]
    points = join_points(text, segs, judged)
    assert [p.text for p in points] == [
        "Your answer was vague, and you did not ask about load.",
        "Your SQL was great.",
    ]
    assert points[0].theme == "technical" and points[0].confidence == 0.8
    assert text[points[0].start :].startswith(points[0].text)


def test_a_clause_is_themed_with_the_sentence_it_sits_in():
    text = "Your SQL was correct, but you never checked the edge cases. Thanks for your time."
    pairs = samples(text)
    clause = text.index("you never")
    sentence_end = text.index(".") + 1
    assert sentence_span(pairs, clause, sentence_end) == (0, sentence_end)
    assert sentence_span(pairs, 0, sentence_end) is None  # the whole sentence already
    last = text.index("Thanks")
    assert sentence_span(pairs, last, len(text)) is None


def test_samples_carry_context_and_cues():
    text = "Development areas:\n- limited exposure to HRIS\n- Ihr Lebenslauf war zu lang"
    got = samples(text)
    assert [s.text for s, _ in got] == [
        "Development areas:",
        "limited exposure to HRIS",
        "Ihr Lebenslauf war zu lang",
    ]
    assert "seg_after_leadin" in got[1][1].tokens and "l_development" in got[1][1].context
    assert "tc_materials" in got[2][1].cues and "kc_gap" in got[2][1].cues


def test_points_are_stored_with_stable_handles_and_corrections(tmp_path):
    from watcher.storage import Store

    store = Store.open(tmp_path)
    when = datetime(2025, 4, 14, tzinfo=timezone.utc)
    store.set_points(
        7,
        [(0, "Your SQL was strong.", "strength", "technical", 0.9)]
        + [(21, "The case was vague.", "improvement", "problem_solving", 0.8)],
        "points-shipped-x",
    )
    first = {p.text: p for p in store.points()}
    assert store.point_scans() == {7: "points-shipped-x"}
    sql = first["Your SQL was strong."]
    assert sql.handle == f"p{sql.id}"
    store.correct_point(first["The case was vague."].id, "improvement", "communication", when)
    # read again by a new model: a kept point keeps its handle, a corrected one is never dropped
    store.set_points(7, [(0, "Your SQL was strong.", "strength", "technical", 0.7)], "m2")
    again = {p.text: p for p in store.points()}
    assert again["Your SQL was strong."].id == sql.id
    fixed = again["The case was vague."]
    assert (fixed.theme, fixed.corrected) == ("communication", True)
    assert [p.id for p in store.point_corrections()] == [fixed.id]
    store.clear_point_scans()
    assert store.point_scans() == {}
    # a point that goes never hands its id to a new one
    store.set_points(7, [], "m3")
    store.set_points(8, [(0, "New point.", "strength", "other", 0.5)], "m3")
    assert max(p.id for p in store.points()) > fixed.id
    store.close()


def test_the_shipped_points_model_loads_as_shipped():
    from watcher.classify.pointmodel import PointModels, load_models

    models, meta, origin = load_models(None)
    assert origin == "shipped", "stale points.joblib: python -m watcher.classify.pointmodel"
    assert isinstance(models, PointModels) and meta["kind"] == "points"


def test_the_theme_blend_ranks_like_ridge_alone_at_zero_weight_and_survives_a_round_trip(
    tmp_path,
):
    import joblib
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import RidgeClassifier

    from watcher.classify.blend import RidgeBayesBlend

    texts = [
        "your SQL was weak",
        "the take-home code had no tests",
        "you spoke clearly and listened",
        "your answers rambled",
        "you have not led a team yet",
        "you had five years in logistics",
    ] * 3
    themes = ["technical", "technical", "communication", "communication"]
    themes = (themes + ["experience", "experience"]) * 3
    X = TfidfVectorizer().fit_transform(texts)
    blend = RidgeBayesBlend(bayes_weight=0.5).fit(X, themes)
    assert sorted(blend.classes_) == ["communication", "experience", "technical"]
    assert list(blend.predict(X)) == [
        blend.classes_[i] for i in blend.decision_function(X).argmax(1)
    ]
    ridge_only = RidgeBayesBlend(bayes_weight=0.0).fit(X, themes)
    plain = RidgeClassifier(alpha=0.3, class_weight="balanced").fit(X, themes)
    assert list(ridge_only.predict(X)) == list(plain.predict(X))
    joblib.dump(blend, tmp_path / "blend.joblib")
    again = joblib.load(tmp_path / "blend.joblib")
    assert (again.decision_function(X) == blend.decision_function(X)).all()
