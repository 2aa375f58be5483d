"""Coordination programmes: signing, aliases, amendments, ends, refusals (both storages)."""

from __future__ import annotations

import tomllib
from typing import Any

import pytest

from ledger.application import Clerk, Ledger
from ledger.commands import (
    ProgrammeAlias,
    ProgrammeAmend,
    ProgrammeEnd,
    ProgrammeSign,
    UnitRegister,
    build,
)
from ledger.errors import AlreadyRecordedError, InvalidInput, NotFoundError, RuleViolation
from ledger.imports import import_bytes, import_file
from ledger.policy import NotAuthorised, policy_from
from ledger.programmes import CoordinationProgramme, citation_key

from ..conftest import EXAMPLES
from .support import Refusal, events, record, refusal

NATIONAL = "07/CTrPH-BCA-MTTW"
VARIANT = "07/CTr-BCA-MTTW"
PROVINCIAL = "01/CTrPH-CAT-MTTQT"
SEED = EXAMPLES / "seed-programmes.jsonl"


def sign(citation: str = NATIONAL, on: str = "17/10/2023", **fields: Any) -> ProgrammeSign:
    defaults: dict[str, Any] = {
        "parties": ["Bộ Công an", "Ủy ban Trung ương MTTQ Việt Nam"],
        "period_from": 2023,
        "period_to": 2033,
        "title": "Đẩy mạnh phong trào toàn dân bảo vệ an ninh Tổ quốc trong tình hình mới",
    }
    return ProgrammeSign(citation=citation, effective_on=on, **{**defaults, **fields})


def provincial(**fields: Any) -> ProgrammeSign:
    defaults: dict[str, Any] = {
        "parties": ["Công an tỉnh", "Ủy ban MTTQ tỉnh"],
        "implements": NATIONAL,
        "scope": "TN",
        "content_areas": ["tuyên truyền", "khen thưởng"],
        "period_from": None,
        "period_to": None,
        "title": None,
    }
    return sign(PROVINCIAL, "10/01/2024", **{**defaults, **fields})


def alias(citation: str = NATIONAL, variant: str = VARIANT, on: str = "2024-01-10"):
    return ProgrammeAlias(citation=citation, alias=variant, effective_on=on)


def amend(citation: str = NATIONAL, on: str = "2025-01-01", **fields: Any) -> ProgrammeAmend:
    return ProgrammeAmend(citation=citation, effective_on=on, source="Phụ lục sửa đổi", **fields)


def end(citation: str = NATIONAL, on: str = "2026-01-01") -> ProgrammeEnd:
    return ProgrammeEnd(citation=citation, effective_on=on, reason="thay bằng chương trình mới")


def programme(ledger: Ledger, citation: str) -> CoordinationProgramme:
    found = ledger.find("programme", [citation])
    assert isinstance(found, CoordinationProgramme)
    return found


# --- the lifecycle ------------------------------------------------------------------------------


def test_a_programme_is_signed_aliased_amended_and_ended(province: Ledger, clerk: Clerk) -> None:
    record(province, clerk, sign(), alias(), amend(content_areas=["khen thưởng"]), end())

    assert events(province, "programme", NATIONAL) == ["Signed", "AliasAdded", "Amended", "Ended"]
    found = programme(province, VARIANT)
    assert (found.citation, found.aliases, found.content_areas) == (
        NATIONAL, [VARIANT], ["khen thưởng"]
    )  # fmt: skip
    assert (found.period_from, found.period_to, str(found.ended_on)) == (
        "2023",
        "2033",
        "2026-01-01",
    )


def test_a_child_programme_names_its_parent_by_the_canonical_citation(
    province: Ledger, clerk: Clerk
) -> None:
    record(
        province, clerk, sign(), alias(), provincial(implements=VARIANT, scope="tỉnh thử nghiệm")
    )

    child = programme(province, PROVINCIAL)
    assert (child.implements, child.scope, child.parties) == (
        NATIONAL, "TN", ["Công an tỉnh", "Ủy ban MTTQ tỉnh"]
    )  # fmt: skip


