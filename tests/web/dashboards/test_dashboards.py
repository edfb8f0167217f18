"""The dashboards (app.dashboards): each role's figures counted right on a small world,
the charts as SVG that parses and holds its bars, the numbers as CSV and XLSX read back
(formula-like text defused), and each viewer held to their own scope."""

from __future__ import annotations

import csv
import io
import itertools
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from openpyxl import load_workbook
from sqlalchemy import select

from app.core import clock
from app.extensions import db
from app.models.agreements import Agreement, AgreementStatus
from app.models.cases import Case
from app.models.contacts import Complaint, ContactRecord
from app.models.negotiation import Proposal
from app.models.repayments import (
    PaymentChannel,
    PaymentSource,
    PaymentStatus,
    RepaymentBreach,
    RepaymentPayment,
)
from app.models.sessions import MediationSession
from app.models.users import Role, User
from app.rules.cases import CaseState
from app.rules.contact_log import ContactChannel, Counterpart, Direction, Outcome
from app.rules.proposals import ProposalState, Side
from app.rules.sessions import SessionKind, SessionMeans, SessionStatus
from tests.factories import PASSWORD, make_case, make_creditor_org, make_mediation_org, make_user
from tests.helpers import Browser
from tests.worlds import Worlds, restore

SVG = "{http://www.w3.org/2000/svg}"
CLAIM = Decimal("31800.00")
# a staff member whose name a spreadsheet would take for a formula, and markup would break
NAME = '=HYPERLINK("x")&<b>'


def _agreement(case: Case, by: User, total: str, days_after_submission: int) -> Agreement:
    proposal = Proposal(
        case_id=case.id,
        side=Side.DEBTOR,
        proposer_id=by.id,
        state=ProposalState.ACCEPTED,
        kind="lump_sum",
        total=Decimal(total),
        principal=Decimal(total),
        interest=Decimal("0.00"),
        fees=Decimal("0.00"),
        discount=CLAIM - Decimal(total),
        first_due=date(2026, 12, 31),
    )
    db.session.add(proposal)
    db.session.flush()
    agreement = Agreement(
        case_id=case.id,
        version=1,
        proposal_id=proposal.id,
        status=AgreementStatus.IN_FORCE,
        terms={},
        drafted_by_id=by.id,
        effective_at=case.submitted_at + timedelta(days=days_after_submission, hours=1),
    )
    db.session.add(agreement)
    db.session.flush()
    return agreement


def _contact(case: Case, by: User, channel: ContactChannel, **kw: Any) -> ContactRecord:
    now = clock.now()
    record = ContactRecord(
        case_id=case.id,
        mediation_org_id=case.mediation_org_id,
        creditor_org_id=by.creditor_org_id,
        logged_by_id=by.id,
        counterpart=kw.pop("counterpart", Counterpart.DEBTOR),
        direction=Direction.OUTBOUND,
        channel=channel,
        occurred_at=now,
        local_day=clock.day_of(now),
        debtor_key=kw.pop("debtor_key", f"case:{case.id}"),
        outcome=Outcome.REACHED,
        summary="沟通还款",
        is_outreach=kw.pop("is_outreach", True),
        **kw,
    )
    db.session.add(record)
    db.session.flush()
    return record


def _session(case: Case, by: User, means: SessionMeans, status: SessionStatus) -> None:
    db.session.add(
        MediationSession(
            case_id=case.id,
            kind=SessionKind.JOINT,
            means=means,
            starts_at=clock.now(),
            minutes=30,
            status=status,
            uid=f"dash-{case.id}-{next(_uids)}@test",
            scheduled_by_id=by.id,
        )
    )


_uids = itertools.count()


def _payment(case: Case, agreement: Agreement, by: User, amount: str, status: PaymentStatus):
    db.session.add(
        RepaymentPayment(
            case_id=case.id,
            agreement_id=agreement.id,
            amount=Decimal(amount),
            paid_on=clock.today(),
            channel=PaymentChannel.BANK_TRANSFER,
            reference=f"REF-{case.id}-{amount}",
            source=PaymentSource.CREDITOR,
            status=status,
            recorded_by_id=by.id,
        )
    )


