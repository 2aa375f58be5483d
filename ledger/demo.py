"""The demo province: Bình Thuận in 2023, built from the figures of the seed articles.

Seed 004 reports for 2023: 685/691 residential areas, 116/124 communes and 795/809 agencies,
enterprises and schools recognised "An toàn về an ninh, trật tự"; 32 model types at 870 sites;
commendations: 1 individual by the Prime Minister, 13 collectives and 15 individuals by the
Ministry of Public Security, 45 collectives and 52 individuals by the provincial chair.
The data is generated deterministically, so recording it twice writes nothing new.
"""

from __future__ import annotations

import json
import unicodedata
from collections import Counter
from typing import Any

from ledger.application import Clerk, Ledger
from ledger.imports import ImportReport, import_bytes

PROVINCE = ("BT", "Tỉnh Bình Thuận")
DISTRICTS = [  # code, name, number of communes (124 in all)
    ("PT", "Thành phố Phan Thiết", 18), ("LG", "Thị xã La Gi", 9),
    ("TP", "Huyện Tuy Phong", 11), ("BB", "Huyện Bắc Bình", 18),
    ("HTB", "Huyện Hàm Thuận Bắc", 15), ("HTN", "Huyện Hàm Thuận Nam", 13),
    ("TL", "Huyện Tánh Linh", 14), ("DL", "Huyện Đức Linh", 13),
    ("HT", "Huyện Hàm Tân", 10), ("PQ", "Huyện Phú Quý", 3),
]  # fmt: skip
NAMED_COMMUNES = {
    "PT": ["Phường Phú Thủy", "Phường Xuân An", "Phường Phú Tài", "Phường Phú Trinh",
           "Phường Thanh Hải", "Phường Hưng Long", "Phường Đức Nghĩa", "Phường Lạc Đạo",
           "Phường Bình Hưng", "Phường Đức Thắng", "Phường Đức Long", "Phường Mũi Né",
           "Phường Hàm Tiến", "Phường Phú Hài", "Xã Thiện Nghiệp", "Xã Phong Nẫm",
           "Xã Tiến Lợi", "Xã Tiến Thành"],
    "LG": ["Phường Tân Thiện", "Phường Tân An", "Phường Phước Hội", "Phường Phước Lộc",
           "Phường Bình Tân", "Xã Tân Hải", "Xã Tân Tiến", "Xã Tân Bình", "Xã Tân Phước"],
}  # fmt: skip
RESIDENTIAL_AREAS, ORGANISATIONS = 691, 809
ORGANISATION_KINDS = [("agency", "Cơ quan"), ("enterprise", "Công ty"), ("school", "Trường THCS")]
DENIED = {"residential_area": 6, "commune": 8, "organisation": 14}
FIELDS = ["an ninh trật tự", "phòng, chống tội phạm", "phòng, chống ma túy",
          "an toàn giao thông", "phòng cháy, chữa cháy", "tôn giáo, dân tộc"]  # fmt: skip
MODEL_NAMES = [
    "Camera với ANTT", "Tổ liên gia tự quản", "Dân vận khéo",
    "Giáo họ Phanxico tự quản, tự phòng về ANTT", "Đội xung kích bảo vệ trật tự đường phố",
    "Đội thanh niên tình nguyện thắp sáng niềm tin",
    "Khu dân cư không có thanh niên mắc tệ nạn xã hội", "Nhóm phụ nữ nòng cốt",
    "Đội dân phòng nữ giữ gìn ANTT", "Cựu chiến binh với ANTT", "Thanh niên tự quản về ANTT",
    "Cổng trường tự quản về trật tự ATGT", "Dòng họ tự quản về ANTT", "Xứ đạo bình yên",
    "Tổ liên gia an toàn về PCCC", "Cổng trường an toàn giao thông", "Khu phố không ma túy",
    "Bến thuyền an toàn", "Chợ an toàn về ANTT", "Tuyến đường tự quản về ANTT",
    "Tổ tự quản nhà trọ", "Doanh nghiệp tự phòng, tự quản", "Trường học an toàn",
    "Hội nông dân với ANTT", "Tổ ngư dân đoàn kết", "Gia đình không có tội phạm",
    "Xóm đạo bình yên", "Chùa tự quản về ANTT", "Điểm sáng ANTT",
    "Tổ hòa giải giỏi", "Phụ nữ với an toàn giao thông", "Thôn văn hóa an toàn",
]  # fmt: skip
MODEL_SITES = 870
RECOGNISED_MODELS = 12
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Võ", "Đặng", "Bùi"]
MIDDLE = ["Văn", "Thị", "Minh", "Ngọc", "Hữu", "Thanh"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Hà", "Hải", "Hùng", "Lan", "Long", "Mai", "Nam",
         "Phúc", "Quang", "Sơn", "Tâm", "Thảo", "Trung", "Tuấn", "Vy", "Yến"]  # fmt: skip
