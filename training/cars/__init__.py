"""The cars valuation model's training: fit LightGBM on sold cars, export the trees as a JSON document
that `chalicelib.cars.rules.valuation` evaluates in pure Python."""
