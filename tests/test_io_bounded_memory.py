"""Issue 16, group 3: long records are read in bounded chunks with the same result, records that
would not fit are refused from their header, and long records are assessed on the analysed spans.
(Peak RSS itself is measured by bench/memory.py, not in a unit test.)"""

from __future__ import annotations

import os
import shutil

import numpy as np
import pytest
import wfdb

from ecg_viewer.core.errors import CorruptFileError, TooManySamplesError
from ecg_viewer.io import builder, csv_reader, read_ecg, wfdb_reader
from ecg_viewer.signal.quality import assess_quality


def _copy(samples, tmp_path, folder, name):
    for f in (samples / folder).glob(f"{name}.*"):
        shutil.copy(f, tmp_path / f.name)
    return tmp_path / f"{name}.hea"


@pytest.mark.parametrize(("folder", "name", "chunk"), [("wfdb", "100", 100_001),
                                                       ("wfdb_ptbxl", "00001_hr", 777)])
def test_chunked_wfdb_read_equals_one_piece(samples, tmp_path, monkeypatch, folder, name, chunk):
    """Format 212 (MIT-BIH, 1.5 bytes per sample: odd chunk boundaries) and 16 (PTB-XL)."""
    hea = _copy(samples, tmp_path, folder, name)
    whole = wfdb.rdrecord(str(hea.with_suffix("")), physical=True)
    monkeypatch.setattr(wfdb_reader, "CHUNK_FRAMES", chunk)
    monkeypatch.setattr(builder, "CHUNK_SAMPLES", chunk // 3 + 1)
    rec = read_ecg(hea)
    for i, sig_name in enumerate(whole.sig_name):
        lead = next(n for n in rec.lead_names if rec.original_names[n] == sig_name)
        np.testing.assert_allclose(rec.lead(lead), whole.p_signal[:, i].astype(np.float32), atol=1e-6)
    assert rec.signal_mv.dtype == np.float32


def test_record_too_long_for_memory_is_refused_from_the_header(samples, tmp_path, monkeypatch):
    hea = _copy(samples, tmp_path, "wfdb_ptbxl", "00001_lr")
    monkeypatch.setattr(wfdb_reader, "check_total_values",
                        lambda n, **kw: builder.check_total_values(n, limit=11_999, **kw))
    with pytest.raises(TooManySamplesError) as err:
        read_ecg(hea)
    assert err.value.n_values == 12_000


def test_csv_read_in_blocks_equals_one_block(tmp_path, monkeypatch):
    p = tmp_path / "e.csv"
    t = np.arange(2_000) / 500.0
    p.write_text("time_s,I,II,V1\n" + "\n".join(
        f"{x:.4f},{np.sin(7 * x):.4f},{np.cos(5 * x):.4f},{0.1 * x:.4f}" for x in t) + "\n")
    one = read_ecg(p)
    monkeypatch.setattr(csv_reader, "BLOCK_ROWS", 7)
    many = read_ecg(p)
    assert one.fs_hz == many.fs_hz == pytest.approx(500.0)
    np.testing.assert_array_equal(one.signal_mv, many.signal_mv)


def test_random_bytes_named_csv_are_refused_on_a_prefix(tmp_path):
    p = tmp_path / "r.csv"
    p.write_bytes(os.urandom(4 << 20))
    with pytest.raises(CorruptFileError):
        read_ecg(p)


def test_long_record_is_gated_by_a_fault_in_the_span_the_model_reads(samples):
    rec = read_ecg(samples / "wfdb_ptbxl" / "00001_hr.hea")  # 10 s, 500 Hz
    long_sig = np.tile(rec.signal_mv, (1, 20))  # 200 s
    assert assess_quality(rec.with_signal(long_sig)).ok
    mid = long_sig.shape[1] // 2
    faulty = long_sig.copy()
    v2 = rec.lead_names.index("V2")
    faulty[v2, mid - 2500:mid + 2500] = 0.0  # electrode off during the central 10 s
    q = assess_quality(rec.with_signal(faulty))
    assert not q.ok and any("V2" in p.leads for p in q.problems)
