"""`ecg-viewer render`: PNGs of each layout for two sample files, an SVG, bad arguments.

Set ECG_VIEWER_RENDER_DIR to keep the PNGs for looking at them."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtGui import QImage

from ecg_viewer.cli import main
from ecg_viewer.commands.render import parse_filters
from ecg_viewer.io import read_ecg
from ecg_viewer.signal.filters import FilterSettings
from ecg_viewer.signal.page import PageSettings, layout_page

LAYOUTS = ("3x4", "6x2", "12x1", "1")


def _files(bundled_samples: Path) -> list[Path]:
    files = [bundled_samples / "00017_hr.hea"]
    shared = Path(os.environ.get("ECG_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))
    muse = shared / "samples" / "philips_xml" / "129DYPRG.xml"
    try:
        read_ecg(muse)
        files.append(muse)
    except Exception:  # reader not in this build, or data absent: the second bundled record
        files.append(bundled_samples / "E07505.hea")
    return files


def _dark_fraction(img: QImage) -> float:
    img = img.convertToFormat(QImage.Format.Format_Grayscale8)
    arr = np.frombuffer(img.constBits(), dtype=np.uint8).reshape(img.height(), img.bytesPerLine())
    return float((arr[:, : img.width()] < 80).mean())


def _grid_fraction(img: QImage) -> float:
    """Share of pink/red grid-line pixels (red high, green and blue clearly lower)."""
    img = img.convertToFormat(QImage.Format.Format_RGB888)
    arr = np.frombuffer(img.constBits(), dtype=np.uint8).reshape(img.height(), img.bytesPerLine())
    rgb = arr[:, : img.width() * 3].reshape(img.height(), img.width(), 3).astype(int)
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    return float(((r > 200) & (g < 225) & (r - g > 30) & (b < 235)).mean())


@pytest.mark.parametrize("layout", LAYOUTS)
def test_render_png_of_each_layout_for_two_files(layout, bundled_samples, tmp_path, capsys):
    keep = os.environ.get("ECG_VIEWER_RENDER_DIR")
    for f in _files(bundled_samples):
        out = tmp_path / f"{f.stem}_{layout}.png"
        rc = main(["render", str(f), "--layout", layout, "--speed", "25", "--gain", "10",
                   "--filter", "hp0.05,notch50,lp150", "--dpi", "150", "--out", str(out)])
        assert rc == 0, capsys.readouterr().err
        img = QImage(str(out))
        page = layout_page(read_ecg(f), PageSettings(layout=layout))
        # the image is the page at 150 dpi: true size when printed
        assert img.width() == round(page.width_mm * 150 / 25.4)
        assert img.height() == round(page.height_mm * 150 / 25.4)
        assert abs(img.dotsPerMeterX() - 150 / 0.0254) < 2
        # paper-pink background with black traces on it
        assert 0.002 < _dark_fraction(img) < 0.2
        assert _grid_fraction(img) > 0.05
        if keep:
            Path(keep).mkdir(parents=True, exist_ok=True)
            shutil.copy(out, Path(keep) / out.name)
    assert "書き出しました" in capsys.readouterr().out


def test_render_svg_and_bad_arguments(bundled_samples, tmp_path, capsys):
    out = tmp_path / "page.svg"
    assert main(["render", str(bundled_samples / "00009_hr.hea"), "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert text.startswith("<?xml") and "<svg" in text and "25 mm/s" in text
    assert main(["render", str(bundled_samples / "00009_hr.hea"), "--out", str(tmp_path / "x.jpg")]) == 2
    assert main(["render", str(bundled_samples / "00009_hr.hea"), "--filter", "lp33",
                 "--out", str(tmp_path / "x.png")]) == 2
    bad = tmp_path / "bad.hea"
    bad.write_text("garbage")
    assert main(["render", str(bad), "--out", str(tmp_path / "y.png")]) == 1
    err = capsys.readouterr().err
    assert "bad.hea" in err and not (tmp_path / "y.png").exists()


def test_parse_filters():
    assert parse_filters(["diagnostic"]) == FilterSettings(0.05, 50.0, 150.0)
    assert parse_filters(["hp0.5", "notch60,lp40"]) == FilterSettings(0.5, 60.0, 40.0)
    assert parse_filters(["diagnostic", "none"]) == FilterSettings()


def _gray(path: Path) -> np.ndarray:
    img = QImage(str(path)).convertToFormat(QImage.Format.Format_Grayscale8)
    arr = np.frombuffer(img.constBits(), dtype=np.uint8).reshape(img.height(), img.bytesPerLine())
    return arr[:, : img.width()].astype(int)


def test_render_filters_only_the_page_span_of_a_long_record(samples, tmp_path, capsys):
    """A 30-min MIT-BIH record: only the page plus the settling pad is filtered (bounded memory),
    and the page looks as when the whole record is filtered."""
    from ecg_viewer.app.state import SEGMENT_PAD_S, FilteredSegment
    from ecg_viewer.commands.render import page_signal
    from ecg_viewer.gui.export import export_page
    from ecg_viewer.signal.filters import apply_filters

    rec = read_ecg(samples / "wfdb" / "100.hea")
    filters = parse_filters(["diagnostic"])
    settings = PageSettings(layout="1", single_lead="MLII", filters=filters, start_s=900.0)
    page = layout_page(rec, settings)
    sig = page_signal(rec, page, filters)
    assert isinstance(sig, FilteredSegment)
    assert sig.data.shape[1] <= (page.window_s + 2 * SEGMENT_PAD_S) * rec.fs_hz + 2
    assert sig.data.shape[1] < rec.n_samples / 10
    whole = apply_filters(rec.signal_mv, rec.fs_hz, filters)
    for tp in page.traces:  # the pad lets the zero-phase filters settle: same values (µV)
        assert np.abs(sig[tp.row_index, tp.i0:tp.i1] - whole[tp.row_index, tp.i0:tp.i1]).max() < 1e-3
    out = tmp_path / "span.png"
    assert main(["render", str(samples / "wfdb" / "100.hea"), "--layout", "1", "--lead", "MLII",
                 "--filter", "diagnostic", "--start", "900", "--dpi", "100", "--out", str(out)]) == 0
    ref = tmp_path / "whole.png"
    export_page(page, whole, rec.fs_hz, ref, dpi=100)
    a, b = _gray(out), _gray(ref)
    assert a.shape == b.shape
    assert (np.abs(a - b) > 40).mean() < 1e-3  # same trace: at most a few anti-aliased pixels
    # a short record is still filtered whole: exactly the window's signal
    short = read_ecg(samples / "wfdb_ptbxl" / "00001_hr.hea")
    s_page = layout_page(short, PageSettings(filters=filters))
    np.testing.assert_array_equal(page_signal(short, s_page, filters),
                                  apply_filters(short.signal_mv, short.fs_hz, filters))
    capsys.readouterr()