AWARDS = [  # issuer, decision, level, date, collectives, individuals
    ("TTg", "1234/QĐ-TTg", "prime_minister", "2023-08-10", 0, 1),
    ("BCA", "5678/QĐ-BCA", "ministry", "2023-08-15", 13, 15),
    ("UBND-BT", "2345/QĐ-UBND", "province", "2023-12-15", 45, 52),
]
MEDIATION_OUTCOMES = ["settle"] * 45 + ["fail"] * 6 + ["refer"] * 4 + ["open"] * 5


def slug(name: str) -> str:
    """ASCII code fragment of a Vietnamese name: "Phường Phú Thủy" -> "PHUTHUY"."""
    words = name.split()[1:]  # drop "Phường"/"Xã"
    plain = unicodedata.normalize("NFD", "".join(words).replace("Đ", "D").replace("đ", "d"))
    return "".join(c for c in plain if c.isascii() and c.isalnum()).upper()


class DemoProvince:
    """Generates the demo's import lines and summarises what they hold."""

    def __init__(self) -> None:
        self.lines: list[dict[str, Any]] = []
        self.counts: Counter[str] = Counter()
        self.communes: list[str] = []
        self.areas: list[str] = []
        self.organisations: list[str] = []
        self._build()

    def _add(self, action: str, **fields: Any) -> None:
        self.lines.append({"action": action, **fields})
        self.counts[action] += 1

    def _build(self) -> None:
        self._units()
        self._safety()
        self._models()
        self._awards()
        self._mediation()

    def _units(self) -> None:
        code, name = PROVINCE
        self._add("unit.register", code=code, name=name, kind="province", effective_on="2004-01-01")
        for district, district_name, communes in DISTRICTS:
            district_code = f"{code}-{district}"
            self._add(
                "unit.register",
                code=district_code,
                name=district_name,
                kind="district",
                parent=code,
                effective_on="2004-01-01",
            )
            names = NAMED_COMMUNES.get(district) or [
                f"Xã {district_name.split(' ', 1)[1]} {n:02d}" for n in range(1, communes + 1)
            ]
            for commune_name in names:
                commune_code = f"{district_code}-{slug(commune_name)}"
                self.communes.append(commune_code)
                self._add(
                    "unit.register",
                    code=commune_code,
                    name=commune_name,
                    kind="commune",
                    parent=district_code,
                    effective_on="2004-01-01",
                )
        extra = RESIDENTIAL_AREAS - 5 * len(self.communes)
        for i, commune in enumerate(self.communes):
            ward = "-PHUONG" in commune or i < 27
            for k in range(1, 6 + (i < extra)):
                area_code = f"{commune}-{'KP' if ward else 'T'}{k}"
                self.areas.append(area_code)
                self._add(
                    "unit.register",
                    code=area_code,
                    name=f"{'Khu phố' if ward else 'Thôn'} {k}",
                    kind="residential_area",
                    parent=commune,
                    effective_on="2004-01-01",
                )
        for n in range(ORGANISATIONS):
            kind, prefix = ORGANISATION_KINDS[n % 3]
            commune = self.communes[n % len(self.communes)]
            org_code = f"{commune}-{kind[:2].upper()}{n + 1:03d}"
            self.organisations.append(org_code)
            self._add(
                "unit.register",
                code=org_code,
                name=f"{prefix} số {n + 1}",
                kind=kind,
                parent=commune,
                effective_on="2010-09-01",
            )

    def _safety(self) -> None:
        groups = [("residential_area", self.areas, "05/11/2023"),
                  ("commune", self.communes, "20/12/2023"),
                  ("organisation", self.organisations, "25/11/2023")]  # fmt: skip
        for _, units, _ in groups:
            for i, unit in enumerate(units):
                self._add(
                    "safety.register",
                    unit=unit,
                    year=2023,
                    effective_on=f"{10 + i % 19:02d}/02/2023",
                )
        for group, units, decided_on in groups:
            step = len(units) // DENIED[group]
            denied = set(units[step // 2 :: step][: DENIED[group]])
            for i, unit in enumerate(units):
                if unit in denied:
                    self._add(
                        "safety.deny",
                        unit=unit,
                        year=2023,
                        effective_on=decided_on,
                        reason="chưa đạt tiêu chí 3 (có vụ việc phức tạp về ANTT)",
                    )
                else:
                    self._add(
                        "safety.recognise",
                        unit=unit,
                        year=2023,
                        effective_on=decided_on,
                        decision=f"{100 + i}/QĐ-UBND",
                    )

    def _models(self) -> None:
        sites = [*self.communes, *self.areas, *self.organisations]
        per_model = [MODEL_SITES // len(MODEL_NAMES)] * len(MODEL_NAMES)
        for i in range(MODEL_SITES % len(MODEL_NAMES)):
            per_model[i] += 1
        cursor = 0
        for i, (name, count) in enumerate(zip(MODEL_NAMES, per_model, strict=True)):
            code = f"MH-BT-{i + 1:02d}"
            hosts = [sites[(cursor + k) % len(sites)] for k in range(count)]
            cursor += count
            self._add(
                "model.register",
                code=code,
                name=name,
                field=FIELDS[i % len(FIELDS)],
                unit=hosts[0],
                effective_on=f"2023-01-{10 + i % 20:02d}",
                sponsor="MTTQ" if i % 4 == 0 else "Công an tỉnh",
            )
            for k, host in enumerate(hosts[1:]):
                self._add(
                    "model.replicate",
                    code=code,
                    unit=host,
                    effective_on=f"2023-{3 + 7 * k // count:02d}-15",
                )
            if i < RECOGNISED_MODELS:
                self._add(
                    "model.recognise",
                    code=code,
                    effective_on="2023-10-09",
                    decision=f"{300 + i}/QĐ-CAT-PV05",
                )

    def _awards(self) -> None:
        person = 0
        for issuer, decision, level, decided_on, collectives, individuals in AWARDS:
            recipients: list[dict[str, Any]] = [
                {"unit": self.communes[(7 * k) % len(self.communes)]} for k in range(collectives)
            ]
            for _ in range(individuals):
                name = " ".join((FAMILY[person % 10], MIDDLE[person % 6], GIVEN[person % 20]))
                recipients.append(
                    {
                        "person": {
                            "name": name,
                            "birth_year": 1965 + person % 30,
                            "unit": self.communes[(3 * person) % 124],
                        }
                    }
                )
                person += 1
            self._add(
                "award.decide",
                issuer=issuer,
                decision=decision,
                level=level,
                form="bang_khen",
                effective_on=decided_on,
                recipients=recipients,
                reason="Có thành tích xuất sắc trong phong trào toàn dân bảo vệ ANTQ",
            )

    def _mediation(self) -> None:
        categories = ["đất đai", "hôn nhân và gia đình", "dân sự", "mâu thuẫn hàng xóm"]
        for n, outcome in enumerate(MEDIATION_OUTCOMES):
            unit, case = self.communes[(5 * n) % len(self.communes)], f"HG-{n + 1:03d}"
            month = 1 + n % 11
            self._add(
                "dispute.receive",
                unit=unit,
                case=case,
                effective_on=f"2023-{month:02d}-03",
                category=categories[n % 4],
            )
            self._add(
                "dispute.assign",
                unit=unit,
                case=case,
                team="Tổ hòa giải",
                effective_on=f"2023-{month:02d}-04",
            )
            if outcome == "open":
                continue
            if outcome == "settle" and n % 9 == 0:  # failed once, resumed (Điều 27), then settled
                self._add("dispute.fail", unit=unit, case=case, effective_on=f"2023-{month:02d}-10")
                self._add(
                    "dispute.resume", unit=unit, case=case, effective_on=f"2023-{month:02d}-17"
                )
            verb = {"settle": "dispute.settle", "fail": "dispute.fail", "refer": "dispute.refer"}
            extra = {"to": "UBND xã"} if outcome == "refer" else {}
            self._add(
                verb[outcome], unit=unit, case=case, effective_on=f"2023-{month:02d}-20", **extra
            )

    def jsonl(self) -> bytes:
        """The demo as an import file."""
        return "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in self.lines).encode()

    def record(self, ledger: Ledger, actor: str) -> ImportReport:
        """Import the demo into ``ledger``; a second run writes nothing new."""
        recorder = Clerk(actor=actor, role="demo")
        return import_bytes(ledger, "demo-binh-thuan-2023.jsonl", self.jsonl(), recorder)

    def summary(self) -> list[str]:
        """What the demo holds, in the seed articles' terms."""
        recognised = {
            group: len(units) - DENIED[group]
            for group, units in (("residential_area", self.areas), ("commune", self.communes),
                                 ("organisation", self.organisations))
        }  # fmt: skip
        awards = "; ".join(f"{issuer}: {c} collectives, {i} individuals"
                           for issuer, _, _, _, c, i in AWARDS)  # fmt: skip
        outcomes = Counter(MEDIATION_OUTCOMES)
        return [
            f"{PROVINCE[1]}: {len(DISTRICTS)} districts, {len(self.communes)} communes, "
            f"{len(self.areas)} residential areas, {len(self.organisations)} organisations",
            f"An toàn về ANTT 2023: {recognised['residential_area']}/{len(self.areas)} thôn, "
            f"khu phố; {recognised['commune']}/{len(self.communes)} xã, phường, thị trấn; "
            f"{recognised['organisation']}/{len(self.organisations)} cơ quan, doanh nghiệp, "
            "cơ sở giáo dục",
            f"Models: {len(MODEL_NAMES)} types in {len(FIELDS)} fields at {MODEL_SITES} sites, "
            f"{RECOGNISED_MODELS} recognised effective",
            f"Commendations 2023 (bằng khen): {awards}",
            f"Mediation 2023: {len(MEDIATION_OUTCOMES)} cases received: {outcomes['settle']} "
            f"settled, {outcomes['fail']} failed, {outcomes['refer']} referred, "
            f"{outcomes['open']} open",
        ]
