"""Spend-log rows as ``/spend/logs/v2`` renders them (its column list, metadata hydrated).

Ids (``request_id``, ``litellm_call_id``, ``session_id``) are derived from the row's sequence
number, so they are stable and unique without storing strings for every row.
"""

from __future__ import annotations

import hashlib
from typing import Any

from budgettui.simulator.models import PRICES, LogRow
from budgettui.simulator.timefmt import iso_ms

Json = dict[str, Any]

# The rest of the metadata keys LiteLLM 1.108.7 writes for a plain chat completion.
_METADATA_DEFAULTS: Json = {
    **dict.fromkeys(
        [
            "actor_agent_id",
            "agent_execution_mode",
            "autorouter_baseline_observation",
            "autorouter_savings",
            "autorouter_savings_estimate",
            "azure_spillover",
            "batch_failed_requests",
            "batch_models",
            "batch_successful_requests",
            "billing_agent_id",
            "cold_storage_object_key",
            "compression_savings",
            "eval_information",
            "guardrail_information",
            "internal_call_origin",
            "litellm_gateway_injected_cache",
            "litellm_overhead_time_ms",
            "max_retries",
            "mcp_tool_call_metadata",
            "proxy_server_request",
            "router_metadata",
            "routing_decision",
            "spend_logs_metadata",
            "target_agent_id",
            "user_agent",
            "user_api_key_project_alias",
            "user_api_key_project_id",
            "vector_store_request_metadata",
            "verified_human_user_id",
        ]
    ),
    "applied_guardrails": [],
    "attempted_retries": 0,
    "attempted_fallbacks": 0,
    "billed_retry_attempt": False,
    "litellm_roi_estimator": False,
    "used_client_oauth_token": False,
}


def _model_map(row: LogRow) -> Json:
    price = PRICES.get(row.model_group)
    return {
        "model_map_key": row.model,
        "model_map_value": {
            "mode": "chat",
            "litellm_provider": row.provider,
            "input_cost_per_token": price.input_cost if price else None,
            "output_cost_per_token": price.output_cost if price else None,
        },
    }


def _uuid_from(seq: int, salt: int) -> str:
    value = (seq * 0x9E3779B97F4A7C15 + salt * 0xBF58476D1CE4E5B9) % (1 << 128)
    text = f"{value:032x}"
    return f"{text[:8]}-{text[8:12]}-4{text[13:16]}-a{text[17:20]}-{text[20:]}"


def request_id(row: LogRow) -> str:
    return "chatcmpl-" + _uuid_from(row.seq, 1)


def log_json(row: LogRow) -> Json:
    """One ``/spend/logs/v2`` row."""
    call_id = _uuid_from(row.seq, 2)
    start = iso_ms(row.ts)
    end = iso_ms(row.ts + row.duration_ms / 1000)
    failed = row.status == "failure"
    input_cost = 0.0 if failed else row.spend - _output_share(row)
    usage = {
        "total_tokens": row.prompt_tokens + row.completion_tokens,
        "prompt_tokens": row.prompt_tokens,
        "completion_tokens": row.completion_tokens,
        "prompt_tokens_details": None,
        "completion_tokens_details": None,
    }
    metadata: Json = {
        "status": "failure" if failed else None,
        "usage_object": usage,
        "user_api_key": row.api_key,
        "cost_breakdown": {
            "input_cost": input_cost,
            "total_cost": row.spend,
            "output_cost": row.spend - input_cost,
            "service_tier": None,
            "original_cost": row.spend,
            "data_residency": None,
            "margin_percent": 0,
            "discount_amount": 0,
            "tool_usage_cost": 0,
            "vertex_location": None,
            "discount_percent": 0,
            "margin_fixed_amount": 0,
            "margin_total_amount": 0,
        },
        "litellm_call_id": call_id,
        "error_information": (
            {
                "error_code": "500",
                "error_class": "InternalServerError",
                "error_message": "upstream error",
            }
            if failed
            else None
        ),
        "user_api_key_alias": row.key_alias,
        "user_api_key_org_id": None,
        "requester_ip_address": "127.0.0.1",
        "user_api_key_team_id": row.team_id or None,
        "user_api_key_user_id": row.user or None,
        "user_api_key_team_alias": row.team_alias,
        "original_model_group": row.model_group,
        "model_map_information": _model_map(row),
        "additional_usage_values": {
            "prompt_tokens_details": None,
            "completion_tokens_details": None,
        },
        **_METADATA_DEFAULTS,
    }
    return {
        "request_id": request_id(row),
        "call_type": "acompletion",
        "api_key": row.api_key,
        "spend": row.spend,
        "total_tokens": row.prompt_tokens + row.completion_tokens,
        "prompt_tokens": row.prompt_tokens,
        "completion_tokens": row.completion_tokens,
        "startTime": start,
        "endTime": end,
        "completionStartTime": end,
        "model": row.model,
        "model_id": hashlib.sha256(row.model.encode()).hexdigest(),
        "model_group": row.model_group,
        "custom_llm_provider": row.provider,
        "api_base": "",
        "user": row.user,
        "metadata": metadata,
        "cache_hit": "None",
        "cache_key": "Cache OFF",
        "request_tags": [],
        "team_id": row.team_id,
        "organization_id": "",
        "end_user": "",
        "requester_ip_address": "127.0.0.1",
        "session_id": _uuid_from(row.seq, 4),
        "status": row.status,
        "mcp_namespaced_tool_name": None,
        "agent_id": None,
        "litellm_call_id": call_id,
        "request_duration_ms": row.duration_ms,
    }


def _output_share(row: LogRow) -> float:
    price = PRICES.get(row.model_group)
    if price is None:
        return 0.0
    return row.completion_tokens * price.output_cost
