"""The rule-pack language: grammar loading, parsing into an AST, errors."""
