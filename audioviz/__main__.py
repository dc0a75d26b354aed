from audioviz.cli import main

raise SystemExit(main())
