"""Every screen in both languages, by the book (issue 21): the dashboard's catalogues up to the
code, a translator's file checked before it comes in, every page read in Kiswahili as each role
with no word of the English UI left, and the notes the service writes on tasks in each language."""

from __future__ import annotations

import re
import shutil
from datetime import date, timedelta
from html import unescape
from html.parser import HTMLParser

import pytest
from babel.messages.pofile import read_po, write_po
from sqlalchemy import select

from sms_service.db import utcnow
from sms_service.followup.notes import NOTES, SIGN, WHY, note
from sms_service.followup.store import open_tasks
from sms_service.languages import compiled, dashboard, review
from sms_service.models import Client, Facility, FollowUpTask, InboundMessage, MentorMother, OutboundMessage, User
from tests.support.logins import form_post, log_in
from tests.support.people import two_mentor_mothers


def kiswahili(domain: str):
    with compiled.po_path("sw", domain).open("rb") as f:
        return read_po(f)


def test_the_dashboard_catalogues_hold_every_word_of_the_code_translated():
    wanted = {(m.context, m.id) for m in dashboard.template() if m.id}
    held = {(m.context, m.id): m for m in kiswahili("messages") if m.id}
    assert wanted and wanted == set(held), (sorted(wanted - set(held))[:5], sorted(set(held) - wanted)[:5])
    assert not [k for k, m in held.items() if not m.string or m.fuzzy]
    assert review.check_dashboard() == []


def test_the_sms_and_ussd_kiswahili_lives_in_the_catalogues_and_reaches_the_messages():
    from sms_service.texts.catalogue import CATALOGUE
    from sms_service.texts.render import render
    from sms_service.ussd.texts import TEXTS

    sms = {m.context: m.string for m in kiswahili("sms") if m.id}
    assert set(sms) == set(CATALOGUE) and all(CATALOGUE[k].sw == sms[k] for k in sms)
    assert render("reply.opted_out", "sw").startswith("Hutapokea")
    assert {m.context for m in kiswahili("ussd") if m.id} == set(TEXTS) and TEXTS["back"]["sw"] == "0. Rudi"


def exported(tmp_path, name: str, edit) -> object:
    review.export(tmp_path / "out")
    path = tmp_path / "out" / name
    with path.open("rb") as f:
        catalog = read_po(f)
    for m in catalog:
        if m.id:
            edit(m)
    with path.open("wb") as f:
        write_po(f, catalog)
    return path


def set_text(context: str | None, english_starts: str, text: str):
    def edit(m):
        if (context is None or m.context == context) and m.id.startswith(english_starts):
            m.string = text

    return edit


@pytest.mark.parametrize(
    "name, edit, expected",
    [
        # SMS: a curly apostrophe (not GSM-7), a lost placeholder, over its parts, a revealing word
        (
            "sms.po",
            set_text("reply.opted_out", "", "Hutapokea ujumbe zaidi. Kuanza tena, jibu \u2018ANZA\u2019."),
            "GSM-7",
        ),
        ("sms.po", set_text("reply.opted_in", "", "Karibu tena. Utapokea ujumbe tena."), "{first_name} is missing"),
        ("sms.po", set_text("reply.confirmed", "", "Asante {first_name}, " + "tumepokea jibu lako. " * 9), "budget 1"),
        ("sms.po", set_text("reply.confirmed", "", "Asante {first_name}, lete dawa za ARV."), "reveals care"),
        ("sms.po", set_text("reply.confirmed", "", ""), "no text in this language"),
        # USSD: a screen over 160 characters, a letter that is not ASCII
        ("ussd.po", set_text("greeting", "", "Habari"), "{places}"),
        ("ussd.po", set_text("back", "", "0. Rudi nyum\u00e1"), "ASCII"),
        # the dashboard: a lost %(name)s place, a revealing word
        ("messages.po", set_text(None, "%(n)s waiting", "zinasubiri jibu"), "places"),
        ("messages.po", set_text(None, "Clients", "Wateja wa VVU"), "reveals care"),
    ],
)
def test_a_reviewed_file_with_a_fault_is_refused_whole_naming_it(tmp_path, name, edit, expected):
    before = compiled.po_path("sw", name[:-3]).read_bytes()
    problems, changed = review.take_in(exported(tmp_path, name, edit))
    assert changed == 0 and any(expected in str(p) for p in problems), [str(p) for p in problems]
    assert compiled.po_path("sw", name[:-3]).read_bytes() == before


