"""The speed-ups of signal/ give the very same numbers as the plain scipy/numpy calls they replace."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from scipy import signal as sps

from ecg_viewer.signal.filters import butter_sos, sos_filtfilt


@pytest.mark.parametrize("order,cutoff,btype", [(2, (0.5, 40.0), "bandpass"), (2, (5.0, 25.0), "bandpass"),
                                                 (4, 40.0, "lowpass"), (2, 0.5, "highpass")])
@pytest.mark.parametrize("padtype,padlen", [("odd", None), ("even", 250), ("odd", 0), (None, None),
                                            ("constant", 17)])
@pytest.mark.parametrize("shape", [(12, 1000), (700,), (3, 2, 400)])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sos_filtfilt_is_scipy_sosfiltfilt(order, cutoff, btype, padtype, padlen, shape, dtype):
    x = np.random.default_rng(0).normal(size=shape).cumsum(axis=-1).astype(dtype)
    before = x.copy()
    want = sps.sosfiltfilt(butter_sos(order, cutoff, btype, 500.0), x, axis=-1, padtype=padtype,
                           padlen=padlen)
    got = sos_filtfilt(order, cutoff, btype, 500.0, x, padtype=padtype, padlen=padlen)
    assert got.dtype == want.dtype and got.shape == want.shape
    assert got.tobytes() == np.ascontiguousarray(want).tobytes()  # bit for bit
    assert x.tobytes() == before.tobytes()  # the input is never filtered in place


def test_sos_filtfilt_refuses_a_short_input_as_scipy_does():
    x = np.ones(5)
    with pytest.raises(ValueError):
        sps.sosfiltfilt(butter_sos(2, 0.5, "highpass", 500.0), x)
    with pytest.raises(ValueError):
        sos_filtfilt(2, 0.5, "highpass", 500.0, x)


def _p_consistency_one_by_one(mb, f, rows):
    """The P-wave consistency computed one beat at a time (the original loop)."""
    import math

    from scipy import ndimage

    a = max(f.p_on - int(0.02 * mb.fs_hz), 0)
    b = f.p_off + int(0.02 * mb.fs_hz)
    k = max(int(round(0.02 * mb.fs_hz)), 1)
    ref = ndimage.uniform_filter1d(mb.beat_mv[rows, a:b].astype(float), k, axis=1)
    ref = ref - ref.mean(axis=1, keepdims=True)
    cs = []
    for beat in mb.stack_mv:
        seg = beat[rows, a:b].astype(float)
        if not np.all(np.isfinite(seg)):
            continue
        seg = ndimage.uniform_filter1d(seg, k, axis=1)
        seg = seg - seg.mean(axis=1, keepdims=True)
        den = math.sqrt(float((seg * seg).sum() * (ref * ref).sum()))
        if den > 0:
            cs.append(float((seg * ref).sum()) / den)
    return float(np.median(cs)) if cs else 0.0


def test_p_consistency_all_beats_at_once_equals_one_by_one(samples):
    from ecg_viewer.io import read_ecg
    from ecg_viewer.signal.delineate import clean_leads
    from ecg_viewer.signal.measure import measure
    from ecg_viewer.signal.pwave import p_consistency

    checked = 0
    for hea in sorted((samples / "wfdb_cinc2021").glob("*.hea"))[:8]:
        m = measure(read_ecg(hea))
        if m.median is None or m.fiducials is None or m.fiducials.p_on is None:
            continue
        mb = m.median
        # a beat cut at the record's edge (NaN) is left out by both
        stack = mb.stack_mv.copy()
        stack[0, :, : mb.r_index] = np.nan
        for beat in (mb, replace(mb, stack_mv=stack)):
            rows = clean_leads(beat)
            assert p_consistency(beat, m.fiducials) == _p_consistency_one_by_one(
                beat, m.fiducials, rows)
            checked += 1
    assert checked >= 4


def test_wfdb_plain_format_16_read_equals_wfdb(samples):
    """The reader's own read of the common layout (no ``wfdb``) gives the samples, comments and
    base time/date ``wfdb`` gives, for every WFDB sample record ``wfdb`` can parse."""
    import wfdb

    from ecg_viewer.core.errors import EcgError
    from ecg_viewer.io.wfdb_header import read_header
    from ecg_viewer.io.wfdb_reader import _frames_in_files, _read_plain_16, _signal_files

    read = other = 0
    for hea in sorted(samples.rglob("*.hea")):
        rec = hea.with_suffix("")
        try:
            spec = read_header(hea)
            n = _frames_in_files(hea, hea, spec, _signal_files(hea, hea, spec))
            want_header = wfdb.rdheader(str(rec))
        except (EcgError, Exception):  # refused by one of the two parsers: not compared here
            continue
        if spec.base_unread:
            other += 1
            continue
        assert spec.comments == tuple(want_header.comments), hea.name
        assert (spec.base_time, spec.base_date) == (want_header.base_time, want_header.base_date)
        got = _read_plain_16(hea, spec, n)
        if got is None:
            other += 1
            continue
        want = wfdb.rdrecord(str(rec), physical=False, return_res=16, sampto=n).d_signal
        assert got.dtype == want.dtype and np.array_equal(got, want), hea.name
        read += 1
    assert read >= 2 and other >= 1  # the format-212 MIT-BIH sample is left to wfdb
    mit = samples / "wfdb" / "100"
    spec = read_header(mit.with_suffix(".hea"))
    assert _read_plain_16(mit.with_suffix(".hea"), spec, spec.n_samples) is None


def test_spikes_of_all_leads_at_once_equal_lead_by_lead():
    from ecg_viewer.signal.pacing import _all_spikes, spike_samples

    rng = np.random.default_rng(3)
    x = rng.normal(scale=0.05, size=(12, 5000)).cumsum(axis=1) * 0.1
    for k in range(300, 5000, 800):  # pacing-like spikes (2 ms up, back down) in some leads
        x[2:7, k : k + 1] += 3.0
    x[4, 100:120] = np.nan  # a gap is read as 0, as lead by lead
    want = np.unique(np.concatenate([spike_samples(lead, 500.0) for lead in x]))
    assert want.size > 0
    assert np.array_equal(_all_spikes(x, 500.0), want)


def test_envelope_percentiles_of_all_leads_at_once_equal_lead_by_lead():
    bp = np.random.default_rng(4).normal(size=(12, 5000))
    lows, highs = np.percentile(bp, (0.5, 99.5), axis=1)
    for i, lead in enumerate(bp):
        lo, hi = np.percentile(lead, (0.5, 99.5))
        assert lo == lows[i] and hi == highs[i]


@pytest.mark.parametrize("shape", [(1, 50), (2, 300), (7, 40), (8, 5000), (12, 8, 125)])
def test_median0_is_numpys_median_along_axis_0(shape):
    from ecg_viewer.signal.median import median0

    a = np.random.default_rng(5).normal(size=shape)
    a.flat[::97] = 0.0  # ties
    assert np.array_equal(median0(a), np.median(a, axis=0))
    a.flat[3] = np.nan  # a column with a NaN gives NaN, as numpy's
    assert np.array_equal(median0(a), np.median(a, axis=0), equal_nan=True)


@pytest.mark.parametrize("m", range(2, 13))
def test_min_max_networks_sort_every_input(m):
    """The networks behind nanmedian0 and median_rows sort every input of m rows (all 2**m
    inputs of zeros and ones: the 0-1 principle), and the pruned one puts the right values in
    the median's rows."""
    from ecg_viewer.signal.median import _middle, _network

    a = ((np.arange(2**m)[None, :] >> np.arange(m)[:, None]) & 1).astype(float)
    want = np.sort(a, axis=0)
    for wanted in (None, _middle(m)):
        rows = list(a.copy())
        for i, j in _network(m, wanted):
            assert i < j
            rows[i], rows[j] = np.minimum(rows[i], rows[j]), np.maximum(rows[i], rows[j])
        for k in range(m) if wanted is None else wanted:
            assert np.array_equal(rows[k], want[k]), (m, wanted, k)
    assert len(_network(m, _middle(m))) <= len(_network(m)) <= m * (m - 1) // 2


