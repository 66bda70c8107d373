"""Who is calling, and may they call this route (LiteLLM's ``user_api_key_auth`` + route gate).

Key extraction, the 401 messages and the per-role route gate follow LiteLLM 1.108.7
(``auth/user_api_key_auth.py``, ``auth/route_checks.py``, ``LiteLLMRoutes``), restricted to the
routes the simulator serves; the route lists and the unknown-key message come from the selected
``LiteLLMVersion``. Handlers then apply their own row-level rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from budgettui.simulator.errors import ApiError, mask_user_id, proxy_error
from budgettui.simulator.models import MASTER_KEY_ALIAS, MASTER_USER_ID, Key
from budgettui.simulator.store import Store, hash_token
from budgettui.simulator.timefmt import to_utc
from budgettui.simulator.versions import LiteLLMVersion

PROXY_ADMIN = "proxy_admin"
PROXY_ADMIN_VIEWER = "proxy_admin_viewer"
INTERNAL_USER = "internal_user"
INTERNAL_USER_VIEWER = "internal_user_viewer"

RESET_SPEND = "/key/{key}/reset_spend"
LLM_ROUTES = frozenset({"/chat/completions", "/v1/chat/completions"})
VIEWER_BLOCKED_ROUTES = frozenset(
    {"/user/new", "/user/delete", "/team/new", "/team/update", "/team/delete"}
)


@dataclass(frozen=True, slots=True)
class Caller:
    """The authenticated caller, as LiteLLM's ``UserAPIKeyAuth`` sees it."""

    is_master: bool
    user_id: str | None
    user_role: str
    gate_role: str | None
    api_key: str
    key: Key | None
    team_id: str | None
    user_email: str | None

    @property
    def is_proxy_admin(self) -> bool:
        return self.user_role == PROXY_ADMIN

    @property
    def admin_view(self) -> bool:
        """``user_api_key_has_admin_view``: proxy admins and proxy-admin viewers."""
        return self.user_role in (PROXY_ADMIN, PROXY_ADMIN_VIEWER)


def _bearer(value: str) -> str:
    for prefix in ("Bearer ", "Basic ", "bearer "):
        if value.startswith(prefix):
            return value.replace(prefix, "")
    return ""


def extract_key(headers: Mapping[str, str]) -> str | None:
    """The key as LiteLLM's ``get_api_key`` finds it: None when absent, "" when malformed."""
    custom = headers.get("x-litellm-api-key")
    if custom is not None:
        return _bearer(custom) or custom
    authorization = headers.get("authorization")
    if authorization:
        return _bearer(authorization)
    for name in ("api-key", "x-api-key"):
        value = headers.get(name)
        if value is not None:
            return value
    return "" if authorization is not None else None


def _auth_failure(message: str, error_type: str = "auth_error", param: str = "None") -> ApiError:
    return proxy_error(401, message, error_type, param)


def _unknown_key(raw: str, version: LiteLLMVersion) -> ApiError:
    if not version.verbose_invalid_key_message:
        message = "Authentication Error, Invalid API key provided."
    else:
        # 1.84.10 ``user_api_key_auth`` rewrites ``get_key_object``'s 401 with the abbreviated
        # key (``abbreviate_api_key``: ``sk-...`` + last four) and the hash it looked up.
        message = (
            "Authentication Error, Invalid proxy server token passed. Received API Key = "
            f"sk-...{raw[-4:]}, Key Hash (Token) ={hash_token(raw)}. Unable to find token in "
            "cache or `LiteLLM_VerificationTokenTable`"
        )
    return _auth_failure(message, "token_not_found_in_db", "key")