def test_a_good_review_comes_in_and_is_what_the_service_then_says(tmp_path, monkeypatch):
    root = tmp_path / "catalogues"
    shutil.copytree(compiled.CATALOGUES, root)
    monkeypatch.setattr(compiled, "CATALOGUES", root)
    path = exported(
        tmp_path, "sms.po", set_text("reply.confirmed", "", "Asante sana {first_name}, tumepokea jibu lako.")
    )
    problems, changed = review.take_in(path)
    assert problems == [] and changed == 1
    assert "Asante sana" in compiled.po_path("sw", "sms", root).read_text()
    from sms_service.languages.texts import translator

    compiled.directory.cache_clear()
    try:
        english = "Thank you {first_name}, we have noted your answer."
        assert translator("sms")("reply.confirmed", english) == "Asante sana {first_name}, tumepokea jibu lako."
    finally:
        compiled.directory.cache_clear()


def test_an_old_export_is_refused_rather_than_taken_in_blind(tmp_path):
    def stale(m):
        if m.context == "reply.confirmed":
            m.id = "Thanks {first_name}."

    problems, _ = review.take_in(exported(tmp_path, "sms.po", stale))
    assert any("no such English text now" in str(p) for p in problems)


# --- every page in Kiswahili ------------------------------------------------------------------


class Visible(HTMLParser):
    """The words a reader sees (text, and the titles, placeholders, labels and buttons of
    elements), leaving out scripts and whatever says it is in another language (`lang`)."""

    SEEN = ("title", "placeholder", "aria-label", "alt", "data-label")

    def __init__(self, page_lang: str):
        super().__init__()
        self.page_lang, self.stack, self.words = page_lang, [], []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        other = a.get("lang") not in (None, self.page_lang) or tag in ("script", "style")
        if tag not in ("input", "meta", "link", "br", "img", "hr"):
            self.stack.append(other)
        if not any(self.stack) and not other:
            self.words += [a[k] for k in self.SEEN if a.get(k)]
            if tag == "input" and a.get("type") in ("submit", "button"):
                self.words.append(a.get("value") or "")

    def handle_endtag(self, tag):
        if tag not in ("input", "meta", "link", "br", "img", "hr") and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not any(self.stack):
            self.words.append(data)


WORD = re.compile(r"[A-Za-z][A-Za-z']+")


def english_vocabulary() -> set[str]:
    """Words of the English UI that Kiswahili never uses (SMS, USSD, CSV and the like are both)."""
    english = {w.lower() for m in kiswahili("messages") if m.id for w in WORD.findall(re.sub(r"%\(\w+\)s", "", m.id))}
    also_kiswahili = {
        w.lower() for m in kiswahili("messages") if m.id for w in WORD.findall(re.sub(r"%\(\w+\)s", "", m.string))
    }
    return {w for w in english - also_kiswahili if len(w) > 2}


def rich_programme(services):
    """Two Mentor Mothers' clients with a task of every note the service writes, a message in,
    an answer and a reminder out, a life event, a broadcast and a quick reply."""
    people = two_mentor_mothers(services)
    now = utcnow()
    amina = people.clients["Amina"]
    values = {"date": date.today(), "clinic": "Tumaini", "days": 7, "detail": "-", "reason": "travel"}
    values |= {"why": next(iter(WHY)), "signs": list(SIGN)[:2]}
    with services.db.session() as s:
        s.add(
            InboundMessage(
                provider_id="test-in-1",
                phone="+254700000001",
                text="Habari, nina swali",
                received_at=now,
                client_id=amina,
            )
        )
        for c in s.scalars(select(Client)):
            c.language = "sw"
        for u in s.scalars(select(User)):
            u.language = "sw"
        s.flush()
        open_tasks(
            s,
            [
                {"client_id": amina, "kind": "missed_visit", "dedupe_key": f"t:{name}", **note(name, **values)}
                for name in NOTES
            ],
            now=now,
            today=date.today(),
        )
    return people


