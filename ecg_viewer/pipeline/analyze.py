"""The analysis of one ECG, the same for the window, ``analyze``, ``report`` and ``batch``:

quality gate -> measurements -> criteria features -> model suggestions -> fusion (model similarity
+ criteria features, when the shipped weights carry one) -> criteria consistency and evidence
(labels/criteria.py) -> referral flag, as one :class:`Analysis`. A record the quality gate rejects
gets no suggestions and the level "unreadable" with the reasons.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ecg_viewer.core.criteria_features import CriteriaFeatures
from ecg_viewer.core.errors import EcgError
from ecg_viewer.core.messages import tr
from ecg_viewer.core.prediction import Analysis, Prediction, QualityReport
from ecg_viewer.core.record import EcgRecord
from ecg_viewer.labels.criteria import apply_criteria
from ecg_viewer.labels.referral import CombinationRule, decide_referral, qualify_normal
from ecg_viewer.labels.referral_rules import referral_measurements
from ecg_viewer.model.preprocess import window_span_s
from ecg_viewer.signal.quality_measured import device_disagreement, measured_quality

if TYPE_CHECKING:
    from ecg_viewer.signal.measure import Measurements

# The signal modules (quality gate, measurements, criteria features: scipy.signal and friends,
# ~0.7 s to import) are imported where a record is prepared, not with this module: the batch
# process only finishes analyses prepared by its workers and never needs them.

log = logging.getLogger(__name__)

#: Measurements of a long record (Holter, rhythm strip) are made on its first minute: the
#: figures a resting-ECG header shows, in well under a second instead of many seconds.
MEASURE_MAX_S = 60.0


def measurement_span(record: EcgRecord) -> EcgRecord:
    """The part of ``record`` that is measured (all of it up to MEASURE_MAX_S)."""
    n = int(MEASURE_MAX_S * record.fs_hz)
    if record.n_samples <= n:
        return record
    return record.with_signal(record.signal_mv[:, :n])


class Analyzer:
    """Runs the pipeline. ``predictor`` is a :class:`~ecg_viewer.model.predictor.Predictor` (or
    None for measurements, quality and measurement-based referral only); it is created lazily
    from the shipped weights when ``load_model`` is True and none is given."""

    def __init__(self, predictor: Any | None = None, *, load_model: bool = True,
                 device: str = "auto") -> None:  # fmt: skip
        self._predictor = predictor
        self._load_model = load_model and predictor is None
        self._device = device

    @property
    def predictor(self) -> Any | None:
        if self._predictor is None and self._load_model:
            from ecg_viewer.model.predictor import Predictor

            self._predictor = Predictor(device=self._device)
        return self._predictor

    def fusion_for(self, predictor: Any) -> Any | None:
        """The shipped fusion of ``predictor``'s weights, loaded once."""
        if not hasattr(self, "_fusion"):
            self._fusion = shipped_fusion(getattr(predictor, "weights_dir", None))
        return self._fusion

    def analyze(self, record: EcgRecord, *, with_measurements: bool = True) -> Analysis:
        return self.analyze_parts(record, with_measurements=with_measurements)[0]

    def analyze_parts(
        self, record: EcgRecord, *, with_measurements: bool = True,
        measurements: Measurements | None = None,
    ) -> tuple[Analysis, Measurements | None]:
        """The analysis and the full measurement object (median beats, fiducials) for drawing.
        ``measurements`` already made for this record (the window measures before the model is
        ready) are used as they are instead of measuring again."""
        prepared, meas = prepare(record, with_measurements=with_measurements,
                                 measurements=measurements)
        predictor = self.predictor
        raw = None
        if prepared.quality.ok and predictor is not None:
            raw = predictor.predict(record)
        return self.finish([prepared], [raw])[0], meas

    def finish(self, prepared: Sequence[Prepared],
               raw: Sequence[Prediction | None]) -> list[Analysis]:
        """The analyses of records already prepared (:func:`prepare`), given the model's raw
        predictions (None where the quality gate stopped the record or there is no model):
        fusion, criteria, referral. Many at once gives, record for record, what one at a time
        gives (the batch engine relies on it)."""
        predictor = self.predictor
        fusion = self.fusion_for(predictor) if predictor is not None else None
        fused: list[Prediction | None] = list(raw)
        todo = [i for i, r in enumerate(raw) if r is not None]
        if todo and predictor is not None:
            done = fuse_many([raw[i] for i in todo], [prepared[i].features for i in todo], fusion)
            for i, pred in zip(todo, done, strict=True):
                fused[i] = pred
        combination = fusion.combination if fusion is not None else None
        return [_analysis(p, f, predictor, combination)
                for p, f in zip(prepared, fused, strict=True)]