def build_world() -> dict[str, int]:
    """Mediation organisation A (an admin, mediators m1 and m2) and B (its own admin and
    mediator); creditor organisations c1 (two staff) and c2; seven cases."""
    org_a, org_b = make_mediation_org(), make_mediation_org()
    admin = make_user(Role.ADMIN, mediation_org=org_a, name="甲管理员")
    m1 = make_user(Role.MEDIATOR, mediation_org=org_a, name="调解员甲")
    m2 = make_user(Role.MEDIATOR, mediation_org=org_a, name="调解员乙")
    admin_b = make_user(Role.ADMIN, mediation_org=org_b)
    mb = make_user(Role.MEDIATOR, mediation_org=org_b)
    c1_org, c2_org = make_creditor_org(), make_creditor_org()
    c1 = make_user(Role.CREDITOR, creditor_org=c1_org, name=NAME)
    c1b = make_user(Role.CREDITOR, creditor_org=c1_org)
    c2 = make_user(Role.CREDITOR, creditor_org=c2_org)
    debtor = make_user(Role.DEBTOR)
    now, today = clock.now(), clock.today()

    def case(creditor: User, mediator: User | None, state: CaseState, age: int, **kw) -> Case:
        return make_case(
            creditor=creditor,
            mediator=mediator,
            state=state,
            submitted_at=now - timedelta(days=age),
            mediation_org_id=(mediator or m1).mediation_org_id,
            **kw,
        )

    negotiating = case(c1, m1, CaseState.NEGOTIATING, 10, next_deadline=today + timedelta(days=3))
    in_force = case(c1, m1, CaseState.IN_FORCE, 40, next_deadline=today + timedelta(days=25))
    performed = case(c2, m2, CaseState.PERFORMED, 100)
    case(c1, m2, CaseState.CLOSED_NOT_MEDIATED, 50)
    confirmed = case(c2, m1, CaseState.CONFIRMED, 200, next_deadline=today - timedelta(days=2))
    make_case(creditor=c1, state=CaseState.DRAFT, mediation_org_id=org_a.id)
    case(c1, mb, CaseState.SUBMITTED, 1)

    a_in_force = _agreement(in_force, m1, "27000.00", 20)  # 15.09 % off, 20 days
    a_performed = _agreement(performed, m2, "31800.00", 5)  # no discount, 5 days
    a_confirmed = _agreement(confirmed, m1, "15900.00", 60)  # 50 % off, 60 days
    _payment(in_force, a_in_force, c1, "5000.00", PaymentStatus.RECORDED)
    _payment(in_force, a_in_force, c1, "1000.00", PaymentStatus.DISPUTED)  # does not count
    _payment(performed, a_performed, c2, "31800.00", PaymentStatus.CONFIRMED)
    db.session.add(
        RepaymentBreach(
            case_id=confirmed.id,
            agreement_id=a_confirmed.id,
            instalment=1,
            breach_on=today - timedelta(days=20),
            accelerated=False,
        )
    )
    # the mediator's sessions today: two by phone, one video, one in person; one called off
    for means, status in (
        (SessionMeans.PHONE, SessionStatus.SCHEDULED),
        (SessionMeans.PHONE, SessionStatus.HELD),
        (SessionMeans.VIDEO, SessionStatus.SCHEDULED),
        (SessionMeans.IN_PERSON, SessionStatus.SCHEDULED),
        (SessionMeans.VIDEO, SessionStatus.CANCELLED),
    ):
        _session(negotiating, m1, means, status)
    # the mediator's three calls and a video call with one debtor today, one at night
    for channel in (ContactChannel.PHONE, ContactChannel.PHONE, ContactChannel.VIDEO):
        _contact(negotiating, m1, channel, debtor_key="phone:13800138001")
    _contact(
        negotiating,
        m1,
        ContactChannel.IN_PERSON,
        debtor_key="phone:13800138001",
        is_outreach=False,
        flag_quiet_hours=True,
        flagged=True,
        flag_reason="当事人要求晚间联系",
    )
    # a creditor's staff member calls the debtor's employer
    wrong = _contact(
        in_force,
        c1,
        ContactChannel.PHONE,
        counterpart=Counterpart.OTHER,
        flag_wrong_person=True,
        flagged=True,
        flag_reason="误拨",
    )
    db.session.add(
        Complaint(
            case_id=in_force.id,
            mediation_org_id=org_a.id,
            complainant_id=debtor.id,
            contact_id=wrong.id,
            text="联系了我的单位",
            due_on=today - timedelta(days=1),
        )
    )
    db.session.commit()
    people = {"admin": admin, "m1": m1, "m2": m2, "admin_b": admin_b, "mb": mb}
    people |= {"c1": c1, "c1b": c1b, "c2": c2, "debtor": debtor}
    return {name: user.id for name, user in people.items()}


