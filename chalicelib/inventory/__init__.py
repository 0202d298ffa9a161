"""Inventory: an organisation's catalogue, stock ledger, positions, purchase orders and forecasts."""
