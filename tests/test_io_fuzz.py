"""Property-based: random bytes and mutated real files only ever raise the domain error."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecg_viewer.core.errors import EcgReadError
from ecg_viewer.io import read_ecg, supported_extensions

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _read_or_domain_error(path: Path) -> None:
    try:
        rec = read_ecg(path)
    except EcgReadError:
        return
    # whatever opens must be a whole, finite record
    assert rec.n_samples > 0 and rec.fs_hz > 0


@FUZZ
@given(data=st.binary(min_size=0, max_size=4096), ext=st.sampled_from(supported_extensions() + [".bin"]))
def test_random_bytes(data: bytes, ext: str):
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / f"f{ext}"
        p.write_bytes(data)
        _read_or_domain_error(p)


SAMPLE_DIR = Path(__file__).resolve().parents[1] / "resources" / "samples"


@FUZZ
@given(
    which=st.sampled_from(["00009_hr", "E07509"]),
    part=st.sampled_from(["hea", "data"]),
    pos=st.floats(0, 1),
    cut=st.booleans(),
    junk=st.binary(min_size=1, max_size=64),
)
def test_mutated_wfdb_samples(which: str, part: str, pos: float, cut: bool, junk: bytes):
    with tempfile.TemporaryDirectory() as d:
        for f in SAMPLE_DIR.glob(which + ".*"):
            shutil.copy(f, Path(d) / f.name)
            (Path(d) / f.name).chmod(0o644)
        target = Path(d) / (which + ".hea") if part == "hea" else next(
            p for p in Path(d).iterdir() if p.suffix in (".dat", ".mat"))
        raw = target.read_bytes()
        i = int(pos * len(raw))
        target.write_bytes(raw[:i] if cut else raw[:i] + junk + raw[i + len(junk):])
        _read_or_domain_error(Path(d) / (which + ".hea"))