@pytest.fixture
def world(worlds: Worlds, app: Flask) -> dict[str, int]:
    return restore(worlds.capture("dashboards", build_world))


def as_user(app: Flask, world: dict[str, int], who: str) -> Browser:
    user = db.session.get(User, world[who])
    browser = Browser(app.test_client())
    browser.login(user.email, PASSWORD)
    return browser


def csv_rows(browser: Browser, chart: str) -> list[list[str]]:
    response = browser.get(f"/dashboard/{chart}.csv")
    assert response.status_code == 200, chart
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    text = response.get_data().decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def figures(browser: Browser, chart: str) -> dict[str, list[str]]:
    """The chart's CSV as {category: [values…]}."""
    return {row[0]: row[1:] for row in csv_rows(browser, chart)[1:]}


def svg_of(page: str, chart: str) -> ET.Element:
    start = page.index('<svg xmlns="http://www.w3.org/2000/svg"', page.index(f'id="chart-{chart}"'))
    markup = page[start : page.index("</svg>", start) + len("</svg>")]
    return ET.fromstring(markup)  # noqa: S314 (the application's own page, not untrusted)


# --- the admin ----------------------------------------------------------------------------


def test_the_admin_counts_the_organisations_cases_by_state_age_and_outcome(
    app: Flask, world: dict[str, int]
) -> None:
    admin = as_user(app, world, "admin")
    assert admin.get("/dashboard").status_code == 200
    by_state = figures(admin, "cases_by_state")
    # no draft (the creditor's), nothing of organisation B
    assert sorted(map(int, (v[0] for v in by_state.values()))) == [1, 1, 1, 1, 1]
    assert len(by_state) == 5
    assert [int(v[0]) for v in figures(admin, "cases_by_age").values()] == [1, 1, 0, 1, 0]
    # 5, 20 and 60 days from submission to the agreement taking effect
    assert [int(v[0]) for v in figures(admin, "time_to_agreement").values()] == [1, 0, 1, 1, 0, 0]
    assert [int(v[0]) for v in figures(admin, "settlement").values()] == [3, 1]
    # no discount, 15 % and 50 %
    assert [int(v[0]) for v in figures(admin, "discount").values()] == [1, 0, 1, 0, 1, 0]
    assert [int(v[0]) for v in figures(admin, "breaches").values()] == [2, 1]


def test_the_admins_key_figures(app: Flask, world: dict[str, int]) -> None:
    page = as_user(app, world, "admin").get("/dashboard").get_data(as_text=True)
    figures_html = page.split('class="key-figures"', 1)[1].split("</dl>", 1)[0]
    values = [v.split("</dd>")[0] for v in figures_html.split('<dd class="num">')[1:]]
    # settlement 3 of 4; median of 5, 20, 60 days; mean of 0, 15.09 and 50 % off; 1 of 3
    assert values == ["75.0%", "20", "21.7%", "33.3%"]


def test_the_admin_sees_workload_deadlines_and_compliance(
    app: Flask, world: dict[str, int]
) -> None:
    admin = as_user(app, world, "admin")
    workload = csv_rows(admin, "workload")
    assert workload[0][-1] == "合计"
    rows = {r[0]: [int(v) for v in r[1:]] for r in workload[1:]}
    assert rows == {"调解员甲": [0, 1, 2, 3], "调解员乙": [0, 0, 0, 0]}
    deadlines = csv_rows(admin, "deadlines")
    header = deadlines[0]
    table = {r[0]: dict(zip(header[1:], map(int, r[1:]), strict=True)) for r in deadlines[1:]}
    assert [t["合计"] for t in table.values()] == [1, 1, 0, 0, 1]  # passed, days 0–6, …, 22–30
    flagged = [int(v[0]) for v in figures(admin, "flagged_contacts").values()]
    assert flagged == [5, 2, 1, 0, 1]
    assert [int(v[0]) for v in figures(admin, "complaints").values()] == [0, 1, 0]
    # one debtor called three times today, another once
    assert [int(v[0]) for v in figures(admin, "contacts_per_day").values()] == [1, 0, 1, 0, 0]


