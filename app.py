"""Tally: build the Chalice app, register each module's blueprint, stream handlers and schedules.

Every function of the app imports this file on a cold start, so the routes are mounted from the
route table (each module imported by the first request to it) and the stream, schedule and trigger
handlers import their module inside the handler: an API cold start does not load the outbox mailer
(and the email package), the stream reactions or the jobs, and each function loads only what it runs.
"""
from typing import Any

from chalice import Chalice, Cron, Rate, Response
from chalice.app import CloudWatchEvent, DynamoDBEvent

from chalicelib.core import observability, web
from chalicelib.core.schemas import HealthOut
from chalicelib.core.settings import get_settings
from chalicelib.route_table import ROUTES

settings = get_settings()
app = Chalice(app_name="tally", configure_logs=False)
app.api.binary_types = []

web.install(app)
observability.install(app)

# Each module's routes, from the route table (`make routes`): a module is imported by the first request
# to one of its routes, so a cold start loads only the module it answers for (core.web.mount).
for module, table in ROUTES.items():
    web.mount(app, module, table)


@web.route(app, "/health", public=True, response=HealthOut)
def health(req: web.Req) -> HealthOut:
    """Liveness: answers without touching AWS."""
    return HealthOut(status="ok")


@web.route(app, "/openapi.json", public=True,
           response=web.Media("application/json", "This API's OpenAPI 3.1 document", (("type", "object"),)))
def openapi(req: web.Req) -> Response:
    """This API's OpenAPI document, generated from its request and response models."""
    from chalicelib.core.openapi import openapi_document

    return web.json_response(openapi_document())


