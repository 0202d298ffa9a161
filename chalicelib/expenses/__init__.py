"""Expenses: transactions, budgets, categories; rollups and budget alerts from the stream."""
