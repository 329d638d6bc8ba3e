from iot_ingestor.cli import main

raise SystemExit(main())
