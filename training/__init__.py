"""Model training jobs: never shipped in the API Lambda (Chalice bundles only app.py, chalicelib/ and
vendor/), each with its own requirements file (docs/cars.md, "Where training runs")."""
