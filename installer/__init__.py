"""Helpers of ``build_installer.py`` (the PyInstaller bundle); not part of the application."""