def test_the_outreach_distribution_counts_the_last_30_days_only(
    app: Flask, world: dict[str, int]
) -> None:
    old = db.session.scalars(
        select(ContactRecord).where(ContactRecord.logged_by_id == world["c1"])
    ).one()
    old.local_day = clock.today() - timedelta(days=30)
    db.session.commit()
    admin = as_user(app, world, "admin")
    assert [int(v[0]) for v in figures(admin, "contacts_per_day").values()] == [0, 0, 1, 0, 0]
    # still a contact logged and flagged: the compliance counts are of all time
    assert [int(v[0]) for v in figures(admin, "flagged_contacts").values()][:2] == [5, 2]


def test_the_admin_of_another_organisation_sees_none_of_it(
    app: Flask, world: dict[str, int]
) -> None:
    other = as_user(app, world, "admin_b")
    assert {k: v[0] for k, v in figures(other, "cases_by_state").items()} == {"待受理": "1"}
    assert figures(other, "settlement") and all(
        v[0] == "0" for v in figures(other, "settlement").values()
    )
    assert [v[0] for v in figures(other, "flagged_contacts").values()] == ["0"] * 5
    assert "调解员甲" not in other.get("/dashboard").get_data(as_text=True)


# --- the mediator ---------------------------------------------------------------------------


def test_the_mediator_sees_their_own_docket_sessions_and_deadlines(
    app: Flask, world: dict[str, int]
) -> None:
    m1 = as_user(app, world, "m1")
    page = m1.get("/dashboard").get_data(as_text=True)
    assert len(figures(m1, "cases_by_state")) == 3  # negotiating, in force, confirmed
    sessions = csv_rows(m1, "sessions")
    today = clock.today()
    assert len(sessions) == 8  # the header and Monday to Sunday
    row = sessions[1 + today.weekday()]
    assert [int(v) for v in row[1:]] == [2, 1, 1, 4]  # phone, video, in person, Σ
    assert sum(int(v) for r in sessions[1:] for v in r[-1:]) == 4
    deadlines = page.split('id="my-deadlines"', 1)[1].split("</table>", 1)[0]
    assert deadlines.count("<tr>") == 1 + 3
    assert "已过期" in deadlines
    # the admin's charts are not the mediator's
    for chart in ("workload", "discount", "complaints"):
        assert m1.get(f"/dashboard/{chart}.csv").status_code == 404
    m2 = as_user(app, world, "m2")
    assert sum(int(v[0]) for v in figures(m2, "cases_by_state").values()) == 2
    assert all(int(r[-1]) == 0 for r in csv_rows(m2, "sessions")[1:])


# --- the creditor ---------------------------------------------------------------------------


def test_the_creditor_sees_its_portfolio_amounts_and_its_staffs_contacts(
    app: Flask, world: dict[str, int]
) -> None:
    c1 = as_user(app, world, "c1b")  # a colleague sees the organisation's figures
    by_state = figures(c1, "cases_by_state")
    assert sum(int(v[0]) for v in by_state.values()) == 5  # its draft too, and org B's case
    amounts = [v[0] for v in figures(c1, "amounts").values()]
    # claimed on four submitted cases, on the settled one, agreed, recovered (not disputed)
    assert amounts == ["127200.00", "31800.00", "27000.00", "5000.00"]
    staff = figures(c1, "staff_contacts")
    assert staff == {"'" + NAME: ["0", "1", "1"]}
    assert [int(v[0]) for v in figures(c1, "flagged_contacts").values()] == [1, 1, 0, 0, 1]
    c2 = as_user(app, world, "c2")
    # both its cases settled: one performed in full, one confirmed at half the claim
    assert [v[0] for v in figures(c2, "amounts").values()] == [
        "63600.00",
        "63600.00",
        "47700.00",
        "31800.00",
    ]
    assert figures(c2, "staff_contacts") == {}
    assert c1.get("/dashboard/workload.csv").status_code == 404