def pages_of(client, services, people) -> list[str]:
    with services.db.session() as s:
        transfer = people.transfer_id
        task = s.scalar(select(FollowUpTask.id).where(FollowUpTask.client_id == people.clients["Amina"]))
    return [
        "/tasks",
        "/tasks?status=done",
        "/inbox",
        "/clients",
        f"/clients/{people.clients['Amina']}",
        f"/clients/{people.clients['Amina']}?task={task}",
        f"/clients/{people.clients['Beth']}",
        "/transfers",
        "/transfers/list",
        f"/transfers/{transfer}",
        "/broadcasts",
        "/messages",
        "/imports",
        "/quick-replies",
        "/simulator",
        "/no-such-page",
        "/clients/999999",
    ]


def data(services) -> list[str]:
    """Names and other data the pages show as they are (exempt: names, codes, numbers), longest first."""
    with services.db.session() as s:
        rows = [
            *s.scalars(select(Client.first_name)),
            *s.scalars(select(Client.external_id)),
            *s.scalars(select(User.name)),
            *s.scalars(select(MentorMother.name)),
            *s.scalars(select(Facility.name)),
            *s.scalars(select(Facility.landmark)),
            *s.scalars(select(Facility.hours)),
            *s.scalars(select(OutboundMessage.body)),
            *s.scalars(select(InboundMessage.text)),
            *s.scalars(select(FollowUpTask.note).where(FollowUpTask.note_args.is_(None))),
        ]
    return sorted({r for r in rows if r}, key=len, reverse=True)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_every_page_in_kiswahili_as_each_role_shows_no_word_of_the_english_ui(client, services, database_url):
    people = rich_programme(services)
    vocabulary, exempt = english_vocabulary(), data(services)
    assert {"clients", "follow", "the", "messages", "mentor"} <= vocabulary  # it would catch them
    seen = {}
    for username in ("admin", "mwangaza", "zawadi", "imani"):
        log_in(client, username)
        form_post(client, "/language", {"language": "sw", "next": "/tasks"})
        for path in pages_of(client, services, people):
            answer = client.get(path)
            assert answer.status_code in (200, 403, 404), (username, path, answer.status_code)
            html = answer.get_data(as_text=True)
            assert '<html lang="sw">' in html, (username, path)
            reader = Visible("sw")
            reader.feed(html)
            shown = " ".join(" ".join(reader.words).split())
            for value in exempt:
                shown = shown.replace(value, " ")
            english = sorted({w for w in WORD.findall(shown) if w.lower() in vocabulary})
            seen[(username, path, answer.status_code)] = english
    assert {k: v for k, v in seen.items() if v} == {}, "\n".join(f"{k}: {v}" for k, v in seen.items() if v)
    codes = {code for (_, _, code) in seen}
    assert codes == {200, 403, 404}  # the error pages too, each under the header with a way back


def test_an_error_page_has_the_header_and_a_way_back_in_the_readers_language(client, services):
    two_mentor_mothers(services)
    log_in(client, "zawadi")
    html = client.get("/imports").get_data(as_text=True)
    assert "Si kwa akaunti hii" in html and "Rudi mwanzo" in html and "<nav>" in html
    log_in(client, "imani")
    answer = client.get("/no-such-page")
    assert answer.status_code == 404 and "Page not found" in answer.get_data(as_text=True)
    assert client.get("/api/v1/no-such").is_json  # the API keeps its JSON


