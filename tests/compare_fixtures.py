"""Building blocks for the comparison tests: PTB-XL records of the same patient written as HL7
aECG files (the format carries the patient ID, sex and acquisition time), and synthetic changes
(QT lengthened, QRS widened) made by warping the time axis of each beat.

The aECG written here follows the FDA aECG structure our reader uses (``AnnotatedECG`` ->
``componentOf/timepointEvent/componentOf/subjectAssignment/subject/trialSubject`` for the
patient, ``effectiveTime/center`` for the acquisition time, one ``SLIST_PQ`` sequence per lead
with ``origin`` 0 and ``scale`` 1 uV); the tests read every file back through ``read_ecg``.
"""

from __future__ import annotations

import ast
import csv
from datetime import datetime
from pathlib import Path

import numpy as np

LEADS = ("I", "II", "III", "aVR", "aVL", "aVF", "V1", "V2", "V3", "V4", "V5", "V6")
MDC = {"I": "I", "II": "II", "III": "III", "aVR": "AVR", "aVL": "AVL", "aVF": "AVF",
       **{f"V{i}": f"V{i}" for i in range(1, 7)}}


def write_aecg(path: Path, signal_uv: np.ndarray, fs_hz: float, *, patient_id: str | None,
               recorded_at: datetime, sex: str | None = None) -> Path:
    """``signal_uv``: [12, samples] in microvolts, leads in LEADS order."""
    ts = recorded_at.strftime("%Y%m%d%H%M%S")
    subject = ""
    if patient_id is not None or sex:
        gender = (f'<subjectDemographicPerson><administrativeGenderCode code="{sex}" '
                  'codeSystem="2.16.840.1.113883.5.1"/></subjectDemographicPerson>' if sex else "")
        pid = f'<id root="2.16.840.1.113883.3.999" extension="{patient_id}"/>' if patient_id else ""
        subject = (f"<componentOf><timepointEvent><componentOf><subjectAssignment><subject>"
                   f"<trialSubject>{pid}{gender}</trialSubject></subject></subjectAssignment>"
                   f"</componentOf></timepointEvent></componentOf>")
    seqs = [f'<component><sequence><code code="TIME_ABSOLUTE" codeSystem="2.16.840.1.113883.5.4"/>'
            f'<value xsi:type="GLIST_TS"><head value="{ts}"/>'
            f'<increment value="{1.0 / fs_hz:.6g}" unit="s"/></value></sequence></component>']
    for i, lead in enumerate(LEADS):
        digits = " ".join(str(int(v)) for v in np.rint(signal_uv[i]).astype(np.int64))
        seqs.append(f'<component><sequence classCode="OBS"><code code="MDC_ECG_LEAD_{MDC[lead]}" '
                    f'codeSystem="2.16.840.1.113883.6.24"/><value xsi:type="SLIST_PQ">'
                    f'<origin value="0" unit="uV"/><scale value="1" unit="uV"/>'
                    f"<digits>{digits}</digits></value></sequence></component>")
    xml = (f'<?xml version="1.0" encoding="UTF-8"?>\n<AnnotatedECG xmlns="urn:hl7-org:v3" '
           f'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" type="Observation">'
           f'<id root="{abs(hash((ts, patient_id, path.name)))}"/>'
           f'<code code="93000" codeSystem="2.16.840.1.113883.6.12"/>'
           f'<effectiveTime><center value="{ts}"/></effectiveTime>{subject}'
           f'<component><series><code code="RHYTHM" codeSystem="2.16.840.1.113883.5.4"/>'
           f'<effectiveTime><low value="{ts}"/></effectiveTime><component><sequenceSet>'
           + "".join(seqs) + "</sequenceSet></component></series></component></AnnotatedECG>")
    path.write_text(xml, encoding="utf-8")
    return path


class Ptbxl:
    """The PTB-XL subset: signals by ecg_id and the rows of the label table."""

    def __init__(self, shared_data: Path) -> None:
        d = np.load(shared_data / "ptbxl" / "ptbxl100_subset.npz")
        self.fs_hz = float(d["fs"])
        self._x = d["X"]
        self._index = {int(e): i for i, e in enumerate(d["ecg_id"])}
        with open(shared_data / "ptbxl" / "ptbxl100_subset_labels.csv", encoding="utf-8") as f:
            self.rows = {int(r["ecg_id"]): r for r in csv.DictReader(f)}

    def has(self, ecg_id: int) -> bool:
        return ecg_id in self._index

    def signal_uv(self, ecg_id: int) -> np.ndarray:
        return self._x[self._index[ecg_id]].T.astype(np.float64)  # [12, samples]

    def patient(self, ecg_id: int) -> str:
        return str(int(float(self.rows[ecg_id]["patient_id"])))

    def when(self, ecg_id: int) -> datetime:
        return datetime.fromisoformat(self.rows[ecg_id]["recording_date"])

    def sex(self, ecg_id: int) -> str:
        return "F" if self.rows[ecg_id]["sex"].strip() in ("1", "1.0") else "M"

    def codes(self, ecg_id: int) -> dict[str, float]:
        return ast.literal_eval(self.rows[ecg_id]["scp_codes"])

    def patients_with_pairs(self) -> dict[str, list[int]]:
        """patient id -> ecg_ids (in the npz) of patients with two or more records, by time."""
        by: dict[str, list[int]] = {}
        for eid in self.rows:
            if eid in self._index:
                by.setdefault(self.patient(eid), []).append(eid)
        return {p: sorted(ids, key=self.when) for p, ids in by.items() if len(ids) >= 2}

    def write(self, folder: Path, ecg_id: int, signal_uv: np.ndarray | None = None,
              name: str | None = None, fs_hz: float | None = None, **over: object) -> Path:
        kw = {"patient_id": self.patient(ecg_id), "recorded_at": self.when(ecg_id),
              "sex": self.sex(ecg_id)}
        kw.update(over)
        sig = self.signal_uv(ecg_id) if signal_uv is None else signal_uv
        return write_aecg(folder / (name or f"ptbxl_{ecg_id:05d}.xml"), sig, fs_hz or self.fs_hz,
                          **kw)


def warp_beats(signal: np.ndarray, fs_hz: float, r_peaks: np.ndarray,
               knots_ms: list[tuple[float, float]]) -> np.ndarray:
    """Warp the time axis of every beat: ``knots_ms`` are (output, input) times in ms from the
    R peak, piecewise linear, first and last knot fixed points (so the RR intervals and the
    rest of the record are unchanged). Used to lengthen the QT (stretch the ST-T, shorten the
    T-P) or widen the QRS (stretch around R)."""
    out = signal.copy()
    n = signal.shape[1]
    t = np.arange(n, dtype=np.float64)
    ko = np.array([k[0] for k in knots_ms]) * fs_hz / 1000.0
    ki = np.array([k[1] for k in knots_ms]) * fs_hz / 1000.0
    for r in r_peaks:
        lo, hi = int(np.ceil(r + ko[0])), int(np.floor(r + ko[-1]))
        if lo < 0 or hi >= n:
            continue
        seg_out = t[lo:hi + 1] - r
        src = r + np.interp(seg_out, ko, ki)
        for lead in range(signal.shape[0]):
            out[lead, lo:hi + 1] = np.interp(src, t, signal[lead])
    return out
