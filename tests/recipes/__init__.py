"""The code of docs/recipes.md, which includes it from here; tests/test_recipes.py runs it."""
