"""The inspectors' reports: rows with typed columns and Vietnamese (or English) headers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, select

from projections.classification import classification_rows
from projections.programmes import programme_rows
from projections.schema import (
    award_decisions,
    classification_facts,
    mediation_facts,
    safety_facts,
    security_org_facts,
    statistic_facts,
    unit_changes,
    units,
)
from projections.security_orgs import security_org_rows
from projections.standings import (
    GROUP_ORDER,
    Point,
    Scope,
    award_lines,
    cases_latest,
    model_states,
    resolve_scope,
    safety_latest,
    standings,
)
from projections.statistics import statistic_rows


@dataclass(frozen=True)
class Column:
    key: str
    vi: str
    en: str
    kind: str = "text"  # text, int, date, ratio


@dataclass
class Report:
    """One report: a file of its own, or a sheet of the workbook."""

    name: str
    vi: str
    en: str
    columns: list[Column]
    rows: list[dict[str, Any]] = field(default_factory=list)

    def title(self, lang: str) -> str:
        return self.vi if lang == "vi" else self.en


def C(key: str, vi: str, en: str, kind: str = "text") -> Column:
    return Column(key, vi, en, kind)


STANDINGS = [
    C("year", "Năm", "Year", "int"), C("group", "Nhóm đơn vị", "Unit group"),
    C("registered", "Đăng ký", "Registered", "int"), C("recognised", "Đạt", "Recognised", "int"),
    C("denied", "Không đạt", "Denied", "int"), C("annulled", "Bị hủy", "Annulled", "int"),
    C("ratio", "Tỷ lệ đạt", "Ratio", "ratio"),
]  # fmt: skip
SAFETY = [
    C("year", "Năm", "Year", "int"), C("unit", "Mã đơn vị", "Unit code"),
    C("name", "Tên đơn vị", "Unit name"), C("kind", "Loại", "Kind"),
    C("status", "Kết quả", "Status"), C("decided_on", "Ngày quyết định", "Decided on", "date"),
    C("decision", "Số quyết định", "Decision"),
]  # fmt: skip
FLAGS = [
    C("year", "Năm", "Year", "int"), C("unit", "Mã đơn vị", "Unit code"),
    C("rule", "Cảnh báo", "Rule"),
]  # fmt: skip
MODELS = [
    C("year", "Năm", "Year", "int"), C("code", "Mã mô hình", "Model code"),
    C("name", "Tên mô hình", "Model name"), C("field", "Lĩnh vực", "Field"),
    C("sites", "Số điểm", "Sites", "int"), C("active", "Đang hoạt động", "Active"),
    C("recognised", "Được công nhận hiệu quả", "Recognised effective"),
]  # fmt: skip
AWARDS = [
    C("year", "Năm", "Year", "int"), C("issuer", "Cơ quan ban hành", "Issuer"),
    C("decision", "Số quyết định", "Decision"),
    C("decided_on", "Ngày quyết định", "Decided on", "date"),
    C("level", "Cấp khen thưởng", "Level"), C("form", "Hình thức", "Form"),
    C("line", "Dòng", "Line", "int"), C("recipient", "Đối tượng", "Recipient"),
    C("unit", "Đơn vị", "Unit"), C("annulled", "Bị hủy", "Annulled"),
]  # fmt: skip
MEDIATION = [
    C("year", "Năm", "Year", "int"), C("unit", "Đơn vị", "Unit"),
    C("case_no", "Số vụ việc", "Case"), C("received_on", "Ngày tiếp nhận", "Received on", "date"),
    C("status", "Kết quả", "Outcome"),
]  # fmt: skip
PROGRAMMES = [
    C("citation", "Số hiệu", "Citation"), C("signed_on", "Ngày ký", "Signed on", "date"),
    C("title", "Tên chương trình", "Title"), C("parties", "Các bên", "Parties"),
    C("period", "Thời hạn", "Period"), C("content_areas", "Nội dung", "Content areas"),
    C("implements", "Thực hiện chương trình", "Implements"),
    C("aliases", "Tên gọi khác", "Also cited as"), C("scope", "Phạm vi", "Scope"),
    C("ended_on", "Ngày kết thúc", "Ended on", "date"),
]  # fmt: skip
STATISTICS = [
    C("kind", "Loại số liệu", "Kind of figure"), C("indicator", "Mã chỉ tiêu", "Indicator"),
    C("name", "Chỉ tiêu", "Indicator name"), C("unit", "Đơn vị", "Unit"),
    C("period_from", "Từ ngày", "From", "date"), C("period_to", "Đến ngày", "To", "date"),
    C("figure", "Số liệu", "Figure", "figure"), C("qualifier", "Mức chính xác", "Qualifier"),
    C("measure", "Đơn vị tính", "Measure"), C("reporting_body", "Cơ quan báo cáo", "Reported by"),
    C("source", "Nguồn", "Source"), C("dated", "Ngày báo cáo", "Dated", "date"),
    C("status", "Trạng thái", "Status"),
]  # fmt: skip
CLASSIFICATION = [  # R6 (QĐ 510/QĐ-BCA-V05)
    C("unit", "Đơn vị", "Unit"), C("year", "Năm", "Year", "int"),
    C("self_score", "Điểm tự chấm", "Self-assessed score", "figure"),
    C("appraised_score", "Điểm thẩm định", "Appraised score", "figure"),
    C("grade", "Xếp loại", "Grade"), C("decided_by", "Cơ quan quyết định", "Decided by"),
    C("decision", "Số QĐ", "Decision"), C("on_time", "Nộp đúng hạn", "On time"),
]  # fmt: skip
SECURITY_ORGS = [  # ban chỉ đạo ANTT, tổ bảo vệ ANTT, tổ an ninh xã hội: counts, never names
    C("year", "Năm", "Year", "int"), C("unit", "Đơn vị", "Unit"), C("code", "Mã", "Code"),
    C("kind", "Loại tổ chức", "Kind of body"), C("name", "Tên", "Name"),
    C("established_on", "Ngày thành lập", "Established on", "date"),
    C("members", "Số thành viên", "Members", "int"),
    C("households_covered", "Số hộ tham gia", "Households covered", "int"),
    C("households_in_area", "Số hộ trên địa bàn", "Households in area", "int"),
    C("coverage", "Tỷ lệ hộ tham gia", "Share of households", "ratio"),
    C("status", "Trạng thái", "Status"),
    C("changed_on", "Ngày cập nhật", "Last changed", "date"), C("source", "Nguồn", "Source"),
]  # fmt: skip
LINEAGE = [
    C("unit", "Mã đơn vị", "Unit code"), C("change", "Thay đổi", "Change"),
    C("effective_on", "Ngày hiệu lực", "Effective on", "date"), C("name", "Tên mới", "New name"),
    C("successor", "Đơn vị kế thừa", "Successor"),
]  # fmt: skip


def years_with_facts(engine: Engine) -> list[int]:
    """Every year the ledger holds safety, award or mediation facts for."""
    with engine.connect() as connection:
        found = set(connection.scalars(select(safety_facts.c.year).distinct()))
        found |= set(connection.scalars(select(award_decisions.c.year).distinct()))
        found |= set(connection.scalars(select(mediation_facts.c.received_year).distinct()))
        # A reported figure's period ends in a year its figure belongs to.
        ends = select(statistic_facts.c.period_to).distinct()
        found |= {int(day[:4]) for day in connection.scalars(ends)}
        bodies = select(security_org_facts.c.effective_on).distinct()
        found |= {day.year for day in connection.scalars(bodies)}
        found |= set(connection.scalars(select(classification_facts.c.year).distinct()))
    return sorted(found)


def build_reports(
    engine: Engine, years: list[int], scope: str | None, point: Point
) -> list[Report]:
    """Every report for ``years`` in ``scope`` at ``point``."""
    reports = [
        Report("standings", "Kết quả An toàn về ANTT", "Safety standings", STANDINGS),
        Report("safety", "Danh sách đơn vị", "Safety register", SAFETY),
        Report("flags", "Cảnh báo", "Flags", FLAGS),
        Report("models", "Mô hình tự phòng, tự quản", "Self-management models", MODELS),
        Report("awards", "Khen thưởng", "Commendations", AWARDS),
        Report("mediation", "Hòa giải ở cơ sở", "Grassroots mediation", MEDIATION),
        Report("lineage", "Sắp xếp đơn vị hành chính", "Administrative lineage", LINEAGE),
        Report("programmes", "Chương trình phối hợp", "Coordination programmes", PROGRAMMES),
        Report("statistics", "Số liệu báo cáo", "Reported statistics", STATISTICS),
        Report("security_orgs", "Tổ chức bảo vệ ANTT", "Security organisations", SECURITY_ORGS),
        Report("classification", "Phân loại phong trào", "Movement classification", CLASSIFICATION),
    ]
    by_name = {report.name: report for report in reports}
    with engine.connect() as connection:
        area = resolve_scope(connection, scope, point)
        names = unit_names(connection, point)
        for year in years:
            summary = standings(engine, year, scope, point)
            for group in GROUP_ORDER:
                by_name["standings"].rows.append(
                    {"year": year, "group": group, **summary["safety"][group]}
                )
            for flag in summary["safety"]["flags"]:
                by_name["flags"].rows.append({"year": year, **flag})
            by_name["safety"].rows += _safety_rows(connection, year, area, point, names)
            by_name["models"].rows += _model_rows(connection, year, area, point)
            by_name["awards"].rows += _award_rows(connection, year, area, point)
            by_name["mediation"].rows += mediation_rows(connection, year, area, point)
            by_name["security_orgs"].rows += security_org_rows(connection, year, area, point)
            by_name["classification"].rows += classification_rows(connection, year, area, point)
        by_name["lineage"].rows = _lineage_rows(connection, area, point)
        by_name["programmes"].rows = programme_rows(connection, area, point)
        by_name["statistics"].rows = statistic_rows(
            connection, years, area, point, lambda y: standings(engine, y, scope, point)
        )
    return reports


def _safety_rows(connection: Connection, year: int, area: Scope, point: Point, names: dict) -> list:
    latest = safety_latest(connection, year, point)
    return [
        {"year": year, "unit": row.unit, "name": names.get(row.unit), "kind": row.unit_kind,
         "status": row.status,
         "decided_on": row.effective_on if row.status in ("recognised", "denied") else None,
         "decision": row.decision}
        for row in sorted(latest, key=lambda r: r.unit)
        if row.unit in area
    ]  # fmt: skip


def _model_rows(connection: Connection, year: int, area: Scope, point: Point) -> list:
    return [
        {"year": year, "code": code, "name": m["name"], "field": m["field"],
         "sites": sum(1 for site in m["sites"] if site in area),
         "active": _yes(m["active"]), "recognised": _yes(m["recognised"])}
        for code, m in sorted(model_states(connection, year, area, point).items())
    ]  # fmt: skip


def _award_rows(connection: Connection, year: int, area: Scope, point: Point) -> list:
    found = award_lines(connection, year, point)
    rows = []
    for line in sorted(found.lines, key=lambda r: (found.decisions[r.award].position, r.line)):
        if line.unit in area:
            d = found.decisions[line.award]
            rows.append({"year": year, "issuer": d.issuer, "decision": d.decision,
                         "decided_on": d.effective_on, "level": d.level, "form": d.form,
                         "line": line.line, "recipient": line.recipient, "unit": line.unit,
                         "annulled": _yes(line.award in found.annulled)})  # fmt: skip
    return rows


def mediation_rows(connection: Connection, year: int, area: Scope, point: Point) -> list:
    received = {
        row.record_id: row.effective_on
        for row in connection.execute(select(mediation_facts).where(
            mediation_facts.c.received_year == year, mediation_facts.c.event == "received",
            *point.visible(mediation_facts)))
    }  # fmt: skip
    latest = cases_latest(connection, year, point)
    return [
        {"year": year, "unit": row.unit, "case_no": row.case_no,
         "received_on": received.get(row.record_id), "status": row.status}
        for row in sorted(latest, key=lambda r: (r.unit, r.case_no))
        if row.unit in area
    ]  # fmt: skip


def unit_names(connection: Connection, point: Point) -> dict[str, str]:
    """Each unit's name as it stood at ``point``: registered, then the latest visible rename."""
    names = dict(connection.execute(select(units.c.code, units.c.name)).all())
    renames = select(unit_changes.c.code, unit_changes.c.name).where(
        unit_changes.c.change == "renamed", *point.visible(unit_changes)
    )
    names.update(connection.execute(renames.order_by(unit_changes.c.position)).all())
    return names


def _lineage_rows(connection: Connection, area: Scope, point: Point) -> list:
    """Renames, merges and dissolutions of the units in scope, in log order."""
    changes = connection.execute(
        select(unit_changes).where(*point.visible(unit_changes)).order_by(unit_changes.c.position)
    )
    return [
        {"unit": row.code, "change": row.change, "effective_on": row.effective_on,
         "name": row.name, "successor": row.successor}
        for row in changes
        if row.code in area or (row.successor and row.successor in area)
    ]  # fmt: skip


def _yes(value: bool) -> str:
    return "yes" if value else "no"
