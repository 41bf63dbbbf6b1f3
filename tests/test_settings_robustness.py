"""A settings file the viewer did not write as it expects (QA 72): hand-edited, written by a
newer version, or holding values of the wrong type or out of range. Every getter of AppSettings
keeps what is valid field by field, falls back to the default for the rest with a warning that
names the file and the key, and never raises."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from PySide6.QtCore import QByteArray, QSettings

from ecg_viewer.app.settings import AppSettings
from ecg_viewer.signal.filters import FilterSettings
from ecg_viewer.signal.page import PageSettings

LOGGER = "ecg_viewer.app.settings"
DEFAULT_PAGE = PageSettings()
VALID_PAGE = {
    "layout": "6x2", "speed_mm_s": 50.0, "gain_limb_mm_mv": 20.0, "gain_chest_mm_mv": 5.0,
    "filters": {"highpass_hz": 0.05, "notch_hz": 50.0, "lowpass_hz": 150.0},
    "window_s": 10.0, "single_lead": "V2", "rhythm_lead": "V5",
}  # fmt: skip
VALID_EXPECTED = PageSettings(
    layout="6x2", speed_mm_s=50.0, gain_limb_mm_mv=20.0, gain_chest_mm_mv=5.0,
    filters=FilterSettings(0.05, 50.0, 150.0), window_s=10.0, single_lead="V2", rhythm_lead="V5",
)


@pytest.fixture
def conf(tmp_path: Path) -> Path:
    return tmp_path / "ecg-viewer.conf"


def stored(conf: Path, **values: object) -> AppSettings:
    """AppSettings reading a fresh QSettings ini file in which ``values`` were stored
    (``page__settings`` is the key ``page/settings``)."""
    q = QSettings(str(conf), QSettings.Format.IniFormat)
    for k, v in values.items():
        q.setValue(k.replace("__", "/"), v)
    q.sync()
    del q
    return AppSettings(QSettings(str(conf), QSettings.Format.IniFormat))


def written(conf: Path, text: str | bytes) -> AppSettings:
    """AppSettings reading an ini file written by hand as ``text``."""
    conf.write_bytes(text if isinstance(text, bytes) else text.encode())
    return AppSettings(QSettings(str(conf), QSettings.Format.IniFormat))


def warned(caplog: pytest.LogCaptureFixture, conf: Path, key: str) -> bool:
    """A warning names the settings file and ``key``."""
    return any(r.levelno == logging.WARNING and str(conf) in r.getMessage() and key in r.getMessage()
               for r in caplog.records if r.name == LOGGER)


def page(d: dict) -> str:
    return json.dumps(d)


# --- page settings ------------------------------------------------------------------------------
@pytest.mark.parametrize("raw", [
    "[1, 2, 3]", "5", '"3x4"', "null", "true", "{not json", "[" * 5000 + "]" * 5000,
])  # fmt: skip
def test_page_settings_of_the_wrong_json_type_give_the_defaults(conf, caplog, raw):
    s = stored(conf, page__settings=raw)
    caplog.set_level(logging.WARNING, LOGGER)
    assert s.page_settings() == DEFAULT_PAGE
    assert warned(caplog, conf, "page/settings")


def test_filters_given_as_a_list_keep_the_other_fields(conf, caplog):
    s = stored(conf, page__settings=page({"layout": "6x2", "speed_mm_s": 50.0,
                                          "filters": [0.05, 50, 150]}))
    caplog.set_level(logging.WARNING, LOGGER)
    p = s.page_settings()
    assert (p.layout, p.speed_mm_s, p.filters) == ("6x2", 50.0, FilterSettings())
    assert warned(caplog, conf, "filters")


def test_a_newer_versions_unknown_key_keeps_every_known_field(conf, caplog):
    s = stored(conf, page__settings=page({**VALID_PAGE, "grid_style": "dots"}))
    caplog.set_level(logging.WARNING, LOGGER)
    assert s.page_settings() == VALID_EXPECTED
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_the_qa_future_key_line_survives(conf):
    s = written(conf, r'''[page]
settings="{\"layout\": \"6x2\", \"speed_mm_s\": 50.0, \"gain_limb_mm_mv\": 20.0, \"gain_chest_mm_mv\": 20.0, \"filters\": {\"highpass_hz\": 0.05, \"notch_hz\": 50.0, \"lowpass_hz\": 150.0}, \"window_s\": 10.0, \"single_lead\": \"II\", \"rhythm_lead\": \"II\", \"grid_style\": \"dots\"}"
[ui]
language=en
[meta]
settings_version=99
''')
    assert s.page_settings() == PageSettings(
        layout="6x2", speed_mm_s=50.0, gain_limb_mm_mv=20.0, gain_chest_mm_mv=20.0,
        filters=FilterSettings.diagnostic(50.0))
    assert s.language() == "en"


@pytest.mark.parametrize(("bad", "field"), [
    ({"speed_mm_s": 1e6}, "speed_mm_s"), ({"speed_mm_s": float("nan")}, "speed_mm_s"),
    ({"speed_mm_s": -25.0}, "speed_mm_s"), ({"speed_mm_s": "fast"}, "speed_mm_s"),
    ({"speed_mm_s": True}, "speed_mm_s"), ({"speed_mm_s": 10 ** 400}, "speed_mm_s"),
    ({"gain_limb_mm_mv": 1e6}, "gain_limb_mm_mv"), ({"gain_limb_mm_mv": float("inf")}, "gain_limb_mm_mv"),
    ({"gain_chest_mm_mv": 1e-9}, "gain_chest_mm_mv"), ({"gain_chest_mm_mv": [10]}, "gain_chest_mm_mv"),
    ({"window_s": 1e9}, "window_s"), ({"window_s": 0}, "window_s"), ({"window_s": {}}, "window_s"),
    ({"layout": "5x5"}, "layout"), ({"layout": 3}, "layout"),
    ({"single_lead": "XYZ"}, "single_lead"), ({"rhythm_lead": ["II"]}, "rhythm_lead"),
])  # fmt: skip
def test_a_bad_field_falls_back_alone(conf, caplog, bad, field):
    s = stored(conf, page__settings=page({**VALID_PAGE, **bad}))
    caplog.set_level(logging.WARNING, LOGGER)
    p = s.page_settings()
    assert getattr(p, field) == getattr(DEFAULT_PAGE, field)
    others = [f for f in VALID_PAGE if f != field]
    assert [getattr(p, f) for f in others] == [getattr(VALID_EXPECTED, f) for f in others]
    assert warned(caplog, conf, field)


def test_the_qa_huge_gain_and_nan_lines_give_values_the_window_offers(conf):
    s = written(conf, r'''[page]
settings="{\"layout\": \"12x1\", \"speed_mm_s\": 1e6, \"gain_limb_mm_mv\": 1e6, \"gain_chest_mm_mv\": 1e-9, \"window_s\": 1e9}"
''')
    assert s.page_settings() == PageSettings(layout="12x1")
    s = written(conf, r'''[page]
settings="{\"layout\": \"1\", \"speed_mm_s\": NaN, \"gain_limb_mm_mv\": Infinity}"
''')
    assert s.page_settings() == PageSettings(layout="1")


@pytest.mark.parametrize(("filters", "expected", "field"), [
    ({"highpass_hz": 400.0, "notch_hz": 50.0, "lowpass_hz": 150.0},
     FilterSettings(None, 50.0, 150.0), "highpass_hz"),
    ({"highpass_hz": 0.05, "notch_hz": -50.0, "lowpass_hz": 150.0},
     FilterSettings(0.05, None, 150.0), "notch_hz"),
    ({"highpass_hz": 0.5, "notch_hz": 60.0, "lowpass_hz": 1e9},
     FilterSettings(0.5, 60.0, None), "lowpass_hz"),
    ({"highpass_hz": 0.05, "notch_hz": "hum", "lowpass_hz": 40},
     FilterSettings(0.05, None, 40.0), "notch_hz"),
])  # fmt: skip
def test_a_bad_filter_falls_back_alone(conf, caplog, filters, expected, field):
    s = stored(conf, page__settings=page({"layout": "6x2", "filters": filters}))
    caplog.set_level(logging.WARNING, LOGGER)
    p = s.page_settings()
    assert (p.layout, p.filters) == ("6x2", expected)
    assert warned(caplog, conf, field)


def test_filters_switched_off_in_any_stored_spelling_are_off_without_a_warning(conf, caplog):
    s = stored(conf, page__settings=page({"filters": {"highpass_hz": "off", "notch_hz": None,
                                                      "lowpass_hz": "None", "band": 3}}))
    caplog.set_level(logging.WARNING, LOGGER)
    assert s.page_settings().filters == FilterSettings()
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_page_settings_round_trip(conf, caplog):
    s = stored(conf)
    s.set_page_settings(VALID_EXPECTED)
    s.sync()
    caplog.set_level(logging.WARNING, LOGGER)
    assert AppSettings(QSettings(str(conf), QSettings.Format.IniFormat)).page_settings() \
        == VALID_EXPECTED
    assert stored(conf.with_name("empty.conf")).page_settings() == DEFAULT_PAGE
    assert not caplog.records


# --- recent files -------------------------------------------------------------------------------
@pytest.mark.parametrize("raw", ["5", '{"a": 1}', '"/a/b.hea"', "true", "[not json", 5])
def test_recent_files_of_the_wrong_type_are_empty(conf, caplog, raw):
    s = stored(conf, files__recent=raw)
    caplog.set_level(logging.WARNING, LOGGER)
    assert s.recent_files() == []
    assert warned(caplog, conf, "files/recent")
    assert s.add_recent_file("/x/y.hea") == ["/x/y.hea"]
    assert s.recent_files() == ["/x/y.hea"]


def test_recent_files_keep_the_paths_among_other_entries(conf, caplog):
    s = stored(conf, files__recent=json.dumps([1, None, "/a.hea", "", ["/b"], "/c.xml", "/a.hea"]))
    caplog.set_level(logging.WARNING, LOGGER)
    assert s.recent_files() == ["/a.hea", "/c.xml"]
    assert warned(caplog, conf, "files/recent")


def test_the_qa_recent_int_file_and_a_hand_written_list(conf):
    assert written(conf, "[files]\nrecent=5\n").recent_files() == []
    assert written(conf, "[files]\nrecent=/a.hea, /b.hea\n").recent_files() == ["/a.hea", "/b.hea"]


# --- screen scale, language, folder, window -----------------------------------------------------
@pytest.mark.parametrize("raw", ["-3", "0", "1e9", "0.5", "41", "nan", "inf", "abc", -3.0, True])
def test_a_screen_scale_the_dialog_does_not_offer_is_dropped(conf, caplog, raw):
    s = stored(conf, screen__px_per_mm=raw)
    caplog.set_level(logging.WARNING, LOGGER)
    assert s.px_per_mm() is None
    assert warned(caplog, conf, "screen/px_per_mm")


def test_a_valid_screen_scale_is_kept(conf):
    assert stored(conf, screen__px_per_mm="3.5").px_per_mm() == 3.5
    assert stored(conf.with_name("b.conf"), screen__px_per_mm=40.0).px_per_mm() == 40.0
    assert stored(conf.with_name("c.conf")).px_per_mm() is None


def test_other_values_of_the_wrong_type(conf, caplog):
    s = written(conf, "[ui]\nlanguage=fr\n[files]\nlast_dir=/a, /b\n[window]\n"
                      "geometry=notabytearray\nstate=@ByteArray(\\0\\0\\0\\xff)\nsplitter=1, 2\n"
                      "screen_class=huge\n")
    caplog.set_level(logging.WARNING, LOGGER)
    assert s.language() is None and s.last_dir() == "" and s.screen_class() is None
    assert s.geometry() is None and s.splitter() is None
    assert isinstance(s.window_state(), QByteArray)  # Qt itself refuses a state it cannot use
    for key in ("ui/language", "files/last_dir", "window/geometry", "window/splitter",
                "window/screen_class"):
        assert warned(caplog, conf, key), key
    s = stored(conf.with_name("b.conf"), ui__language=QByteArray(b"ja"))
    assert s.language() is None


QA_VARIANTS = {
    "binary": bytes(range(256)) * 3,
    "garbage": b"8b0rzq+hC0DJHhZLDO2HLV2Nq+iDXBNPDXKBe1173LVTedeAnPN1xABc0WMaGN6M7YZaA==\n",
    "page_list": '[page]\nsettings="[1, 2, 3]"\n',
    "filters_list": '[page]\nsettings="{\\"layout\\": \\"3x4\\", \\"filters\\": [0.05, 50, 150]}"\n',
    "recent_int": "[files]\nrecent=5\n",
    "recent_dict": '[files]\nrecent="{\\"a\\": 1}"\n',
    "px_zero": "[screen]\npx_per_mm=0\n",
    "unquoted": '[page]\nsettings={"layout": "6x2", "speed_mm_s": 50}\n'
                "[screen]\npx_per_mm=@Variant(\\0\\0\\0\\x7f\\0\\0\\0\\x0eQStandardItem\\0\\0\\0\\0)\n",
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(QA_VARIANTS))
def test_no_getter_raises_on_a_qa_variant(conf, name):
    s = written(conf, QA_VARIANTS[name])
    assert isinstance(s.page_settings(), PageSettings)
    assert s.recent_files() == []
    assert s.px_per_mm() is None
    assert s.language() is None and s.screen_class() is None and s.last_dir() == ""
    assert s.geometry() is None and s.window_state() is None and s.splitter() is None


def test_the_window_starts_on_a_foreign_settings_file(qtbot):
    """The app's own settings file (tests/conftest.py puts it in a temporary folder) holding the
    QA 72 values: the window opens with the defaults instead of stopping."""
    from ecg_viewer.gui.main_window import MainWindow

    path = Path(AppSettings().q.fileName())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('[page]\nsettings="[1, 2, 3]"\n[files]\nrecent=5\n[screen]\npx_per_mm=-3\n')
    w = MainWindow()
    qtbot.addWidget(w)
    assert w.state.settings == DEFAULT_PAGE
    assert w.app_settings.recent_files() == []
    assert w.view.px_per_mm_true > 0
    w.close()
