"""One rule, for every format, for the patient's age and birth date a file states.

- A birth date after the recording, 110 years or more before it, or a placeholder (1900 or
  earlier beside a stated age) is no fact: it goes to ``extra["birth_date_in_file"]`` and the
  record has none (QA 73: the XML readers dropped it, while DICOM, MFER, SCP and EDF kept it, so a
  DICOM recorded in 2013 with a birth date in 2014 went out to FHIR as born after the ECG).
- A stated age outside 0-129 years is none.
- A stated age more than 1.5 years from the one the birth date gives is kept (the file says it),
  and ``extra["age_and_birth_date_disagree"]`` says so; the header and the report then show both.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any


def as_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else None


def patient_dates(age: Any, birth: Any, recorded: Any,
                  extra: dict[str, Any]) -> tuple[float | None, date | None]:
    """(age in years, birth date) as the record keeps them; notes go into ``extra``."""
    years_stated = float(age) if isinstance(age, int | float) and 0 <= age < 130 else None
    born = as_date(birth)
    when = recorded.date() if isinstance(recorded, datetime) else as_date(recorded)
    if born is not None and when is not None:
        years = (when - born).days / 365.25
        if not 0 <= years < 110 or born.year <= 1900:
            extra["birth_date_in_file"] = born.isoformat()
            born = None
        elif years_stated is not None and abs(years - years_stated) > 1.5:
            extra["age_and_birth_date_disagree"] = True
    return years_stated, born

