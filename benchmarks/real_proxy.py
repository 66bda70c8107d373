"""A real LiteLLM proxy for the benchmarks, filled straight through its PostgreSQL database.

The proxy comes from the team's dev kit (`REAL_LITELLM_KIT`, below: its `start` and `stop`
scripts install and run LiteLLM 1.108.7 over a local PostgreSQL). The benchmark uses a home,
port and database of its own, so it never touches the proxy CI runs (port 4000/4100).

Tenants, teams and history are written as LiteLLM writes them (its `schema.prisma`): keys in
`LiteLLM_VerificationToken` (token = sha256 of the raw key), teams in `LiteLLM_TeamTable`, one
`LiteLLM_DailyUserSpend` row per key, day and model (what `/…/daily/activity/aggregated` sums),
and every request of the measured tenants in `LiteLLM_SpendLogs` (what `/spend/logs/v2` pages,
by `metadata.user_api_key_alias` for `key_alias`). Generated in SQL with `generate_series`.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from benchmarks.sim_server import BenchTenant, measured_month

# The one place the dev kit's path is written; a checkout elsewhere sets the variable.
REAL_LITELLM_KIT = Path(os.environ.get("BUDGETTUI_BENCH_REAL_LITELLM", "/work/shared/real-litellm"))
HOME = Path(os.environ.get("BUDGETTUI_BENCH_REAL_HOME", "/tmp/real-litellm-bench"))
PORT = "4200"
DATABASE = "litellm_bench"
MASTER_KEY = "sk-bench-master"
TEAMS = 200


@dataclass(frozen=True)
class RealProxy:
    url: str
    master_key: str


def _env() -> dict[str, str]:
    return {
        **os.environ,
        "REAL_LITELLM_HOME": str(HOME),
        "REAL_LITELLM_PORT": PORT,
        "REAL_LITELLM_DB": DATABASE,
        "REAL_LITELLM_MASTER_KEY": MASTER_KEY,
    }


def _script(name: str, logs: Path) -> str:
    """Run the kit's script, its output into files (the proxy it starts outlives it and must
    not hold a pipe of ours), no descriptors inherited; its stdout."""
    out_path = Path(f"{logs}.{name}.out")
    with open(out_path, "w") as out, open(f"{logs}.{name}.err", "w") as err:
        subprocess.run(
            [str(REAL_LITELLM_KIT / name)],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            env=_env(),
            close_fds=True,
            timeout=900,
            check=False,
        )
    return out_path.read_text()


def unavailable_reason() -> str | None:
    """Why the real proxy cannot be tried here, or None."""
    if not (REAL_LITELLM_KIT / "start").exists():
        return f"no LiteLLM dev kit at {REAL_LITELLM_KIT} (set BUDGETTUI_BENCH_REAL_LITELLM)"
    if os.geteuid() != 0:
        return "the LiteLLM dev kit needs root (it runs PostgreSQL and apt)"
    return None


def start(logs: Path) -> RealProxy:
    said = _script("start", logs)
    values = dict(
        line.split("=", 1) for line in said.splitlines() if line.startswith("REAL_LITELLM_")
    )
    if "REAL_LITELLM_URL" not in values:
        tail = Path(f"{logs}.start.err").read_text().strip().splitlines()[-3:]
        raise RuntimeError("the real LiteLLM did not start: " + " / ".join(tail))
    return RealProxy(values["REAL_LITELLM_URL"], values["REAL_LITELLM_MASTER_KEY"])


def stop(logs: Path) -> None:
    _script("stop", logs)


def psql(sql: str) -> str:
    url = (HOME / "run" / "database_url").read_text().strip()
    done = subprocess.run(
        ["psql", url, "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-c", sql],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"psql failed: {done.stderr.strip()[-1000:]}")
    return done.stdout


def key_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def empty() -> None:
    psql(
        'TRUNCATE "LiteLLM_VerificationToken", "LiteLLM_TeamTable", "LiteLLM_DailyUserSpend", '
        '"LiteLLM_SpendLogs" CASCADE'
    )


def add_teams() -> None:
    """Teams created a second apart: `/v2/team/list` orders by `created_at` alone."""
    psql(
        'INSERT INTO "LiteLLM_TeamTable" (team_id, team_alias, admins, members, models, '
        "max_budget, budget_duration, created_at, updated_at) "
        "SELECT format('bench-team-%s', lpad(g::text, 3, '0')), "
        "format('org-%s', lpad(g::text, 3, '0')), '{}', '{}', '{}', "
        "CASE WHEN g % 2 = 0 THEN 500.0 END, CASE WHEN g % 2 = 0 THEN '30d' END, "
        "timestamp '2026-01-01' + g * interval '1 second', now() "
        f"FROM generate_series(0, {TEAMS - 1}) g"
    )


def add_tenants(first: int, last: int, now: datetime) -> None:
    """Keys `tenant-FIRST` … `tenant-LAST` (inclusive), in teams round-robin, created a second
    apart; four in five with a budget; each with one day of this month's traffic."""
    today = now.date().isoformat()
    raw = "format('sk-bench-%s', g)"
    psql(
        'INSERT INTO "LiteLLM_VerificationToken" (token, key_name, key_alias, spend, '
        "total_spend, models, team_id, max_budget, budget_duration, budget_reset_at, "
        "created_at, updated_at, created_by) "
        f"SELECT encode(sha256(convert_to({raw}, 'UTF8')), 'hex'), "
        "format('sk-...%s', lpad(g::text, 4, '0')), format('tenant-%s', lpad(g::text, 4, '0')), "
        "(g % 97) * 0.01, (g % 97) * 0.03, '{}', "
        f"format('bench-team-%s', lpad((g % {TEAMS})::text, 3, '0')), "
        "CASE WHEN g % 5 <> 0 THEN 1.0 + (g % 13) END, "
        "CASE WHEN g % 5 <> 0 THEN '30d' END, "
        "CASE WHEN g % 5 <> 0 THEN now() + interval '20 days' END, "
        "timestamp '2026-02-01' + g * interval '1 second', now(), 'default_user_id' "
        f"FROM generate_series({first}, {last}) g"
    )
    psql(
        'INSERT INTO "LiteLLM_DailyUserSpend" (id, user_id, date, api_key, model, model_group, '
        "custom_llm_provider, prompt_tokens, completion_tokens, spend, api_requests, "
        "successful_requests, failed_requests, created_at, updated_at) "
        f"SELECT format('bench-mtd-%s', g), NULL, '{today}', "
        f"encode(sha256(convert_to({raw}, 'UTF8')), 'hex'), 'gpt-4o-mini', 'fake-gpt-mini', "
        "'openai', 600, 150, (g % 97) * 0.01, 5, 5, 0, now(), now() "
        f"FROM generate_series({first}, {last}) g"
    )


