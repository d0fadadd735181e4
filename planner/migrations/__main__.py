from planner.migrations import _main

raise SystemExit(_main())