def test_a_party_that_is_a_unit_code_is_stored_as_the_unit(province: Ledger, clerk: Clerk) -> None:
    record(province, clerk, sign(parties=["tn-x1", "Ủy ban MTTQ xã"]))

    assert programme(province, NATIONAL).parties == ["TN-X1", "Ủy ban MTTQ xã"]


@pytest.mark.parametrize(
    "written",
    ["07/ctrph-bca-mttw", "07 / CTrPH - BCA - MTTW", "07/CTrPH–BCA‑MTTW", " 07/CTrPH-BCA-MTTW "],
    ids=["case", "spacing", "dashes", "outer-space"],
)
def test_citations_match_ignoring_case_spacing_and_dashes(
    province: Ledger, clerk: Clerk, written: str
) -> None:
    record(province, clerk, sign())

    assert programme(province, written).citation == NATIONAL
    assert events(province, "programme", written) == ["Signed"]


def test_citation_keys_fold_unicode_composition_and_tone_placement() -> None:
    composed = "12/CTrPH-CAT-MTTQ Hòa Bình"
    decomposed = "12/CTrPH-CAT-MTTQ Hoa\u0300 Bi\u0300nh"
    old_style = "12/CTrPH-CAT-MTTQ Hoà Bình"
    assert citation_key(composed) == citation_key(decomposed) == citation_key(old_style)


def test_a_variant_symbol_is_not_inferred_without_an_alias(province: Ledger, clerk: Clerk) -> None:
    record(province, clerk, sign())

    with pytest.raises(NotFoundError, match=r"programme '07/CTr-BCA-MTTW' is not recorded"):
        province.find("programme", [VARIANT])
    record(province, clerk, alias())
    assert programme(province, "07/ctr-bca-mttw").citation == NATIONAL


def test_an_alias_works_in_every_verb(province: Ledger, clerk: Clerk) -> None:
    record(province, clerk, sign(), alias())
    record(province, clerk, amend(VARIANT, period_to=2030), end(VARIANT))

    assert events(province, "programme", VARIANT) == ["Signed", "AliasAdded", "Amended", "Ended"]
    assert programme(province, NATIONAL).period_to == "2030"


def test_an_ended_programme_still_takes_an_alias(province: Ledger, clerk: Clerk) -> None:
    record(province, clerk, sign(), end(on="2024-01-01"), alias(on="2024-06-01"))

    assert programme(province, VARIANT).citation == NATIONAL


# --- refusals -----------------------------------------------------------------------------------


def test_a_child_whose_parent_does_not_exist_is_refused(province: Ledger, clerk: Clerk) -> None:
    assert refusal(province, clerk, provincial()) == Refusal(
        NotFoundError,
        "programme '07/CTrPH-BCA-MTTW' is not recorded: record it with 'antq programme sign', "
        "or, if it is another citation of a recorded programme, with 'antq programme alias'",
        True,
    )


def test_a_child_of_a_parent_cited_by_an_unrecorded_variant_is_refused(
    province: Ledger, clerk: Clerk
) -> None:
    record(province, clerk, sign())

    refused = refusal(province, clerk, provincial(implements=VARIANT))
    assert (refused.error, refused.wrote_nothing) == (NotFoundError, True)
    assert "'07/CTr-BCA-MTTW' is not recorded" in refused.message


def test_a_child_of_an_ended_parent_is_refused(province: Ledger, clerk: Clerk) -> None:
    record(province, clerk, sign(), end(on="2024-01-01"))

    assert refusal(province, clerk, provincial()) == Refusal(
        RuleViolation,
        "programme 01/CTrPH-CAT-MTTQT cannot implement 07/CTrPH-BCA-MTTW: it ended on 01/01/2024",
        True,
    )


def test_a_period_ending_before_it_starts_is_refused_naming_the_field() -> None:
    with pytest.raises(InvalidInput) as caught:
        build(
            ProgrammeSign, citation=NATIONAL, effective_on="17/10/2023", parties=["Bộ Công an"],
            period_from="2033", period_to="2023",
        )  # fmt: skip
    assert caught.value.problems == ["period_to: the period ends (2023) before it starts (2033)"]


