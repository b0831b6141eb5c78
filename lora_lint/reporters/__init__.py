"""Built-in output formats: `json` (the contract) and `rich` (for people)."""
