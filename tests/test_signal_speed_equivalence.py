"""The speed-ups of signal/ give the very same numbers as the plain scipy/numpy calls they replace."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import signal as sps

from ecg_viewer.signal.filters import butter_sos, sos_filtfilt


@pytest.mark.parametrize("order,cutoff,btype", [(2, (0.5, 40.0), "bandpass"), (2, (5.0, 25.0), "bandpass"),
                                                 (4, 40.0, "lowpass"), (2, 0.5, "highpass")])
@pytest.mark.parametrize("padtype,padlen", [("odd", None), ("even", 250), ("odd", 0), (None, None),
                                            ("constant", 17)])
@pytest.mark.parametrize("shape", [(12, 1000), (700,), (3, 2, 400)])
def test_sos_filtfilt_is_scipy_sosfiltfilt(order, cutoff, btype, padtype, padlen, shape):
    x = np.random.default_rng(0).normal(size=shape).cumsum(axis=-1)
    want = sps.sosfiltfilt(butter_sos(order, cutoff, btype, 500.0), x, axis=-1, padtype=padtype,
                           padlen=padlen)
    got = sos_filtfilt(order, cutoff, btype, 500.0, x, padtype=padtype, padlen=padlen)
    assert got.dtype == want.dtype and got.shape == want.shape
    assert np.array_equal(got, want)  # bit for bit


def test_sos_filtfilt_refuses_a_short_input_as_scipy_does():
    x = np.ones(5)
    with pytest.raises(ValueError):
        sps.sosfiltfilt(butter_sos(2, 0.5, "highpass", 500.0), x)
    with pytest.raises(ValueError):
        sos_filtfilt(2, 0.5, "highpass", 500.0, x)