# --- the pictures and the files ---------------------------------------------------------------


def test_each_chart_is_an_accessible_svg_with_its_bars_and_a_table(
    app: Flask, world: dict[str, int]
) -> None:
    page = as_user(app, world, "admin").get("/dashboard").get_data(as_text=True)
    for chart, bars in (("cases_by_state", 5), ("settlement", 2), ("workload", 2)):
        svg = svg_of(page, chart)
        assert svg.get("role") == "img"
        assert svg.get("viewBox", "").startswith("0 0 320 ")
        assert svg.get("width") is None  # scales with its column
        assert svg.find(f"{SVG}title").text
        assert svg.find(f"{SVG}desc").text
        assert svg.get("aria-labelledby") == f"chart-{chart}-title chart-{chart}-desc"
        rects = svg.findall(f".//{SVG}rect[@class='bar']")
        assert len(rects) == bars
        assert all(r.find(f"{SVG}title").text for r in rects)
        assert f'id="table-{chart}"' in page
    settlement = svg_of(page, "settlement")
    widths = [float(r.get("width")) for r in settlement.findall(f".//{SVG}rect[@class='bar']")]
    assert widths[0] == pytest.approx(3 * widths[1], abs=0.2)  # 3 settled, 1 not
    assert 'href="/dashboard/settlement.csv"' in page
    assert 'href="/dashboard/settlement.xlsx"' in page


def test_a_name_is_escaped_in_the_svg_and_defused_in_the_xlsx(
    app: Flask, world: dict[str, int]
) -> None:
    creditor = as_user(app, world, "c1")
    page = creditor.get("/dashboard").get_data(as_text=True)
    labels = [t.text for t in svg_of(page, "staff_contacts").iter(f"{SVG}text")]
    assert NAME in labels  # parsed back whole: escaped, not markup
    response = creditor.get("/dashboard/staff_contacts.xlsx")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    assert "attachment" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    cells = [[c.value for c in row] for row in sheet.iter_rows()]
    assert cells[0][0] == "本机构人员记录的联系"
    assert cells[1] == ["人员", "合规", "已标记", "合计"]
    assert cells[2] == ["'" + NAME, 0, 1, 1]  # the name defused, the numbers numbers
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


def test_the_dashboard_and_its_exports_in_english(app: Flask, world: dict[str, int]) -> None:
    admin = as_user(app, world, "admin")
    assert csv_rows(admin, "settlement")[0][0] == "结果"
    user = db.session.get(User, world["admin"])
    user.locale = "en"
    db.session.commit()
    page = admin.get("/dashboard").get_data(as_text=True)
    assert "Organisation dashboard" in page and "Settlement rate" in page
    assert csv_rows(admin, "settlement")[0] == ["Outcome", "Cases"]


# --- access ---------------------------------------------------------------------------------


def test_a_debtor_and_a_stranger_have_no_dashboard(app: Flask, world: dict[str, int]) -> None:
    debtor = as_user(app, world, "debtor")
    for url in ("/dashboard", "/dashboard/cases_by_state.csv", "/dashboard/cases_by_state.xlsx"):
        assert debtor.get(url).status_code == 403
        anonymous = Browser(app.test_client()).get(url)
        assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    admin = as_user(app, world, "admin")
    assert admin.get("/dashboard/nonsense.csv").status_code == 404
    assert admin.get("/dashboard/sessions.xlsx").status_code == 404  # the mediator's


def test_the_nav_links_each_roles_dashboard(app: Flask, world: dict[str, int]) -> None:
    for who in ("admin", "m1", "c1"):
        page = as_user(app, world, who).get("/account/").get_data(as_text=True)
        assert 'href="/dashboard"' in page, who
    assert 'href="/dashboard"' not in as_user(app, world, "debtor").get("/account/").get_data(
        as_text=True
    )
