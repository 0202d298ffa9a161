"""The app's stream, schedule and trigger functions, in one table that app.py registers
(core.handlers.register), as it mounts the routes from route_table.py.

A function's name is its Lambda function's name: infra/ (its stream wiring, alarms, log groups) and
the local stack's workers find it by that name; keep names, streams and batch sizes as they are.
Each runs `"module:function"`, imported on the function's first invocation (not by `import app`).
A stream function's target returns the partial batch response (core.streams.process_batch); infra/
sets ReportBatchItemFailures, retries, bisect and the failure queue on every stream function here.
"""
from __future__ import annotations

from chalice import Cron, Rate

from .core.handlers import Handler, Job, Stream, Trigger

HANDLERS: tuple[Handler, ...] = (
    # ---- Cognito: the user pool's post-confirmation and post-authentication trigger (wired in CDK).
    Trigger("on_user_confirmed", "chalicelib.core.profiles:on_cognito_trigger",
            "Every user has a profile: made when Cognito confirms them or, for users made by an administrator "
            "or a federated sign-in (no confirmation trigger runs for them), when they first sign in."),
    # ---- stream functions
    Stream("on_expenses_stream", "expenses", "chalicelib.expenses.reactions:handle_expenses_batch",
           "Rollups, budget crossings and chart publishing for a batch of transaction changes."),
    Stream("on_outbox_stream", "outbox", "chalicelib.core.mailer:handle_outbox_batch",
           "Sends each new alert email once.", batch_size=25),
    Stream("on_inventory_stream", "inventory", "chalicelib.inventory.reactions:handle_inventory_batch",
           "Sales, stock-value and demand rollups; low-stock, stock-out and overstock alerts; backorder emails; "
           "charts."),
    Stream("on_helpdesk_stream", "helpdesk", "chalicelib.helpdesk.reactions:handle_helpdesk_batch",
           "The help desk's emails: the customer's on every public update, the agent's on assignment."),
    Stream("on_shop_stream", "shop", "chalicelib.shop.reactions:handle_shop_batch",
           "The shop's customer emails: one on every order status."),
    Stream("on_cars_stream", "cars", "chalicelib.cars.reactions:handle_cars_batch",
           "The public listing's shards, price index, days on lot and demand rollups and chart, the aging-stock "
           "work list and saved-search emails."),
    # shop channels (issue 13 item 4): each channel's available-to-sell feed, from both streams it depends on.
    Stream("on_channel_stock", "inventory", "chalicelib.shop.reactions:handle_channel_batch",
           "Stock moved (positions, products): each touched channel's feed and stock webhook, once per batch."),
    Stream("on_channel_settings", "shop", "chalicelib.shop.reactions:handle_channel_batch",
           "A channel or a listing changed: the channels' feeds and stock webhooks, once per batch."),
    Job("retry_channel_webhooks", Rate(5, unit=Rate.MINUTES), "chalicelib.shop.jobs:retry_channel_pushes",
        "Every 5 minutes: a channel's stock webhook that failed is sent again, until it is delivered."),
    # help desk mail (issue 11 item 4): SES ids of sent emails, and received emails.
    Stream("on_helpdesk_mail_sent", "outbox", "chalicelib.helpdesk.reactions:handle_mail_sent_batch",
           "Records the Message-ID SES gave each sent help desk email, so a reply naming it finds its ticket."),
    Trigger("on_inbound_mail", "chalicelib.helpdesk.reactions:handle_inbound_mail",
            "S3 object-created events of `inbound/` (SES receiving stores each email there; CDK wires the "
            "notification, the local stack's mail worker sends the same event): replies land in their tickets."),
    # ---- schedules
    Job("retry_outbox", Rate(5, unit=Rate.MINUTES), "chalicelib.core.mailer:retry_due_messages",
        "Sends alert emails whose first attempt failed or whose sender died mid-send."),
    Job("materialize_recurring", Rate(1, unit=Rate.HOURS), "chalicelib.expenses.jobs:materialize_due",
        "Records each due occurrence of recurring expenses and income once, catching up after downtime."),
    Job("pace_warning", Cron(0, 17, "*", "*", "?", "*"), "chalicelib.expenses.jobs:pace_warnings",
        "Daily: warns once per budget and month when this month's pace passes the budget before its end."),
    Job("monthly_digest", Rate(1, unit=Rate.HOURS), "chalicelib.expenses.jobs:monthly_digests",
        "Hourly around the turn of a month: each person's digest on their 1st, once."),
    Job("month_end_close", Rate(1, unit=Rate.HOURS), "chalicelib.expenses.jobs:close_months",
        "Hourly around the turn of a month: rollover budgets carry their surplus or overspend, once."),
    Job("reorder", Cron(0, 5, "*", "*", "?", "*"), "chalicelib.inventory.jobs:draft_reorders",
        "Daily: what is below its reorder point becomes one draft purchase order per supplier and location."),
    Job("forecast_demand", Rate(1, unit=Rate.HOURS), "chalicelib.inventory.jobs:forecast_positions",
        "Hourly: each product × location's demand forecast, days of cover and suggested reorder point, "
        "refreshed once a day, within the function's remaining time.", within_remaining_time=True),
    Job("close_solved", Rate(1, unit=Rate.HOURS), "chalicelib.helpdesk.jobs:close_solved_tickets",
        "Hourly: help desk tickets solved four days ago and not answered since are closed."),
    Job("booking_reminders", Rate(15, unit=Rate.MINUTES), "chalicelib.cars.jobs:send_booking_reminders",
        "Every 15 minutes: a test drive's or service appointment's reminder, a day before it, once."),
    Job("expire_shop_orders", Rate(1, unit=Rate.MINUTES), "chalicelib.shop.jobs:expire_unpaid_orders",
        "Every minute: an unpaid shop order whose reservation time is up is cancelled and its stock released, "
        "once."),
    Job("shop_promotion_edges", Rate(1, unit=Rate.MINUTES), "chalicelib.shop.jobs:promotion_edges",
        "Every minute: a shop promotion that started or ended moves on, and its storefront's prices are "
        "republished."),
    Job("aging_stock", Cron(0, 6, "*", "*", "?", "*"), "chalicelib.cars.jobs:aging_stock",
        "Daily: the dealer's aging-stock emails (N days on the lot, or the estimate well below the asking "
        "price), once per car and rule."),
    Job("sla_sweep", Rate(5, unit=Rate.MINUTES), "chalicelib.helpdesk.jobs:sweep_sla",
        "Every 5 minutes: help desk SLA warnings (80%) and breaches (100%), each emailed once."),
    # ---- texts and new-product news (issue 13 items 6 and 7)
    Trigger("on_inbound_sms", "chalicelib.shop.reactions:handle_inbound_sms",
            "Texts received on the origination number: End User Messaging's two-way SMS publishes each to an "
            "SNS topic that invokes this function (CDK wires it; locally `make sms-in`). STOP opts out, START "
            "back in; anything else is an inquiry (a help desk ticket, else the shop's)."),
    Job("announce_launches", Cron(0, 8, "*", "*", "?", "*"), "chalicelib.shop.jobs:announce_launches",
        "Daily 08:00 UTC: each follower's one message of the day's product launches (a digest), once."),
    Job("notify_restocked", Rate(5, unit=Rate.MINUTES), "chalicelib.shop.jobs:notify_restocked",
        "Every 5 minutes: \"notify me\" requests of products back in stock, one message each, once."),
)
