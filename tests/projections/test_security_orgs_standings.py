"""Security organisations in the standings, the export bundle and beside the reported figures:
per kind, the bodies standing at the year's end (or --as-of, --known-at) in scope, their members
and the households they cover; a disbanded body, or one of an ended unit, no longer counts."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path
from typing import Any

from ledger.application import Clerk, Ledger
from ledger.commands import (
    SecurityOrgChange,
    SecurityOrgDisband,
    SecurityOrgEstablish,
    StatisticReport,
    UnitDissolve,
    UnitMerge,
)
from projections.runner import Projector
from projections.standings import Point, standings

from .conftest import Antq, moment, record, unit

CLERK = Clerk(actor="Nguyễn Thị Thư Ký", role="CA_XA")
UNITS = (unit("TH", "province"), unit("TH-ML", "commune", "TH"), unit("TH-X2", "commune", "TH"),
         unit("TH-X3", "commune", "TH"), unit("KG", "province"),
         unit("KG-C1", "commune", "KG"))  # fmt: skip
ARTICLE = "Bài “Phát huy sức mạnh toàn dân bảo vệ an ninh Tổ quốc”, 25/09/2025"


def body(unit_code: str, code: str, kind: str, members: int, on: str, covered: int | None = None,
         in_area: int | None = None) -> SecurityOrgEstablish:  # fmt: skip
    return SecurityOrgEstablish(
        unit=unit_code, code=code, kind=kind, name=f"{kind} {code}", members=members,
        households_covered=covered, households_in_area=in_area, source="QĐ", effective_on=on,
    )  # fmt: skip


def thanh_hoa(ledger: Ledger) -> None:
    record(
        ledger,
        CLERK,
        *UNITS,
        body("TH-ML", "BCD", "steering_board", 12, "2024-01-10"),
        body("TH-ML", "TBV-1", "security_team", 2, "2024-03-15"),
        body("TH-ML", "TBV-2", "security_team", 2, "2024-03-15"),
        body("TH-ML", "ANXH-1", "social_security_team", 6, "2024-01-10", 95, 100),
        body("TH-X2", "ANXH-1", "social_security_team", 4, "2024-01-10", 98, 100),
        body("TH-X3", "TBV-1", "security_team", 3, "2024-05-01"),
        body("KG-C1", "TBV-1", "security_team", 5, "2024-05-01"),
        SecurityOrgChange(
            unit="TH-ML", code="TBV-1", members=3, source="BC 9 tháng", effective_on="2024-09-01"
        ),
        SecurityOrgChange(
            unit="TH-ML",
            code="ANXH-1",
            households_covered=100,
            source="BC năm",
            effective_on="2025-01-05",
        ),
        SecurityOrgDisband(
            unit="TH-ML", code="TBV-2", reason="kiện toàn", effective_on="2025-02-01"
        ),
        UnitDissolve(code="TH-X3", effective_on="2025-03-01"),
        UnitMerge(codes=["TH-X2"], into="TH-ML", effective_on="2025-07-01"),
    )


def counts(result: dict[str, Any]) -> dict[str, tuple[int, int]]:
    orgs = result["security_organisations"]
    return {kind: (orgs[kind]["active"], orgs[kind]["members"]) for kind in orgs}


def test_bodies_standing_at_the_years_end_in_scope(ledger: Ledger, projector: Projector) -> None:
    thanh_hoa(ledger)
    projector.catch_up()
    engine = projector.engine

    y2024 = standings(engine, 2024, "TH")
    assert counts(y2024) == {
        "steering_board": (1, 12),
        "security_team": (3, 3 + 2 + 3),
        "social_security_team": (2, 10),
    }
    social = y2024["security_organisations"]["social_security_team"]
    assert (social["households_covered"], social["households_in_area"]) == (193, 200)
    assert social["coverage"] == 0.965 and social["coverage_percent"] == 96.5
    assert y2024["security_organisations"]["steering_board"]["coverage"] is None
    # Scope: Kiên Giang's team is only in KG; one commune only counts its own bodies.
    assert counts(standings(engine, 2024, "KG"))["security_team"] == (1, 5)
    assert counts(standings(engine, 2024, "TH-X3"))["security_team"] == (1, 3)
    assert counts(standings(engine, 2024))["security_team"] == (4, 13)
    # --as-of: before the teams were established, before the change.
    assert counts(standings(engine, 2024, "TH", Point(as_of=date(2024, 2, 1)))) == {
        "steering_board": (1, 12),
        "security_team": (0, 0),
        "social_security_team": (2, 10),
    }
    assert counts(standings(engine, 2024, "TH", Point(as_of=date(2024, 6, 30))))[
        "security_team"
    ] == (3, 7)
    # 2025: TBV-2 disbanded, TH-X3 dissolved (its team no longer counts); TH-X2 merged into
    # TH-ML, so its body counts no more either (the successor's bodies are its own).
    y2025 = standings(engine, 2025, "TH")
    assert counts(y2025) == {
        "steering_board": (1, 12),
        "security_team": (1, 3),
        "social_security_team": (1, 6),
    }
    assert y2025["security_organisations"]["social_security_team"]["coverage"] == 1.0
    mid = standings(engine, 2025, "TH", Point(as_of=date(2025, 6, 30)))
    assert counts(mid)["social_security_team"] == (2, 10)
    # The existing keys are as they were.
    assert {"safety", "models", "awards", "mediation", "programmes", "reported"} <= set(y2025)


def test_known_at_shows_what_the_ledger_knew(ledger: Ledger, projector: Projector) -> None:
    record(ledger, CLERK, *UNITS, body("TH-ML", "TBV-1", "security_team", 2, "2024-03-15"))
    before = moment()
    record(
        ledger,
        CLERK,
        SecurityOrgChange(
            unit="TH-ML", code="TBV-1", members=4, source="BC", effective_on="2024-04-01"
        ),
        body("TH-ML", "TBV-2", "security_team", 2, "2024-03-15"),
    )
    projector.catch_up()
    then = standings(projector.engine, 2024, "TH", Point(known_at=before))
    now = standings(projector.engine, 2024, "TH")
    assert counts(then)["security_team"] == (1, 2)
    assert counts(now)["security_team"] == (2, 6)


def test_reported_figures_beside_the_counted_ones(ledger: Ledger, projector: Projector) -> None:
    thanh_hoa(ledger)
    clerk = Clerk(actor="Công an tỉnh", role="CA_TINH")
    seed = (("STEERING_BOARDS", "558"), ("SECURITY_TEAMS", "4.351"),
            ("SECURITY_TEAM_MEMBERS", "8.702"), ("SOCIAL_SECURITY_TEAMS", "34.931"),
            ("HOUSEHOLD_COVERAGE_PERCENT", "99"))  # fmt: skip
    for indicator, value in seed:
        record(ledger, clerk, StatisticReport(
            unit="TH", indicator=indicator, period_from="25/09/2025", period_to="25/09/2025",
            value=value, reporting_body="Công an tỉnh Thanh Hóa", source=ARTICLE,
            effective_on="25/09/2025"))  # fmt: skip
    projector.catch_up()
    result = standings(projector.engine, 2025, "TH")
    pairs = [(i["indicator"], i["kind"], i["value"]) for i in result["reported"]]
    assert pairs == [
        ("STEERING_BOARDS", "reported", "558"),
        ("STEERING_BOARDS", "counted", "1"),
        ("SECURITY_TEAMS", "reported", "4351"),
        ("SECURITY_TEAMS", "counted", "1"),
        ("SECURITY_TEAM_MEMBERS", "reported", "8702"),
        ("SECURITY_TEAM_MEMBERS", "counted", "3"),
        ("SOCIAL_SECURITY_TEAMS", "reported", "34931"),
        ("SOCIAL_SECURITY_TEAMS", "counted", "1"),
        ("HOUSEHOLD_COVERAGE_PERCENT", "reported", "99"),
        ("HOUSEHOLD_COVERAGE_PERCENT", "counted", "100"),
    ]
    coverage = [i for i in result["reported"] if i["kind"] == "counted"][-1]
    assert coverage["basis"] == "security_organisations.social_security_team.coverage_percent"
    assert coverage["written"] == "100%"


def test_the_export_lists_the_bodies_with_vietnamese_headers(antq: Antq, tmp_path: Path) -> None:
    for code, kind, parent in (("TH", "province", None), ("TH-ML", "commune", "TH")):
        antq.ok("unit", "register", "--code", code, "--name", f"Đơn vị {code}", "--kind", kind,
                *(["--parent", parent] if parent else []), "--on", "2004-01-01")  # fmt: skip
    antq.ok("security-org", "establish", "--unit", "TH-ML", "--code", "ANXH-1", "--kind",
            "social_security_team", "--name", "Tổ an ninh xã hội thôn 1", "--members", "6",
            "--households-covered", "99", "--households-in-area", "100", "--on", "2024-01-10",
            "--source", "QĐ 1")  # fmt: skip
    antq.ok("security-org", "establish", "--unit", "TH-ML", "--code", "BCD", "--kind",
            "steering_board", "--name", "Ban chỉ đạo xã", "--members", "12", "--on",
            "2024-01-10", "--source", "QĐ 2")  # fmt: skip
    result = antq.json("standings", "--year", "2024", "--scope", "TH")
    assert result["security_organisations"]["social_security_team"]["coverage"] == 0.99
    antq.ok("export", "--format", "csv", "--year", "2024", "--out", str(tmp_path / "csv"))
    with (tmp_path / "csv" / "security_orgs.csv").open(encoding="utf-8-sig") as file:
        rows = list(csv.DictReader(file))
    assert [(r["Mã"], r["Loại tổ chức"], r["Số thành viên"], r["Trạng thái"]) for r in rows] == [
        ("ANXH-1", "Tổ an ninh xã hội", "6", "active"),
        ("BCD", "Ban chỉ đạo ANTT", "12", "active"),
    ]
    assert rows[0]["Số hộ tham gia"] == "99" and rows[0]["Số hộ trên địa bàn"] == "100"
    assert rows[0]["Tỷ lệ hộ tham gia"].startswith("99")
    antq.ok("export", "verify", str(tmp_path / "csv"))
