"""The inspector's page: one self-contained HTML file (inline CSS and SVG, no script, nothing
fetched) showing an ``Inspection`` in Vietnamese or English. The same inputs give the same bytes:
nothing on the page comes from the clock or from the order of a set."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from html import escape
from typing import Any

from ledger.signing import Checkpoint, fingerprint
from ledger.text import format_date
from projections.charts import Series, bar_chart, line_chart
from projections.inspection import Flag, Inspection, has_figures
from projections.labels import label, level_label
from projections.numbers import format_moment, integer, percent, ratio_percent
from projections.standings import GROUP_ORDER

OUTCOMES = ("settled", "failed", "referred", "open")
# Each rule's columns: a heading (a key of PHRASES) and the Flag field shown under it.
FLAG_COLUMNS = {
    "commune_below_70_percent": (("unit", "subject"), ("name", "name"), ("areas", "detail")),
    "recognition_annulled": (
        ("unit", "subject"),
        ("name", "name"),
        ("annulled_on", "on"),
        ("decision", "detail"),
    ),
    "award_annulled": (
        ("decision", "subject"),
        ("issuer", "name"),
        ("annulled_on", "on"),
        ("form", "detail"),
    ),
    "case_open_too_long": (
        ("case", "subject"),
        ("name", "name"),
        ("received_on", "on"),
        ("open_for", "detail"),
    ),
}
PHRASES = {
    "title": ("Báo cáo phong trào Toàn dân bảo vệ an ninh Tổ quốc năm {year}",
              "The movement to protect national security: report for {year}"),
    "all_units": ("Toàn bộ đơn vị trong sổ cái", "Every unit in the ledger"),
    "as_of": ("Hiệu lực đến ngày {date}", "In force on {date}"),
    "known_at": ("Theo những gì sổ cái đã ghi đến {moment}", "As the ledger knew it at {moment}"),
    "position": ("Số liệu của sổ cái đến vị trí {position}", "Figures of the ledger up to log "
                 "position {position}"),
    "headline": ("Kết quả xây dựng tiêu chuẩn “An toàn về an ninh, trật tự”",
                 "Units meeting the “An toàn về an ninh, trật tự” standard"),
    "meets": ("{part}/{whole} {group} đạt tiêu chuẩn An toàn về ANTT",
              "{part}/{whole} {group} meet the An toàn về ANTT standard"),
    "total": ("đơn vị (tổng cộng)", "units in all"),
    "group": ("Nhóm đơn vị", "Unit group"),
    "registered": ("Đăng ký", "Registered"),
    "recognised": ("Đạt", "Recognised"),
    "denied": ("Không đạt", "Denied"),
    "annulled": ("Bị hủy", "Annulled"),
    "pending": ("Chưa quyết định", "Undecided"),
    "ratio": ("Tỷ lệ đạt", "Ratio"),
    "charts": ("Biểu đồ", "Charts"),
    "ratio_chart": ("Tỷ lệ đạt chuẩn An toàn về ANTT theo nhóm đơn vị qua các năm",
                    "Recognition ratio by unit group over the years"),
    "models_chart": ("Mô hình tự phòng, tự quản đang hoạt động theo lĩnh vực năm {year}",
                     "Active self-management models by field, {year}"),
    "sites_chart": ("Số điểm mô hình theo lĩnh vực năm {year}", "Model sites by field, {year}"),
    "awards_chart": ("Khen thưởng năm {year} theo cấp và đối tượng",
                     "Commendations of {year} by level and recipient"),
    "mediation_chart": ("Kết quả hòa giải ở cơ sở theo năm tiếp nhận",
                        "Grassroots mediation outcomes by year received"),
    "models": ("Mô hình", "Models"),
    "sites": ("Điểm", "Sites"),
    "field": ("Lĩnh vực", "Field"),
    "award": ("Hình thức khen thưởng", "Commendation"),
    "year": ("Năm", "Year"),
    "received": ("Tiếp nhận", "Received"),
    "data": ("Bảng số liệu", "Figures"),
    "empty": ("Không có số liệu", "No figures"),
    "flags": ("Cảnh báo cần kiểm tra", "Flags to look at"),
    "no_flags": ("Không có cảnh báo.", "Nothing flagged."),
    "no_figures": ("Sổ cái chưa ghi số liệu nào của năm {year} trong phạm vi này (theo các mốc "
                   "thời gian đã chọn): mọi con số dưới đây đều bằng 0.",
                   "The ledger holds no figures of {year} in this scope (at the time axes "
                   "chosen): every figure below is zero."),
    "commune_below_70_percent": ("Xã được công nhận khi dưới 70% thôn, khu phố đạt chuẩn",
                                 "Communes recognised with under 70% of their areas recognised"),
    "recognition_annulled": ("Công nhận An toàn về ANTT bị hủy",
                             "Annulled recognitions"),
    "award_annulled": ("Quyết định khen thưởng bị hủy", "Annulled commendation decisions"),
    "case_open_too_long": ("Vụ việc hòa giải chưa có kết quả sau {days} ngày (tính đến {date})",
                           "Mediation cases open over {days} days (as of {date})"),
    "unit": ("Mã đơn vị", "Unit code"),
    "name": ("Tên đơn vị", "Unit name"),
    "annulled_on": ("Ngày hủy", "Annulled on"),
    "decision": ("Số quyết định", "Decision"),
    "issuer": ("Cơ quan ban hành", "Issuer"),
    "form": ("Hình thức", "Form"),
    "case": ("Vụ việc", "Case"),
    "received_on": ("Ngày tiếp nhận", "Received on"),
    "open_for": ("Số ngày chưa có kết quả", "Days open"),
    "areas": ("Thôn, khu phố đạt / đăng ký", "Areas recognised / registered"),
    "days": ("{days} ngày", "{days} days"),
    "audit": ("Xác thực", "Verification"),
    "audit_text": ("Báo cáo phản ánh sổ cái đến vị trí {position} ({size} sự kiện). Điểm kiểm "
                   "tra dưới đây được ký bằng khoá của sổ cái; tệp này được niêm phong bằng cùng "
                   "khoá.",
                   "This report reflects the ledger up to log position {position} ({size} "
                   "events). The checkpoint below is signed with the ledger's key; this file is "
                   "sealed with the same key."),
    "root": ("Gốc Merkle", "Merkle root"),
    "signed_at": ("Thời điểm ký", "Signed at"),
    "key": ("Khoá công khai (dấu vân tay)", "Public key (fingerprint)"),
    "signature": ("Chữ ký điểm kiểm tra", "Checkpoint signature"),
    "how_file": ("Kiểm tra tệp này không cần cơ sở dữ liệu:", "Check this file with no database:"),
    "which_key": ("KEY là khoá công khai mà đơn vị quản lý sổ cái công bố (antq audit public-key), "
                  "không lấy từ chính trang này: một trang giả mạo sẽ ghi khoá của chính nó.",
                  "KEY is the public key the ledger's keepers publish (antq audit public-key), "
                  "never one copied from this page: a forged page would print its own."),
    "how_log": ("Kiểm tra sổ cái vẫn chứa đúng lịch sử này: lưu khối JSON sau thành "
                "checkpoint.json rồi chạy",
                "Check that the ledger still holds this history: save the JSON below as "
                "checkpoint.json, then run"),
    "stat_heading": ("Số liệu báo cáo (không phải đếm từ sổ cái)",
                     "Reported figures (not counted from the ledger)"),
    "stat_text": ("Các con số do văn bản, hội nghị, bài báo báo cáo (nêu nguồn), đặt cạnh con số "
                  "sổ cái tự đếm được cho cùng chỉ tiêu. Hai loại không cộng vào nhau.",
                  "Figures that documents, conferences and articles report (with their source), "
                  "beside the figure the ledger counts for the same indicator. The two are never "
                  "added together."),
    "stat_none": ("Không có số liệu báo cáo nào có kỳ trùng năm {year} trong phạm vi này.",
                  "No reported figure covers {year} in this scope."),
    "stat_indicator": ("Chỉ tiêu", "Indicator"),
    "stat_kind": ("Loại số liệu", "Kind of figure"),
    "stat_reported": ("Số liệu báo cáo", "Reported"),
    "stat_counted": ("Đếm từ sổ cái", "Counted from the ledger"),
    "stat_period": ("Kỳ", "Period"),
    "stat_figure": ("Số liệu", "Figure"),
    "stat_source": ("Nguồn, cơ quan báo cáo", "Source, reported by"),
    "stat_basis": ("Sổ cái, năm {year}", "The ledger, {year}"),
    "stat_corrected": ("đã đính chính", "corrected"),
}  # fmt: skip
STYLE = """
body{font:15px/1.45 system-ui,"Segoe UI",Roboto,"Noto Sans",sans-serif;color:#1b1b1b;
margin:0 auto;max-width:1080px;padding:24px}
h1{font-size:1.5em;margin:0 0 .3em}h2{font-size:1.2em;margin:1.6em 0 .5em;
border-bottom:2px solid #0072b2}h3{font-size:1em;margin:1.2em 0 .4em}
.meta{color:#555;margin:0}.empty{background:#fff3cd;padding:8px}ul.headline{font-size:1.15em;padding-left:1.2em}
ul.headline strong{color:#0072b2}figcaption{font-weight:600;margin:.3em 0}
footer th{white-space:nowrap}footer code{word-break:break-all}
table{border-collapse:collapse;margin:.5em 0}th,td{border:1px solid #ccc;padding:3px 8px}
th{background:#f2f2f2;text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}
.charts{display:grid;gap:16px;grid-template-columns:repeat(auto-fit,minmax(460px,1fr))}
figure{margin:0}svg{width:100%;height:auto}details{margin:.3em 0}
code,pre{font-family:ui-monospace,Consolas,monospace;font-size:.9em}
pre{background:#f6f6f6;padding:8px;white-space:pre-wrap;word-break:break-all}
footer{margin-top:2em;border-top:1px solid #ccc}
@page{size:A4;margin:14mm}
@media print{body{padding:0;font-size:12px}.charts{display:block}figure{margin-bottom:1em}
figure,tr,pre{break-inside:avoid}h2,h3,figcaption{break-after:avoid}}
"""
# No script may run and nothing may be fetched: the page is whole by itself.
POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


class Page:
    """Builds the page in one language: ``render`` gives the whole document."""

    def __init__(self, found: Inspection, checkpoint: Checkpoint, lang: str) -> None:
        self.found, self.checkpoint, self.lang = found, checkpoint, lang

    def say(self, key: str, **values: Any) -> str:
        vi, en = PHRASES[key]
        return (vi if self.lang == "vi" else en).format(**values)

    def count(self, value: int) -> str:
        return integer(value, self.lang)

    def render(self) -> str:
        title = self.say("title", year=self.found.year)
        parts = [
            "<!DOCTYPE html>",
            f'<html lang="{self.lang}">',
            '<head><meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{POLICY}">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{escape(title)}</title><style>{STYLE}</style></head>",
            "<body>",
            *self.header(title),
            *self.headline(),
            *self.charts(),
            *self.reported(),
            *self.flags(),
            *self.footer(),
            "</body></html>",
        ]
        return "\n".join(parts) + "\n"

    def header(self, title: str) -> list[str]:
        i = self.found
        scope = f"{i.scope_name} ({i.scope})" if i.scope else self.say("all_units")
        lines = [
            f"<header><h1>{escape(title)}</h1>",
            f'<p class="meta" id="scope">{escape(scope)}</p>',
        ]
        if i.point.as_of:
            lines.append(
                f'<p class="meta">{self.say("as_of", date=format_date(i.point.as_of))}</p>'
            )
        if i.point.known_at:
            moment = format_moment(i.point.known_at)
            lines.append(f'<p class="meta">{escape(self.say("known_at", moment=moment))}</p>')
        position = self.count(self.checkpoint.log_position)
        lines.append(f'<p class="meta">{self.say("position", position=position)}</p></header>')
        return lines

    def headline(self) -> list[str]:
        safety = self.found.standings["safety"]
        cards, rows = [], []
        for group in [*GROUP_ORDER, "total"]:
            g = safety[group] if group != "total" else _total(safety)
            name = label(group, self.lang) if group != "total" else self.say("total")
            part, whole = g["recognised"], g["registered"]
            share = percent(part, whole, self.lang)
            sentence = self.say("meets", part=self.count(part), whole=self.count(whole), group=name)
            cards.append(
                f'<li data-group="{group}"><span data-figure="safety.{group}.sentence">'
                f'{escape(sentence)}</span> — <strong data-figure="safety.{group}.percent">'
                f"{share}</strong></li>"
            )
            counts = {key: g[key] for key in ("registered", "recognised", "denied", "annulled")}
            counts["pending"] = whole - part - g["denied"] - g["annulled"]
            figures = [self.figure(f"safety.{group}.{k}", self.count(n)) for k, n in counts.items()]
            rows.append([escape(name), *figures, self.figure(f"safety.{group}.ratio", share)])
        heads = ["group", "registered", "recognised", "denied", "annulled", "pending", "ratio"]
        empty = [] if has_figures(self.found.standings) else [
            f'<p class="empty" id="no-figures">{self.say("no_figures", year=self.found.year)}</p>'
        ]  # fmt: skip
        return [
            f'<section id="headline"><h2>{self.say("headline")}</h2>',
            *empty,
            '<ul class="headline">',
            *cards,
            "</ul>",
            self.table([self.say(h) for h in heads], rows, numeric_from=1),
            "</section>",
        ]

    def figure(self, key: str, text: str) -> str:
        """A table cell the tests (and any reader's tools) can find by ``data-figure``."""
        return f'<td class="n" data-figure="{key}">{text}</td>'

    def table(self, heads: list[str], rows: Iterable[list[str]], numeric_from: int = 99) -> str:
        """A table of already-escaped cells (a cell given as ``<td…`` is kept as it is); columns
        from ``numeric_from`` on are figures, aligned right."""
        head = "".join(f"<th>{escape(h)}</th>" for h in heads)
        body = "".join(
            "<tr>" + "".join(_cell(cell, n >= numeric_from) for n, cell in enumerate(row)) + "</tr>"
            for row in rows
        )
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"

    def charts(self) -> list[str]:
        return [
            f'<section id="charts"><h2>{self.say("charts")}</h2><div class="charts">',
            self.ratio_chart(),
            self.mediation_chart(),
            self.awards_chart(),
            self.fields_chart("models"),
            self.fields_chart("sites"),
            "</div></section>",
        ]

    def chart(self, title: str, svg: str, heads: list[str], rows: list[list[str]]) -> str:
        """A chart under its caption, its figures in a table beneath it (open, so it prints)."""
        table = self.table(heads, rows, numeric_from=1)
        return (
            f"<figure><figcaption>{escape(title)}</figcaption>{svg}<details open><summary>"
            f"{self.say('data')}</summary>{table}</details></figure>"
        )

    def ratio_chart(self) -> str:
        years = list(self.found.history)
        series = [  # exact ratios from the counts: written as the headline writes them
            Series(group, label(group, self.lang),
                   [_ratio(self.found.history[y]["safety"][group]) for y in years])
            for group in GROUP_ORDER
        ]  # fmt: skip
        title = self.say("ratio_chart")
        svg = line_chart("chart-ratio", title, [str(y) for y in years], series,
                         self.ratio, percent=True, empty=self.say("empty"))  # fmt: skip
        rows = [[str(y), *(self.ratio(s.values[n]) for s in series)] for n, y in enumerate(years)]
        return self.chart(title, svg, [self.say("year"), *(s.label for s in series)], rows)

    def ratio(self, value: float | None) -> str:
        return ratio_percent(value, self.lang)

    def number(self, value: float | None) -> str:
        return "—" if value is None else self.count(round(value))

    def mediation_chart(self) -> str:
        years = list(self.found.history)
        series = [
            Series(outcome, label(outcome, self.lang),
                   [self.found.history[y]["mediation"][outcome] for y in years])
            for outcome in OUTCOMES
        ]  # fmt: skip
        title = self.say("mediation_chart")
        svg = bar_chart("chart-mediation", title, [str(y) for y in years],
                        series, self.number, stacked=True, empty=self.say("empty"))  # fmt: skip
        heads = [self.say("year"), self.say("received"), *(s.label for s in series)]
        rows = [
            [str(y), self.count(self.found.history[y]["mediation"]["received"]),
             *(self.count(int(s.values[n] or 0)) for s in series)]
            for n, y in enumerate(years)
        ]  # fmt: skip
        return self.chart(title, svg, heads, rows)

    def awards_chart(self) -> str:
        awards = self.found.standings["awards"]
        names = [f"{label(a['form'], self.lang)} — {level_label(a['level'], self.lang)}"
                 for a in awards]  # fmt: skip
        series = [
            Series(kind, label(kind, self.lang), [a[kind] for a in awards])
            for kind in ("collective", "individual")
        ]
        title = self.say("awards_chart", year=self.found.year)
        svg = bar_chart("chart-awards", title, names,
                        series, self.number, empty=self.say("empty"))  # fmt: skip
        rows = [[escape(name), *(self.count(a[s.key]) for s in series)]
                for name, a in zip(names, awards, strict=True)]  # fmt: skip
        return self.chart(title, svg, [self.say("award"), *(s.label for s in series)], rows)

    def fields_chart(self, what: str) -> str:
        fields = self.found.fields
        values: list[float | None] = [getattr(f, what) for f in fields]
        series = [Series(what, self.say(what), values)]
        title = self.say(f"{what}_chart", year=self.found.year)
        svg = bar_chart(f"chart-{what}", title,
                        [f.field for f in fields], series, self.number, horizontal=True,
                        empty=self.say("empty"))  # fmt: skip
        rows = [[escape(f.field), self.count(getattr(f, what))] for f in fields]
        return self.chart(title, svg, [self.say("field"), self.say(what)], rows)

    def reported(self) -> list[str]:
        """Reported figures, each indicator's followed by the figure the ledger counts for it,
        every row saying which kind it is (``data-kind``)."""
        from projections.statistics import indicator_label, written

        items = self.found.standings.get("reported", [])
        lines = [
            f'<section id="reported"><h2>{self.say("stat_heading")}</h2>',
            f"<p>{escape(self.say('stat_text'))}</p>",
        ]
        if not items:
            lines.append(f"<p>{self.say('stat_none', year=self.found.year)}</p></section>")
            return lines
        heads = ["stat_indicator", "stat_kind", "stat_period", "stat_figure", "stat_source"]
        head = "".join(f"<th>{escape(self.say(h))}</th>" for h in heads)
        body = []
        for item in items:
            kind, period = item["kind"], item["period"]
            days = [format_date(date.fromisoformat(period[end])) for end in ("from", "to")]
            figure = written(item["value"], item["qualifier"], item["measure"], self.lang)
            if kind == "reported":
                source = f"{item['source']} — {item['reporting_body']}"
                if item["status"] == "corrected":
                    source += f" ({self.say('stat_corrected')})"
            else:
                source = self.say("stat_basis", year=self.found.year)
            body.append(
                f'<tr data-kind="{kind}" data-indicator="{escape(item["indicator"])}">'
                f"<td>{escape(indicator_label(item['indicator'], self.lang))}</td>"
                f"<td>{escape(self.say('stat_' + kind))}</td>"
                f"<td>{' – '.join(days)}</td>"
                f'<td class="n" data-value="{escape(item["value"] or "")}">{escape(figure)}</td>'
                f"<td>{escape(source)}</td></tr>"
            )
        lines.append(f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>")
        lines.append("</section>")
        return lines

    def flags(self) -> list[str]:
        lines = [f'<section id="flags"><h2>{self.say("flags")}</h2>']
        if not self.found.flags:
            lines.append(f"<p>{self.say('no_flags')}</p>")
        for rule, columns in FLAG_COLUMNS.items():
            flags = [flag for flag in self.found.flags if flag.rule == rule]
            if not flags:
                continue
            heading = self.say(
                rule, days=self.found.open_days, date=format_date(self.found.reference_date)
            )
            rows = [[self.flag_cell(f, field) for _, field in columns] for f in flags]
            lines.append(
                f'<div class="flag" data-rule="{rule}" data-count="{len(flags)}">'
                f"<h3>{escape(heading)} — {self.count(len(flags))}</h3>"
                f"{self.table([self.say(head) for head, _ in columns], rows)}</div>"
            )
        lines.append("</section>")
        return lines

    def flag_cell(self, flag: Flag, field: str) -> str:
        """One cell of a flag's row, escaped: a date written dd/mm/yyyy, a code as its label."""
        value = getattr(flag, field)
        if value is None:
            return ""
        if field == "on":
            return format_date(value)
        if field == "detail" and flag.rule == "case_open_too_long":
            return self.say("days", days=self.count(int(value)))
        if field == "detail" and flag.rule == "award_annulled":
            return escape(label(value, self.lang))
        return escape(value)

    def footer(self) -> list[str]:
        c = self.checkpoint
        key = f"{c.public_key} ({fingerprint(bytes.fromhex(c.public_key))})"
        signed_at = format_moment(datetime.fromisoformat(c.created_at))
        facts = [("root", c.root), ("signed_at", signed_at), ("key", key),
                 ("signature", c.signature)]  # fmt: skip
        rows = "".join(
            f'<tr><th>{self.say(name)}</th><td><code data-audit="{name}">{escape(value)}</code>'
            "</td></tr>"
            for name, value in facts
        )
        text = self.say(
            "audit_text", position=self.count(c.log_position), size=self.count(c.tree_size)
        )
        verify_file = "antq report verify FILE --public-key KEY"
        return [
            f'<footer id="audit"><h2>{self.say("audit")}</h2><p>{text}</p>',
            f"<table>{rows}</table>",
            f"<p>{self.say('how_file')}</p><pre>{escape(verify_file)}</pre>",
            f"<p>{self.say('which_key')}</p>",
            f"<p>{self.say('how_log')}</p><pre>antq audit verify --digest checkpoint.json</pre>",
            f'<pre id="checkpoint">{escape(c.to_json())}</pre>',
            "</footer>",
        ]


def _cell(cell: str, numeric: bool) -> str:
    if cell.startswith("<td"):
        return cell
    return f'<td class="n">{cell}</td>' if numeric else f"<td>{cell}</td>"


def _ratio(group: dict[str, Any]) -> float | None:
    return group["recognised"] / group["registered"] if group["registered"] else None


def _total(safety: dict[str, Any]) -> dict[str, int]:
    return {
        key: sum(safety[group][key] for group in GROUP_ORDER)
        for key in ("registered", "recognised", "denied", "annulled")
    }


def render(found: Inspection, checkpoint: Checkpoint, lang: str) -> str:
    """The whole page, unsealed (``projections.seal`` seals it)."""
    return Page(found, checkpoint, lang).render()