def test_an_amended_period_ending_before_it_starts_is_refused(
    province: Ledger, clerk: Clerk
) -> None:
    record(province, clerk, sign())

    assert refusal(province, clerk, amend(period_to="2022")) == Refusal(
        RuleViolation,
        "programme 07/CTrPH-BCA-MTTW: the period would end (2022) before it starts (2023)",
        True,
    )


def test_a_period_ending_before_the_signing_is_refused(province: Ledger, clerk: Clerk) -> None:
    refused = refusal(province, clerk, sign(period_from=None, period_to="30/09/2023"))

    assert refused == Refusal(
        RuleViolation,
        "programme 07/CTrPH-BCA-MTTW: its period would end (2023-09-30) before it was signed "
        "(17/10/2023)",
        True,
    )


def test_an_alias_naming_another_programme_is_refused(province: Ledger, clerk: Clerk) -> None:
    record(province, clerk, sign(), alias(), provincial())

    assert refusal(province, clerk, alias(PROVINCIAL, "07/ctr-bca-mttw")) == Refusal(
        RuleViolation,
        "programme 01/CTrPH-CAT-MTTQT: alias '07/ctr-bca-mttw' refused: '07/ctr-bca-mttw' is "
        "already an alias of programme 07/CTrPH-BCA-MTTW; one citation names one programme",
        True,
    )


def test_an_alias_equal_to_another_programmes_citation_is_refused(
    province: Ledger, clerk: Clerk
) -> None:
    record(province, clerk, sign(), provincial())

    assert refusal(province, clerk, alias(PROVINCIAL, "07 / CTRPH-BCA-MTTW")) == Refusal(
        RuleViolation,
        "programme 01/CTrPH-CAT-MTTQT: alias '07 / CTRPH-BCA-MTTW' refused: "
        "'07 / CTRPH-BCA-MTTW' is the citation of programme 07/CTrPH-BCA-MTTW; "
        "one citation names one programme",
        True,
    )


def test_signing_a_citation_that_is_another_programmes_alias_is_refused(
    province: Ledger, clerk: Clerk
) -> None:
    record(province, clerk, sign(), alias())

    assert refusal(province, clerk, sign(VARIANT)) == Refusal(
        RuleViolation,
        "programme 07/CTr-BCA-MTTW: '07/CTr-BCA-MTTW' is already an alias of programme "
        "07/CTrPH-BCA-MTTW; one citation names one programme",
        True,
    )


def test_an_alias_given_twice_or_equal_to_its_own_citation_is_refused(
    province: Ledger, clerk: Clerk
) -> None:
    record(province, clerk, sign(), alias())

    assert refusal(province, clerk, alias(variant="07/CTR-BCA-MTTW")) == Refusal(
        AlreadyRecordedError,
        "programme 07/CTrPH-BCA-MTTW already has the alias '07/CTR-BCA-MTTW'",
        True,
    )
    assert refusal(province, clerk, alias(variant="07/ctrph-bca-mttw")) == Refusal(
        RuleViolation,
        "programme 07/CTrPH-BCA-MTTW: '07/ctrph-bca-mttw' is its own citation, not an alias",
        True,
    )


def test_amending_or_ending_an_ended_programme_is_refused(province: Ledger, clerk: Clerk) -> None:
    record(province, clerk, sign(), end())

    assert refusal(province, clerk, amend(on="2026-02-01", period_to=2030)) == Refusal(
        RuleViolation,
        "programme 07/CTrPH-BCA-MTTW ended on 01/01/2026: it cannot be amended",
        True,
    )
    assert refusal(province, clerk, end(on="2026-03-01")) == Refusal(
        RuleViolation,
        "programme 07/CTrPH-BCA-MTTW already ended on 01/01/2026: a programme ends once",
        True,
    )


def test_an_amendment_that_changes_nothing_is_refused(province: Ledger, clerk: Clerk) -> None:
    record(province, clerk, sign())

    assert refusal(province, clerk, amend(period_from=2023)).error is RuleViolation
    assert refusal(province, clerk, amend()) == Refusal(
        InvalidInput,
        "programme 07/CTrPH-BCA-MTTW: give content_areas, period_from or period_to",
        True,
    )


