"""Sub-commands of the ``ecg-viewer`` command line, one module each (see ecg_viewer.cli)."""
