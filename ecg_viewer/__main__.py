from ecg_viewer.cli import main

raise SystemExit(main())