@pytest.mark.parametrize("written", [NATIONAL, "07/ctrph - bca-mttw"], ids=["same", "folded"])
def test_signing_a_programme_twice_is_refused(province: Ledger, clerk: Clerk, written: str) -> None:
    record(province, clerk, sign())

    assert refusal(province, clerk, sign(written, on="2024-01-01")) == Refusal(
        AlreadyRecordedError,
        "programme 07/CTrPH-BCA-MTTW was already signed on 17/10/2023",
        True,
    )


def test_empty_parties_and_a_citation_without_a_symbol_are_refused_naming_the_fields() -> None:
    with pytest.raises(InvalidInput) as caught:
        build(ProgrammeSign, citation="07", effective_on="17/10/2023", parties=[])
    assert caught.value.problems == [
        "citation: '07' is not a document citation: write its number and symbol, "
        "e.g. 07/CTrPH-BCA-MTTW",
        "parties: List should have at least 1 item after validation, not 0",
    ]


def test_a_party_listed_twice_is_refused(province: Ledger, clerk: Clerk) -> None:
    refused = refusal(province, clerk, sign(parties=["Bộ Công an", "bộ  công an"]))

    assert refused == Refusal(
        RuleViolation, "programme 07/CTrPH-BCA-MTTW: party 'bộ  công an' is listed twice", True
    )


def test_a_scope_unit_must_be_active(province: Ledger, clerk: Clerk) -> None:
    refused = refusal(province, clerk, provincial(scope="TN-NONE", implements=None))

    assert (refused.error, refused.wrote_nothing) == (NotFoundError, True)


def test_an_amendment_needs_its_source_document() -> None:
    with pytest.raises(InvalidInput) as caught:
        build(ProgrammeAmend, citation=NATIONAL, effective_on="2025-01-01", period_to=2030)
    assert caught.value.problems == ["source: Field required"]


# --- imports ------------------------------------------------------------------------------------


def test_the_seed_programmes_import_with_the_alias_resolved(ledger: Ledger, clerk: Clerk) -> None:
    report = import_file(ledger, SEED, clerk)

    assert report.written_lines == 4
    child = programme(ledger, "01/ctrph-cat-mttqt")
    assert (child.implements, child.scope, len(child.content_areas)) == (NATIONAL, "TH", 7)
    national = programme(ledger, VARIANT)
    assert (national.period_from, national.period_to, national.aliases) == (
        "2023", "2033", [VARIANT]
    )  # fmt: skip
    assert [e["event"] for e in ledger.history("programme", [VARIANT])] == ["Signed", "AliasAdded"]


def test_an_import_line_naming_a_programme_by_its_alias_is_recorded_on_the_programme(
    ledger: Ledger, clerk: Clerk
) -> None:
    import_file(ledger, SEED, clerk)
    lines = (
        b'{"action": "programme.amend", "citation": "07/CTr-BCA-MTTW", "effective_on": '
        b'"2025-01-01", "period_to": "2030", "source": "Ph\xe1\xbb\xa5 l\xe1\xbb\xa5c"}\n'
    )
    import_bytes(ledger, "amend.jsonl", lines, clerk)

    assert programme(ledger, NATIONAL).period_to == "2030"


def test_an_import_line_giving_an_alias_to_another_programme_is_refused_with_its_line(
    ledger: Ledger, clerk: Clerk
) -> None:
    import_file(ledger, SEED, clerk)
    lines = (
        b'{"action": "unit.register", "code": "TH-X1", "name": "X", "kind": "commune", '
        b'"parent": "TH", "effective_on": "2004-01-01"}\n'
        b'{"action": "programme.alias", "citation": "01/CTrPH-CAT-MTTQT", "alias": '
        b'"07/CTr-BCA-MTTW", "effective_on": "2024-02-01"}\n'
    )
    before = ledger.recorder.max_notification_id()
    with pytest.raises(RuleViolation, match=r"^line 2: .* is already an alias of programme "):
        import_bytes(ledger, "bad.jsonl", lines, clerk)
    assert ledger.recorder.max_notification_id() == before