@dataclass
class Prepared:
    """The record side of an analysis (quality, measurements, criteria features; no signal,
    small enough to send between processes): what :meth:`Analyzer.finish` needs besides the
    model's prediction. ``model_input`` is the model's input when the batch engine made it."""

    file: str
    sha256: str | None
    quality: QualityReport
    measurements: dict[str, Any] | None
    features: CriteriaFeatures | None
    model_input: Any = None
    # the size and time of the files read (core.hashing.fingerprint), for the batch output
    source: list[list[Any]] | None = None
    # the seconds the model reads of a record longer than its window (None: all of it)
    model_window_s: tuple[float, float] | None = None
    # whose ECG and when, for a batch row (QA 73: a 要至急 row named only its file)
    patient: dict[str, Any] | None = None


def prepare(record: EcgRecord, *, with_measurements: bool = True,
            measurements: Measurements | None = None) -> tuple[Prepared, Measurements | None]:
    """Quality gate, measurements (``measurements`` when already made) and criteria features."""

    quality = quality_of(record)
    meas = measurements
    if meas is None and with_measurements:
        meas = safe_measure(record)
    # the file's numbers against the measured heart: the cart's own rate, the QRS's size (QA 45)
    quality, meas = measured_quality(record, meas, quality)
    mdict = meas.to_dict() if meas is not None else None
    features = safe_criteria(record, meas) if with_measurements or meas is not None else None
    return Prepared(record.source_path or "", record.sha256, quality, mdict, features,
                    model_window_s=window_span_s(record.n_samples, record.fs_hz),
                    patient=patient_fields(record)), meas


#: the keys of :func:`patient_fields` in a batch row
PATIENT_KEYS = ("patient_id", "recorded_at", "age_years")


def patient_fields(record: EcgRecord) -> dict[str, Any]:
    """The patient ID, the recording time (ISO 8601) and the age a batch row names, as the file
    gives them (None where it does not); the age also decides the child's note."""
    m = record.meta
    return {"patient_id": str(m.patient_id) if m.patient_id else None,
            "recorded_at": m.recorded_at.isoformat() if m.recorded_at else None,
            "age_years": m.age_years}


#: under this age (years) the record is a child's: the analysis says the criteria, the referral
#: rules and the model are adults' (QA 73: an infant's ECG was judged as an adult's, unsaid)
CHILD_BELOW_YEARS = 16.0


def _analysis(prepared: Prepared, fused: Prediction | None, predictor: Any,
              combination: CombinationRule | None = None) -> Analysis:
    mdict, features = prepared.measurements, prepared.features
    prediction = None
    if fused is not None:
        labels = qualify_normal(apply_criteria(fused.labels, mdict, features), mdict)
        prediction = Prediction(labels=labels, model=fused.model)
    # the combination rule reads the model's scores: only where the model judged the record
    referral = decide_referral(prediction.labels if prediction else (),
                               referral_measurements(mdict, features.values if features else None),
                               prepared.quality,
                               combination=combination if prediction else None)
    extra: dict[str, Any] = {}
    if prediction is None and predictor is not None:  # gated: still say which model judged
        extra["model"] = predictor.info.to_dict()
    if prediction is not None and prepared.model_window_s is not None:
        # which 10 s of a longer record the suggestions come from (QA 51: a 60-min record's
        # flutter, seen by the model at minute 30, under a page printed from 0:00)
        extra["model_window_s"] = [round(v, 2) for v in prepared.model_window_s]
    age = (prepared.patient or {}).get("age_years")
    if age is not None and age < CHILD_BELOW_YEARS:
        extra["child"] = {"age_years": age, "ja": tr("analysis.child_note", "ja", age=age),
                          "en": tr("analysis.child_note", "en", age=age)}
    return Analysis(
        file=prepared.file,
        sha256=prepared.sha256,
        quality=prepared.quality,
        referral=referral,
        prediction=prediction,
        measurements=mdict,
        extra=extra,
        criteria=features.to_dict() if features is not None else None,
    )