@pytest.mark.parametrize("n_rows", [1, 2, 3, 5, 8, 12, 13])
def test_median_of_rows_by_network_is_median0(n_rows):
    from ecg_viewer.signal.median import median0, median_rows

    rng = np.random.default_rng(6)
    a = np.abs(rng.normal(size=(n_rows, 5000)))
    a[rng.random(a.shape) < 0.05] = 0.0  # ties, zeros
    a[rng.random(a.shape) < 0.05] = 1.5
    want = median0(a)
    got = median_rows(a)
    assert got.dtype == want.dtype and got.tobytes() == want.tobytes()
    a[0, 7] = -0.0 if n_rows > 2 else a[0, 7]  # a negative zero: median0's own path
    assert median_rows(a).tobytes() == median0(a).tobytes()
    b = a - 0.8  # negative values: the same numbers
    assert median_rows(b).tobytes() == median0(b).tobytes() == np.median(b, axis=0).tobytes()
    b[-1, 11] = np.nan  # a NaN propagates to its column, as numpy's median
    assert np.array_equal(median_rows(b), np.median(b, axis=0), equal_nan=True)


def test_rails_of_all_leads_at_once_equal_lead_by_lead(samples):
    from ecg_viewer.io import read_ecg
    from ecg_viewer.signal.quality import DEFAULT_THRESHOLDS as TH
    from ecg_viewer.signal.quality import _rails, _rails_all

    rng = np.random.default_rng(7)
    x = rng.normal(size=(6, 3000))
    x[0] = np.clip(x[0], -1.0, 1.0)  # saturated: many plateaus at both rails
    x[1] = 0.3  # constant
    x[2, :500] = 5.0  # at the rail from the first sample (left out as an edge run)
    x[3] = np.round(x[3])  # coarse quantisation
    x[4, -300:] = x[4].max()  # at the rail up to the last sample
    arrays = [(x, 500.0), (x[:, :40], 250.0)]
    for f in sorted((samples / "wfdb_ptbxl").glob("*.hea"))[:4]:
        rec = read_ecg(f)
        arrays.append((np.asarray(rec.signal_mv, dtype=np.float64), rec.fs_hz))
    for a, fs in arrays:
        want = [_rails(v, fs, TH) for v in a]
        got = _rails_all(a, fs, TH)
        assert [tuple(map(type, w)) for w in want] == [tuple(map(type, g)) for g in got]
        assert got == want


