"""The polls app: questions, their choices, and votes."""