_last_quality: tuple[EcgRecord, QualityReport] | None = None


def quality_of(record: EcgRecord) -> QualityReport:
    """The quality gate's report of ``record``, made once per record object: the window's
    measure lane and its analysis, or ``prepare`` and its measurements, ask for the same record
    in turn (records are frozen; the last one's report is kept)."""
    from ecg_viewer.signal.quality import assess_quality

    global _last_quality
    last = _last_quality
    if last is not None and last[0] is record:
        return last[1]
    report = assess_quality(record)
    _last_quality = (record, report)
    return report


def measure_readable(record: EcgRecord) -> Measurements:
    """The measurements of ``record``'s measured span, unless the quality gate finds no lead of
    it readable (every lead flat, off, saturated or noisy): then nothing is measured and every
    value says why (``meas.no_readable_lead``), so a noise record shows no heart rate, axis or
    interval; when the gate rejects the record for leads it needs, every value is of low
    confidence (``meas.conf_quality``). Raises when the record cannot be measured at all."""
    from ecg_viewer.signal.measure import INTERVAL_KEYS, Measurements, measure
    from ecg_viewer.signal.quality import UNREADABLE_LEAD_CODES, no_readable_lead

    span = measurement_span(record)
    quality = quality_of(span)
    if no_readable_lead(quality, span.lead_names):
        return Measurements(reasons=dict.fromkeys(INTERVAL_KEYS, "meas.no_readable_lead"))
    meas = measure(span)
    if not quality.ok and any(p.code in UNREADABLE_LEAD_CODES for p in quality.problems):
        # the gate rejects the record for its signal (saturated, flat, off or noisy leads the
        # analysis needs): what is measured from it is shown, greyed, and fires no rule
        meas = meas.with_all_low("meas.conf_quality")
    if device_disagreement(record, meas) is not None:
        # the file's sampling rate or our beats are wrong (signal/quality_measured.py): greyed
        # here, so every path to the header greys them, the worklist's cached analysis
        # included (QA 49: only the window's own analysis did)
        meas = meas.with_all_low("meas.conf_device_rate")
    return meas


def safe_measure(record: EcgRecord) -> Measurements | None:
    """Measurements (:func:`measure_readable`), or None when the record cannot be measured at
    all (logged, never fatal)."""
    try:
        return measure_readable(record)
    except (EcgError, ValueError) as exc:
        log.warning("measurements failed for %s: %s", record.source_path, exc)
        return None


def safe_criteria(record: EcgRecord, meas: Measurements | None) -> CriteriaFeatures | None:
    """The criteria features (None when they cannot be computed at all; logged, never fatal)."""
    from ecg_viewer.signal.criteria import criteria_features

    try:
        return criteria_features(measurement_span(record), meas)
    except (EcgError, ValueError, IndexError) as exc:
        log.warning("criteria features failed for %s: %s", record.source_path, exc)
        return None


def shipped_fusion(weights_dir: Any) -> Any | None:
    """The fusion shipped beside the weights (``labels/fusion.py`` ``load_fusion``), or None when
    the weights carry none (or this build has no fusion module). A fusion file that fails its
    manifest hash raises, as tampered weights do."""
    if weights_dir is None:
        return None
    try:
        module = importlib.import_module("ecg_viewer.labels.fusion")
    except ImportError:
        return None
    return module.load_fusion(weights_dir)


def fuse(prediction: Prediction, features: CriteriaFeatures, fusion: Any | None) -> Prediction:
    """The model similarity fused with the criteria features into one calibrated probability per
    label, or the prediction unchanged while no fusion is shipped."""
    if fusion is None:
        return prediction
    module = importlib.import_module("ecg_viewer.labels.fusion")
    return module.apply_fusion(prediction, features, fusion)


def fuse_many(predictions: Sequence[Prediction], features: Sequence[CriteriaFeatures | None],
              fusion: Any | None) -> list[Prediction]:
    """:func:`fuse` for many predictions at once, with the same result for each."""
    if fusion is None:
        return list(predictions)
    module = importlib.import_module("ecg_viewer.labels.fusion")
    return module.apply_fusion_batch(predictions, features, fusion)