# ---- Cognito: the user pool's post-confirmation and post-authentication trigger (wired in CDK).
@app.lambda_function(name="on_user_confirmed")
def on_user_confirmed(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Every user has a profile: made when Cognito confirms them or, for users made by an administrator
    or a federated sign-in (no confirmation trigger runs for them), when they first sign in."""
    from chalicelib.core.profiles import on_cognito_trigger

    return on_cognito_trigger(event)


# ---- stream handlers: the ARN is fixed at import time (aws/chalice#1882); CDK overrides it on AWS.
@app.on_dynamodb_record(stream_arn=settings.expenses_stream_arn, batch_size=100, starting_position="TRIM_HORIZON")
def on_expenses_stream(event: DynamoDBEvent) -> dict[str, Any]:
    """Rollups, budget crossings and chart publishing for a batch of transaction changes."""
    from chalicelib.expenses.reactions import handle_expenses_batch

    return handle_expenses_batch(event.to_dict())


@app.on_dynamodb_record(stream_arn=settings.outbox_stream_arn, batch_size=25, starting_position="TRIM_HORIZON")
def on_outbox_stream(event: DynamoDBEvent) -> dict[str, Any]:
    """Sends each new alert email once."""
    from chalicelib.core.mailer import handle_outbox_batch

    return handle_outbox_batch(event.to_dict())


@app.on_dynamodb_record(stream_arn=settings.inventory_stream_arn, batch_size=100, starting_position="TRIM_HORIZON")
def on_inventory_stream(event: DynamoDBEvent) -> dict[str, Any]:
    """Sales, stock-value and demand rollups; low-stock, stock-out and overstock alerts; backorder emails; charts."""
    from chalicelib.inventory.reactions import handle_inventory_batch

    return handle_inventory_batch(event.to_dict())


@app.on_dynamodb_record(stream_arn=settings.helpdesk_stream_arn, batch_size=100, starting_position="TRIM_HORIZON")
def on_helpdesk_stream(event: DynamoDBEvent) -> dict[str, Any]:
    """The help desk's emails: the customer's on every public update, the agent's on assignment."""
    from chalicelib.helpdesk.reactions import handle_helpdesk_batch

    return handle_helpdesk_batch(event.to_dict())


@app.on_dynamodb_record(stream_arn=settings.shop_stream_arn, batch_size=100, starting_position="TRIM_HORIZON")
def on_shop_stream(event: DynamoDBEvent) -> dict[str, Any]:
    """The shop's customer emails: one on every order status."""
    from chalicelib.shop.reactions import handle_shop_batch

    return handle_shop_batch(event.to_dict())


@app.on_dynamodb_record(stream_arn=settings.cars_stream_arn, batch_size=100, starting_position="TRIM_HORIZON")
def on_cars_stream(event: DynamoDBEvent) -> dict[str, Any]:
    """The public listing's shards, price index, days on lot and demand rollups and chart, the aging-stock
    work list and saved-search emails."""
    from chalicelib.cars.reactions import handle_cars_batch

    return handle_cars_batch(event.to_dict())


# ---- shop channels (issue 13 item 4): each channel's available-to-sell feed, from both streams it depends on.
@app.on_dynamodb_record(stream_arn=settings.inventory_stream_arn, batch_size=100, starting_position="TRIM_HORIZON")
def on_channel_stock(event: DynamoDBEvent) -> dict[str, Any]:
    """Stock moved (positions, products): each touched channel's feed and stock webhook, once per batch."""
    from chalicelib.shop.reactions import handle_channel_batch

    return handle_channel_batch(event.to_dict())


@app.on_dynamodb_record(stream_arn=settings.shop_stream_arn, batch_size=100, starting_position="TRIM_HORIZON")
def on_channel_settings(event: DynamoDBEvent) -> dict[str, Any]:
    """A channel or a listing changed: the channels' feeds and stock webhooks, once per batch."""
    from chalicelib.shop.reactions import handle_channel_batch

    return handle_channel_batch(event.to_dict())


@app.schedule(Rate(5, unit=Rate.MINUTES))
def retry_channel_webhooks(event: CloudWatchEvent) -> Any:
    """Every 5 minutes: a channel's stock webhook that failed is sent again, until it is delivered."""
    from chalicelib.shop.jobs import retry_channel_pushes

    return retry_channel_pushes()


# ---- help desk mail (issue 11 item 4): SES ids of sent emails, and received emails.
@app.on_dynamodb_record(stream_arn=settings.outbox_stream_arn, batch_size=100, starting_position="TRIM_HORIZON")
def on_helpdesk_mail_sent(event: DynamoDBEvent) -> dict[str, Any]:
    """Records the Message-ID SES gave each sent help desk email, so a reply naming it finds its ticket."""
    from chalicelib.helpdesk.reactions import handle_mail_sent_batch

    return handle_mail_sent_batch(event.to_dict())


@app.lambda_function(name="on_inbound_mail")
def on_inbound_mail(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """S3 object-created events of `inbound/` (SES receiving stores each email there; CDK wires the
    notification, the local stack's mail worker sends the same event): replies land in their tickets."""
    from chalicelib.helpdesk.reactions import handle_inbound_mail

    return handle_inbound_mail(event)


# ---- schedules
@app.schedule(Rate(5, unit=Rate.MINUTES))
def retry_outbox(event: CloudWatchEvent) -> Any:
    """Sends alert emails whose first attempt failed or whose sender died mid-send."""
    from chalicelib.core.mailer import retry_due_messages

    return retry_due_messages()


@app.schedule(Rate(1, unit=Rate.HOURS))
def materialize_recurring(event: CloudWatchEvent) -> Any:
    """Records each due occurrence of recurring expenses and income once, catching up after downtime."""
    from chalicelib.expenses.jobs import materialize_due

    return materialize_due()


@app.schedule(Cron(0, 17, "*", "*", "?", "*"))
def pace_warning(event: CloudWatchEvent) -> Any:
    """Daily: warns once per budget and month when this month's pace passes the budget before its end."""
    from chalicelib.expenses.jobs import pace_warnings

    return pace_warnings()


@app.schedule(Rate(1, unit=Rate.HOURS))
def monthly_digest(event: CloudWatchEvent) -> Any:
    """Hourly around the turn of a month: each person's digest on their 1st, once."""
    from chalicelib.expenses.jobs import monthly_digests

    return monthly_digests()


@app.schedule(Rate(1, unit=Rate.HOURS))
def month_end_close(event: CloudWatchEvent) -> Any:
    """Hourly around the turn of a month: rollover budgets carry their surplus or overspend, once."""
    from chalicelib.expenses.jobs import close_months

    return close_months()


@app.schedule(Cron(0, 5, "*", "*", "?", "*"))
def reorder(event: CloudWatchEvent) -> Any:
    """Daily: what is below its reorder point becomes one draft purchase order per supplier and location."""
    from chalicelib.inventory.jobs import draft_reorders

    return draft_reorders()


@app.schedule(Rate(1, unit=Rate.HOURS))
def forecast_demand(event: CloudWatchEvent) -> Any:
    """Hourly: each product × location's demand forecast, days of cover and suggested reorder point,
    refreshed once a day, within the function's remaining time."""
    from chalicelib.inventory.jobs import forecast_positions

    # Chalice types the context as a dict; on Lambda it is the LambdaContext.
    remaining_ms = getattr(event.context, "get_remaining_time_in_millis", lambda: 60_000)()
    remaining = remaining_ms / 1000
    return forecast_positions(budget_seconds=max(5.0, remaining - 15))


@app.schedule(Rate(1, unit=Rate.HOURS))
def close_solved(event: CloudWatchEvent) -> Any:
    """Hourly: help desk tickets solved four days ago and not answered since are closed."""
    from chalicelib.helpdesk.jobs import close_solved_tickets

    return close_solved_tickets()


@app.schedule(Rate(15, unit=Rate.MINUTES))
def booking_reminders(event: CloudWatchEvent) -> Any:
    """Every 15 minutes: a test drive's or service appointment's reminder, a day before it, once."""
    from chalicelib.cars.jobs import send_booking_reminders

    return send_booking_reminders()


@app.schedule(Rate(1, unit=Rate.MINUTES))
def expire_shop_orders(event: CloudWatchEvent) -> Any:
    """Every minute: an unpaid shop order whose reservation time is up is cancelled and its stock released, once."""
    from chalicelib.shop.jobs import expire_unpaid_orders

    return expire_unpaid_orders()


@app.schedule(Rate(1, unit=Rate.MINUTES))
def shop_promotion_edges(event: CloudWatchEvent) -> Any:
    """Every minute: a shop promotion that started or ended moves on, and its storefront's prices are republished."""
    from chalicelib.shop.jobs import promotion_edges

    return promotion_edges()


@app.schedule(Cron(0, 6, "*", "*", "?", "*"))
def aging_stock(event: CloudWatchEvent) -> Any:
    """Daily: the dealer's aging-stock emails (N days on the lot, or the estimate well below the asking price),
    once per car and rule."""
    from chalicelib.cars.jobs import aging_stock as run

    return run()


@app.schedule(Rate(5, unit=Rate.MINUTES))
def sla_sweep(event: CloudWatchEvent) -> Any:
    """Every 5 minutes: help desk SLA warnings (80%) and breaches (100%), each emailed once."""
    from chalicelib.helpdesk.jobs import sweep_sla

    return sweep_sla()


# ---- texts and new-product news (issue 13 items 6 and 7)
@app.lambda_function(name="on_inbound_sms")
def on_inbound_sms(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Texts received on the origination number: End User Messaging's two-way SMS publishes each to an
    SNS topic that invokes this function (CDK wires it; locally `make sms-in`). STOP opts out, START
    back in; anything else is an inquiry (a help desk ticket, else the shop's)."""
    from chalicelib.shop.reactions import handle_inbound_sms

    return handle_inbound_sms(event)


@app.schedule(Cron(0, 8, "*", "*", "?", "*"))
def announce_launches(event: CloudWatchEvent) -> Any:
    """Daily 08:00 UTC: each follower's one message of the day's product launches (a digest), once."""
    from chalicelib.shop.jobs import announce_launches as run

    return run()


@app.schedule(Rate(5, unit=Rate.MINUTES))
def notify_restocked(event: CloudWatchEvent) -> Any:
    """Every 5 minutes: "notify me" requests of products back in stock, one message each, once."""
    from chalicelib.shop.jobs import notify_restocked as run

    return run()
