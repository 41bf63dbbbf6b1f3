"""The settings line under the traces stays on the paper (QA 71: at 12.5 mm/s the page is 150 mm
wide, and 「12.5 mm/s 肢誘導 5 mm/mV・胸部誘導 2.5 mm/mV フィルタ: なし（生波形） 0.0–10.0 秒 / 全
115.2 秒」 ran some 40 mm past its right edge)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecg_viewer.core.messages import set_language
from ecg_viewer.io import read_ecg
from ecg_viewer.signal.page import PageSettings, layout_page

pytestmark = pytest.mark.shared_data


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize(("speed", "limb", "chest"), [(12.5, 5.0, 2.5), (25.0, 10.0, 10.0),
                                                      (12.5, 10.0, 10.0)])
def test_the_settings_line_is_on_the_paper(qtbot, shared_data: Path, lang, speed, limb, chest):
    from ecg_viewer.gui.page_view import EcgPageView

    rec = read_ecg(shared_data / "cinc_extra" / "S0002.hea")  # PTB, 115 s: the window is named
    set_language(lang)
    try:
        view = EcgPageView()
        qtbot.addWidget(view)
        view.resize(900, 600)
        page = layout_page(rec, PageSettings(speed_mm_s=speed, gain_limb_mm_mv=limb,
                                             gain_chest_mm_mv=chest))
        assert page.can_scroll
        view.set_page(page, rec.signal_mv, rec.fs_hz)
        item = view.settings_text_item()
        box = item.mapRectToParent(item.boundingRect())
        assert box.left() >= 0 and box.right() <= page.width_mm - 1.0, (box, page.width_mm)
        assert box.bottom() <= page.height_mm, (box, page.height_mm)
        assert box.top() >= max(t.band_bottom_mm for t in page.traces) - 1.0
        text = item.text()
        assert ("秒" if lang == "ja" else " s") in text and f"{speed:g} mm/s" in text
        assert "115.2" in text  # the record's length, with the window shown
        assert box.height() / (text.count("\n") + 1) >= 2.5  # each line still legible
        if speed == 25.0 and limb == chest:  # room for one line: as before
            assert "\n" not in text
    finally:
        set_language("ja")
