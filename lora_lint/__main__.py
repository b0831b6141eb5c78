"""`python -m lora_lint`."""
from .cli import main

raise SystemExit(main())
