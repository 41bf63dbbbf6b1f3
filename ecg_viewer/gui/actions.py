"""Menus, toolbar and keyboard shortcuts of the main window, built from tables.

Each action remembers its message key, so switching the language only re-reads the table.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMenu, QMenuBar, QToolBar, QWidget

from ecg_viewer.core.leads import CANONICAL_LEADS
from ecg_viewer.core.messages import tr
from ecg_viewer.gui.view_image import save_view_dialog
from ecg_viewer.signal.filters import HIGHPASS_CHOICES_HZ, LOWPASS_CHOICES_HZ, NOTCH_CHOICES_HZ
from ecg_viewer.signal.page import GAINS_MM_MV, LAYOUTS, SPEEDS_MM_S


class ActionSet:
    """All actions of the window, by name (``actions["layout:3x4"]``)."""

    def __init__(self, parent: QWidget) -> None:
        self.parent = parent
        self.actions: dict[str, QAction] = {}
        self.groups: dict[str, QActionGroup] = {}
        self._keys: dict[str, tuple[str, dict[str, object]]] = {}
        self._short: dict[str, str] = {}  # action name -> message key of its toolbar label
        self.menus: list[tuple[QMenu, str]] = []

    def add(self, name: str, key: str | None, slot: Callable[[], object], shortcut: str | None = None,
            checkable: bool = False, group: str | None = None, text: str | None = None) -> QAction:
        a = QAction(self.parent)
        a.setObjectName(name)
        if key:
            self._keys[name] = (key, {})
        a.setText(tr(key) if key else (text or name))
        if shortcut:
            a.setShortcut(QKeySequence(shortcut))
        a.setCheckable(checkable)
        if group:
            g = self.groups.setdefault(group, QActionGroup(self.parent))
            g.setExclusive(True)
            g.addAction(a)
        a.triggered.connect(lambda _checked=False: slot())
        self.parent.addAction(a)  # shortcuts work even when the action is only in a menu
        self.actions[name] = a
        return a

    def rekey(self, name: str, key: str, **params: object) -> None:
        """The action ``name`` reads message ``key`` (with ``params``) from now on, in this
        language and after a switch; its toolbar tooltip too."""
        self._keys[name] = (key, params)
        self.actions[name].setText(tr(key, **params))
        if name in self._short:
            self.actions[name].setToolTip(self.actions[name].text())

    def menu(self, bar: QMenuBar | QMenu, key: str) -> QMenu:
        m = bar.addMenu(tr(key))
        self.menus.append((m, key))
        return m

    def menu_of(self, key: str) -> QMenu:
        """The menu built with message key ``key`` (e.g. "ui.menu.file")."""
        return next(m for m, k in self.menus if k == key)

    def insert(self, menu_key: str, action: QAction, before: str | None = None) -> None:
        """Put ``action`` into the menu ``menu_key``, before the action named ``before`` (at the
        end when None)."""
        menu = self.menu_of(menu_key)
        anchor = self.actions.get(before) if before else None
        menu.insertAction(anchor, action) if anchor is not None else menu.addAction(action)

    def set_short(self, name: str, key: str) -> None:
        """A short label for the toolbar button (the menu keeps the full text)."""
        self._short[name] = key
        self.actions[name].setIconText(tr(key))
        self.actions[name].setToolTip(self.actions[name].text())

    def retranslate(self) -> None:
        for name, (key, params) in self._keys.items():
            self.actions[name].setText(tr(key, **params))
        for name, key in self._short.items():
            self.actions[name].setIconText(tr(key))
            self.actions[name].setToolTip(self.actions[name].text())
        for m, key in self.menus:
            m.setTitle(tr(key))

    def __getitem__(self, name: str) -> QAction:
        return self.actions[name]


def build_actions(win) -> ActionSet:  # win: MainWindow (no import cycle)
    c = win.controller
    s = ActionSet(win)
    s.add("open", "ui.action.open", win.open_dialog, "Ctrl+O")
    # with a worklist open the worklist's reading order, as K / J (QA 72: the folder's next file
    # alphabetically, past the urgent cases); else the open file's folder (ReadingDesk.step)
    s.add("prev", "ui.action.prev", lambda: win.reading_desk.step(-1), "PgUp")
    s.add("next", "ui.action.next", lambda: win.reading_desk.step(+1), "PgDown")
    s.add("export_view", "ui.action.export_view", lambda: save_view_dialog(win), "Ctrl+E")
    s.add("quit", "ui.action.quit", win.close, "Ctrl+Q")
    s.add("clear_recent", "ui.action.clear_recent", win.clear_recent)
    for i, layout in enumerate(LAYOUTS):
        s.add(f"layout:{layout}", f"ui.layout.{layout}", lambda v=layout: c.set_layout(v),
              str(i + 1), checkable=True, group="layout")
    for lead in CANONICAL_LEADS:
        s.add(f"lead:{lead}", None, lambda v=lead: c.set_single_lead(v), text=lead, checkable=True,
              group="lead")
    for v in SPEEDS_MM_S:
        s.add(f"speed:{v:g}", None, lambda v=v: c.set_speed(v), text=f"{v:g} mm/s", checkable=True,
              group="speed")
    s.add("speed:cycle", "ui.action.speed_cycle", c.cycle_speed, "S")
    for which in ("both", "limb", "chest"):
        for v in GAINS_MM_MV:
            s.add(f"gain:{which}:{v:g}", None, lambda v=v, w=which: c.set_gain(v, w),
                  text=f"{v:g} mm/mV", checkable=True, group=f"gain:{which}")
    s.add("gain:up", "ui.action.gain_up", lambda: c.step_gain(+1), "G")
    s.add("gain:down", "ui.action.gain_down", lambda: c.step_gain(-1), "Shift+G")
    for kind, choices in (("highpass", HIGHPASS_CHOICES_HZ), ("notch", NOTCH_CHOICES_HZ),
                          ("lowpass", LOWPASS_CHOICES_HZ)):
        s.add(f"{kind}:off", "ui.filter.off", lambda k=kind: c.set_filter(k, None), checkable=True,
              group=kind)
        for v in choices:
            s.add(f"{kind}:{v:g}", None, lambda k=kind, v=v: c.set_filter(k, v), text=f"{v:g} Hz",
                  checkable=True, group=kind)
    s.add("toggle:highpass", "ui.filter.highpass", lambda: win.toggle_filter("highpass"), "B",
          checkable=True)
    s.add("toggle:notch", "ui.filter.notch", lambda: win.toggle_filter("notch"), "N", checkable=True)
    s.add("toggle:lowpass", "ui.filter.lowpass", lambda: win.toggle_filter("lowpass"), "L",
          checkable=True)
    s.add("raw", "ui.action.raw", win.toggle_raw, "R", checkable=True)
    s.add("diagnostic", "ui.action.diagnostic", win.diagnostic_filters, "D")
    s.add("caliper:time", "ui.action.caliper_time", lambda: win.set_caliper_mode("time"), "T",
          checkable=True)
    s.add("caliper:amplitude", "ui.action.caliper_amp", lambda: win.set_caliper_mode("amplitude"),
          "A", checkable=True)
    s.add("caliper:clear", "ui.action.caliper_clear", c.clear_calipers, "Delete")
    s.add("zoom_in", "ui.action.zoom_in", lambda: win.view.zoom_by(1.25), "Ctrl++")
    s.add("zoom_out", "ui.action.zoom_out", lambda: win.view.zoom_by(0.8), "Ctrl+-")
    s.add("actual_size", "ui.action.actual_size", win.view.actual_size, "Ctrl+0")
    s.add("fit_page", "ui.action.fit_page", win.view.fit_page, "Ctrl+9")
    s.add("scroll_fwd", "ui.action.scroll_fwd", lambda: c.scroll(+0.5), "Right")
    s.add("scroll_back", "ui.action.scroll_back", lambda: c.scroll(-0.5), "Left")
    # a long record's first and last window (QA 43: the sixth hour took the scroll bar)
    s.add("scroll_start", "ui.action.scroll_start", lambda: c.scroll(-1e12), "Home")
    s.add("scroll_end", "ui.action.scroll_end", lambda: c.scroll(+1e12), "End")
    s.add("screen_scale", "ui.action.screen_scale", win.scale_dialog)
    s.add("shortcuts", "ui.action.shortcuts", win.show_shortcuts, "F1")
    s.add("about", "ui.action.about", win.show_about)
    s.add("lang:ja", None, lambda: win.set_language("ja"), text="日本語", checkable=True, group="lang")
    s.add("lang:en", None, lambda: win.set_language("en"), text="English", checkable=True, group="lang")
    s.add("escape", "ui.action.escape", win.escape, "Esc")
    s.add("reading_mode", "desk.action.reading_mode", lambda: win.reading_mode.toggle(), "F11",
          checkable=True)
    s.add("fit_screen", "desk.action.fit_screen", lambda: win.fit_to_screen())
    shorts = {
        "open": "open", "prev": "prev", "next": "next",
        **{f"layout:{v}": f"layout.{v}" for v in LAYOUTS},
        "toggle:highpass": "highpass", "toggle:notch": "notch", "toggle:lowpass": "lowpass",
        "raw": "raw", "caliper:time": "caliper_time", "caliper:amplitude": "caliper_amp",
        "caliper:clear": "caliper_clear", "actual_size": "actual_size", "fit_page": "fit_page",
    }  # fmt: skip
    for name, key in shorts.items():
        s.set_short(name, f"ui.short.{key}")
    return s


def build_menus(win, s: ActionSet) -> QMenu:
    """Fill the menu bar; returns the recent-files menu (filled by the window)."""
    bar = win.menuBar()
    f = s.menu(bar, "ui.menu.file")
    for n in ("open", "prev", "next"):
        f.addAction(s[n])
    recent = s.menu(f, "ui.menu.recent")
    f.addSeparator()
    f.addAction(s["export_view"])
    f.addSeparator()
    f.addAction(s["quit"])
    v = s.menu(bar, "ui.menu.view")
    m = s.menu(v, "ui.menu.layout")
    for layout in LAYOUTS:
        m.addAction(s[f"layout:{layout}"])
    m = s.menu(v, "ui.menu.single_lead")
    for lead in CANONICAL_LEADS:
        m.addAction(s[f"lead:{lead}"])
    m = s.menu(v, "ui.menu.speed")
    for sp in SPEEDS_MM_S:
        m.addAction(s[f"speed:{sp:g}"])
    for which, key in (("both", "ui.menu.gain"), ("limb", "ui.menu.gain_limb"),
                       ("chest", "ui.menu.gain_chest")):
        m = s.menu(v, key)
        for g in GAINS_MM_MV:
            m.addAction(s[f"gain:{which}:{g:g}"])
    v.addSeparator()
    for n in ("zoom_in", "zoom_out", "actual_size", "fit_page", "scroll_back", "scroll_fwd"):
        v.addAction(s[n])
    v.addSeparator()
    v.addAction(s["reading_mode"])
    v.addAction(s["fit_screen"])
    fl = s.menu(bar, "ui.menu.filters")
    for kind, key, choices in (("highpass", "ui.filter.highpass", HIGHPASS_CHOICES_HZ),
                               ("notch", "ui.filter.notch", NOTCH_CHOICES_HZ),
                               ("lowpass", "ui.filter.lowpass", LOWPASS_CHOICES_HZ)):
        m = s.menu(fl, key)
        m.addAction(s[f"{kind}:off"])
        for val in choices:
            m.addAction(s[f"{kind}:{val:g}"])
    fl.addSeparator()
    fl.addAction(s["diagnostic"])
    fl.addAction(s["raw"])
    t = s.menu(bar, "ui.menu.tools")
    for n in ("caliper:time", "caliper:amplitude", "caliper:clear"):
        t.addAction(s[n])
    t.addSeparator()
    t.addAction(s["screen_scale"])
    lang = s.menu(bar, "ui.menu.language")
    lang.addAction(s["lang:ja"])
    lang.addAction(s["lang:en"])
    h = s.menu(bar, "ui.menu.help")
    h.addAction(s["shortcuts"])
    h.addSeparator()
    h.addAction(s["about"])
    return recent


def build_toolbar(win, s: ActionSet) -> QToolBar:
    tb = QToolBar("main", win)
    tb.setObjectName("main_toolbar")
    for n in ("open", "prev", "next"):
        tb.addAction(s[n])
    tb.addSeparator()
    for layout in LAYOUTS:
        tb.addAction(s[f"layout:{layout}"])
    tb.addSeparator()
    for n in ("toggle:highpass", "toggle:notch", "toggle:lowpass", "raw"):
        tb.addAction(s[n])
    tb.addSeparator()
    for n in ("caliper:time", "caliper:amplitude", "caliper:clear"):
        tb.addAction(s[n])
    tb.addSeparator()
    for n in ("actual_size", "fit_page"):
        tb.addAction(s[n])
    win.addToolBar(tb)
    return tb
