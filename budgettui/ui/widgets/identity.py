"""What the credential is, in words an admin uses: "proxy admin", "team admin of acme, beta",
"user (viewer)"; never LiteLLM's `internal_user` for someone who administers a team."""

from __future__ import annotations

from collections.abc import Iterable

from budgettui.domain.tenants import ADMIN_ROLES, Tenant, is_read_only
from budgettui.proxy.models import Caller

ROLE_WORDS = {
    "proxy_admin": "proxy admin",
    "proxy_admin_viewer": "proxy admin (viewer)",
    "internal_user": "user",
    "internal_user_viewer": "user (viewer)",
}
TEAMS_NAMED = 3  # beyond this many teams, "+N more"


def administered_orgs(caller: Caller, tenants: Iterable[Tenant]) -> list[str]:
    """The orgs whose admin the caller is. A tenant's `can_reset` is exactly that for a caller
    who is neither a proxy admin nor read-only (domain.tenants.may_reset_key); a team with no
    key visible to the caller cannot be told this way."""
    if caller.user_role in ADMIN_ROLES or is_read_only(caller):
        return []
    return sorted(
        {t.org.name for t in tenants if t.org and t.can_reset and not t.provisioning},
        key=str.casefold,
    )


def role_words(caller: Caller, tenants: Iterable[Tenant]) -> str:
    orgs = administered_orgs(caller, tenants)
    if orgs:
        named = ", ".join(orgs[:TEAMS_NAMED])
        more = len(orgs) - TEAMS_NAMED
        return f"team admin of {named}" + (f" +{more} more" if more > 0 else "")
    role = caller.user_role
    if role is None:
        return "no role"
    return ROLE_WORDS.get(role, role.replace("_", " "))