def authenticate(
    store: Store, headers: Mapping[str, str], version: LiteLLMVersion, *, llm_route: bool = False
) -> Caller:
    """Resolve the caller or raise LiteLLM's 401 (a blocked key; an expired one, except on LLM
    routes, where ``caps.check_llm_request`` checks expiry in LiteLLM's order)."""
    raw = extract_key(headers)
    if raw is None:
        raise _auth_failure("Authentication Error, No api key passed in.")
    if raw == "":
        raise _auth_failure(
            "Authentication Error, Malformed API Key passed in. Ensure Key has `Bearer ` prefix."
        )
    if raw == store.master_key:
        return Caller(
            is_master=True,
            user_id=MASTER_USER_ID,
            user_role=PROXY_ADMIN,
            gate_role=PROXY_ADMIN,
            api_key=MASTER_KEY_ALIAS,
            key=None,
            team_id=None,
            user_email=None,
        )
    if not raw.startswith("sk-"):
        masked = f"{raw[:4]}****{raw[-4:]}" if len(raw) > 8 else "****"
        raise _auth_failure(
            f"LiteLLM Virtual Key expected. Received={masked}, expected to start with 'sk-'."
        )
    key = store.keys.get(hash_token(raw))
    if key is None:
        raise _unknown_key(raw, version)
    if key.blocked:
        raise _auth_failure(
            "Authentication Error, Key is blocked. Update via `/key/unblock` if you're an admin."
        )
    if not llm_route:
        check_expiry(store, key, raw, version)
    user = store.users.get(key.user_id) if key.user_id else None
    return Caller(
        is_master=False,
        user_id=key.user_id,
        user_role=user.user_role if user else INTERNAL_USER,
        gate_role=user.user_role if user else None,
        api_key=key.token,
        key=key,
        team_id=key.team_id,
        user_email=user.user_email if user else None,
    )


def check_expiry(store: Store, key: Key, raw: str, version: LiteLLMVersion) -> None:
    """``Expired Key``: 401 on 1.108, 400 on 1.84; the times as Python prints them."""
    now = store.now()
    if key.expires is None or to_utc(key.expires) >= now:
        return
    raise proxy_error(
        version.expired_key_status,
        f"Authentication Error - Expired Key. Key Expiry time {to_utc(key.expires)} and "
        f"current time {now}",
        "expired_key",
        f"sk-...{raw[-4:]}",
    )


def caller_label(store: Store, headers: Mapping[str, str]) -> str | None:
    """Who to record for a request: user id, ``default_user_id`` for the master key, else None."""
    raw = extract_key(headers)
    if not raw:
        return None
    if raw == store.master_key:
        return MASTER_USER_ID
    key = store.keys.get(hash_token(raw)) if raw.startswith("sk-") else None
    return key.user_id if key else None


def check_route(
    version: LiteLLMVersion,
    caller: Caller,
    route: str,
    path: str,
    method: str,
    user_id_param: str | None,
) -> None:
    """``RouteChecks.non_proxy_admin_allowed_routes_check`` for the simulator's routes."""
    if caller.gate_role == PROXY_ADMIN or route in LLM_ROUTES:
        return
    if route in version.info_routes:
        viewer_exempt = caller.gate_role == PROXY_ADMIN_VIEWER and version.viewer_reads_other_users
        if (
            route == "/user/info"
            and user_id_param
            and user_id_param != caller.user_id
            and not viewer_exempt
        ):
            raise proxy_error(
                403,
                f"key not allowed to access this user's info. user_id={user_id_param}, "
                f"key's user_id={caller.user_id}",
                "auth_error",
            )
        return
    if caller.gate_role == PROXY_ADMIN_VIEWER:
        _viewer_check(route, path, method)
        return
    role = caller.gate_role
    if (
        (role == INTERNAL_USER and route in version.internal_user_routes)
        or (role == INTERNAL_USER_VIEWER and route in version.internal_user_viewer_routes)
        or route in version.self_managed_routes
    ):
        return
    raise proxy_error(
        401,
        "Authentication Error, Only proxy admin can be used to generate, delete, update info for "
        f"new keys/users/teams. Route={path}. Your role={role or 'unknown'}. "
        f"Your user_id={mask_user_id(caller.user_id or 'unknown')}",
        "auth_error",
    )


def _viewer_check(route: str, path: str, method: str) -> None:
    denied = proxy_error(
        403,
        f"user not allowed to access this route, role= {PROXY_ADMIN_VIEWER}. Trying to "
        f"access: {path}",
        "auth_error",
    )
    if route in VIEWER_BLOCKED_ROUTES or route == RESET_SPEND:
        raise denied
    if method.upper() in ("GET", "HEAD", "OPTIONS"):
        return
    raise denied
