"""The store's tables beside the observations, the same on SQLite and PostgreSQL: bulletins and
deliveries, figures, feeds and source states, corrections and stated numbers, editors, edits
and editors' decisions. Each test runs on both engines (the ``store_at`` fixture)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from bulletin.model import (
    Collected,
    Delivery,
    DeliveryStatus,
    FeedItem,
    Figure,
    HttpValidators,
    ModelName,
    Observation,
    Status,
)
from bulletin.model.corrections import Correction, CorrectionStatus
from bulletin.model.edits import Edit
from bulletin.store.database import SourceState, Store
from bulletin.store.decisions import CORRECTED, DecidedName
from bulletin.weeks import IsoWeek

W10, W11, W12 = (IsoWeek.parse(f"2026-W{n}") for n in (10, 11, 12))


def correction(week: IsoWeek, old: str, new: str, status: CorrectionStatus = CorrectionStatus.PUBLISHED,
               detected_at: str = "2026-03-20T00:00:00Z") -> Correction:
    return Correction(week, "en", "country(CN).tokens", f"China used {old} tokens.", old, new, "board",
                      "2026-03-19T00:00:00Z", detected_at, status)


def test_bulletins_and_deliveries_are_replaced_not_doubled(store_at: Path | str) -> None:
    with Store.open(store_at) as store:
        store.record_bulletin(W10, "First", [{"kind": "streak"}], "t1")
        store.record_bulletin(W11, "Second", [], "t1", Status.HELD, ["too big a change"])
        store.record_bulletin(W10, "First again", [{"kind": "record"}], "t2")
        store.set_status(W11, Status.APPROVED, [])
        store.record_delivery(Delivery(W10, "site", DeliveryStatus.FAILED, attempts=1))
        store.record_delivery(Delivery(W10, "site", DeliveryStatus.OK, "7", "https://x/w10", "", 2, "t3"))
        store.record_delivery(Delivery(W11, "site", DeliveryStatus.OK, "8", "https://x/w11", "", 1, "t4"))
        assert [(b.week, b.headline, b.status) for b in store.bulletins()] == [
            (W10, "First again", Status.READY), (W11, "Second", Status.APPROVED)]
        assert store.bulletin(W10).events == ({"kind": "record"},)  # type: ignore[union-attr]
        assert store.delivery(W10, "site") == Delivery(W10, "site", DeliveryStatus.OK, "7", "https://x/w10",
                                                       "", 2, "t3")
        assert store.newest_published() == W11
        assert [(week, headline, remote) for week, headline, _, remote in store.delivered("site")] == [
            (W10, "First again", "7"), (W11, "Second", "8")]


def test_figures_names_feeds_and_states_are_kept_as_given(store_at: Path | str) -> None:
    figure = Figure("desk", "China inference tokens", "JPMorgan", "forecast", Decimal("3.9E+18"), "tokens",
                    "2030", "https://example.org/jpm", "about 3,900 quadrillion", "quadrillion", "2026-03-23",
                    "t0", "中国推理Token")
    with Store.open(store_at) as store:
        first = store.save([Collected("desk", figures=(figure,), names=(ModelName("a/one", "One", "desk"),),
                                      items=(FeedItem("desk", "k1", "https://x/1", "Title", "<p>s</p>"),),
                                      validators=(HttpValidators("https://x/feed", '"e1"', ""),))],
                           lambda reports: [SourceState("desk", "figures", "ok", "", "t0", "t0", "t0")])
        again = store.save([Collected("desk", figures=(figure,), names=(ModelName("a/one", "One", "desk"),),
                                      items=(FeedItem("desk", "k1", "https://x/1", "Title", "<p>s</p>"),),
                                      validators=(HttpValidators("https://x/feed", '"e2"', ""),))],
                           lambda reports: [SourceState("desk", "figures", "unchanged", "", "t1")])
        assert (first[0].added, first[0].names, again[0].added, again[0].names, again[0].unchanged) == \
            (2, 1, 0, 0, 2)
        assert store.figures() == [figure]
        assert store.figures()[0].value == Decimal("3900000000000000000")
        assert store.model_names()["a/one"].name == "One"
        assert [item.key for item in store.feed_items("desk")] == ["k1"]
        assert store.validators("https://x/feed") == HttpValidators("https://x/feed", '"e2"', "")
        state = store.source_states()["desk"]
        assert (state.state, state.checked_at, state.last_success) == ("unchanged", "t1", "t0")
        store.save([Collected("desk")])  # the file now holds no figures: they are gone
        assert store.figures() == []


def test_corrections_are_recorded_once_and_announced_once(store_at: Path | str) -> None:
    with Store.open(store_at) as store:
        ledger = store.corrections
        made = [correction(W10, "4.19 trillion", "4.29 trillion"),
                correction(W11, "5 trillion", "6 trillion", CorrectionStatus.HELD, "2026-03-21T00:00:00Z")]
        assert ledger.add(made) == made
        assert ledger.add(made) == []
        assert [c.old for c in ledger.of()] == ["4.19 trillion", "5 trillion"]
        assert ledger.of(W11, CorrectionStatus.HELD) == [made[1]]
        assert ledger.set_status(W11, CorrectionStatus.HELD, CorrectionStatus.PUBLISHED) == 1
        assert [c.week for c in ledger.to_announce(W12)] == [W10, W11]
        ledger.announced(ledger.to_announce(W12)[:1], W12)
        assert [(c.week, c.announced_in) for c in ledger.to_announce(W12)] == [(W10, "2026-W12"), (W11, "")]
        assert ledger.to_announce(IsoWeek.parse("2026-W13")) == [ledger.of(W11)[0]]
        assert ledger.last_corrected() == {W10: "2026-03-20T00:00:00Z", W11: "2026-03-21T00:00:00Z"}


def test_stated_numbers_keep_the_articles_order_and_what_they_rest_on(store_at: Path | str) -> None:
    numbers = {"en": [{"text": "9 trillion", "what": ["country(US).tokens"], "sentence": "US: 9 trillion.",
                       "sources": [{"key": "board|2026-W11|a/one"}]},
                      {"text": "1 trillion", "what": ["country(CN).tokens", "week"],
                       "sources": [{"key": "board|2026-W10|b/two"}]},
                      {"text": "Monday", "what": ["week"]}],
               "zh": [{"text": "9万亿", "what": ["country(US).tokens"]}]}
    with Store.open(store_at) as store:
        ledger = store.corrections
        ledger.record_stated(W11, numbers, lambda name: name != "week", W10)
        ledger.record_stated(W11, numbers, lambda name: name != "week", W10)  # again: replaced
        stated = ledger.stated(W11)
        assert [(s.text, s.ids, s.sentence) for s in stated["en"]] == [
            ("9 trillion", ("country(US).tokens",), "US: 9 trillion."),
            ("1 trillion", ("country(CN).tokens",), "1 trillion")]
        assert [s.text for s in stated["zh"]] == ["9万亿"]
        assert ledger.stating() == {W11}
        assert ledger.reaching(W10) == {W11} and ledger.reaching(W12) == set()
        assert ledger.resting_on([("board", "2026-W10")]) == {W11}
        assert ledger.resting_on([("board", None)]) == {W11}
        assert ledger.resting_on([("other", None)]) == set()


def test_published_weeks_are_the_delivered_publishable_ones(store_at: Path | str) -> None:
    with Store.open(store_at) as store:
        for week, status in ((W10, Status.READY), (W11, Status.REJECTED), (W12, Status.APPROVED)):
            store.record_bulletin(week, "h", [], "t", status)
            store.record_delivery(Delivery(week, "site", DeliveryStatus.OK))
        assert store.corrections.published_weeks() == [W10, W12]
        assert store.corrections.delivered(W11) and not store.corrections.delivered(IsoWeek.parse("2026-W01"))


def test_editors_edits_and_decisions(store_at: Path | str) -> None:
    with Store.open(store_at) as store:
        assert store.editors.put("ana", "Ana Lima", "$argon2id$one", "t0") == "added"
        assert store.editors.put("ana", "Ana M. Lima", "$argon2id$two", "t1") == "updated"
        store.editors.set_hash("ana", "$argon2id$three")
        editor = store.editors.get("ana")
        assert editor is not None and store.editors.count() == 1 and store.editors.get("bo") is None
        assert (editor.user, editor.name, editor.password_hash, editor.created_at, editor.changed_at) == \
            ("ana", "Ana M. Lima", "$argon2id$three", "t0", "t1")

        first = Edit(W11, "en", "China led.", "China led again.", "ana", "Ana Lima", "t2")
        second = Edit(W11, "en", "China led.", "China led, again.", "ana", "Ana Lima", "t3")
        store.edits.save(first, "China led.")
        store.edits.save(second, "China led again.")
        assert store.edits.of(W11) == [second]
        assert store.edits.log(W11) == [("en", "China led.", "China led again.", "Ana Lima", "t2"),
                                        ("en", "China led again.", "China led, again.", "Ana Lima", "t3")]

        store.save([Collected("board", (Observation("board", "2026-W11", "a/one", 5, 1, "", "t0"),))])
        decided = DecidedName("a/one", "One", CORRECTED, "ana", "t4")
        store.decisions.decide_name(DecidedName("a/one", "Uno", CORRECTED, "ana", "t3"))
        store.decisions.decide_name(decided)
        assert store.decisions.names() == {"a/one": decided}
        assert store.decisions.listed("a/one") and not store.decisions.listed("b/two")
        assert store.decisions.forget_name("a/one") and not store.decisions.forget_name("a/one")
        store.decisions.approved(W11, {"en": "text", "zh": "文本"}, "t5")
        store.decisions.approved(W11, {"en": "text 2"}, "t6")
        assert store.decisions.approved_texts(W11) == ({"en": "text 2"}, "t6")
        assert store.decisions.approved_texts(W10) == ({}, "")


def test_a_subscriber_is_one_whatever_the_case_of_the_address(store_at: Path | str) -> None:
    # SQLite's email column is COLLATE NOCASE; PostgreSQL's is citext.
    with Store.open(store_at) as store:
        assert store.subscribers.add("bo@example.com", "en", "confirmed") == "added"
        assert store.subscribers.add("Bo@Example.COM", "en", "confirmed") == "unchanged"
        assert store.subscribers.add("ana@example.com", "zh", "pending") == "added"
        found = store.subscribers.get("BO@EXAMPLE.com")
        assert found is not None and found.email == "bo@example.com"
        assert [s.email for s in store.subscribers.listing()] == ["ana@example.com", "bo@example.com"]
        assert store.subscribers.counts() == {"confirmed": 1, "pending": 1}
