"""Daily-activity aggregation over the ledger's rollups (LiteLLM ``common_daily_activity.py``).

Only days that have traffic appear in ``results`` (newest first), like LiteLLM's GROUP BY over the
daily tables. Per-key lists (``breakdown.api_keys`` and every ``api_key_breakdown``) are limited to
the top ``api_key_limit`` keys by spend over the whole range, ties broken by api_key.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from weakref import WeakKeyDictionary

from budgettui.simulator.ledger import ENDPOINT, Metrics, RollupKey, add_into, new_metrics
from budgettui.simulator.store import Store

Json = dict[str, Any]
Entry = tuple[str, RollupKey, Metrics]


@dataclass(frozen=True, slots=True)
class Scope:
    """Which rollups to read: table ("user"/"team"), days, entity ids, key filter, model."""

    table: str
    start_day: str
    end_day: str
    entity_ids: tuple[str, ...] | None = None
    exclude_entity_ids: tuple[str, ...] = ()
    api_keys: tuple[str, ...] | None = None
    model: str | None = None


def entity_of(scope: Scope, key: RollupKey) -> str:
    return key.user if scope.table == "user" else key.team_id


def collect(store: Store, scope: Scope) -> list[Entry]:
    """The rollup entries in scope, oldest day first, insertion order within a day."""
    out: list[Entry] = []
    for day, bucket in store.ledger.days(scope.start_day, scope.end_day):
        for key, metrics in bucket.items():
            entity = entity_of(scope, key)
            if scope.entity_ids is not None and entity not in scope.entity_ids:
                continue
            if entity in scope.exclude_entity_ids:
                continue
            if scope.model and key.model != scope.model:
                continue
            if scope.api_keys is not None and key.api_key not in scope.api_keys:
                continue
            out.append((day, key, metrics))
    return out


def metrics_json(m: Metrics) -> Json:
    """A ``SpendMetrics`` object."""
    return {
        "spend": m[0],
        "flat_cost": 0.0,
        "ptu_hours": 0.0,
        "prompt_tokens": int(m[1]),
        "completion_tokens": int(m[2]),
        "cache_read_input_tokens": 0,
        "cache_creation_input_tokens": 0,
        "compression_saved_tokens": 0,
        "compression_savings_spend": 0.0,
        "prompt_caching_savings_spend": 0.0,
        "gateway_injected_caching_savings_spend": 0.0,
        "autorouter_savings_spend": 0.0,
        "total_tokens": int(m[1] + m[2]),
        "successful_requests": int(m[4]),
        "failed_requests": int(m[5]),
        "api_requests": int(m[3]),
        "total_response_time_ms": int(m[6]),
        "timed_requests": int(m[7]),
    }


def key_metadata(store: Store, api_key: str) -> Json:
    """``KeyMetadata`` for one api key (live key, archived key, or unknown)."""
    key = store.keys.get(api_key)
    if key is None:
        archived = store.deleted_keys.get(api_key)
        if archived is None:
            return {
                "key_alias": None,
                "team_id": None,
                "user_id": None,
                "user_email": None,
                "key_exists": False,
            }
        key, exists = archived.key, False
    else:
        exists = True
    user = store.users.get(key.user_id) if key.user_id else None
    return {
        "key_alias": key.key_alias,
        "team_id": key.team_id,
        "user_id": key.user_id,
        "user_email": user.user_email if user else None,
        "key_exists": exists,
    }


def rank_keys(entries: Iterable[Entry]) -> list[str]:
    """Api keys by total spend (desc), then api_key."""
    spend: dict[str, float] = {}
    for _, key, metrics in entries:
        spend[key.api_key] = spend.get(key.api_key, 0.0) + metrics[0]
    return sorted(spend, key=lambda api_key: (-spend[api_key], api_key))


class _Bucket:
    """Metrics plus a per-key breakdown (``MetricWithMetadata``)."""

    __slots__ = ("keys", "metrics")

    def __init__(self) -> None:
        self.metrics = new_metrics()
        self.keys: dict[str, Metrics] = {}

    def add(self, api_key: str, metrics: Metrics, keep_key: bool) -> None:
        add_into(self.metrics, metrics)
        if keep_key:
            add_into(self.keys.setdefault(api_key, new_metrics()), metrics)


class _Day:
    __slots__ = ("api_keys", "endpoints", "entities", "groups", "metrics", "models", "providers")

    def __init__(self) -> None:
        self.metrics = new_metrics()
        self.models: dict[str, _Bucket] = {}
        self.groups: dict[str, _Bucket] = {}
        self.providers: dict[str, _Bucket] = {}
        self.endpoints: dict[str, _Bucket] = {}
        self.entities: dict[str, _Bucket] = {}
        self.api_keys: dict[str, Metrics] = {}


def aggregate(
    store: Store,
    scope: Scope,
    entries: Sequence[Entry],
    *,
    key_limit: int | None,
    entity_metadata: dict[str, Json],
) -> tuple[list[Json], Metrics]:
    """Per-day results (newest first) and grand totals."""
    ranked = rank_keys(entries)
    kept = set(ranked if key_limit is None else ranked[:key_limit])
    days: dict[str, _Day] = {}
    totals = new_metrics()
    for day_name, key, metrics in entries:
        day = days.get(day_name)
        if day is None:
            day = days[day_name] = _Day()
        keep = key.api_key in kept
        add_into(day.metrics, metrics)
        add_into(totals, metrics)
        day.models.setdefault(key.model, _Bucket()).add(key.api_key, metrics, keep)
        day.groups.setdefault(key.model_group or key.model, _Bucket()).add(
            key.api_key, metrics, keep
        )
        day.providers.setdefault(key.provider or "unknown", _Bucket()).add(
            key.api_key, metrics, keep
        )
        day.endpoints.setdefault(ENDPOINT, _Bucket()).add(key.api_key, metrics, keep)
        entity = entity_of(scope, key) or "Unassigned"
        day.entities.setdefault(entity, _Bucket()).add(key.api_key, metrics, keep)
        if keep:
            add_into(day.api_keys.setdefault(key.api_key, new_metrics()), metrics)
    meta_cache: dict[str, Json] = {}

    def meta(api_key: str) -> Json:
        if api_key not in meta_cache:
            meta_cache[api_key] = key_metadata(store, api_key)
        return dict(meta_cache[api_key])

    def buckets(source: dict[str, _Bucket], metadata: dict[str, Json] | None = None) -> Json:
        return {
            name: {
                "metrics": metrics_json(bucket.metrics),
                "metadata": dict((metadata or {}).get(name, {})),
                "api_key_breakdown": {
                    api_key: {"metrics": metrics_json(m), "metadata": meta(api_key)}
                    for api_key, m in bucket.keys.items()
                },
            }
            for name, bucket in source.items()
        }

    results = [
        {
            "date": name,
            "metrics": metrics_json(day.metrics),
            "breakdown": {
                "mcp_servers": {},
                "models": buckets(day.models),
                "model_groups": buckets(day.groups),
                "providers": buckets(day.providers),
                "endpoints": buckets(day.endpoints),
                "api_keys": {
                    api_key: {"metrics": metrics_json(m), "metadata": meta(api_key)}
                    for api_key, m in day.api_keys.items()
                },
                "entities": buckets(day.entities, entity_metadata),
            },
        }
        for name, day in sorted(days.items(), reverse=True)
    ]
    return results, totals


def totals_metadata(totals: Metrics) -> Json:
    """The ``total_*`` half of ``DailySpendMetadata``."""
    m = metrics_json(totals)
    return {
        "total_spend": m["spend"],
        "total_flat_cost": 0.0,
        "total_ptu_hours": 0.0,
        "total_prompt_tokens": m["prompt_tokens"],
        "total_completion_tokens": m["completion_tokens"],
        "total_tokens": m["total_tokens"],
        "total_api_requests": m["api_requests"],
        "total_successful_requests": m["successful_requests"],
        "total_failed_requests": m["failed_requests"],
        "total_cache_read_input_tokens": 0,
        "total_cache_creation_input_tokens": 0,
        "total_compression_saved_tokens": 0,
        "total_compression_savings_spend": 0.0,
        "total_prompt_caching_savings_spend": 0.0,
        "total_gateway_injected_caching_savings_spend": 0.0,
        "total_autorouter_savings_spend": 0.0,
        "total_response_time_ms": m["total_response_time_ms"],
        "total_timed_requests": m["timed_requests"],
    }


def entity_key_counts(scope: Scope, entries: Iterable[Entry]) -> dict[str, int]:
    seen: dict[str, set[str]] = {}
    for _, key, _metrics in entries:
        seen.setdefault(entity_of(scope, key) or "Unassigned", set()).add(key.api_key)
    return {entity: len(keys) for entity, keys in seen.items()}


KeyTotals = tuple[dict[str, Metrics], list[str]]
# A client pages through the per-key totals 100 keys at a time, so the same totals are asked for
# once per page (21 times at 2,000 keys): they are computed once per (ledger length, scope). The
# ledger only grows, so a new request changes its length and the next page sees it.
_KEY_TOTALS: WeakKeyDictionary[Store, dict[tuple[int, Scope], KeyTotals]] = WeakKeyDictionary()


def key_totals(store: Store, scope: Scope) -> KeyTotals:
    """Per-key totals in scope, and the api keys ranked by spend (desc), then api_key."""
    memo = _KEY_TOTALS.setdefault(store, {})
    token = (len(store.ledger), scope)
    if token not in memo:
        if len(memo) >= 8:
            memo.clear()
        per_key: dict[str, Metrics] = {}
        for _, key, metrics in collect(store, scope):
            add_into(per_key.setdefault(key.api_key, new_metrics()), metrics)
        ranked = sorted(per_key, key=lambda api_key: (-per_key[api_key][0], api_key))
        memo[token] = (per_key, ranked)
    return memo[token]


def key_page(store: Store, scope: Scope, offset: int, limit: int) -> Json:
    """``/…/daily/activity/aggregated/keys``: per-key totals, ranked by spend."""
    per_key, ranked = key_totals(store, scope)
    rows = []
    for api_key in ranked[offset : offset + limit]:
        m = metrics_json(per_key[api_key])
        rows.append(
            {
                "api_key": api_key,
                "metrics": {
                    name: m[name]
                    for name in [
                        "spend",
                        "prompt_tokens",
                        "completion_tokens",
                        "total_tokens",
                        "api_requests",
                        "successful_requests",
                        "failed_requests",
                        "cache_read_input_tokens",
                        "cache_creation_input_tokens",
                    ]
                },
                "metadata": key_metadata(store, api_key),
            }
        )
    return {"api_keys": rows, "total_api_keys": len(ranked), "offset": offset, "limit": limit}


# LiteLLM 1.84.10's ``SpendMetrics``, ``KeyMetadata`` and ``DailySpendMetadata`` fields.
_LEGACY_METRICS = (
    "spend",
    "prompt_tokens",
    "completion_tokens",
    "cache_read_input_tokens",
    "cache_creation_input_tokens",
    "total_tokens",
    "successful_requests",
    "failed_requests",
    "api_requests",
)
_LEGACY_TOTALS = (
    "total_spend",
    "total_prompt_tokens",
    "total_completion_tokens",
    "total_tokens",
    "total_api_requests",
    "total_successful_requests",
    "total_failed_requests",
    "total_cache_read_input_tokens",
    "total_cache_creation_input_tokens",
)


def legacy_shape(body: Json) -> Json:
    """A daily-activity answer in LiteLLM 1.84.10's smaller models: the nine original metrics,
    key metadata with only alias and team, and no key counts or limit in the metadata."""

    def metrics(m: Json) -> Json:
        return {name: m[name] for name in _LEGACY_METRICS}

    def keyed(entry: Json) -> Json:
        meta = entry["metadata"]
        short = {"key_alias": meta.get("key_alias"), "team_id": meta.get("team_id")}
        return {"metrics": metrics(entry["metrics"]), "metadata": short}

    def bucket(entry: Json) -> Json:
        breakdown = {k: keyed(v) for k, v in entry["api_key_breakdown"].items()}
        return {
            "metrics": metrics(entry["metrics"]),
            "metadata": entry["metadata"],
            "api_key_breakdown": breakdown,
        }

    results = []
    for day in body["results"]:
        parts = day["breakdown"]
        breakdown = {
            name: {k: (keyed(v) if name == "api_keys" else bucket(v)) for k, v in part.items()}
            for name, part in parts.items()
        }
        results.append(
            {"date": day["date"], "metrics": metrics(day["metrics"]), "breakdown": breakdown}
        )
    meta = body["metadata"]
    totals = {name: meta[name] for name in _LEGACY_TOTALS}
    paging = {k: meta[k] for k in ("page", "total_pages", "has_more")}
    return {"results": results, "metadata": {**totals, **paging}}