@pytest.mark.parametrize("n_rows", [1, 2, 3, 4, 7, 12, 13, 30])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_nanmedian0_is_numpys_nanmedian_along_axis_0(n_rows, dtype):
    """Sorted by numpy or (a few rows) by the min/max network: numpy's nanmedian bit for bit,
    with ties, zeros, +inf, NaN here and there and whole NaN columns (record edges)."""
    import warnings

    from ecg_viewer.signal.median import nanmedian0

    rng = np.random.default_rng(8)
    a = rng.normal(size=(n_rows, 12, 130)).astype(dtype)
    a[rng.random(a.shape) < 0.02] = 0.0
    a[rng.random(a.shape) < 0.02] = 1.25
    a[rng.random(a.shape) < 0.005] = np.inf
    for b in (a.copy(), np.where(rng.random(a.shape) < 0.1, np.nan, a).astype(dtype)):
        b[:, 0, :5] = np.nan
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            want = np.nanmedian(b, axis=0)
        got = nanmedian0(b)
        assert got.dtype == want.dtype and got.tobytes() == want.tobytes()
    a.flat[5] = -0.0  # a negative zero: np.sort orders the stack, as before the network
    srt = np.sort(a, axis=0)
    h = n_rows // 2
    before = (srt[h if n_rows % 2 else h - 1] + srt[h]) / dtype(2.0)
    assert nanmedian0(a).tobytes() == before.astype(dtype).tobytes()
    assert np.array_equal(nanmedian0(a), np.median(a, axis=0))


def test_median_of_a_few_numbers_is_numpys():
    """beats._median_of_floats (the beat search's running levels and RR): np.median's value for
    a few floats or integers (RR in samples), odd and even counts, ties."""
    from ecg_viewer.signal.beats import _median_of_floats

    rng = np.random.default_rng(9)
    for n in range(1, 18):
        floats = np.round(rng.random(n) * 3, 2)
        ints = rng.integers(200, 900, n)
        for values in (floats, ints):
            got, want = _median_of_floats(values.tolist()), np.median(values)
            assert float(got) == float(want) and isinstance(got, int | float)


@pytest.mark.parametrize("m", [3, 4, 5, 12, 14])
def test_median_rows_of_a_stack_of_beats_is_numpys(m):
    """median_rows over the beats of a [beats, leads, samples] stack (the P-wave residual SNR):
    np.median(axis=0)'s numbers, bit for bit; with zeros of both signs (a flat lead) the sign of
    a zero median may differ, but not |beat - median| nor its median, which is all the SNR
    reads."""
    from ecg_viewer.signal.median import median_rows

    rng = np.random.default_rng(10)
    seg = np.round(rng.normal(size=(m, 8, 60)) * 50) / 50 + 0.0  # ties, +0.0 only
    assert median_rows(seg).tobytes() == np.median(seg, axis=0).tobytes()
    seg[:, 3] = np.where(rng.random((m, 60)) < 0.5, -0.0, 0.0)  # a flat lead
    dev = np.abs(seg - median_rows(seg))
    assert dev.tobytes() == np.abs(seg - np.median(seg, axis=0)).tobytes()
    assert median_rows(dev).tobytes() == np.median(dev, axis=0).tobytes()
