"""Sign-up, sign-in and the caller's profile."""
from __future__ import annotations

import hmac
import html
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from botocore.exceptions import ClientError
from chalice import Blueprint, Response

from .alert_rules import ALERT_TYPES
from .auth import issued_token_claims
from .deferred import deferred
from .errors import Conflict, Forbidden, InvalidInput, NotFound, TallyError, Unauthorized
from .schemas import (
    ConfirmedOut, ConfirmIn, ProfileIn, ProfileOut, RefreshIn, SignInIn, SignUpIn, SignUpOut, TokensOut,
    UnsubscribeQuery,
)
from .settings import get_settings
from .web import Media, Req, route

if TYPE_CHECKING:
    from . import aws, models, profiles
    from .models import Profile
else:  # imported by the first request that calls them (core.deferred)
    aws, models, profiles = deferred(__package__, "aws", "models", "profiles")

account = Blueprint(__name__)


def _cognito_error(exc: ClientError, field: str = "email") -> TallyError:
    code = exc.response.get("Error", {}).get("Code", "")
    msg = exc.response.get("Error", {}).get("Message", code)
    if code == "UsernameExistsException":
        return Conflict("an account with this email exists", field="email")
    if code in ("InvalidPasswordException",):
        return InvalidInput(msg, field="password")
    if code in ("NotAuthorizedException", "UserNotFoundException"):
        return Unauthorized("wrong email or password")
    if code == "UserNotConfirmedException":
        return Forbidden("confirm your email first", field="email")
    if code in ("CodeMismatchException", "ExpiredCodeException"):
        return InvalidInput(msg, field="code")
    return InvalidInput(msg, field=field)


@route(account, "/auth/sign-up", ("POST",), public=True, body=SignUpIn, response=SignUpOut, status=201)
def sign_up(req: Req) -> SignUpOut:
    """Create an account; confirmed at once locally, by Cognito's emailed code on AWS."""
    data = req.body(SignUpIn)
    s = get_settings()
    cognito = aws.client("cognito-idp")
    try:
        out = cognito.sign_up(
            ClientId=s.user_pool_client_id,
            Username=data.email,
            Password=data.password,
            UserAttributes=[{"Name": "email", "Value": data.email}, {"Name": "name", "Value": data.name or data.email}],
        )
        confirmed = bool(out.get("UserConfirmed"))
        if s.auto_confirm_sign_up and not confirmed:
            cognito.admin_confirm_sign_up(UserPoolId=s.user_pool_id, Username=data.email)
            # What Cognito's emailed code does on AWS: the address is proven (invitations need it).
            cognito.admin_update_user_attributes(UserPoolId=s.user_pool_id, Username=data.email,
                                                 UserAttributes=[{"Name": "email_verified", "Value": "true"}])
            confirmed = True
    except ClientError as exc:
        raise _cognito_error(exc) from None
    profiles.ensure_profile(out["UserSub"], data.email, data.name)
    return SignUpOut(confirmed=confirmed, sub=out["UserSub"])


@route(account, "/auth/confirm", ("POST",), public=True, body=ConfirmIn, response=ConfirmedOut)
def confirm(req: Req) -> ConfirmedOut:
    """Confirm a sign-up with the code Cognito emailed."""
    data = req.body(ConfirmIn)
    try:
        aws.client("cognito-idp").confirm_sign_up(
            ClientId=get_settings().user_pool_client_id, Username=data.email, ConfirmationCode=data.code
        )
    except ClientError as exc:
        raise _cognito_error(exc, "code") from None
    return ConfirmedOut(confirmed=True)


def _authenticate(flow: str, params: dict[str, str], field: str) -> TokensOut:
    """Tokens from Cognito's InitiateAuth for the dashboard's public client."""
    try:
        result = aws.client("cognito-idp").initiate_auth(
            ClientId=get_settings().user_pool_client_id, AuthFlow=flow, AuthParameters=params)
    except ClientError as exc:
        raise _cognito_error(exc, field) from None
    auth = result.get("AuthenticationResult") or {}
    if "IdToken" not in auth:
        raise Unauthorized("sign-in needs another step: " + str(result.get("ChallengeName", "unknown")))
    return TokensOut(id_token=auth["IdToken"], access_token=auth["AccessToken"],
                     refresh_token=auth.get("RefreshToken"), expires_in=int(auth.get("ExpiresIn", 3600)))