def test_the_service_notes_on_a_task_read_in_each_readers_language(client, services):
    people = two_mentor_mothers(services)
    with services.db.session() as s:
        open_tasks(
            s,
            [
                {
                    "client_id": people.clients["Chausiku"],
                    "kind": "missed_visit",
                    "dedupe_key": "t:missed",
                    **note("missed_visit", date=date(2026, 12, 1)),
                },
                {
                    "client_id": people.clients["Chausiku"],
                    "kind": "danger_sign",
                    "dedupe_key": "t:danger",
                    **note("danger_sign", signs=["heavy_bleeding", "a_programmes_own"]),
                },
            ],
            now=utcnow(),
            today=date.today() - timedelta(days=1),
        )
        kept = s.scalar(select(FollowUpTask.note).where(FollowUpTask.dedupe_key == "t:missed"))
    assert kept == "She missed her visit on 2026-12-01: please call her to choose a new date."  # the API's
    log_in(client, "imani")
    page = client.get("/tasks").get_data(as_text=True)
    assert "She missed her visit on 1 Dec 2026: please call her" in page
    assert "Her SMS speaks of danger (heavy bleeding, a programmes own)" in page
    form_post(client, "/language", {"language": "sw", "next": "/tasks"})
    page = client.get("/tasks").get_data(as_text=True)
    assert "Alikosa miadi yake ya 1 Des 2026: tafadhali mpigie simu" in page
    assert "SMS yake inataja dalili ya hatari (kutokwa na damu nyingi, a programmes own)" in page


def test_a_refusal_reads_in_the_readers_language_on_a_page_and_in_english_over_the_api(client, services):
    people = two_mentor_mothers(services)
    log_in(client, "zawadi")
    form_post(client, "/language", {"language": "sw", "next": "/tasks"})
    amina = people.clients["Amina"]
    page = form_post(
        client, f"/clients/{amina}/events", {"kind": "infant_died", "date": "2099-01-01"}, page=f"/clients/{amina}"
    ).get_data(as_text=True)
    assert "hana mtoto aliyeandikwa" in page and "1 Jan 2099 ni tarehe ijayo" in page
    assert "no infant on record" not in page and "in the future" not in page
    refused = form_post(
        client, "/broadcasts", {"text_sw": "Leta kadi ya ARV", "action": "preview"}, page="/broadcasts"
    ).get_data(as_text=True)
    assert "Kiswahili: neno 'ARV' haliruhusiwi kutumwa" in unescape(refused) and "may not be sent" not in refused
    answer = client.application.test_client().post(
        "/api/v1/clients/C-Amina/events",
        json={"kind": "infant_died", "date": "2026-01-01"},
        headers={"Authorization": f"Bearer {people.tokens['zawadi']}"},
    )
    assert answer.status_code == 400 and "she has no infant on record" in answer.get_data(as_text=True)


def test_an_imports_refused_rows_read_in_the_readers_language(client, services):
    import io

    two_mentor_mothers(services)
    log_in(client, "admin")
    form_post(client, "/language", {"language": "sw", "next": "/imports"})
    rows = "client_id,first_name,phone,facility_code,colour\nC9,Asha,12345,F1,red\nC10,Rehema,0700000110,F9,\n"
    page = form_post(
        client,
        "/imports",
        {"kind": "clients", "dry_run": "1", "file": (io.BytesIO(rows.encode()), "c.csv")},
        page="/imports",
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert "safu zisizojulikana zimepuuzwa: colour" in page
    assert "phone: si nambari ya simu ya mkononi ya Kenya" in page and "facility_code: namba ya kituo F9" in page
    reader = Visible("sw")
    reader.feed(page)
    shown = " ".join(reader.words)
    for code in ("facility_code", "phone", "colour", *data(services)):  # the CSV's columns are codes; names are data
        shown = shown.replace(code, " ")
    words = {w.lower() for w in WORD.findall(shown)}
    assert not words & english_vocabulary(), sorted(words & english_vocabulary())
