from console.gc_pause import hold

hold()  # before the imports: see console.gc_pause

from console.cli import main  # noqa: E402

raise SystemExit(main())
