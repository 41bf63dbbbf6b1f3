import numpy as np
import pytest

from ecg_viewer.core import CANONICAL_LEADS, EcgRecord, canonical_lead_name
from ecg_viewer.core.errors import EcgReadError, FileTooLargeError
from ecg_viewer.core.leads import derive_limb_leads
from ecg_viewer.core.messages import MESSAGES, tr


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("I", "I"), ("Lead I", "I"), ("DI", "I"), ("MDC_ECG_LEAD_I", "I"), ("lead_ii", "II"),
        ("DIII", "III"), ("aVR", "aVR"), ("AVL", "aVL"), ("MDC_ECG_LEAD_AVF", "aVF"),
        ("v1", "V1"), ("Lead V6", "V6"), ("C3", "V3"), ("MLII", None), ("vx", None), ("-aVR", None),
        ("V-1", "V1"), ("v.6", "V6"), ("C-2", "V2"), ("Lead V-4", "V4"), ("V-7", None), ("-V1", None),
    ],
)  # fmt: skip
def test_canonical_lead_names(name, expected):
    assert canonical_lead_name(name) == expected


def test_derived_limb_leads_follow_einthoven_and_goldberger():
    i = np.array([1.0, 0.5, -0.2])
    ii = np.array([0.3, 1.0, 0.4])
    d = derive_limb_leads(i, ii)
    np.testing.assert_allclose(d["III"], ii - i)
    # aVR + aVL + aVF = 0 and I + III = II
    np.testing.assert_allclose(d["aVR"] + d["aVL"] + d["aVF"], 0, atol=1e-12)
    np.testing.assert_allclose(i + d["III"], ii)


def test_record_rejects_inconsistent_shapes():
    with pytest.raises(ValueError, match="one row per lead"):
        EcgRecord(signal_mv=np.zeros((3, 10), np.float32), fs_hz=500, lead_names=("I", "II"))
    with pytest.raises(ValueError, match="float32"):
        EcgRecord(signal_mv=np.zeros((1, 10)), fs_hz=500, lead_names=("I",))


def test_record_standard_12_and_missing_leads():
    sig = np.arange(20, dtype=np.float32).reshape(2, 10)
    rec = EcgRecord(signal_mv=sig, fs_hz=250, lead_names=("II", "V5"))
    assert rec.duration_s == pytest.approx(0.04)
    assert rec.missing_leads == tuple(n for n in CANONICAL_LEADS if n not in ("II", "V5"))
    full = rec.standard_12()
    np.testing.assert_array_equal(full[1], sig[0])
    np.testing.assert_array_equal(full[10], sig[1])
    assert np.isnan(full[0]).all()
    with pytest.raises(KeyError):
        rec.lead("V1")
    assert not rec.lead("II").flags.writeable


def test_every_message_has_japanese_and_english():
    for key, (ja, en) in MESSAGES.items():
        assert ja and en, key
        if ja == en:  # language-neutral (units, numbers): nothing to translate
            assert not any(w.isalpha() and len(w) > 3 for w in ja.replace("/", " ").split()), key
            continue
        assert any(ord(ch) > 0x3000 for ch in ja), f"{key} has no Japanese text"


def test_domain_errors_subclass_builtins_and_carry_japanese():
    err = FileTooLargeError("/x/big.edf", size_bytes=2 << 30, limit_bytes=1 << 30)
    assert isinstance(err, EcgReadError) and isinstance(err, ValueError)
    assert "big.edf" in str(err) and "2048" in err.message_ja and "大きすぎ" in err.message_ja
    assert tr("read.empty", "en", file="a") == "The file is empty (0 bytes): a"


def test_a_csv_with_hyphenated_chest_leads_opens_with_all_twelve(tmp_path) -> None:
    """QA 65 (left open in session 28): a CSV header "V-1 … V-6" lost the six chest leads."""
    from ecg_viewer.io import read_ecg

    names = ["time_ms", "I", "II", "III", "aVR", "aVL", "aVF", *[f"V-{i}" for i in range(1, 7)]]
    t = np.arange(2500) * 2.0
    rows = [names] + [[f"{x:.0f}"] + [f"{0.1 * np.sin(x / 100 + k):.4f}" for k in range(12)]
                      for x in t]
    path = tmp_path / "hyphen.csv"
    path.write_text("\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8")
    rec = read_ecg(path)
    assert tuple(rec.lead_names) == CANONICAL_LEADS and rec.fs_hz == 500