@route(account, "/auth/sign-in", ("POST",), public=True, body=SignInIn, response=TokensOut)
def sign_in(req: Req) -> TokensOut:
    """Exchange email and password for tokens (Cognito USER_PASSWORD_AUTH)."""
    data = req.body(SignInIn)
    tokens = _authenticate("USER_PASSWORD_AUTH", {"USERNAME": data.email, "PASSWORD": data.password}, "email")
    claims = issued_token_claims(tokens.id_token)  # straight from Cognito: nothing to verify
    profiles.ensure_profile(str(claims["sub"]), str(claims.get("email") or data.email), str(claims.get("name") or ""))
    return tokens


@route(account, "/auth/refresh", ("POST",), public=True, body=RefreshIn, response=TokensOut)
def refresh(req: Req) -> TokensOut:
    """New ID and access tokens from a refresh token."""
    data = req.body(RefreshIn)
    return _authenticate("REFRESH_TOKEN_AUTH", {"REFRESH_TOKEN": data.refresh_token}, "refresh_token")


@route(account, "/me", ("GET",), response=ProfileOut)
def me(req: Req) -> ProfileOut:
    """The caller's profile."""
    user = req.principal
    profile = profiles.get_profile(user.sub) or profiles.ensure_profile(user.sub, user.email)
    return profiles.profile_out(profile)


@route(account, "/me", ("PUT",), body=ProfileIn, response=ProfileOut)
def put_me(req: Req) -> ProfileOut:
    """Change name, time zone, home currency or alert preferences."""
    return profiles.profile_out(profiles.update_profile(req.principal, req.body(ProfileIn)))


UNSUBSCRIBE_TYPES = ALERT_TYPES
UNSUBSCRIBE_PAGE = Media("text/html", "The page, in HTML (errors are JSON like every other route's)")


def _unsubscribe_page(title: str, body: str) -> Response:
    page = ("<!doctype html><html lang=en><meta charset=utf-8><meta name=viewport content='width=device-width'>"
            f"<title>{html.escape(title)}</title><h1>{html.escape(title)}</h1>{body}</html>")
    return Response(body=page, status_code=200, headers={
        "Content-Type": "text/html; charset=utf-8",
        "Content-Security-Policy": "default-src 'none'; form-action 'self'; frame-ancestors 'none'"})


def _unsubscribe_target(req: Req) -> tuple[Profile, str]:
    q = req.query_model(UnsubscribeQuery)
    sub, token, kind = q.u, q.t, q.type
    if kind not in UNSUBSCRIBE_TYPES:
        raise InvalidInput("unknown kind of email", field="type")
    profile = profiles.get_profile(sub) if sub else None
    if profile is None or not profile.unsubscribe_token or not hmac.compare_digest(profile.unsubscribe_token, token):
        raise NotFound("this unsubscribe link is not valid", field="t")
    return profile, kind


@route(account, "/unsubscribe", ("GET",), public=True, query=UnsubscribeQuery, response=UNSUBSCRIBE_PAGE)
def unsubscribe_page(req: Req) -> Response:
    """The page an email's unsubscribe link opens: a button, so a link scanner changes nothing.
    A link that is not valid is an error like any other: JSON, as the document declares."""
    _profile, kind = _unsubscribe_target(req)
    query = html.escape(urlencode({"u": _profile.sub, "t": req.query_model(UnsubscribeQuery).t, "type": kind}))
    return _unsubscribe_page(f"Stop {kind} emails?", (
        f'<form method="post" action="unsubscribe?{query}"><button type="submit">Stop {html.escape(kind)} emails'
        "</button></form>"))


@route(account, "/unsubscribe", ("POST",), public=True, query=UnsubscribeQuery, response=UNSUBSCRIBE_PAGE,
       content_types=("application/x-www-form-urlencoded", "application/json", "multipart/form-data", "text/plain"))
def unsubscribe(req: Req) -> Response:
    """Turn one kind of email off (the page's button, or a mail client's one-click List-Unsubscribe-Post)."""
    profile, kind = _unsubscribe_target(req)
    prefs = profile.alert_preferences or models.AlertPreferences()
    setattr(prefs, f"{kind}_alerts", False)
    profile.alert_preferences = prefs
    profile.save()
    return _unsubscribe_page("Unsubscribed", f"<p>You will get no more {html.escape(kind)} emails. You can turn them "
                             "back on in your profile.</p>")
