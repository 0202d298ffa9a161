"""The shop's pure rules: orders (statuses, expiry, totals, emails) and the payment webhook's
signature (`payments`). No boto3, no clock, no settings: everything comes in as arguments."""
