"""One rule for the patient's age and birth date in every format (QA 73): a birth date after the
recording or 110 years or more before it is kept aside, not shown as a fact (the XML readers did
so; DICOM, MFER, SCP and EDF kept it, and FHIR sent a patient born after the ECG); a stated age
that disagrees with the birth date is shown with the age the birth date gives, on screen and on
paper (「46 歳」 there, a birth date of 49 years in FHIR)."""

from __future__ import annotations

import subprocess
from datetime import date, datetime
from pathlib import Path

import pytest

from ecg_viewer.core.record import EcgMeta
from ecg_viewer.io.patient_dates import patient_dates

REC = datetime(2013, 1, 25, 9, 30)


@pytest.mark.parametrize(("age", "birth", "kept_age", "kept_birth", "note"), [
    (45, date(1967, 6, 1), 45.0, date(1967, 6, 1), None),  # they agree
    (None, date(2014, 1, 1), None, None, "birth_date_in_file"),  # born after the ECG
    (120, date(1893, 1, 1), 120.0, None, "birth_date_in_file"),  # 120 years: no fact
    (11, date(1900, 1, 1), 11.0, None, "birth_date_in_file"),  # a placeholder
    (46, date(1963, 5, 8), 46.0, date(1963, 5, 8), "age_and_birth_date_disagree"),  # 49 by birth
    (150, None, None, None, None),  # an age no one has
    (0, date(2013, 1, 22), 0.0, date(2013, 1, 22), None),  # three days old
])
def test_one_rule_for_age_and_birth_date(age, birth, kept_age, kept_birth, note) -> None:
    extra: dict = {}
    assert patient_dates(age, birth, REC, extra) == (kept_age, kept_birth)
    assert (next(iter(extra)) if extra else None) == note


def test_the_age_the_birth_date_gives_is_named_only_where_they_disagree() -> None:
    meta = EcgMeta(age_years=46.0, birth_date=date(1953, 5, 8), recorded_at=datetime(2002, 11, 22),
                   extra={"age_and_birth_date_disagree": True})
    assert meta.age_by_birth_date() == 49.0
    assert EcgMeta(age_years=49.0, birth_date=date(1953, 5, 8),
                   recorded_at=datetime(2002, 11, 22)).age_by_birth_date() is None


@pytest.mark.shared_data
def test_header_and_pdf_show_both_ages(qtbot, shared_data: Path, tmp_path: Path) -> None:
    """The FDA example aECG states 46 years and a birth date 49 years before the recording."""
    from ecg_viewer.core.messages import set_language
    from ecg_viewer.gui.header import HeaderWidget
    from ecg_viewer.io import read_ecg
    from ecg_viewer.labels.catalog import default_catalog
    from ecg_viewer.report.content import ReportContent
    from ecg_viewer.report.pdf import write_pdf
    from tests.report_fixtures import analysis_for

    rec = read_ecg(shared_data / "samples" / "hl7aecg" / "fda_Example_aECG.xml")
    assert rec.meta.age_years == 46.0 and rec.meta.age_by_birth_date() == 49.0
    for lang, shown, mark in (("ja", "46 歳（生年月日では 49 歳）", "46 歳 ※"),
                              ("en", "46 y (49 y by birth date)", "46 y*")):
        set_language(lang)
        try:
            header = HeaderWidget()
            qtbot.addWidget(header)
            header.set_record(rec)
            assert header.values["age"].text() == mark  # marked, the two ages on hover
            assert "49" in header.values["age"].toolTip() and "1953-05-08" in \
                header.values["age"].toolTip()
            pdf = tmp_path / f"{lang}.pdf"
            write_pdf(pdf, ReportContent(rec, analysis_for(rec, default_catalog(), {}), None,
                                         catalog=default_catalog()))
            text = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(pdf), "-"],
                                  capture_output=True, text=True, check=True).stdout
            assert "".join(shown.split()) in "".join(text.split()), text[:400]
        finally:
            set_language("ja")
