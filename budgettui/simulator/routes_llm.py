"""``POST /chat/completions`` (and ``/v1/...``): a priced mock completion; the ``/__sim/`` controls.

Like the real proxy's config-level ``mock_response``: 10 prompt + 20 completion tokens, priced from
the model's per-token costs, reported in ``x-litellm-response-cost``; the call is logged and its
cost added to the key, its team, its user and their membership at once (the real proxy flushes a
second or so later). Before that, ``caps.check_llm_request`` refuses the request for the first cap
it hits, in LiteLLM's order and with each version's status. Per-request budget *reservation* is
not simulated.
"""

from __future__ import annotations

from typing import Any

from budgettui.simulator.auth import extract_key
from budgettui.simulator.bodies import ChatBody, PromoteBody
from budgettui.simulator.caps import check_llm_request
from budgettui.simulator.errors import detail_error, proxy_error
from budgettui.simulator.logrows import request_id
from budgettui.simulator.models import PRICES, request_cost
from budgettui.simulator.params import parse_body
from budgettui.simulator.routing import Ctx, Spec, json_response

PROMPT_TOKENS = 10
COMPLETION_TOKENS = 20


async def chat_completions(ctx: Ctx) -> Any:
    body = parse_body(ChatBody, ctx.body)
    store = ctx.store
    model = body.model
    if model is None or model not in PRICES:
        message = (
            f"{ctx.request.url.path}: Invalid model name passed in model={model}. "
            "Call `/v1/models` to view available models for your key."
        )
        error = proxy_error(400, message, "invalid_request_error", None)
        error.body["error"]["provider_specific_fields"] = {"error": message}
        raise error
    key = ctx.caller.key
    raw = extract_key(ctx.request.headers) or ""
    check_llm_request(store, ctx.version, key, raw)
    row = store.charge(key, model, PROMPT_TOKENS, COMPLETION_TOKENS)
    cost = request_cost(PRICES[model], PROMPT_TOKENS, COMPLETION_TOKENS)
    completion = {
        "id": request_id(row),
        "created": int(row.ts),
        "model": model,
        "object": "chat.completion",
        "choices": [
            {
                "finish_reason": "stop",
                "index": 0,
                "message": {"content": f"Hello from {model} (mock)", "role": "assistant"},
            }
        ],
        "usage": {
            "completion_tokens": COMPLETION_TOKENS,
            "prompt_tokens": PROMPT_TOKENS,
            "total_tokens": PROMPT_TOKENS + COMPLETION_TOKENS,
        },
    }
    headers = {
        "x-litellm-response-cost": str(cost),
        "x-litellm-model-group": model,
        "x-litellm-call-id": request_id(row).removeprefix("chatcmpl-"),
    }
    if key is not None:
        headers["x-litellm-key-spend"] = str(key.spend)
        if key.max_budget is not None:
            headers["x-litellm-key-max-budget"] = str(key.max_budget)
    return json_response(200, completion, headers)


async def promote_team_admin(ctx: Ctx) -> Any:
    """Test control: what the real-proxy tests do in the DB to make a team admin."""
    body = parse_body(PromoteBody, ctx.body)
    team = ctx.store.teams.get(body.team_id)
    if team is None or team.role_of(body.user_id) is None:
        raise detail_error(404, {"error": f"{body.user_id} is not a member of team {body.team_id}"})
    ctx.store.promote_team_admin(body.team_id, body.user_id)
    return {"team_id": body.team_id, "user_id": body.user_id, "role": "admin"}


async def sim_state(ctx: Ctx) -> Any:
    """Test control: a small summary of the store."""
    store = ctx.store
    return {
        "now": store.now().isoformat(),
        "users": len(store.users),
        "teams": len(store.teams),
        "keys": len(store.keys),
        "spend_logs": len(store.ledger),
        "requests": len(store.requests),
    }


ROUTES = [
    Spec("POST", "/chat/completions", "/chat/completions", chat_completions),
    Spec("POST", "/v1/chat/completions", "/v1/chat/completions", chat_completions),
    Spec(
        "POST",
        "/__sim/promote_team_admin",
        "/__sim/promote_team_admin",
        promote_team_admin,
        master_only=True,
    ),
    Spec("GET", "/__sim/state", "/__sim/state", sim_state, master_only=True),
]
