"""Serial comparison with the patient's prior ECG (Qt-free, torch-free).

- :mod:`~ecg_viewer.compare.prior`: find the patient's earlier ECGs (patient ID and acquisition
  time from the files' metadata; same folder and the files the review database knows).
- :mod:`~ecg_viewer.compare.diff`: the comparison of two analyses (measurement changes with
  clinical thresholds, findings new since the prior ECG and findings that resolved).
- :mod:`~ecg_viewer.compare.referral`: the referral flag raised by what is new.
- :mod:`~ecg_viewer.compare.rules`: the thresholds, as data (``resources/compare/``).
"""
