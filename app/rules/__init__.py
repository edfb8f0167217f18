"""Pure business rules: no Flask, no SQLAlchemy (STYLE.md rule 1)."""
