"""Built-in output formats: `json` (the contract), `rich` (for people), and
for CI: `sarif` (code scanning), `github` (workflow annotations), `junit`.
Each is a `report(result, stream, options)` given through the same
`lora_lint_reporters` hook a plugin uses."""