def add_history(tenants: list[BenchTenant], now: datetime) -> dict[str, str]:
    """Each tenant's requests spread over the measured month: the daily rows (split over two
    models) and every spend-log row. Returns their key hashes by alias."""
    start, end = measured_month(now)
    hashes = {}
    for tenant in tenants:
        token = key_hash(f"sk-bench-{tenant.alias}")
        hashes[tenant.alias] = token
        psql(
            'INSERT INTO "LiteLLM_VerificationToken" (token, key_name, key_alias, models, '
            "created_at, updated_at, created_by) VALUES "
            f"('{token}', 'sk-...{tenant.alias[-4:]}', '{tenant.alias}', '{{}}', "
            f"timestamp '{(start - timedelta(days=3)).isoformat(sep=' ')}', now(), "
            "'default_user_id')"
        )
        step = (end - start).total_seconds() / tenant.requests
        psql(
            'INSERT INTO "LiteLLM_SpendLogs" (request_id, call_type, api_key, spend, '
            'total_tokens, prompt_tokens, completion_tokens, "startTime", "endTime", model, '
            'model_group, custom_llm_provider, "user", metadata, status) '
            f"SELECT format('{tenant.alias}-%s', g), 'acompletion', '{token}', 0.000036, 150, "
            "120, 30, ts, ts + interval '1 second', 'gpt-4o-mini', 'fake-gpt-mini', 'openai', "
            f"'', jsonb_build_object('user_api_key_alias', '{tenant.alias}', "
            f"'user_api_key', '{token}'), 'success' "
            f"FROM generate_series(0, {tenant.requests - 1}) g, "
            f"LATERAL (SELECT timestamp '{start.isoformat(sep=' ')[:19]}' "
            f"+ g * interval '{step} seconds' AS ts) t"
        )
        # The daily rows: the spend logs of each day, split over two models by parity.
        psql(
            'INSERT INTO "LiteLLM_DailyUserSpend" (id, user_id, date, api_key, model, '
            "model_group, custom_llm_provider, prompt_tokens, completion_tokens, spend, "
            "api_requests, successful_requests, failed_requests, created_at, updated_at) "
            "SELECT format('bench-%s-%s-%s', api_key, day, m), NULL, day, api_key, m, m, "
            "'openai', sum(prompt_tokens), sum(completion_tokens), sum(spend), count(*), "
            "count(*), 0, now(), now() FROM (SELECT api_key, "
            "to_char(\"startTime\", 'YYYY-MM-DD') AS day, "
            "CASE WHEN right(request_id, 1) IN ('0','2','4','6','8') THEN 'gpt-4o-mini' "
            "ELSE 'gpt-4o' END AS m, prompt_tokens, completion_tokens, spend "
            f"FROM \"LiteLLM_SpendLogs\" WHERE api_key = '{token}') s GROUP BY api_key, day, m"
        )
    return hashes
