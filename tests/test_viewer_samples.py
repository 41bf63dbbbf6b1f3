"""Every development sample file that read_ecg opens is drawn by the page view in every layout."""

from __future__ import annotations

from ecg_viewer.core.errors import EcgReadError
from ecg_viewer.io import read_ecg
from ecg_viewer.pipeline.files import find_ecg_files as folder_files


def test_every_readable_sample_file_is_drawn_in_every_layout(qtbot, bundled_samples, samples):
    """Every file of the development samples that read_ecg opens (the readers grow while other
    parts are written: whatever opens must draw)."""
    from ecg_viewer.gui.page_view import EcgPageView
    from ecg_viewer.signal.page import LAYOUTS, PageSettings, layout_page

    view = EcgPageView()
    qtbot.addWidget(view)
    opened = 0
    for folder in [bundled_samples] + sorted(p for p in samples.iterdir() if p.is_dir()):
        for f in folder_files(folder):
            try:
                rec = read_ecg(f)
            except EcgReadError:
                continue
            opened += 1
            for layout in LAYOUTS:
                page = layout_page(rec, PageSettings(layout=layout))
                view.set_page(page, rec.signal_mv, rec.fs_hz)
                shown = [len(item.getOriginalDataset()[0] if item.getOriginalDataset()[0] is not None else [])
                         for item in view.trace_items()]
                expected = [t.i1 - t.i0 if t.available else 0 for t in page.traces]
                assert shown == expected, (f.name, layout)
                assert any(expected), (f.name, layout)
    assert opened >= 10
