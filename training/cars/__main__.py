"""`python -m training.cars starter [--out PATH] [--trained-at YYYY-MM-DD]`: train the starter model on
the public data set (training/cars/starter.py) and write its document where the API reads it."""
from __future__ import annotations

import argparse
import json
import pathlib
from datetime import date

from . import fit, starter

ROOT = pathlib.Path(__file__).resolve().parents[2]
STARTER = ROOT / "chalicelib" / "cars" / "starter_model.json"


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m training.cars")
    parser.add_argument("model", choices=["starter"])
    parser.add_argument("--out", type=pathlib.Path, default=STARTER)
    parser.add_argument("--trained-at", default=date.today().isoformat())
    args = parser.parse_args()
    priced_on = date(2005, 12, 31)
    sales = [(car, price, priced_on) for car, price in starter.load_cars()]
    document = fit.train(sales, starter.FEATURES, version="starter-1", trained_at=args.trained_at,
                         currency=starter.CURRENCY, source=starter.SOURCE)
    args.out.write_text(json.dumps(document, separators=(",", ":")) + "\n")
    print(f"{args.out}: {len(document['trees'])} trees, {args.out.stat().st_size / 1000:.0f} kB, "
          f"band {document['band']}")


if __name__ == "__main__":
    main()
