"""The transfers board (issue 19): facility names, a totals row, the share arrived, Mentor
Mothers against the arrival goal, the funnel by days since the effective date (figures and
SVG), who needs following up in words with links, the CSV of what is shown, and the page's
scoping."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, time, timedelta

import pytest

from sms_service.csvio import read_csv
from sms_service.followup.store import open_tasks
from sms_service.models import Client, Facility, MentorMother, OutboundMessage, Transfer
from sms_service.transfers.board import board
from sms_service.web.funnel import funnel_svg
from sms_service.web.labels import label
from tests.support.logins import log_in
from tests.support.people import two_mentor_mothers

EFFECTIVE = date(2026, 11, 1)
NOW = datetime(2026, 12, 10, 9, 0, tzinfo=UTC)  # day 39 after the effective date


def moment(day: int, hour: int = 10) -> datetime:
    """`day` days after the effective date, at `hour` UTC."""
    return datetime.combine(EFFECTIVE + timedelta(days=day), time(hour), tzinfo=UTC)


@pytest.fixture
def programme(services):
    """Mwangaza closes to Tumaini and Baraka. Zawadi's five clients: arrived on days 2, 10 and
    40 (late), one lost, one sent on (and her new transfer arrived on day 5). Imani's two: one
    arrived on day 20, one only notified (with a task)."""
    with services.db.session() as s:
        f1, f2, f3 = (
            Facility(code="F1", name="Mwangaza"),
            Facility(code="F2", name="Tumaini"),
            Facility(code="F3", name="Baraka"),
        )
        zawadi = MentorMother(code="MM1", name="Zawadi", phone="+254700000900", facility=f1)
        imani = MentorMother(code="MM2", name="Imani", phone="+254700000901", facility=f1)
        s.add_all([f1, f2, f3, zawadi, imani])
        s.flush()

        def transfer(name, mm, to, status, notified=None, delivered=False, acknowledged=None, arrived=None, **kw):
            client = Client(
                external_id=f"C-{name}",
                first_name=name,
                phone=f"+2547000004{len(name):02d}",
                facility=f1,
                mentor_mother=mm,
            )
            s.add(client)
            s.flush()
            t = Transfer(
                client_id=client.id,
                from_facility_id=f1.id,
                to_facility_id=to.id,
                effective_date=EFFECTIVE,
                status=status,
                notified_at=moment(notified) if notified is not None else None,
                acknowledged_at=moment(acknowledged) if acknowledged is not None else None,
                arrived_at=moment(arrived) if arrived is not None else None,
                created_at=moment(-7),
                **kw,
            )
            s.add(t)
            s.flush()
            if notified is not None:
                m = OutboundMessage(
                    client_id=client.id,
                    phone=client.phone,
                    purpose="transfer_notice",
                    subject=f"transfer:{t.id}",
                    body="-",
                    status="delivered" if delivered else "sent",
                    sent_at=moment(notified),
                    not_before=moment(-7),
                    expires_at=moment(30),
                    idempotency_key=f"k{t.id}",
                    queue="bulk",
                )
                s.add(m)
                s.flush()
                t.notice_message_id = m.id
            return client, t

        transfer("Amina", zawadi, f2, "arrived", notified=-6, delivered=True, acknowledged=-5, arrived=2)
        transfer("Beth", zawadi, f2, "arrived", notified=-6, delivered=True, arrived=10)
        transfer("Cira", zawadi, f3, "arrived", notified=-6, arrived=40)
        transfer("Dina", zawadi, f3, "lost_to_follow_up", notified=-6, delivered=True)
        client, old = transfer("Esi", zawadi, f3, "rerouted", notified=-6, delivered=True)
        s.add(
            Transfer(
                client_id=client.id,
                from_facility_id=f1.id,
                to_facility_id=f2.id,
                effective_date=EFFECTIVE,
                status="arrived",
                arrived_at=moment(5),
                created_at=moment(-2),
                replaces_id=old.id,
            )
        )
        transfer("Fay", imani, f2, "arrived", notified=-6, delivered=True, acknowledged=1, arrived=20)
        gail, t = transfer("Gail", imani, f3, "notified", notified=0)
        open_tasks(
            s,
            [{"client_id": gail.id, "kind": "tracing", "subject": f"transfer:{t.id}", "dedupe_key": "x"}],
            now=NOW,
            today=NOW.date(),
        )
    return services


def test_the_figures_count_each_client_once_and_measure_day_30_against_the_goal(programme):
    with programme.db.session() as s:
        b = board(s, NOW, programme.config)
    rows = {(r.site_name, r.clinic_name): r for r in b.rows}
    assert set(rows) == {("Mwangaza", "Tumaini"), ("Mwangaza", "Baraka")}
    tumaini, baraka = rows["Mwangaza", "Tumaini"], rows["Mwangaza", "Baraka"]
    assert (tumaini.clients, tumaini.arrived, tumaini.sent_on) == (4, 4, 0)  # Amina, Beth, Esi (sent on), Fay
    assert (baraka.clients, baraka.arrived, baraka.lost, baraka.sent_on) == (
        3,
        1,
        1,
        1,
    )  # Cira, Dina, Gail; Esi's first
    assert (b.total.clients, b.total.arrived, b.total.sent_on) == (7, 5, 1)
    assert b.total.share == pytest.approx(5 / 7)
    mentors = {m.name: m for m in b.mentors}
    # Zawadi: Amina (day 2), Beth (day 10), Esi (day 5) by day 30; Cira on day 40; Dina lost
    assert (mentors["Zawadi"].clients, mentors["Zawadi"].due, mentors["Zawadi"].by_goal_day) == (5, 5, 3)
    assert (mentors["Imani"].due, mentors["Imani"].by_goal_day) == (2, 1)
    assert b.below_goal(mentors["Zawadi"]) and b.below_goal(mentors["Imani"])  # 60 % and 50 % against 80 %
    funnel = {p.day: p for p in b.funnel}
    assert [p.cohort for p in b.funnel] == [7] * 5
    assert (funnel[0].notified, funnel[0].delivered, funnel[0].acknowledged, funnel[0].arrived) == (6, 4, 1, 0)
    assert funnel[3].arrived == 1 and funnel[7].arrived == 2 and funnel[14].arrived == 3 and funnel[30].arrived == 4
    assert [n.first_name for n in b.needs] == ["Gail"] and b.needs[0].kinds == ["tracing"]


def test_the_funnel_svg_is_readable_without_colour_and_described(programme):
    with programme.db.session() as s:
        b = board(s, NOW, programme.config)
    svg = str(funnel_svg(b.funnel, label))
    assert svg.startswith("<svg") and 'role="img"' in svg and "<script" not in svg
    assert "<title" in svg and "By day 30, of 7 transfers: 6 notified, 4 delivered, 2 confirmed, 4 arrived." in svg
    assert "Arrived 4 (57%)" in svg and "Day 0: 7 transfers" in svg  # words and numbers, not colour alone


def test_the_page_shows_names_totals_goal_words_links_and_the_csv_what_it_shows(client, services, app):
    people = two_mentor_mothers(services)
    log_in(client, "admin")
    page = client.get("/transfers").get_data(as_text=True)
    assert ">Mwangaza</td>" in page and ">Tumaini</td>" in page and "F1</td>" not in page
    assert 'class="total"' in page
    # "Needs following up" in words, each a link to the client
    assert re.search(rf'<a href="/clients/{people.clients["Beth"]}">Beth</a>', page)
    assert "transfer_unconfirmed" not in page.split('id="needs"')[1]
    csv = client.get("/transfers.csv")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    rows = [r for _, r in read_csv(io.StringIO(csv.get_data(as_text=True))).rows()]
    assert rows[0]["closing_site"] == "Mwangaza" and rows[0]["receiving_clinic"] == "Tumaini"
    log_in(client, "imani")  # a Mentor Mother sees only her own clients' transfers (none here)
    page = client.get("/transfers").get_data(as_text=True)
    assert "Beth" not in page


def test_the_whole_programmes_board_is_kept_30_seconds_and_then_made_again(programme, monkeypatch):
    from sqlalchemy import select

    from sms_service.transfers import board as boards
    from sms_service.transfers.states import move

    clock = [1000.0]
    monkeypatch.setattr(boards, "monotonic", lambda: clock[0])
    with programme.db.session() as s:
        first = board(s, NOW, programme.config, cache_key="programme")
        gail = s.scalar(select(Transfer).join(Client).where(Client.first_name == "Gail"))
        move(s, gail, "arrived", cause="clinic", actor="test", now=NOW)
    with programme.db.session() as s:
        clock[0] += 29
        assert board(s, NOW, programme.config, cache_key="programme") is first  # kept: at most 30 s old
        assert board(s, NOW, programme.config).total.arrived == first.total.arrived + 1  # uncached: now
        clock[0] += 2
        again = board(s, NOW, programme.config, cache_key="programme")
    assert again is not first and again.total.arrived == first.total.arrived + 1