def test_an_import_may_sign_and_alias_and_use_the_alias_in_one_file(
    ledger: Ledger, clerk: Clerk
) -> None:
    lines = (
        b'{"action": "programme.sign", "citation": "07/CTrPH-BCA-MTTW", "effective_on": '
        b'"17/10/2023", "parties": ["B\xe1\xbb\x99 C\xc3\xb4ng an"]}\n'
        b'{"action": "programme.alias", "citation": "07/CTrPH-BCA-MTTW", "alias": '
        b'"07/CTr-BCA-MTTW", "effective_on": "2024-01-10"}\n'
        b'{"action": "programme.end", "citation": "07/ctr-bca-mttw", "effective_on": '
        b'"2024-02-01", "reason": "x"}\n'
    )
    import_bytes(ledger, "one.jsonl", lines, clerk)

    assert events(ledger, "programme", NATIONAL) == ["Signed", "AliasAdded", "Ended"]


# --- who may record -----------------------------------------------------------------------------

POLICY = """
[actors."Công an tỉnh"]
roles = ["CA_TINH"]
units = ["TN"]

[actors."Mặt trận tỉnh"]
roles = ["MTTQ_TINH"]
units = ["TN"]

[actors."Bộ Công an"]
roles = ["BCA"]
units = ["*"]

[actors."Công an xã"]
roles = ["CA_XA"]
units = ["TN-X1"]

[actors."Công an tỉnh khác"]
roles = ["CA_TINH"]
units = ["KHAC"]
"""


def test_provincial_police_and_front_and_the_ministry_may_record_programmes(
    province: Ledger,
) -> None:
    province.policy = policy_from(tomllib.loads(POLICY), "policy.toml")
    record(province, Clerk("Bộ Công an"), sign(), alias())
    record(province, Clerk("Công an tỉnh"), provincial())
    record(province, Clerk("Mặt trận tỉnh"), amend(PROVINCIAL, content_areas=["tuyên truyền"]))

    assert events(province, "programme", PROVINCIAL) == ["Signed", "Amended"]


def test_a_commune_police_or_another_province_may_not_record_a_programme(
    province: Ledger,
) -> None:
    province.policy = policy_from(tomllib.loads(POLICY), "policy.toml")
    record(province, Clerk("Bộ Công an"), sign())

    refused = refusal(province, Clerk("Công an xã"), provincial())
    assert (refused.error, refused.wrote_nothing) == (NotAuthorised, True)
    assert (
        "may not record programme.sign of a scoped programme: it is recorded by" in refused.message
    )
    refused = refusal(province, Clerk("Công an tỉnh khác"), provincial())
    assert refused.message == (
        "Công an tỉnh khác (CA_TINH) may not record programme.sign for TN: "
        "Công an tỉnh khác acts for KHAC, not TN"
    )


def test_unit_register_is_still_needed_for_a_scope(ledger: Ledger, clerk: Clerk) -> None:
    record(
        ledger, clerk,
        UnitRegister(code="TN", name="Tỉnh", kind="province", effective_on="2004-01-01"),
        sign(scope="TN"),
    )  # fmt: skip
    assert programme(ledger, NATIONAL).scope == "TN"


def test_an_import_line_names_the_record_its_citation_folds_to() -> None:
    from ledger.records import record_id

    spaced = sign("07 / ctrph – bca-mttw")
    assert record_id(*spaced.record_key()) == CoordinationProgramme.id_for(NATIONAL)


def test_a_province_may_not_amend_or_end_a_national_programme(ledger: Ledger, clerk: Clerk) -> None:
    """A programme no ledger unit bounds (signed by the ministry and the central Front) is
    for national roles: a province's police keep to their own province's programmes."""
    import_file(ledger, SEED, clerk)
    ledger.policy = policy_from(
        {"actors": {"CA tỉnh": {"roles": ["CA_TINH"], "units": ["TH"]},
                    "Bộ Công an": {"roles": ["BCA"], "units": ["*"]}}},
        "test",
    )  # fmt: skip
    end = ProgrammeEnd(citation="07/CTr-BCA-MTTW", reason="hết hạn", effective_on="2034-01-01")
    refused = refusal(ledger, Clerk(actor="CA tỉnh"), end)
    assert "may not record programme.end of a national programme" in refused.message
    ledger.execute(end, Clerk(actor="Bộ Công an"))
