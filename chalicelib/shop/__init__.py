"""The shop: the customer side of an organisation (issue 13): a storefront, orders and their stock."""
